"""The store: migrations, UTC, query files with headers and fragments, bound parameters, allow-listed identifiers."""

from __future__ import annotations

from typing import Any

import pytest

from launchkit.errors import QueryError, WarehouseBusy, WarehouseError
from launchkit.store import migrate, queries
from launchkit.store.sql import identifier, quote_ident
from launchkit.store.warehouse import Warehouse


@pytest.mark.parametrize("name", queries.names())
def test_every_query_file_has_a_header_and_one_statement(name):
    q = queries.load_query(name)
    assert q.purpose and q.grain
    assert ";" not in q.sql, f"{name}: one statement per file"
    assert "{{" not in q.sql, f"{name}: every fragment was inserted"


def test_the_query_files_are_the_ones_on_disk():
    on_disk = sorted(
        str(p.relative_to(queries.root()).with_suffix(""))
        for p in __import__("pathlib").Path(str(queries.root())).rglob("*.sql")
        if not {"migrations", "fragments"} & set(p.parts)
    )
    assert queries.names() == on_disk and len(on_disk) > 30


def test_every_migration_file_is_one_statement_with_a_header():
    from pathlib import Path

    files = list(Path(str(queries.root() / "migrations")).rglob("*.sql"))
    assert len(files) >= 15
    for p in files:
        text = p.read_text()
        assert "-- purpose:" in text and "-- grain:" in text, p
        body = queries.strip_comments(text).strip().rstrip(";")
        assert ";" not in body, p


def test_a_fragment_is_written_once_and_inserted_where_named():
    q = queries.load_query("metrics/summary")
    active = queries.fragment("session_events")
    assert active in q.sql  # the "active session" events, inserted whole
    assert q.sql.count("FROM turns") >= 2  # turns_priced's own turns plus the events' turns
    assert q.parameters == ("start", "end")  # the fragments' parameters are the query's


def test_a_fragment_that_includes_itself_is_refused(monkeypatch):
    real = queries._read

    def fake(name: str) -> str:
        if name == "fragments/loop_a":
            return "-- fragment: a\nSELECT * FROM ({{ loop_b }})"
        if name == "fragments/loop_b":
            return "-- fragment: b\nSELECT * FROM ({{ loop_a }})"
        return real(name)

    monkeypatch.setattr(queries, "_read", fake)
    queries.fragment.cache_clear()
    try:
        with pytest.raises(QueryError, match="includes itself"):
            queries.fragment("loop_a")
    finally:
        queries.fragment.cache_clear()


def test_migrate_is_idempotent_and_records_the_version(tmp_path):
    path = tmp_path / "w.duckdb"
    wh = Warehouse.open(path)
    # migration numbers are handed out per change, so there may be gaps: the newest one is the version
    assert migrate.schema_version(wh.con) == migrate.expected_version() == max(v for v, _, _ in migrate.migrations())
    wh.close()
    wh = Warehouse.open(path)  # second open: nothing to apply, nothing fails
    assert wh.execute("SELECT count(*) FROM schema_version").fetchall()[0][0] == len(migrate.migrations())
    assert wh.execute("SELECT current_setting('TimeZone')").fetchall()[0][0] == "UTC"
    wh.close()


def test_the_turns_priced_view_is_built_from_its_fragment(con):
    # the view people explore with SQL and the fragment the queries insert give the same rows
    con.execute(
        "INSERT INTO turns (turn_id, session_id, started_at, model, status, latency_ms, ttft_ms, input_tokens, "
        "output_tokens, cost_usd, _load_id) VALUES ('t1','s1','2026-03-02T10:00:00Z','m','ok',1,1,1000,100,0.5,0)"
    )
    view = con.execute("SELECT turn_id, cost_usd, cost_source FROM turns_priced").fetchall()
    frag = con.execute(f"SELECT turn_id, cost_usd, cost_source FROM ({queries.fragment('turns_priced')})").fetchall()
    assert view == frag == [("t1", 0.5, "reported")]


def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "w.duckdb"
    wh = Warehouse.open(path)
    wh.execute("INSERT INTO schema_version VALUES (999, 'future', now())")
    wh.close()
    with pytest.raises(WarehouseError, match="newer than this launchkit"):
        Warehouse.open(path)


def test_read_only_open_of_a_missing_warehouse_is_a_clear_error(tmp_path):
    with pytest.raises(WarehouseError, match="no warehouse"):
        Warehouse.open(tmp_path / "none.duckdb", read_only=True)


def test_queries_bind_values_and_refuse_wrong_parameters(con):
    con.execute(
        "INSERT INTO loads (load_id, path, content_hash, status, loaded_at) VALUES (1, 'a''; DROP TABLE turns; --', 'h', 'failed', now())"
    )
    rows = con.rows("status/last_loads", {"limit": 5})
    assert rows[0][1] == "a'; DROP TABLE turns; --"
    with pytest.raises(QueryError, match="takes parameters"):
        con.rows("status/last_loads", {"limit": 5, "extra": 1})
    with pytest.raises(QueryError, match="no query file"):
        con.rows("status/nope")


def test_one_row_reads_missing_as_none(con):
    assert con.one("metrics/activity_span") == {"first_at": None, "last_at": None}


def test_identifiers_come_from_an_allow_list():
    assert identifier("tenant_id", {"tenant_id", "model"}) == '"tenant_id"'
    assert quote_ident('a"b') == '"a""b"'
    with pytest.raises(QueryError):
        identifier('tenant_id"; DROP TABLE turns; --', {"tenant_id"})


def test_an_identifier_slot_takes_only_a_quoted_allow_listed_name(con):
    days: dict[str, Any] = {"days": [], "starts": [], "ends": [], "start": None, "end": None, "grain": "day"}
    with pytest.raises(QueryError, match="identifier slots"):
        con.frame("finance/spend", days)
    with pytest.raises(QueryError, match="must come from"):
        con.frame("finance/spend", days, identifiers={"column": "model"})


def test_a_second_writer_waits_then_gets_a_clear_busy_error(tmp_path):
    import subprocess
    import sys
    import time

    path = tmp_path / "w.duckdb"
    Warehouse.open(path).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(path)!r}); print('ok', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ok"
        t = time.monotonic()
        with pytest.raises(WarehouseBusy, match="in use by another process") as err:
            Warehouse.open(path, wait_s=0.5)
        assert err.value.waited_s == 0.5
        assert time.monotonic() - t >= 0.5
    finally:
        holder.kill()
        holder.wait()
