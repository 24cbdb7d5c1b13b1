"""Finance exports and tickets: chargeback, CSV/XLSX files, the reports' download links, Jira CSV with state.

Hand-computed answers on tiny warehouses; the end-to-end comparison with the cost report is in
test_exports_demo.py.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime
from urllib.parse import unquote

import numpy as np
import pandas as pd
import pytest
from _tables import insert
from click.testing import CliRunner

from launchkit.analytics import finance
from launchkit.cli import cli
from launchkit.errors import LaunchkitError
from launchkit.reports.files import sheets, tickets
from launchkit.reports.page import charts
from launchkit.store.warehouse import Warehouse


def at(day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


# ---------------------------------------------------------------------------------------------
# chargeback


@pytest.fixture()
def spend_db():
    """Tenants A (pilot), B and C (wave-2), a turn whose session is unknown; costs chosen so shares are exact."""
    c = Warehouse.memory()
    insert(
        c,
        "sessions",
        [
            dict(session_id="a1", tenant_id="A", started_at=at(2, 9), cohort="pilot"),
            dict(session_id="a2", tenant_id="A", started_at=at(3, 9), cohort="pilot"),
            dict(session_id="b1", tenant_id="B", started_at=at(2, 9), cohort="wave-2"),
            dict(session_id="c1", tenant_id="C", started_at=at(2, 9), cohort="wave-2"),
        ],
    )
    turn = dict(status="ok", model="no-such-model")  # unknown model: a turn without cost stays unpriced
    insert(
        c,
        "turns",
        [
            dict(turn, turn_id="t1", session_id="a1", started_at=at(2), cost_usd=3.0),
            dict(turn, turn_id="t2", session_id="a2", started_at=at(3), cost_usd=1.0),
            dict(turn, turn_id="t3", session_id="a2", started_at=at(3, 13), cost_usd=None),
            dict(turn, turn_id="t4", session_id="b1", started_at=at(2), cost_usd=6.0),
            dict(turn, turn_id="t5", session_id="c1", started_at=at(2), cost_usd=None),
            dict(turn, turn_id="t6", session_id="ghost", started_at=at(3), cost_usd=2.0),
            dict(turn, turn_id="t7", session_id="b1", started_at=at(5), cost_usd=100.0),  # after the range
        ],
    )
    yield c
    c.close()


def test_chargeback_shares_are_of_the_priced_spend_and_missing_stays_missing(spend_db):
    cb = finance.chargeback(spend_db, date(2026, 3, 2), date(2026, 3, 4), tz=UTC)
    t = cb["by_tenant"].set_index("tenant")
    # priced spend 3 + 1 + 6 + 2 = 12; C has only an unpriced turn: no amount, no share (never 0)
    assert list(cb["by_tenant"]["tenant"]) == ["B", "A", "(unknown)", "C"]  # most spend first, unpriced last
    assert t.loc["A", "cost_usd"] == 4.0 and t.loc["A", "share"] == pytest.approx(4 / 12)
    assert t.loc["B", "share"] == pytest.approx(6 / 12) and t.loc["(unknown)", "share"] == pytest.approx(2 / 12)
    assert pd.isna(t.loc["C", "cost_usd"]) and pd.isna(t.loc["C", "share"])
    assert t.loc["A", "unpriced_turns"] == 1 and t.loc["A", "turns"] == 3 and t.loc["A", "sessions"] == 2
    assert t["share"].sum() == pytest.approx(1.0)
    co = cb["by_cohort"].set_index("cohort")
    assert co.loc["pilot", "cost_usd"] == 4.0 and co.loc["wave-2", "cost_usd"] == 6.0
    assert co.loc["wave-2", "unpriced_turns"] == 1 and co.loc["wave-2", "sessions"] == 2
    assert co.loc["(unknown)", "cost_usd"] == 2.0
    assert cb["priced_usd"] == 12.0 and cb["turns"] == 6 and cb["unpriced_turns"] == 2
    assert cb["unpriced_share"] == pytest.approx(2 / 6)


def test_chargeback_with_nothing_priced_has_no_shares(spend_db):
    cb = finance.chargeback(spend_db, at(2, 12, 30), at(2, 23), tz=UTC)  # no turn in this range
    assert cb["by_tenant"].empty and cb["priced_usd"] is None and cb["unpriced_share"] is None
    with Warehouse.memory() as empty:
        assert finance.chargeback(empty, date(2026, 3, 2), date(2026, 3, 3), tz=UTC)["turns"] == 0


def test_spend_by_tenant_still_matches_after_the_shared_fragment(spend_db):
    by_tenant = finance.spend(spend_db, "day", "tenant", start=date(2026, 3, 2), end=date(2026, 3, 4), tz=UTC)
    totals = finance.totals_by(by_tenant, "tenant").set_index("tenant")
    assert totals.loc["A", "cost_usd"] == 4.0 and totals.loc["(unknown)", "cost_usd"] == 2.0
    assert pd.isna(totals.loc["C", "cost_usd"])  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# CSV and XLSX files

FRAME = pd.DataFrame(
    {
        "day": pd.to_datetime(["2026-03-02", "2026-03-03"]),
        "at": pd.to_datetime(pd.Series(["2026-03-02T10:00:00Z", None]), utc=True),
        "vendor": ['=HYPERLINK("http://x")', None],
        "cost_usd": [0.1 + 0.2, np.nan],
        "turns": pd.array([3, None], dtype="Int64"),
        "ok": pd.array([True, None], dtype="boolean"),
        "d": [date(2026, 3, 2), None],
    }
)


def test_csv_text_keeps_raw_values_iso_dates_and_empty_for_missing():
    rows = list(csv.reader(io.StringIO(sheets.csv_text(FRAME))))
    assert rows[0] == ["day", "at", "vendor", "cost_usd", "turns", "ok", "d"]
    assert rows[1] == [
        "2026-03-02",
        "2026-03-02T10:00:00+00:00",
        '\'=HYPERLINK("http://x")',  # a formula is shown as text, never run
        "0.30000000000000004",  # unformatted: the float as computed
        "3",
        "True",
        "2026-03-02",
    ]
    assert rows[2] == ["2026-03-03", "", "", "", "", "", ""]  # missing is empty, never 0
    back = pd.read_csv(io.StringIO(sheets.csv_text(FRAME)))
    assert back["cost_usd"][0] == 0.1 + 0.2 and pd.isna(back["cost_usd"][1])


def test_xlsx_has_one_sheet_per_table_with_typed_cells(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    path = sheets.write_xlsx({"first": FRAME, "second": FRAME.head(1)}, tmp_path / "x.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["first", "second"]
    ws = wb["first"]
    assert [c.value for c in ws[1]] == list(FRAME.columns)
    row = [c.value for c in ws[2]]
    assert row[0] == datetime(2026, 3, 2)  # a date cell
    assert row[1] == datetime(2026, 3, 2, 10)  # UTC, without a zone (Excel has none)
    assert ws.cell(2, 3).data_type == "s" and row[2] == '=HYPERLINK("http://x")'  # text, not a formula
    assert row[3] == pytest.approx(0.1 + 0.2, rel=1e-15)  # Excel keeps 15 significant digits
    assert row[4] == 3 and row[5] is True
    assert [c.value for c in ws[3]][1:] == [None] * 6  # missing cells are empty
    assert wb["second"].max_row == 2


def _link(html: str) -> tuple[str, str]:
    m = re.search(r'<a href="data:text/csv;charset=utf-8,([^"]*)" download="([^"]*)">', html)
    assert m, html
    return m.group(2), unquote(m.group(1))


def test_table_download_link_holds_every_row_as_raw_csv():
    df = pd.DataFrame({"tenant": ['t"<b>x</b>', "b"], "cost_usd": [1234.5678, None]})
    html = charts.table(df, units={"cost_usd": "$"}, max_rows=1, download="spend.csv")._repr_html_()
    name, body = _link(html)
    assert name == "spend.csv"
    assert body == sheets.BOM + sheets.csv_text(df)  # every row, though the table shows one
    assert "1234.5678" in body and "$1,234.57" in html  # raw in the CSV, formatted on the page
    assert "<b>x" not in html  # the URI is percent-encoded and the attribute escaped
    assert "download CSV" not in charts.table(df)._repr_html_()  # opt-in
    with pytest.raises(ValueError):
        charts.table(df, download='x" onclick="alert(1).csv')


# ---------------------------------------------------------------------------------------------
# tickets for Jira


@pytest.fixture()
def day_db():
    c = Warehouse.memory()
    insert(c, "sessions", [dict(session_id="s1", tenant_id="A", started_at=at(4, 8))])
    insert(
        c,
        "feedback",
        [
            dict(
                feedback_id="f1",
                session_id="s1",
                submitted_at=at(4, 9),
                rating=1,
                thumbs="down",
                comment="Slow chart again, call 415-555-2671",
            ),
            dict(feedback_id="f2", session_id="s1", submitted_at=at(4, 10), rating=5, thumbs="up", comment="Great"),
            dict(
                feedback_id="f3",
                session_id="s1",
                submitted_at=at(4, 11),
                rating=None,
                thumbs="down",
                comment="slow chart, mail me at bob@example.com",
            ),
            dict(feedback_id="f4", session_id="s1", submitted_at=at(4, 12), rating=3, thumbs=None, comment="ok"),
            dict(
                feedback_id="f0", session_id="s1", submitted_at=at(3, 12), rating=1, thumbs="down", comment="yesterday"
            ),
        ],
    )
    insert(
        c,
        "incidents",
        [
            dict(
                incident_id="i1",
                severity="SEV2",
                opened_at=at(4, 7),
                resolved_at=at(4, 8),
                title="Timeouts for bob@example.com",
                root_cause="pool",
                action_items="raise limit",
            ),
            dict(incident_id="i0", severity="SEV1", opened_at=at(2, 7), resolved_at=at(2, 8), title="old"),
        ],
    )
    yield c
    c.close()


def _read(path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_tickets_are_the_days_negative_feedback_and_incidents_in_jira_columns(day_db, tmp_path):
    out = tmp_path / "t.csv"
    r = tickets.export_tickets(day_db, date(2026, 3, 4), out, tz=UTC)
    rows = _read(out)
    head = rows[0]
    assert head[:7] == ["Issue ID", "External ID", "Summary", "Issue Type", "Priority", "Description", "Created"]
    assert set(head[7:]) == {"Labels"}  # a repeated header: several labels per issue
    by_ext = {row[1]: dict(zip(head[:7], row[:7])) | {"labels": [x for x in row[7:] if x]} for row in rows[1:]}
    assert list(by_ext) == ["incident:i1", "feedback:f1", "feedback:f3"]  # rating 3 and the day before: out
    i1, f1, f3 = by_ext["incident:i1"], by_ext["feedback:f1"], by_ext["feedback:f3"]
    assert i1["Issue ID"] == tickets.stable_id("incident", "i1") and re.fullmatch(r"LK-I-[0-9a-f]{12}", i1["Issue ID"])
    assert i1["Issue Type"] == "Bug" and i1["Priority"] == "High" and i1["Summary"] == "[SEV2] Timeouts for [email]"
    assert i1["labels"] == ["launchkit", "incident", "sev2"] and i1["Created"] == "2026-03-04 07:00"
    assert f1["Issue Type"] == "Task" and f1["Priority"] == "Medium" and f3["Priority"] == "Low"
    assert f1["Summary"] == "Pilot feedback (rating 1/5): Slow chart again, call [phone]"
    assert "theme-slow-chart" in f1["labels"] and "theme-slow-chart" in f3["labels"]  # the recurring theme
    assert "Themes: slow chart" in f1["Description"] and "Tenant: A" in f1["Description"]
    text = out.read_text(encoding="utf-8")
    assert "415-555-2671" not in text and "bob@example.com" not in text and "[email]" in text
    assert len(r.written) == 3 and r.already == 0


def test_a_second_export_writes_only_what_is_new_with_the_same_ids(day_db, tmp_path):
    state = tmp_path / "state.json"
    first = tickets.export_tickets(day_db, date(2026, 3, 4), tmp_path / "1.csv", state=state, tz=UTC)
    ids = {t.issue_id for t in first.written}
    saved = json.loads(state.read_text())
    assert saved["schema"] == tickets.STATE_SCHEMA and set(saved["exported"]) == ids
    assert not list(tmp_path.glob(".*.tmp"))  # written whole
    again = tickets.export_tickets(day_db, date(2026, 3, 4), tmp_path / "2.csv", state=state, tz=UTC)
    assert again.path is None and not (tmp_path / "2.csv").exists() and again.already == 3
    insert(day_db, "feedback", [dict(feedback_id="f9", session_id="s1", submitted_at=at(4, 20), rating=2, comment="x")])
    third = tickets.export_tickets(day_db, date(2026, 3, 4), tmp_path / "3.csv", state=state, tz=UTC)
    rows = _read(tmp_path / "3.csv")
    assert [row[1] for row in rows[1:]] == ["feedback:f9"] and third.already == 3
    # stable: the same item has the same id in a fresh export without state
    fresh = tickets.export_tickets(day_db, date(2026, 3, 4), tmp_path / "4.csv", tz=UTC)
    assert {t.issue_id for t in fresh.written} == ids | {tickets.stable_id("feedback", "f9")}
    assert set(json.loads(state.read_text())["exported"]) == ids | {tickets.stable_id("feedback", "f9")}


def test_a_broken_state_file_is_one_clear_error(day_db, tmp_path):
    state = tmp_path / "state.json"
    state.write_text("{not json")
    with pytest.raises(LaunchkitError, match=r"state.json: not a launchkit tickets state file"):
        tickets.export_tickets(day_db, date(2026, 3, 4), tmp_path / "t.csv", state=state, tz=UTC)
    assert not (tmp_path / "t.csv").exists()


def test_unredacted_tickets_keep_the_text(day_db, tmp_path):
    tickets.export_tickets(day_db, date(2026, 3, 4), tmp_path / "t.csv", redact=False, tz=UTC)
    assert "bob@example.com" in (tmp_path / "t.csv").read_text(encoding="utf-8")


def test_export_commands_write_files(day_db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    wh = tmp_path / "w.duckdb"
    day_db.execute(f"ATTACH '{wh}' AS disk")
    day_db.execute("COPY FROM DATABASE memory TO disk")
    day_db.execute("DETACH disk")
    runner = CliRunner()
    r = runner.invoke(cli, ["export", "tickets", "--date", "2026-03-04", "--since", "s.json", "--warehouse", str(wh)])
    assert r.exit_code == 0, r.output
    assert "3 new (1 incidents, 2 feedback)" in r.output
    assert (tmp_path / "reports" / "exports" / "tickets_2026-03-04.csv").is_file()
    r = runner.invoke(cli, ["export", "tickets", "--date", "2026-03-04", "--since", "s.json", "--warehouse", str(wh)])
    assert "0 new" in r.output and "nothing new" in r.output
    r = runner.invoke(cli, ["export", "cost", "--from", "2026-03-02", "--to", "2026-03-04", "--warehouse", str(wh)])
    assert r.exit_code == 0, r.output
    folder = tmp_path / "reports" / "exports" / "cost_2026-03-02_2026-03-04"
    assert {p.stem for p in folder.glob("*.csv")} >= {"about", "chargeback_tenant", "reconciliation"}
    r = runner.invoke(cli, ["export", "cost", "--format", "xlsx", "--out", str(folder), "--warehouse", str(wh)])
    assert r.exit_code == 1 and "an XLSX export is one file, and this is a folder" in r.output
    r = runner.invoke(cli, ["export", "cost", "--from", "2026-03-05", "--to", "2026-03-04", "--warehouse", str(wh)])
    assert r.exit_code == 1 and r.output.strip().splitlines() == [
        "Error: the period ends (2026-03-04) before it starts (2026-03-05)"
    ]
