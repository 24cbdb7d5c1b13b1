"""The warehouse: migrations, UTC, query files with headers, bound parameters, allow-listed identifiers."""

from __future__ import annotations

import pytest

from launchkit import warehouse
from launchkit.errors import QueryError, WarehouseError


def all_query_names() -> list[str]:
    return sorted(
        str(p.relative_to(warehouse.QUERIES_DIR).with_suffix(""))
        for p in warehouse.QUERIES_DIR.rglob("*.sql")
        if "migrations" not in p.parts
    )


@pytest.mark.parametrize("name", all_query_names())
def test_every_query_file_has_a_header_and_one_statement(name):
    q = warehouse.load_query(name)
    assert q.purpose and q.grain
    assert ";" not in q.sql, f"{name}: one statement per file"


def test_every_migration_file_is_one_statement_with_a_header():
    for p in warehouse.MIGRATIONS_DIR.rglob("*.sql"):
        text = p.read_text()
        assert "-- purpose:" in text and "-- grain:" in text, p
        body = warehouse._strip_comments(text).strip().rstrip(";")
        assert ";" not in body, p


def test_migrate_is_idempotent_and_records_the_version(tmp_path):
    path = tmp_path / "w.duckdb"
    con = warehouse.connect(path)
    assert warehouse.schema_version(con) == warehouse.SCHEMA_VERSION
    con.close()
    con = warehouse.connect(path)  # second open: nothing to apply, nothing fails
    assert con.execute("SELECT count(*) FROM schema_version").fetchall()[0][0] == len(warehouse._migrations())
    assert con.execute("SELECT current_setting('TimeZone')").fetchall()[0][0] == "UTC"
    con.close()


def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "w.duckdb"
    con = warehouse.connect(path)
    con.execute("INSERT INTO schema_version VALUES (999, 'future', now())")
    con.close()
    with pytest.raises(WarehouseError, match="newer than this launchkit"):
        warehouse.connect(path)


def test_read_only_open_of_a_missing_warehouse_is_a_clear_error(tmp_path):
    with pytest.raises(WarehouseError, match="no warehouse"):
        warehouse.connect(tmp_path / "none.duckdb", read_only=True)


def test_run_binds_values_and_refuses_wrong_parameters(con):
    con.execute("INSERT INTO loads (load_id, path, content_hash, status, loaded_at) VALUES (1, 'a''; DROP TABLE turns; --', 'h', 'failed', now())")
    rows = warehouse.run(con, "status/last_loads", {"limit": 5}).fetchall()
    assert rows[0][1] == "a'; DROP TABLE turns; --"
    with pytest.raises(QueryError, match="takes parameters"):
        warehouse.run(con, "status/last_loads", {"limit": 5, "extra": 1})
    with pytest.raises(QueryError, match="no query file"):
        warehouse.run(con, "status/nope")


def test_identifiers_come_from_an_allow_list():
    assert warehouse.identifier("tenant_id", {"tenant_id", "model"}) == '"tenant_id"'
    with pytest.raises(QueryError):
        warehouse.identifier('tenant_id"; DROP TABLE turns; --', {"tenant_id"})


def test_a_second_writer_waits_then_gets_a_clear_error(tmp_path):
    import subprocess
    import sys
    import time

    path = tmp_path / "w.duckdb"
    warehouse.connect(path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(path)!r}); print('ok', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ok"
        t = time.monotonic()
        with pytest.raises(WarehouseError, match="in use by another process"):
            warehouse.connect(path, wait_s=0.5)
        assert time.monotonic() - t >= 0.5
    finally:
        holder.kill()
        holder.wait()
