"""Every CSV export reads as data in every reader: Python's csv module (`,` and `;` as the separator), pandas,
and every XLSX export in openpyxl. The values are hostile on purpose (OWASP's CSV-injection starts, the
separators, quotes, bare CR and LF inside a field); what a reader must see is decided here by hand:
the same rows and fields as the data, no cell that starts a formula, numbers still numbers.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from _tables import insert, save_to
from click.testing import CliRunner

from launchkit.cli import cli
from launchkit.reports.files import sheets, tickets
from launchkit.store.warehouse import Warehouse

HOSTILE = [
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\tTAB",
    "\rCR first",
    "a;=1+1",
    'x\r=HYPERLINK("http://evil")',
    "two\nlines\n-1+1",
    "semi;colon",
    "com,ma",
    'quo"te',
    'a;"=b',
    "plain",
]
FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _no_formula_cell(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert not (cell.startswith(FORMULA) and not _number(cell)), (cell, row)


def check_csv(text: str, n_rows: int, n_cols: int | None = None) -> list[list[str]]:
    """Read CSV text as each reader would; the rows of the `,` reader (header first)."""
    text = text.removeprefix(sheets.BOM)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == n_rows + 1  # a CR or LF inside a field never starts a row
    width = n_cols or len(rows[0])
    assert all(len(r) == width for r in rows), [len(r) for r in rows]  # a , or ; never splits a field
    _no_formula_cell(rows)
    _no_formula_cell(list(csv.reader(io.StringIO(text, newline=""), delimiter=";")))  # Excel in ;-locales
    back = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    assert back.shape == (n_rows, width)
    return rows


def _unguarded(cell: str) -> str:
    return cell.replace("'", "")


def test_every_hostile_text_is_one_field_in_every_reader_and_never_a_formula():
    df = pd.DataFrame({"name": HOSTILE, "amount": [-1.5 * i for i in range(len(HOSTILE))], "note": HOSTILE[::-1]})
    rows = check_csv(sheets.csv_text(df), len(HOSTILE))
    assert [_unguarded(r[0]) for r in rows[1:]] == [_unguarded(h) for h in HOSTILE]  # the text, apart from guards
    assert [_unguarded(r[2]) for r in rows[1:]] == [_unguarded(h) for h in HOSTILE[::-1]]
    assert [float(r[1]) for r in rows[1:]] == list(df["amount"])  # negative numbers stay numbers
    assert rows[1][0] == "'=cmd|' /C calc'!A0" and rows[7][0] == "a;'=1+1" and rows[9][0] == "two\nlines\n'-1+1"
    back = pd.read_csv(io.StringIO(sheets.csv_text(df)))
    assert back["amount"].dtype == float and back["amount"].iloc[3] == -4.5


def test_a_text_that_is_a_plain_negative_number_stays_readable_as_that_number():
    rows = check_csv(sheets.csv_text(pd.DataFrame({"v": ["-12.5", "+3", "-1e3", "-1-1", "-"]})), 5)
    assert [r[0] for r in rows[1:]] == ["-12.5", "+3", "-1e3", "'-1-1", "'-"]


def test_the_tickets_file_goes_through_the_same_writer():
    made = datetime(2026, 3, 4, 9, tzinfo=UTC)
    items = [
        tickets.Ticket(f"LK-{i}", f"feedback:{i}", h, "Task", "Low", f"said: {h}", made, ("launchkit", h))
        for i, h in enumerate(HOSTILE)
    ]
    rows = check_csv(tickets.csv_text(items, UTC), len(HOSTILE))
    assert [_unguarded(r[2]) for r in rows[1:]] == [_unguarded(h) for h in HOSTILE]


@pytest.fixture()
def hostile_warehouse(tmp_path) -> Path:
    at = datetime(2026, 3, 2, 12, tzinfo=UTC)
    c = Warehouse.memory()
    sessions = [dict(session_id=f"s{i}", tenant_id=h, cohort=h, started_at=at) for i, h in enumerate(HOSTILE)]
    insert(c, "sessions", sessions)
    turn = dict(status="ok", model="no-such-model", started_at=at)
    insert(c, "turns", [dict(turn, turn_id=f"t{i}", session_id=f"s{i}", cost_usd=0.5 + i) for i in range(len(HOSTILE))])
    down = dict(rating=1, thumbs="down", submitted_at=at)
    insert(
        c, "feedback", [dict(down, feedback_id=f"f{i}", session_id=f"s{i}", comment=h) for i, h in enumerate(HOSTILE)]
    )
    wh = save_to(c, tmp_path / "w.duckdb")
    c.close()
    return wh


def test_every_export_reads_back_in_every_reader(hostile_warehouse, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    wh = str(hostile_warehouse)
    run = CliRunner().invoke
    r = run(cli, ["export", "cost", "--from", "2026-03-02", "--to", "2026-03-02", "--out", "cost", "--warehouse", wh])
    assert r.exit_code == 0, r.output
    files = sorted((tmp_path / "cost").glob("*.csv"))
    assert len(files) >= 5
    seen = set()
    for f in files:
        text = f.read_text(encoding="utf-8")
        rows = check_csv(text, len(pd.read_csv(io.StringIO(text.removeprefix(sheets.BOM)), dtype=str)))
        seen |= {cell for row in rows for cell in row}
    assert {"'=cmd|' /C calc'!A0", "a;'=1+1", "semi;colon"} <= seen  # the tenants reached the chargeback
    r = run(cli, ["export", "tickets", "--date", "2026-03-02", "--out", "t.csv", "--no-redact", "--warehouse", wh])
    assert r.exit_code == 0, r.output
    text = (tmp_path / "t.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    check_csv(text, len(rows) - 1)
    assert len(rows) >= 2  # tickets by theme (headlines): the hostile comments reach it as examples or not at all

    openpyxl = pytest.importorskip("openpyxl")
    out = tmp_path / "cost.xlsx"
    r = run(cli, ["export", "cost", "--from", "2026-03-02", "--to", "2026-03-02", "--format", "xlsx", "--out", str(out), "--warehouse", wh])  # fmt: skip
    assert r.exit_code == 0, r.output
    wb = openpyxl.load_workbook(out)
    texts = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)  # never a formula
                if isinstance(cell.value, str):
                    texts.add(cell.value)
    assert {"=cmd|' /C calc'!A0", "a;=1+1", "+1+1"} <= texts  # XLSX keeps the text as given, typed as text
