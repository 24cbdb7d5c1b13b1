"""One definition each: the transaction every write uses, the identifier quoting, the number format."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import launchkit
from launchkit.cli import cli
from launchkit.contract import TABLES
from launchkit.store.engines.lake import projection
from launchkit.store.sql import quote_ident
from launchkit.store.warehouse import Warehouse

PACKAGE = Path(launchkit.__file__).parent


def test_a_transaction_commits_the_block_or_none_of_it():
    with Warehouse.memory() as wh:
        wh.execute("CREATE TABLE t (x INTEGER)")
        with wh.transaction():
            wh.execute("INSERT INTO t VALUES (1)")
            wh.execute("INSERT INTO t VALUES (2)")
        with pytest.raises(KeyError), wh.transaction():
            wh.execute("INSERT INTO t VALUES (3)")
            raise KeyError("killed half-way")
        assert wh.execute("SELECT list(x ORDER BY x) FROM t").fetchall()[0][0] == [1, 2]
        with wh.transaction():  # the connection is usable again: no transaction left open
            wh.execute("INSERT INTO t VALUES (4)")
        assert wh.execute("SELECT count(*) FROM t").fetchall()[0][0] == 3


def test_a_failed_rollback_does_not_hide_the_cause():
    wh = Warehouse.memory()
    with pytest.raises(KeyError, match="the cause"), wh.transaction():
        wh.close()  # the connection goes: ROLLBACK fails too
        raise KeyError("the cause")


# A statement that opens, commits or rolls back a transaction: in Python (an execute of BEGIN, COMMIT,
# ROLLBACK, ABORT, END) or in a query file. The decision's ROLLBACK (a recommendation) is no statement.
_TX_PY = re.compile(r"""execute\(\s*[rfb]?["'](BEGIN|START\s+TRANSACTION|COMMIT|ROLLBACK|ABORT|END)\b""", re.I)
_TX_SQL = re.compile(r"^\s*(BEGIN|START\s+TRANSACTION|COMMIT|ROLLBACK|ABORT)\b", re.I | re.M)


def test_transactions_are_written_once():
    """BEGIN, COMMIT and ROLLBACK are spelled in launchkit.store.transaction alone; every write (the
    loader's included) goes through it."""
    found = sorted(
        str(p.relative_to(PACKAGE))
        for p in [*PACKAGE.rglob("*.py"), *PACKAGE.rglob("*.sql")]
        if (_TX_SQL if p.suffix == ".sql" else _TX_PY).search(p.read_text("utf-8"))
        or "BEGIN TRANSACTION" in p.read_text("utf-8")
    )
    assert found == ["store/transaction.py"]


def test_the_transaction_check_sees_every_spelling():
    """The patterns above catch what a second copy would write (and not the decision's ROLLBACK)."""
    assert all(_TX_PY.search(s) for s in ('con.execute("BEGIN")', "con.execute('COMMIT')", 'c.execute( "rollback")'))
    assert not _TX_PY.search('recommendation = "ROLLBACK"')
    assert _TX_SQL.search("-- header\nBEGIN TRANSACTION;\n") and not _TX_SQL.search("CHECK (x IN ('ROLLBACK'))")


def test_one_quoting_helper_for_every_engine():
    assert quote_ident('a"b') == '"a""b"'
    assert quote_ident("a`b", "`") == "`a``b`"
    kinds = ("bigint", "date", "double", "integer", "text", "timestamp")
    required = {c.name for c in TABLES["sessions"].columns if c.required}
    exprs = projection("sessions", required, dict.fromkeys(kinds, "STRING"), "`")
    assert exprs[0] == "CAST(`session_id` AS STRING) AS `session_id`"
    assert exprs[2] == "CAST(NULL AS STRING) AS `user_id`"  # an optional column the source lacks
    tree = ast.parse((PACKAGE / "store" / "engines" / "lake.py").read_text("utf-8"))
    assert not any(isinstance(n, ast.BinOp) and isinstance(n.op, ast.Mult) for n in ast.walk(tree))  # no quote * 2


def test_metrics_text_shows_numbers_as_the_reports_do(tmp_path, monkeypatch):
    from _tables import insert

    wh_path = tmp_path / "w.duckdb"
    with Warehouse.open(wh_path) as wh:
        insert(wh, "sessions", [{"session_id": "s1", "tenant_id": "A", "started_at": "2026-03-02T10:05:00Z"}])
    res = CliRunner().invoke(cli, ["metrics", "--date", "2026-03-02", "--warehouse", str(wh_path), "--config", "none"])
    assert res.exit_code == 0, res.output
    pairs = [re.split(r"\s{2,}", line.strip(), maxsplit=1) for line in res.output.splitlines()[1:]]
    lines = {p[0]: p[1] for p in pairs if len(p) == 2}  # label, then its value after a run of spaces
    assert lines["active sessions"] == "1"
    assert lines["tool-call success"] == "—"  # missing is a dash, never 0 (and never "no data" here, "n/a" there)
    assert lines["total cost"] == "—"
