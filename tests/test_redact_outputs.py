"""Personal data stays in: free text is redacted in every output that leaves the warehouse (report HTML,
executed notebook, JSON summary, tickets), unless turned off; the warehouse keeps the original.

launchkit.redact itself is tested with known inputs in test_redact.py; here, the places that use it.
The slow tests read the demo's reports (tests/_report_fixtures.py loads comments and incident text
holding an e-mail address, a phone, a card and an SSN).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from _report_fixtures import (
    LAST_DAY,
    PII,
    PII_ACTIONS,
    PII_COMMENTS,
    PII_PIECES,
    PII_ROOT_CAUSE,
    PII_TITLE,
    run_cli,
)
from _tables import insert
from click.testing import CliRunner

from launchkit.analytics import records, themes
from launchkit.cli import cli
from launchkit.config import load_config
from launchkit.errors import ConfigError, ReportError
from launchkit.reports import kinds
from launchkit.reports.run import execute
from launchkit.reports.run.paths import notebook_path
from launchkit.store.warehouse import Warehouse
from launchkit.window import Window

PLACEHOLDERS = ("[email]", "[phone]", "[card]", "[ssn]")
COMMENT = "Slow again. Call 415-555-2671 or mail bob@example.com, card 4111-1111-1111-1111, SSN 536-90-4399"
REDACTED = "Slow again. Call [phone] or mail [email], card [card], SSN [ssn]"


@pytest.fixture()
def db():
    c = Warehouse.memory()
    at = datetime(2026, 3, 4, 10, tzinfo=UTC)
    insert(c, "sessions", [dict(session_id="s1", tenant_id="A", started_at=at)])
    insert(c, "feedback", [dict(feedback_id="f1", session_id="s1", submitted_at=at, rating=1, comment=COMMENT)])
    insert(
        c,
        "incidents",
        [
            dict(
                incident_id="i1",
                severity="SEV2",
                opened_at=at,
                title="Leak for bob@example.com",
                root_cause="echoed 536-90-4399",
                action_items="call +44 20 7946 0958",
            )
        ],
    )
    yield c
    c.close()


def test_records_redact_free_text_by_default_and_keep_it_when_asked(db):
    w = Window.day(date(2026, 3, 4), tz=UTC)
    assert records.feedback(db, w)["comment"].tolist() == [REDACTED]
    assert records.feedback(db, w, redact=False)["comment"].tolist() == [COMMENT]
    inc = records.incidents(db, w).iloc[0]
    assert (inc["title"], inc["root_cause"], inc["action_items"]) == (
        "Leak for [email]",
        "echoed [ssn]",
        "call [phone]",
    )
    assert records.incidents(db, w, redact=False).iloc[0]["title"] == "Leak for bob@example.com"
    assert db.one("reports/feedback", w.params) is not None  # the warehouse itself is untouched:
    assert db.execute("SELECT comment FROM feedback").fetchall() == [(COMMENT,)]


def test_theme_examples_are_redacted_and_placeholders_are_no_theme():
    comments = [
        "slow chart, mail a@example.com",
        "slow chart, mail b@example.org",
        "slow chart, call 415-555-2671",
    ]
    t = themes.themes(comments)
    assert t["theme"].tolist() == ["slow chart", "chart mail"]  # not "mail email": a placeholder is no word
    assert t["example"].tolist() == ["slow chart, mail [email]", "slow chart, mail [email]"]
    kept = themes.themes(comments, redact=False)
    assert kept["example"].tolist()[0] == "slow chart, mail a@example.com"
    assert "415" not in " ".join(t["theme"]) and "example" not in " ".join(t["theme"])


def test_config_redact_is_a_boolean_defaulting_to_true(tmp_path):
    assert load_config(env={}).redact is True
    (tmp_path / "launchkit.toml").write_text("[reports]\nredact = false\n")
    assert load_config(str(tmp_path / "launchkit.toml"), env={}).redact is False
    (tmp_path / "launchkit.toml").write_text('[reports]\nredact = "no"\n')
    with pytest.raises(ConfigError, match=r"reports.redact.*must be bool"):
        load_config(str(tmp_path / "launchkit.toml"), env={})


def test_every_report_notebook_declares_redact_and_the_runner_passes_it(tmp_path):
    for spec in kinds.KINDS.values():
        assert "redact" in execute.declared_parameters(notebook_path(spec.notebook)), spec.notebook
    debrief = notebook_path("debrief.ipynb")
    assert execute.redact_parameter(debrief, False) == {"redact": False}
    bare = tmp_path / "bare.ipynb"
    bare.write_text(
        json.dumps(
            {
                "cells": [
                    {
                        "cell_type": "code",
                        "metadata": {"tags": ["parameters"]},
                        "source": "date = None",
                        "outputs": [],
                        "execution_count": None,
                    }
                ],
                "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
                "nbformat": 4,
                "nbformat_minor": 4,
            }
        )
    )
    assert execute.redact_parameter(bare, True) == {}  # redacted by the library's default
    with pytest.raises(ReportError, match="does not declare the parameter redact"):
        execute.redact_parameter(bare, False)


def test_run_no_redact_reaches_the_runner(monkeypatch, tmp_path):
    seen = {}

    def fake_run_report(kind, config, **kw):
        seen.update(kw)
        raise ReportError("stop here")

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(execute, "run_report", fake_run_report)
    CliRunner().invoke(cli, ["run", "debrief", "--no-redact"])
    assert seen["redact"] is False
    CliRunner().invoke(cli, ["run", "debrief"])
    assert seen["redact"] is True  # the config's [reports] redact (default true), read at the edge


def test_tickets_follow_the_config_setting(db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    wh = tmp_path / "w.duckdb"
    db.execute(f"ATTACH '{wh}' AS disk")
    db.execute("COPY FROM DATABASE memory TO disk")
    db.execute("DETACH disk")
    args = ["export", "tickets", "--date", "2026-03-04", "--warehouse", str(wh), "--out"]
    assert CliRunner().invoke(cli, [*args, "a.csv"]).exit_code == 0
    assert "bob@example.com" not in Path("a.csv").read_text() and "[email]" in Path("a.csv").read_text()
    Path("launchkit.toml").write_text("[reports]\nredact = false\n")
    assert CliRunner().invoke(cli, [*args, "b.csv"]).exit_code == 0
    assert "bob@example.com" in Path("b.csv").read_text()


# ---------------------------------------------------------------------------------------------
# slow: the demo's reports


def _outputs(reports: Path, kind: str) -> dict[str, str]:
    return {p.suffix: p.read_text(encoding="utf-8") for p in (reports / kind).glob(f"{LAST_DAY}.*")}


@pytest.mark.slow
def test_no_report_output_carries_personal_data(demo_run):
    every = {
        p: p.read_text(encoding="utf-8")
        for p in demo_run.reports.rglob("*")
        if p.suffix in (".html", ".ipynb", ".json")
    }
    for path, text in every.items():
        for piece in PII_PIECES:
            assert piece not in text, (path.name, piece)
    debrief = _outputs(demo_run.reports, "debrief")
    assert set(debrief) == {".html", ".ipynb", ".json"}
    for suffix, text in debrief.items():
        for placeholder in PLACEHOLDERS:
            assert placeholder in text, (suffix, placeholder)
    s = json.loads(debrief[".json"])
    assert s["parameters"]["redact"] is True
    examples = [t["example"] for t in s["feedback"]["themes"]]
    assert "Helpful summary. Call me on [phone] or mail [email]" in examples  # the machine-readable leak
    inc = {i["incident_id"]: i for i in s["incidents"]}["inc-pii"]
    assert inc["title"] == "Answer leaked [email]"
    assert inc["root_cause"] == "Prompt echoed card [card]"
    assert inc["action_items"] == "Call [phone] to confirm; purge SSN [ssn]"


@pytest.mark.slow
def test_the_warehouse_keeps_the_original_text(demo_run):
    with Warehouse.open(demo_run.warehouse, read_only=True) as wh:
        comments = {
            r[0] for r in wh.execute("SELECT comment FROM feedback WHERE feedback_id LIKE 'f-pii-%'").fetchall()
        }
        inc = wh.execute(
            "SELECT title, root_cause, action_items FROM incidents WHERE incident_id = 'inc-pii'"
        ).fetchall()
    assert comments == set(PII_COMMENTS)
    assert inc == [(PII_TITLE, PII_ROOT_CAUSE, PII_ACTIONS)]


@pytest.mark.slow
def test_no_redact_shows_the_text_for_an_internal_debrief(demo_run, tmp_path):
    out = tmp_path / "internal"
    common = ("--warehouse", str(demo_run.warehouse), "--reports-dir", str(out))
    run_cli("run", "debrief", "--date", LAST_DAY, "--no-redact", *common, cwd=demo_run.folder)
    debrief = _outputs(out, "debrief")
    assert json.loads(debrief[".json"])["parameters"]["redact"] is False
    for suffix, text in debrief.items():
        for original in PII:
            assert original in text, (suffix, original)
    assert "NOT redacted" in debrief[".html"]


@pytest.mark.slow
def test_tickets_from_the_demo_are_redacted(demo_run, tmp_path):
    out = tmp_path / "tickets.csv"
    common = ("--warehouse", str(demo_run.warehouse))
    run_cli("export", "tickets", "--date", LAST_DAY, "--out", str(out), *common, cwd=demo_run.folder)
    text = out.read_text(encoding="utf-8")
    assert "* session s-pii-1 (" in text and "incident:inc-pii" in text  # f-pii-1, in its theme's ticket
    for piece in PII_PIECES:
        assert piece not in text, piece
    for placeholder in PLACEHOLDERS:
        assert placeholder in text
