"""launchkit.toml: defaults, validation with the key named, and the precedence of paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from launchkit.config import load_config
from launchkit.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "launchkit.toml"
    p.write_text(text)
    return p


def test_defaults_without_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cfg = load_config(env={})
    assert cfg.path is None
    assert cfg.warehouse_path == tmp_path / "launchkit.duckdb"
    assert cfg.reports_dir == tmp_path / "reports"
    assert cfg.timezone == "UTC"
    assert cfg.get("quality.min_coverage") == 0.9


def test_file_in_current_folder_is_found_and_paths_are_relative_to_it(tmp_path, monkeypatch):
    write(tmp_path, '[warehouse]\npath = "data/pilot.duckdb"\n[budget]\ntotal_usd = 2500\n')
    monkeypatch.chdir(tmp_path)
    cfg = load_config(env={})
    assert cfg.warehouse_path == tmp_path / "data" / "pilot.duckdb"
    assert cfg.get("budget.total_usd") == 2500
    assert cfg.get("budget.cost_per_session_usd") == 0.5  # untouched default survives the merge


def test_flags_beat_environment_beat_file(tmp_path, monkeypatch):
    write(tmp_path, '[warehouse]\npath = "file.duckdb"\n[reports]\ndir = "file-reports"\n')
    monkeypatch.chdir(tmp_path)
    env = {"LAUNCHKIT_WAREHOUSE": str(tmp_path / "env.duckdb"), "LAUNCHKIT_REPORTS_DIR": str(tmp_path / "env-reports")}
    assert load_config(env=env).warehouse_path == tmp_path / "env.duckdb"
    assert load_config(env=env).reports_dir == tmp_path / "env-reports"
    cfg = load_config(env=env, warehouse=tmp_path / "flag.duckdb", reports_dir=tmp_path / "flag-reports")
    assert cfg.warehouse_path == tmp_path / "flag.duckdb" and cfg.reports_dir == tmp_path / "flag-reports"


@pytest.mark.parametrize(
    "text, key",
    [
        ("[warehous]\npath = 'x'\n", "warehous"),
        ("[warehouse]\npth = 'x'\n", "warehouse.pth"),
        ("[budget]\ntotal_usd = 'lots'\n", "budget.total_usd"),
        ("[budget]\ntotal_usd = -5\n", "budget.total_usd"),
        ("[ingest]\ntimezone = 'Mars/Olympus'\n", "ingest.timezone"),
        ("[quality]\nmin_coverage = 1.5\n", "quality.min_coverage"),
        ("[quality]\nmin_coverage = true\n", "quality.min_coverage"),
        ("[pilot]\nstart = '2026-13-01'\n", "pilot.start"),
        ("warehouse = 3\n", "warehouse"),
        ("[budget\n", "(file)"),
    ],
)
def test_a_bad_config_names_the_key_in_one_line(tmp_path, monkeypatch, text, key):
    write(tmp_path, text)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as err:
        load_config(env={})
    assert err.value.key == key
    assert f"'{key}'" in str(err.value) and "\n" not in str(err.value)
    assert str(tmp_path / "launchkit.toml") in str(err.value)


def test_explicit_config_path_must_exist(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        load_config(tmp_path / "nope.toml", env={})


def test_digest_changes_with_the_config(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    a = load_config(env={})
    write(tmp_path, "[budget]\ntotal_usd = 100\n")
    b = load_config(env={})
    assert a.digest() != b.digest()
    assert b.digest() == load_config(env={}).digest()


@pytest.mark.parametrize("how", ["env", "flag", "env-upper"])
def test_none_means_no_file_and_no_upward_search(tmp_path, monkeypatch, how):
    """A launchkit.toml in a parent folder (as `make demo` leaves one at the checkout's root) is not
    picked up when the caller says `none`: the defaults hold."""
    write(tmp_path, '[budget]\ntotal_usd = 2500\n[reports]\ntimezone = "Asia/Kolkata"\n')
    below = tmp_path / "notebooks"
    below.mkdir()
    monkeypatch.chdir(below)
    assert load_config(env={}).get("budget.total_usd") == 2500  # the search finds it without `none`
    if how == "flag":
        cfg = load_config("none", env={})
    else:
        cfg = load_config(env={"LAUNCHKIT_CONFIG": "NONE" if how == "env-upper" else "none"})
    assert cfg.path is None
    assert cfg.timezone == "UTC"
    assert cfg.get("budget.total_usd") != 2500
    assert cfg.warehouse_path == below / "launchkit.duckdb"
