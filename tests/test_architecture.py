"""The house rules that hold the design together: light imports, the CLI reference, exit statuses,
one-line errors with a debug switch, config validated at load, migrations that keep rows."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from launchkit import exits
from launchkit.cli import cli, reference
from launchkit.config import load_config
from launchkit.errors import ConfigError
from launchkit.store import migrate, queries
from launchkit.store.warehouse import Warehouse

ROOT = Path(__file__).resolve().parents[1]


def test_the_cli_reference_is_current():
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == reference.render(), (
        "docs/cli.md is out of date: run `make docs`"
    )


def test_every_command_is_in_the_reference_with_its_exit_statuses():
    text = reference.render()
    for name in cli.commands:
        assert f"## launchkit {name}\n" in text
        assert name in reference.COMMAND_EXITS, f"say which exit statuses `{name}` can end with"
    for code, meaning in exits.MEANINGS.items():
        assert f"| {code} | {meaning} |" in text


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [((), 0), ((0, 4), 4), ((4, 3), 3), ((3, 75), 75), ((75, 1), 1), ((0, 0, 0), 0), ((3, 1, 4, 75), 1)],
)
def test_exit_statuses_combine_by_precedence(statuses, expected):
    assert exits.combine(*statuses) == expected


def heavy_after_import(module: str, heavy: tuple[str, ...]) -> list[str]:
    """The `heavy` modules a fresh interpreter has loaded after importing `module`."""
    code = f"import sys, {module}; print(','.join(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    return [m for m in out.split(",") if m]


def test_importing_the_cli_leaves_the_heavy_libraries_out():
    heavy = ("papermill", "plotly", "nbconvert", "nbformat", "jupyter_client", "pandas", "duckdb", "scipy")
    assert heavy_after_import("launchkit.cli", heavy) == []


def test_the_report_index_stays_light():
    """The command side writes the index after every report: it reads the summaries' states without pandas or
    the reports' content (a run of `launchkit hourly` imported pandas for it alone)."""
    heavy = ("pandas", "scipy", "plotly", "launchkit.analytics.criteria", "launchkit.reports.content")
    assert heavy_after_import("launchkit.reports.run.index", heavy) == []
    assert heavy_after_import("launchkit.reports.content.ga_words", ("pandas",)) == ["pandas"]  # the check sees it


def test_a_domain_error_is_one_red_line_and_debug_shows_the_traceback(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    monkeypatch.delenv("LAUNCHKIT_DEBUG", raising=False)
    r = runner.invoke(cli, ["metrics", "--date", "2026-13-45", "--warehouse", str(tmp_path / "w.duckdb")])
    assert r.exit_code == exits.FAILED
    assert r.output.strip().splitlines() == ["Error: --date: not a date YYYY-MM-DD (e.g. 2026-03-02): '2026-13-45'"]
    monkeypatch.setenv("LAUNCHKIT_DEBUG", "1")
    r = runner.invoke(cli, ["metrics", "--date", "2026-13-45", "--warehouse", str(tmp_path / "w.duckdb")])
    assert r.exit_code != 0 and type(r.exception).__name__ == "TimeValueError"  # raised, traceback shown


def test_an_unexpected_error_is_one_line_too(tmp_path, monkeypatch):
    from launchkit.analytics import overview

    def boom(*a, **k):
        raise ZeroDivisionError("deep inside")

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LAUNCHKIT_DEBUG", raising=False)
    Warehouse.open(tmp_path / "w.duckdb").close()
    monkeypatch.setattr(overview, "compute", boom)
    r = CliRunner().invoke(cli, ["metrics", "--date", "2026-03-02", "--warehouse", str(tmp_path / "w.duckdb")])
    assert r.exit_code == exits.FAILED
    assert r.output.strip() == (
        "Error: internal error ZeroDivisionError: deep inside "
        "(a launchkit defect; LAUNCHKIT_DEBUG=1 shows the traceback)"
    )


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ("[decision]\nalpah = 0.05\n", "decision.alpah"),
        ("[criteria.tool_success]\npass = 1.5\n", "criteria.tool_success.pass"),
        ('[pricing.overrides."m"]\ninput_per_mtok = 1\n', 'pricing.overrides."m".output_per_mtok'),
        ("[attributes]\ntenant = []\n", "attributes.tenant"),
        ("[hourly]\nlock_timeout_s = nan\n", "hourly.lock_timeout_s"),
        ("[hourly]\nlock_timeout_s = -1\n", "hourly.lock_timeout_s"),
        ("[budget]\ntotal_usd = inf\n", "budget.total_usd"),
        ('[pilot]\nstart = "2026-03-10"\nend = "2026-03-01"\n', "pilot.end"),
    ],
)
def test_every_section_is_validated_when_the_file_is_loaded(tmp_path, toml, key):
    path = tmp_path / "launchkit.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path, env={})
    assert err.value.key == key and str(path) in str(err.value)


def test_a_non_utf8_config_is_one_line(tmp_path):
    path = tmp_path / "launchkit.toml"
    path.write_bytes("[budget]\ntotal_usd = 10 # caf\xe9\n".encode("latin-1"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(path, env={})


def test_the_config_is_found_in_the_nearest_folder_above(tmp_path, monkeypatch):
    (tmp_path / "launchkit.toml").write_text('[warehouse]\npath = "here.duckdb"\n', encoding="utf-8")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    cfg = load_config(env={})
    assert cfg.path == tmp_path / "launchkit.toml" and cfg.warehouse_path == tmp_path / "here.duckdb"


def test_sql_and_notebooks_are_package_data():
    import launchkit
    from launchkit.analytics.gonogo import DEFAULT_CHECKLIST
    from launchkit.reports.run.paths import notebooks_dir

    pkg = Path(launchkit.__file__).resolve().parent
    assert Path(str(queries.root())).resolve().is_relative_to(pkg)
    assert notebooks_dir().resolve().is_relative_to(pkg) and len(list(notebooks_dir().glob("*.ipynb"))) == 4
    assert Path(str(DEFAULT_CHECKLIST)).resolve().is_relative_to(pkg)
    # the top level shows the same folders to people browsing the project
    assert (ROOT / "queries").resolve() == Path(str(queries.root())).resolve()
    assert (ROOT / "notebooks").resolve() == notebooks_dir().resolve()


def test_a_warehouse_of_the_first_release_upgrades_with_its_rows(tmp_path):
    """A warehouse as the first release created it (migrations 001-003, rows in every table) opens, is
    migrated through every later migration, and keeps every row."""
    path = tmp_path / "old.duckdb"
    import duckdb

    con = duckdb.connect(str(path))
    con.execute("SET TimeZone = 'UTC'")
    con.execute(
        "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP WITH TIME ZONE)"
    )
    for version, name, statements in migrate.migrations():
        if version > 3:
            break
        for stmt in statements:
            con.execute(stmt)
        con.execute("INSERT INTO schema_version VALUES (?, ?, now())", [version, name])
    rows = {
        "sessions": "('s1','t1','u1','2026-03-02T10:00:00Z',NULL,'pilot','r1',1)",
        "turns": "('u1','s1','2026-03-02T10:01:00Z','gpt-4o','ok',1200,300,1000,100,NULL,1)",
        "tool_calls": "('c1','s1','u1','sql',  '2026-03-02T10:01:30Z',50,'ok',NULL,1)",
        "feedback": "('f1','s1','u1','2026-03-02T10:05:00Z',5,'up','good',1)",
        "vendor_costs": "('l1','openai','2026-03-02','gpt-4o',NULL,1.5,'inv1',1)",
        "incidents": "('i1','SEV3','2026-03-02T09:00:00Z',NULL,'slow',NULL,NULL,NULL,1)",
        "rollout": "('t1','pilot','2026-03-01T00:00:00Z',NULL,1)",
        "decisions": None,
    }
    for table, values in rows.items():
        if values:
            con.execute(f"INSERT INTO {table} VALUES {values}")
    con.execute(
        "INSERT INTO loads (load_id, path, content_hash, status, rows_read, loaded, loaded_at) "
        "VALUES (1, 'x.csv', 'h', 'loaded', 7, 7, now())"
    )
    columns = {
        t: [r[0] for r in con.execute(f"SELECT name FROM pragma_table_info('{t}')").fetchall()]
        for t in (*rows, "loads")
    }
    before = {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in columns}
    con.close()

    with Warehouse.open(path) as wh:
        assert migrate.schema_version(wh.con) == migrate.expected_version() > 3
        # every old column keeps its values (a migration may add columns, or rebuild a table to keep
        # the contract's column order, as 005 does for turns)
        after = {t: wh.execute(f"SELECT {', '.join(columns[t])} FROM {t} ORDER BY ALL").fetchall() for t in before}
        # the views are rebuilt from their fragments; the turn is priced like a fresh warehouse's
        assert wh.execute("SELECT turn_id, cost_source FROM turns_priced").fetchall() == [("u1", None)]
    for table, old in before.items():
        assert [r[: len(old[0])] if old else r for r in after[table]] == old, table
