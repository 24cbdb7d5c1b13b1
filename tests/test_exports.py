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
    assert t.loc[["C"], ["cost_usd", "share"]].isna().all().all()
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


def test_the_cost_workbook_has_number_formats_and_one_convention_for_shares(spend_db, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    from launchkit.config import load_config
    from launchkit.reports.files import exports

    spend_db.execute(
        "INSERT INTO vendor_costs (line_id, vendor, usage_date, amount_usd, _load_id) VALUES "
        "('v1', 'acme', DATE '2026-03-02', 8.0, 0)"
    )
    cfg = load_config(env={}).with_overrides(
        **{"pricing.overrides": {"no-such-model": {"input_per_mtok": 1.0, "output_per_mtok": 1.0, "vendor": "acme"}}}
    )
    from launchkit.analytics import pricing

    pricing.refresh(spend_db, cfg)  # the override names the vendor of the turns' model
    path = exports.export_cost(spend_db, cfg, date(2026, 3, 2), date(2026, 3, 3), "xlsx", tmp_path / "c.xlsx").paths[0]
    wb = openpyxl.load_workbook(path)
    charge = wb["chargeback_tenant"]
    head = [c.value for c in charge[1]]
    assert "share_fraction" in head and "share" not in head  # the unit in the header
    cells = {head[i]: c for i, c in enumerate(charge[2])}
    # tenant B: $6 of the $12 priced spend (A 4, B 6, ghost 2): a fraction 0.5 shown as a percentage
    assert (cells["tenant"].value, cells["cost_usd"].value, cells["share_fraction"].value) == ("B", 6.0, 0.5)
    assert cells["cost_usd"].number_format == '"$"#,##0.00' and cells["share_fraction"].number_format == "0.00%"
    assert (
        cells["turns"].value == 1 and isinstance(cells["turns"].value, int) and cells["turns"].number_format == "#,##0"
    )
    assert (
        isinstance(wb["spend_by_day"]["A2"].value, datetime) and wb["spend_by_day"]["A2"].number_format == "yyyy-mm-dd"
    )
    recon = wb["reconciliation"]
    rhead = [c.value for c in recon[1]]
    assert "diff_fraction" in rhead and "diff_pct" not in rhead
    row = {rhead[i]: c for i, c in enumerate(recon[2])}
    # 03-02 at acme: computed A's $3 + B's $6 (C's turn unpriced) = $9 against a $8 bill: +12.5 % = 0.125
    assert (row["computed_usd"].value, row["billed_usd"].value) == (9.0, 8.0)
    assert row["diff_fraction"].value == pytest.approx(0.125) and row["diff_fraction"].number_format == "0.00%"
    for ws in wb.worksheets:  # no float noise anywhere: 12 significant digits at most
        for line in ws.iter_rows(min_row=2):
            for c in line:
                if isinstance(c.value, float):
                    assert c.value == float(f"{c.value:.12g}"), (ws.title, c.coordinate, c.value)


def test_file_frames_drop_float_noise_and_give_counts_as_whole_numbers():
    from launchkit.reports.files.exports import file_frame

    df = pd.DataFrame({"cost_usd": [406.2526120800004, None], "turns": [15612.0, None], "diff_pct": [2.5, None]})
    out = file_frame(df)
    assert list(out.columns) == ["cost_usd", "turns", "diff_fraction"]
    assert out["cost_usd"][0] == 406.25261208 and pd.isna(out["cost_usd"][1])
    assert str(out["turns"].dtype) == "Int64" and out["turns"][0] == 15612 and pd.isna(out["turns"][1])
    assert (
        out["diff_fraction"][0] == pytest.approx(0.025)
        and sheets.csv_text(out).splitlines()[1] == "406.25261208,15612,0.025"
    )


def _link(html: str) -> tuple[str, str]:
    m = re.search(r'<a href="data:text/csv;charset=utf-8,([^"]*)" download="([^"]*)">', html)
    assert m, html
    return m.group(2), unquote(m.group(1))


def test_table_download_link_holds_every_row_as_raw_csv():
    df = pd.DataFrame({"tenant": ['t"<b>x</b>', "b"], "cost_usd": [1234.5678, None]})
    html = charts.table(df, units={"cost_usd": "$"}, max_rows=1, download="spend.csv", tz=None)._repr_html_()
    name, body = _link(html)
    assert name == "spend.csv"
    assert body == sheets.BOM + sheets.csv_text(df)  # every row, though the table shows one
    assert "1234.5678" in body and "$1,234.57" in html  # raw in the CSV, formatted on the page
    assert "<b>x" not in html  # the URI is percent-encoded and the attribute escaped
    assert "download CSV" not in charts.table(df, tz=None)._repr_html_()  # opt-in
    with pytest.raises(ValueError):
        charts.table(df, download='x" onclick="alert(1).csv', tz=None)


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


def test_tickets_are_the_days_incidents_and_negative_feedback_by_theme_in_jira_columns(day_db, tmp_path):
    out = tmp_path / "t.csv"
    r = tickets.export_tickets(day_db, date(2026, 3, 4), out, tz=UTC)
    rows = _read(out)
    head = rows[0]
    assert head[:7] == ["Issue ID", "External ID", "Summary", "Issue Type", "Priority", "Description", "Created"]
    assert set(head[7:]) == {"Labels"}  # a repeated header: several labels per issue
    by_ext = {row[1]: dict(zip(head[:7], row[:7])) | {"labels": [x for x in row[7:] if x]} for row in rows[1:]}
    # f1 and f3 are negative and share the recurring theme "slow chart": one ticket; f2 (5) and f4 (3) are
    # not negative, f0 is the day before
    assert list(by_ext) == ["incident:i1", "feedback:2026-03-04:slow chart"]
    i1, theme = by_ext["incident:i1"], by_ext["feedback:2026-03-04:slow chart"]
    assert i1["Issue ID"] == tickets.stable_id("incident", "i1") and re.fullmatch(r"LK-I-[0-9a-f]{12}", i1["Issue ID"])
    assert i1["Issue Type"] == "Bug" and i1["Priority"] == "High" and i1["Summary"] == "[SEV2] Timeouts for [email]"
    assert i1["labels"] == ["launchkit", "incident", "sev2"] and i1["Created"] == "2026-03-04 07:00"
    assert theme["Issue ID"] == tickets.stable_id("feedback", "2026-03-04:slow chart")
    assert theme["Issue Type"] == "Task" and theme["Priority"] == "Medium"  # f1 is rated 1
    assert theme["Summary"] == "Pilot feedback 2026-03-04: 2 negative feedback items about “slow chart”"
    assert theme["labels"] == ["launchkit", "feedback", "theme-slow-chart"] and theme["Created"] == "2026-03-04 09:00"
    text = theme["Description"]
    assert "Ratings of 1 or 2 of 5: 1; thumbs down: 2." in text and "Tenants: A (2)." in text
    assert "* session s1 (tenant A, 2026-03-04T09:00:00Z, rated 1 of 5, thumbs down): Slow chart again" in text
    assert "(tenant A, 2026-03-04T11:00:00Z, thumbs down): slow chart, mail me at [email]" in text
    text = out.read_text(encoding="utf-8")
    assert "415-555-2671" not in text and "bob@example.com" not in text and "[email]" in text
    assert len(r.written) == 2 and r.already == 0


def test_negative_feedback_without_a_theme_or_a_comment_is_grouped_too(day_db):
    insert(
        day_db,
        "feedback",
        [
            dict(feedback_id="n1", session_id="s1", submitted_at=at(4, 13), rating=2, comment=None),
            dict(feedback_id="n2", session_id="s1", submitted_at=at(4, 14), thumbs="down", comment=None),
            dict(feedback_id="o1", session_id="s1", submitted_at=at(4, 15), rating=2, comment="wrong totals"),
        ],
    )
    got = {t.external_id: t for t in tickets.day_tickets(day_db, date(2026, 3, 4), tz=UTC)}
    assert set(got) == {
        "incident:i1",
        "feedback:2026-03-04:slow chart",
        "feedback:2026-03-04:other comments",
        "feedback:2026-03-04:no comment",
    }
    quiet = got["feedback:2026-03-04:no comment"]
    assert quiet.summary == "Pilot feedback 2026-03-04: 2 negative feedback items without a comment"
    assert quiet.items == ("n1", "n2") and "rated 2 of 5): (no comment)" in quiet.description
    assert got["feedback:2026-03-04:other comments"].items == ("o1",)
    assert "rating 2/5" not in quiet.description and "1 incidents" not in quiet.description


def test_a_second_export_writes_only_what_is_new_with_the_same_ids(day_db, tmp_path):
    state = tmp_path / "state.json"
    first = tickets.export_tickets(day_db, date(2026, 3, 4), tmp_path / "1.csv", state=state, tz=UTC)
    ids = {t.issue_id for t in first.written}
    saved = json.loads(state.read_text())
    assert saved["schema"] == tickets.STATE_SCHEMA and set(saved["exported"]) == ids
    assert not list(tmp_path.glob(".*.tmp"))  # written whole
    again = tickets.export_tickets(day_db, date(2026, 3, 4), tmp_path / "2.csv", state=state, tz=UTC)
    assert again.path is None and not (tmp_path / "2.csv").exists() and again.already == 2
    # f9 uses no recurring theme; f10 joins "slow chart", exported already: a ticket of its own (#2)
    insert(
        day_db,
        "feedback",
        [
            dict(feedback_id="f9", session_id="s1", submitted_at=at(4, 20), rating=2, comment="x"),
            dict(feedback_id="f10", session_id="s1", submitted_at=at(4, 21), rating=1, comment="slow chart!"),
        ],
    )
    third = tickets.export_tickets(day_db, date(2026, 3, 4), tmp_path / "3.csv", state=state, tz=UTC)
    rows = _read(tmp_path / "3.csv")
    assert [row[1] for row in rows[1:]] == ["feedback:2026-03-04:slow chart#2", "feedback:2026-03-04:other comments"]
    assert [t.items for t in third.written] == [("f10",), ("f9",)] and third.already == 2
    later = {
        tickets.stable_id("feedback", "2026-03-04:slow chart#2"),
        tickets.stable_id("feedback", "2026-03-04:other comments"),
    }
    assert set(json.loads(state.read_text())["exported"]) == ids | later
    # stable: the same day and theme have the same id in a fresh export without state
    fresh = tickets.export_tickets(day_db, date(2026, 3, 4), tmp_path / "4.csv", tz=UTC)
    assert ids <= {t.issue_id for t in fresh.written}


def _exported(folder) -> set[str]:
    return {row[0] for f in folder.glob("*.csv") for row in _read(f)[1:]}


def test_a_second_export_of_the_day_never_loses_what_the_state_claims(day_db, tmp_path):
    # issue 18: the second run overwrote the day's file while the state kept the first run's ids
    state, out = tmp_path / "state.json", tmp_path / "exports" / "tickets_2026-03-04.csv"
    first = tickets.export_tickets(day_db, date(2026, 3, 4), out, state=state, tz=UTC)
    before = out.read_bytes()
    insert(day_db, "feedback", [dict(feedback_id="f9", session_id="s1", submitted_at=at(4, 20), rating=2, comment="x")])
    second = tickets.export_tickets(day_db, date(2026, 3, 4), out, state=state, tz=UTC)
    assert first.path == out and second.path == out.with_name("tickets_2026-03-04-2.csv")
    assert out.read_bytes() == before  # the first file is kept as it was
    claimed = set(json.loads(state.read_text())["exported"])
    assert claimed == _exported(out.parent) and len(claimed) == 3
    assert json.loads(state.read_text())["exported"][second.written[0].issue_id]["file"] == "tickets_2026-03-04-2.csv"


def test_the_state_is_updated_only_once_the_file_is_written(day_db, tmp_path, monkeypatch):
    from launchkit.store import atomic

    state = tmp_path / "state.json"
    tickets.export_tickets(day_db, date(2026, 3, 4), tmp_path / "t.csv", state=state, tz=UTC)
    before = state.read_bytes()
    insert(day_db, "feedback", [dict(feedback_id="f9", session_id="s1", submitted_at=at(4, 20), rating=2, comment="x")])

    def full(path, data, **kw):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic, "write_new", full)
    with pytest.raises(OSError):
        tickets.export_tickets(day_db, date(2026, 3, 4), tmp_path / "t.csv", state=state, tz=UTC)
    assert state.read_bytes() == before  # f9's ticket is still new: the next export writes it


def test_a_broken_state_file_is_one_clear_error(day_db, tmp_path):
    state = tmp_path / "state.json"
    state.write_text("{not json")
    with pytest.raises(LaunchkitError, match=r"state.json: not a launchkit tickets state file"):
        tickets.export_tickets(day_db, date(2026, 3, 4), tmp_path / "t.csv", state=state, tz=UTC)
    assert not (tmp_path / "t.csv").exists()


def test_tickets_link_the_days_debrief_when_given(day_db, tmp_path):
    url = "https://reports.example.com/debrief/2026-03-04.html"
    r = tickets.export_tickets(day_db, date(2026, 3, 4), tmp_path / "t.csv", link=url, tz=UTC)
    assert all(t.description.endswith(f"The day's debrief: {url}") for t in r.written) and r.written


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
    assert "2 new tickets (1 incident, 1 feedback theme)" in r.output
    assert (tmp_path / "reports" / "exports" / "tickets_2026-03-04.csv").is_file()
    r = runner.invoke(cli, ["export", "tickets", "--date", "2026-03-04", "--since", "s.json", "--warehouse", str(wh)])
    assert "0 new tickets" in r.output and "nothing new" in r.output
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
