"""Typed results: the analytics return TypedDicts (or dataclasses) whose keys mypy checks where they are read,
so the count of functions there that still return an untyped `dict[str, Any]` may only go down; the
shapes' helpers give the answers worked out by hand."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import launchkit
from launchkit.analytics import reasons
from launchkit.reports.content import shape

ANALYTICS = Path(launchkit.__file__).parent / "analytics"
# what is left: query rows and bound parameters read by computed names (metrics.summary, bucket_params,
# the _scoped twins, attribution.segment_rows, finance._data_days, criteria.Context.summary), pre-JSON
# pieces (finance._no_burn, retrospective._evidence), and capacity/ with decision._expansion (its plan)
MAX_UNTYPED = 14


def untyped_returns(source: str) -> list[str]:
    """The functions of a module's source whose return annotation holds `dict[str, Any]`."""
    return [
        node.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.returns is not None
        and "dict[str, Any]" in ast.unparse(node.returns)
    ]


def test_the_counter_finds_every_spelling_of_an_untyped_return():
    source = (
        "def a() -> dict[str, Any]: ...\n"
        "def b() -> list[dict[str, Any]]: ...\n"
        "async def c(\n    x: dict[str, Any],\n) -> dict[str, Any] | None: ...\n"
        "def d(x: dict[str, Any]) -> Burn: ...\n"
        "class E:\n    def to_json(self) -> dict[str, int]: ...\n"
    )
    assert untyped_returns(source) == ["a", "b", "c"]


def test_untyped_analytics_results_do_not_grow_back():
    found = [
        f"{path.relative_to(ANALYTICS)}:{name}"
        for path in sorted(ANALYTICS.rglob("*.py"))
        for name in untyped_returns(path.read_text(encoding="utf-8"))
    ]
    assert len(found) <= MAX_UNTYPED, "a new untyped dict result: give it a TypedDict\n" + "\n".join(found)


def test_how_much_more_data_a_criterion_needs():
    # 40 observations in a 4-day window: 10 a day; 100 needed: 60 more, 6 days at that traffic
    assert reasons.more({"n": 40, "need": 100}, 4) == {"more": 60, "days_more": 6}
    assert reasons.more({"n": 0, "need": 100}, 4) == {"more": 100, "days_more": None}  # no traffic: no estimate
    assert reasons.more({"days": 1, "need_days": 3}, 4) == {}
    text = reasons.needed_text({"n": 40, "need": 100}, 4, insufficient=True)
    assert text == "; needs 60 more observations, about 6 more day(s) at this traffic"
    assert reasons.needed_text({"days": 2, "need_days": 5}, 7, insufficient=True) == "; needs 3 more passing day(s)"
    assert reasons.needed_text({"n": 40, "need": 100}, 4, insufficient=False) == ""


@dataclass
class _Named:
    title: str = "Hourly pilot report"
    headline: str = "3 sessions"


def test_every_summary_starts_with_the_same_head():
    period = {"window": {"start": "a", "end": "b"}, "metrics": {"turns": 3}, "data_quality": {"ok": True}, "x": 1}
    got = shape.summary(_Named(), period, [{"check": "c"}], None, tiles=[], by_tool="t")
    assert list(got) == [
        "title",
        "headline",
        "window",
        "metrics",
        "data_quality",
        "verdicts",
        "recommendation",
        "tiles",
        "by_tool",
    ]
    assert got["title"] == "Hourly pilot report" and got["headline"] == "3 sessions"
    assert got["window"] == {"start": "a", "end": "b"} and got["metrics"] == {"turns": 3}
    assert got["data_quality"] == {"ok": True} and got["verdicts"] == [{"check": "c"}]
    assert got["recommendation"] is None and got["by_tool"] == "t"
