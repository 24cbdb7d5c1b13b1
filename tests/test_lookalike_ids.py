"""Ids people cannot tell apart: stored as given, shown visibly in exports, and listed by a data-quality
finding. Three tenants read `acme` (plain, with a zero-width space, with a Cyrillic а), one `ＡＣＭＥ`
(fullwidth), and `beta` is alone; the expected spellings are written out by hand.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from typing import cast

import pandas as pd
import pytest
from _tables import insert, save_to
from click.testing import CliRunner

from launchkit.analytics import quality
from launchkit.analytics.lookalikes import LookalikeFinding
from launchkit.cli import cli
from launchkit.config import load_config
from launchkit.store.warehouse import Warehouse
from launchkit.window import Window

AT = datetime(2026, 3, 2, 12, tzinfo=UTC)
TENANTS = ["acme", "acme\u200b", "\u0430cme", "\uff21\uff23\uff2d\uff25", "beta", "gamma\u202e"]


@pytest.fixture()
def db():
    c = Warehouse.memory()
    insert(c, "sessions", [dict(session_id=f"s{i}", tenant_id=t, started_at=AT) for i, t in enumerate(TENANTS)])
    turn = dict(status="ok", model="m", started_at=AT)
    insert(c, "turns", [dict(turn, turn_id=f"t{i}", session_id=f"s{i}", cost_usd=1.0 + i) for i in range(len(TENANTS))])
    yield c
    c.close()


def test_ids_that_read_the_same_are_one_finding_spelled_out(db):
    dq = quality.assess(db, Window.day(date(2026, 3, 2), UTC), load_config(env={}))
    found = [cast(LookalikeFinding, f) for f in dq["findings"] if f["finding"] == "lookalike_ids"]
    assert len(found) == 1 and found[0]["column"] == "tenant_id"
    assert sorted(found[0]["ids"]) == sorted(TENANTS[:4])  # stored as given
    assert set(found[0]["shown"]) == {"acme", "acme<U+200B>", "<U+0430>cme", "<U+FF21><U+FF23><U+FF2D><U+FF25>"}
    assert "4 tenant ids read the same" in found[0]["message"] and "acme<U+200B>" in found[0]["message"]
    assert db.execute("SELECT count(DISTINCT tenant_id) FROM sessions").fetchall()[0][0] == 6  # nothing merged


def test_exports_show_invisible_characters(db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    wh = save_to(db, tmp_path / "w.duckdb")
    r = CliRunner().invoke(cli, ["export", "cost", "--from", "2026-03-02", "--to", "2026-03-02", "--out", "c", "--warehouse", str(wh)])  # fmt: skip
    assert r.exit_code == 0, r.output
    text = (tmp_path / "c" / "chargeback_tenant.csv").read_text(encoding="utf-8").removeprefix("\ufeff")
    tenants = {row[0] for row in list(csv.reader(io.StringIO(text)))[1:]}
    assert {"acme", "acme<U+200B>", "gamma<U+202E>"} <= tenants
    assert "\u200b" not in text and "\u202e" not in text
    openpyxl = pytest.importorskip("openpyxl")
    out = tmp_path / "c.xlsx"
    r = CliRunner().invoke(cli, ["export", "cost", "--from", "2026-03-02", "--to", "2026-03-02", "--format", "xlsx", "--out", str(out), "--warehouse", str(wh)])  # fmt: skip
    assert r.exit_code == 0, r.output
    cells = {c.value for ws in openpyxl.load_workbook(out).worksheets for row in ws.iter_rows() for c in row}
    assert "acme<U+200B>" in cells and not any(isinstance(v, str) and "\u200b" in v for v in cells)


def test_reports_and_the_cli_show_invisible_characters(db, tmp_path, monkeypatch):
    from launchkit.reports.page import blocks

    df = pd.DataFrame({"tenant": ["acme", "acme\u200b", "x\u202ey"], "cost_usd": [1.0, 2.0, 3.0]})
    html = blocks.table(df, tz=None)._repr_html_()
    assert "acme&lt;U+200B&gt;" in html and "x&lt;U+202E&gt;y" in html and "\u200b" not in html
    monkeypatch.chdir(tmp_path)
    wh = save_to(db, tmp_path / "w.duckdb")
    r = CliRunner().invoke(cli, ["metrics", "--date", "2026-03-02", "--by", "tenant", "--warehouse", str(wh)])
    assert r.exit_code == 0, r.output
    assert "acme<U+200B>" in r.output and "gamma<U+202E>" in r.output and "\u200b" not in r.output


def test_decide_shows_a_culprit_with_hidden_characters_visibly(tmp_path, monkeypatch):
    """A reason led by its culprit names the tenant as stored; on the terminal its zero-width space and
    right-to-left mark are shown, so `acme` and `acme<U+200B>` never read as one tenant."""
    from click.testing import CliRunner

    from launchkit.analytics import decision
    from launchkit.cli import cli

    class Fake:
        def to_json(self) -> dict:
            reason = {"message": "tenant acme\u200b: 12 % of calls fail\u202e", "detail": "p=0.001 \x1b[2J"}
            return {"day": "2026-03-02", "recommendation": "HOLD", "reasons": [reason]}

    monkeypatch.setattr(decision, "decide", lambda *a, **k: Fake())
    Warehouse.open(tmp_path / "w.duckdb").close()
    res = CliRunner().invoke(
        cli,
        ["decide", "--date", "2026-03-02", "--no-store", "--config", "none", "--warehouse", str(tmp_path / "w.duckdb")],
    )
    assert res.exit_code == 0, res.output
    assert "tenant acme<U+200B>: 12 % of calls fail<U+202E>" in res.output
    assert "p=0.001 <U+001B>[2J" in res.output and "\x1b" not in res.output
