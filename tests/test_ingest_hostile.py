"""Hostile input cannot stall the load or leak through its messages (issue 18, items 5 and 7): a gzip file
past its decompressed-size or ratio limit and a record past the record-size limit fail in one line,
quickly and in bounded memory; a link out of the inbox is never followed; an error line names the file,
row and field but never echoes a value from inside it; a file name's control characters are escaped."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

import pytest
from _report_fixtures import clean_env, launchkit_cmd

from launchkit import ingest
from launchkit.config import load_config
from launchkit.errors import ConfigError
from launchkit.ingest import files, inbox, inflate
from launchkit.ingest.result import FileResult

SECRET = "alice:s3cret-token-98765:1000:1000::/home/alice:/bin/sh"


def _gz(path: Path, data: bytes) -> Path:
    path.write_bytes(gzip.compress(data, compresslevel=9))
    return path


# --- 7. bounded work for a .gz ------------------------------------------------------------------


def test_a_gzip_bomb_fails_in_one_line_after_reading_a_little(tmp_path, config, con, monkeypatch):
    """400 MiB of one record in a ~400 KB file: refused by its ratio after the first few MiB."""
    f = tmp_path / "feedback_bomb.csv.gz"
    with gzip.open(f, "wb", compresslevel=9) as out:
        out.write(b"feedback_id,session_id,submitted_at,rating,comment\nf1,s1,2026-03-02T10:00:00Z,5,")
        block = b"x" * (1 << 20)
        for _ in range(400):
            out.write(block)
    read = {"bytes": 0}
    real = inflate.gzip.GzipFile.read

    def counting(self, size=-1):
        chunk = real(self, size)
        read["bytes"] += len(chunk)
        return chunk

    monkeypatch.setattr(inflate.gzip.GzipFile, "read", counting)
    [r] = ingest.ingest(con, [f], config=config)
    assert not r.ok and "max_compression_ratio (200)" in str(r.error), r.error
    assert "\n" not in str(r.error)
    assert read["bytes"] < 32 << 20  # stopped early: not the 400 MiB
    assert con.execute("SELECT count(*) FROM feedback").fetchall() == [(0,)]


def test_the_decompressed_size_limit_holds_for_a_well_compressed_file(tmp_path, config, con):
    rows = "".join(f"f{i},s{i % 50},2026-03-02T10:00:00Z,{1 + i % 5},c{i * 7919 % 100003}\n" for i in range(60000))
    f = _gz(tmp_path / "feedback_big.csv.gz", ("feedback_id,session_id,submitted_at,rating,comment\n" + rows).encode())
    cfg = config.with_overrides(**{"ingest.max_decompressed_mb": 1})
    [r] = ingest.ingest(con, [f], config=cfg)
    assert not r.ok and "max_decompressed_mb (1 MiB)" in str(r.error), r.error
    [r] = ingest.ingest(con, [f], config=config)  # within the default limits it loads whole
    assert r.ok and r.loaded == 60000, r.summary()


def test_a_record_over_the_limit_in_a_gzip_file_fails_without_a_second_read(tmp_path, config, con, monkeypatch):
    body = (
        b"feedback_id,session_id,submitted_at,rating,comment\nf1,s1,2026-03-02T10:00:00Z,5,"
        + os.urandom(3 << 20).hex().encode()
    )  # a 6 MiB record that does not compress (no ratio to trip)
    f = _gz(tmp_path / "feedback_long.csv.gz", body + b"\n")
    from launchkit.ingest import tabular

    staged = {"n": 0}
    real = tabular.stage_tabular

    def counting(*a, **k):
        staged["n"] += 1
        return real(*a, **k)

    monkeypatch.setattr("launchkit.ingest.load.stage_tabular", counting)
    [r] = ingest.ingest(con, [f], config=config.with_overrides(**{"ingest.max_record_mb": 4}))
    assert not r.ok and "longer than [ingest] max_record_mb (4 MiB)" in str(r.error), r.error
    assert staged["n"] == 0  # measured while decompressing: DuckDB never read it
    [r] = ingest.ingest(con, [f], config=config)  # the default limit (64 MiB) reads it at once
    assert r.ok and r.loaded == 1 and staged["n"] == 1, r.summary()


def test_a_truncated_gzip_file_is_the_files_fault_recorded_once(tmp_path, config, con):
    data = gzip.compress(b"session_id,tenant_id,started_at\n" + b"s1,t1,2026-03-02T10:00:00Z\n" * 5000)
    f = tmp_path / "sessions_cut.csv.gz"
    f.write_bytes(data[: len(data) // 2])
    [r] = ingest.ingest(con, [f], config=config)
    assert not r.ok and not r.transient and "not a readable gzip file" in str(r.error)
    assert con.execute("SELECT status FROM loads").fetchall() == [("failed",)]


@pytest.mark.parametrize(
    "key, value",
    [
        ("max_decompressed_mb", 0),
        ("max_compression_ratio", 1),
        ("max_record_mb", 2048),
        ("max_record_mb", '"64"'),
    ],
)
def test_the_input_limits_are_validated_when_loaded(tmp_path, key, value):
    (tmp_path / "launchkit.toml").write_text(f"[ingest]\n{key} = {value}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=f"ingest.{key}"):
        load_config(tmp_path / "launchkit.toml")


# --- 5. nothing from inside a file leaves through an error line ---------------------------------


def test_a_link_out_of_the_inbox_is_never_followed(tmp_path, con, config):
    outside = tmp_path / "private" / "passwd"
    outside.parent.mkdir()
    outside.write_text(SECRET + "\n", encoding="utf-8")
    box = tmp_path / "inbox"
    box.mkdir()
    (box / "turns_leak.csv").symlink_to(outside)
    (box / "sessions_dangling.csv").symlink_to(tmp_path / "nowhere.csv")
    os.mkfifo(box / "turns_pipe.csv")  # reading it would block the run
    inside = box / "sessions_real.csv"
    inside.write_text("session_id,tenant_id,started_at\ns1,t1,2026-03-02T10:00:00Z\n", encoding="utf-8")
    (box / "sessions_alias.csv").symlink_to(inside)  # a link within the inbox is read
    assert sorted(p.name for p in inbox.new_files(con.con, box)) == ["sessions_alias.csv", "sessions_real.csv"]
    refused = dict((p.name, why) for p, why in inbox.refused(box))
    assert set(refused) == {"turns_leak.csv", "sessions_dangling.csv", "turns_pipe.csv"}
    assert "outside the folder" in refused["turns_leak.csv"] and "not a regular file" in refused["turns_pipe.csv"]
    # a folder load passes them over the same way, never reading them
    results = ingest.ingest(con, [box], config=config)
    by_name = {Path(r.file).name: r for r in results}
    assert by_name["turns_leak.csv"].passed_over and by_name["turns_pipe.csv"].passed_over
    assert not any(SECRET.split(":")[1] in (r.summary() + str(r.error)) for r in results)


@pytest.mark.parametrize(
    "name, content",
    [
        ("turns_passwd.csv", SECRET + "\n" + SECRET + "\n"),
        ("feedback_noheader.csv", "fb1,s1,2026-03-02T10:00:00Z,2,John Smith acct 12345678\n"),
        ("turns_json.jsonl", '{"turn_id": 1}\n{"not json: ' + SECRET + "\n"),
    ],
)
def test_an_error_line_never_echoes_row_content(tmp_path, con, config, name, content):
    f = tmp_path / name
    f.write_text(content, encoding="utf-8")
    [r] = ingest.ingest(con, [f], config=config)
    assert not r.ok
    recorded = con.execute("SELECT error FROM loads").fetchall()[0][0]
    for text in (r.summary(), recorded):
        for secret in ("s3cret-token-98765", "John Smith", "12345678", "/home/alice"):
            assert secret not in text, text


def test_an_unknown_column_that_looks_like_a_name_is_still_named(tmp_path, con, config):
    f = tmp_path / "sessions_typo.csv"
    f.write_text("session_id,tenant_id,started_at,sesion_note\ns1,t1,2026-03-02T10:00:00Z,x\n", encoding="utf-8")
    [r] = ingest.ingest(con, [f], config=config)
    assert "unknown column(s) sesion_note" in str(r.error)


@pytest.mark.parametrize("evil", ["\n", "\r", "\x1b[2J", "\u2028", "\x85"])
def test_a_file_name_with_control_characters_is_escaped_in_every_line(tmp_path, con, config, evil):
    name = f"sessions_x{evil}hourly 2026-03-02T10:00Z OK.csv"
    f = tmp_path / name
    f.write_text("session_id,tenant_id,started_at\ns1,t1,2026-03-02T10:00:00Z\n", encoding="utf-8")
    [ok] = ingest.ingest(con, [f], config=config)
    bad = FileResult(file=str(f), table=None, error="not a readable CSV file")
    for line in (ok.summary(), bad.summary()):
        assert len(line.splitlines()) == 1 and evil not in line and "sessions_x<U+" in line, line


def test_the_cli_escapes_a_forged_name_and_keeps_one_line(tmp_path):
    (tmp_path / "in").mkdir()
    f = tmp_path / "in" / "sessions_a\nhourly 2026-03-02T10:00Z OK: forged.csv"
    f.write_text("session_id,tenant_id,started_at\ns1,t1,2026-03-02T10:00:00Z\n", encoding="utf-8")
    p = subprocess.run(
        launchkit_cmd("ingest", str(tmp_path / "in"), "--warehouse", str(tmp_path / "w.duckdb")),
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 0, p.stderr
    assert not any(line.startswith("hourly ") for line in (p.stdout + p.stderr).splitlines())
    assert "sessions_a<U+000A>hourly" in p.stdout


def test_not_followed_says_nothing_of_an_ordinary_file(tmp_path):
    f = tmp_path / "sessions_1.csv"
    f.write_text("x\n", encoding="utf-8")
    assert files.not_followed(f, tmp_path) is None
    assert sys.platform != "win32"
