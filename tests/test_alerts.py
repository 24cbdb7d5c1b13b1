"""Alerts: the decision (a pure function, exhaustively on hand-made inputs), the catch-up hours, the
payload and its redaction, the state kept in a real warehouse file, and `after_run` delivering to a
real HTTP server on 127.0.0.1 (and a failing one), without a report or a kernel.

The end-to-end runs of `launchkit hourly` are in tests/test_alerts_hourly.py.
"""

from __future__ import annotations

import dataclasses
import json
import shlex
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from _http_receiver import Server, Sleeps

from launchkit import exits
from launchkit.config import Config, load_config
from launchkit.config.alerts import Target
from launchkit.errors import ConfigError
from launchkit.jobs.alerts import decide as d
from launchkit.jobs.alerts import notify
from launchkit.jobs.alerts.payload import build
from launchkit.store.warehouse import Warehouse

pytestmark = pytest.mark.usefixtures("no_proxy")  # a proxy must not sit between a test and 127.0.0.1

T0 = datetime(2026, 3, 5, 10, tzinfo=UTC)


def H(n: int) -> datetime:
    """The hour n hours after 10:00 on 2026-03-05."""
    return T0 + timedelta(hours=n)


def chk(name: str, status: str, value: float | None = 0.9, **extra: Any) -> dict[str, Any]:
    return {"check": name, "status": status, "value": value, "unit": "%", "pass": 0.97, "marginal": 0.95} | extra


def hours(*spec: tuple[int, list[dict[str, Any]]]) -> tuple[d.HourChecks, ...]:
    return tuple(d.HourChecks(H(n), tuple(cs)) for n, cs in spec)


def run(
    *spec: tuple[int, list[dict[str, Any]]], failure: str | None = None, started: datetime | None = None
) -> d.Outcome:
    hs = hours(*spec)
    last = max((h.hour for h in hs), default=None)
    return d.Outcome(
        hours=hs,
        started=started or (last or T0) + timedelta(hours=1, minutes=5),
        run_id=f"run-{last}",
        hour=last,
        failure=failure,
        succeeded=failure is None,
    )


def kinds(decision: d.Decision) -> list[tuple[str, datetime | None, list[str]]]:
    return [(e.kind, e.hour, sorted(str(c["check"]) for c in e.checks)) for e in decision.events]


def chain(*runs: d.Outcome) -> list[d.Decision]:
    """Feed runs one after another, each from the state the previous left."""
    state, out = d.State(), []
    for r in runs:
        dec = d.decide(state, r)
        out.append(dec)
        state = dec.state
    return out


# --- the decision --------------------------------------------------------------------------------------
def test_nothing_breached_nothing_sent() -> None:
    dec = d.decide(d.State(), run((0, [chk("tool_success", "ok"), chk("latency_p95", "watch")])))
    assert dec.events == () and dec.state.open == () and dec.state.last_checked == H(0)


def test_a_breach_is_sent_once_across_repeated_hours() -> None:
    decs = chain(*(run((n, [chk("tool_success", "breach")])) for n in range(4)))
    assert kinds(decs[0]) == [("breach", H(0), ["tool_success"])]
    assert [kinds(x) for x in decs[1:]] == [[], [], []]
    # it stays the same breach: first hour 10:00, last seen 13:00
    assert decs[-1].state.open == (d.Breach("tool_success", H(0), H(3)),)


def test_the_same_hour_run_again_sends_nothing_new() -> None:
    first, again = chain(run((0, [chk("tool_success", "breach")])), run((0, [chk("tool_success", "breach")])))
    assert kinds(first) == [("breach", H(0), ["tool_success"])] and again.events == ()


def test_a_breach_that_clears_sends_one_cleared() -> None:
    decs = chain(
        run((0, [chk("tool_success", "breach")])),
        run((1, [chk("tool_success", "ok")])),
        run((2, [chk("tool_success", "ok")])),
    )
    assert kinds(decs[1]) == [("cleared", H(1), ["tool_success"])]
    [cleared] = decs[1].events[0].checks
    assert cleared["first_breached_hour"] == "2026-03-05T10:00Z" and cleared["cleared_hour"] == "2026-03-05T11:00Z"
    assert decs[1].cleared == ((d.Breach("tool_success", H(0), H(0)), H(1)),)
    assert decs[2].events == () and decs[2].state.open == ()


def test_watch_clears_but_na_and_low_sample_do_not() -> None:
    decs = chain(
        run((0, [chk("a", "breach"), chk("b", "breach")])),
        run((1, [chk("a", "na", None), chk("b", "low-sample")])),  # nothing to judge by: open, silent
        run((2, [chk("a", "watch"), chk("b", "breach")])),
    )
    assert kinds(decs[1]) == []
    assert [b.check for b in decs[1].state.open] == ["a", "b"]
    assert kinds(decs[2]) == [("cleared", H(2), ["a"])]
    assert decs[2].state.open == (d.Breach("b", H(0), H(2)),)


def test_a_check_no_longer_checked_clears() -> None:
    decs = chain(run((0, [chk("a", "breach")])), run((1, [chk("other", "ok")])))
    assert kinds(decs[1]) == [("cleared", H(1), ["a"])]
    assert decs[1].events[0].checks[0]["status"] == "not checked"


def test_a_new_breach_of_the_same_check_after_clearing_is_a_new_breach() -> None:
    decs = chain(
        run((0, [chk("a", "breach")])),
        run((1, [chk("a", "ok")])),
        run((2, [chk("a", "breach")])),
    )
    assert kinds(decs[2]) == [("breach", H(2), ["a"])]
    assert decs[0].events[0].key != decs[2].events[0].key  # (check, first hour) differs
    assert decs[2].state.open == (d.Breach("a", H(2), H(2)),)


def test_a_second_check_breaching_later_is_announced_with_the_open_one_listed() -> None:
    decs = chain(run((0, [chk("a", "breach"), chk("b", "ok")])), run((1, [chk("a", "breach"), chk("b", "breach")])))
    assert kinds(decs[1]) == [("breach", H(1), ["a", "b"])]  # the event names every check breached in the hour
    by = {c["check"]: c for c in decs[1].events[0].checks}
    assert (by["a"]["new"], by["a"]["first_breached_hour"]) == (False, "2026-03-05T10:00Z")
    assert (by["b"]["new"], by["b"]["first_breached_hour"]) == (True, "2026-03-05T11:00Z")
    # ... and its key is b's new breach alone: a's was announced already
    assert decs[1].events[0].identity == ("b@2026-03-05T11:00Z",)


def test_a_failed_run_alerts_every_time_and_keeps_the_state() -> None:
    first = d.decide(d.State(), run((0, [chk("a", "breach")])))
    failed = d.decide(first.state, run(failure="hourly FAILED: warehouse is damaged", started=H(2)))
    assert kinds(failed) == [("failed", None, [])] and failed.events[0].detail.endswith("damaged")
    assert failed.state.open == first.state.open and failed.state.last_checked == H(0)
    assert failed.state.last_success == first.state.last_success  # a failed run is not a success
    again = d.decide(failed.state, d.Outcome((), H(3), "another-run", failure="hourly FAILED: again", succeeded=False))
    assert [e.kind for e in again.events] == ["failed"] and again.events[0].key != failed.events[0].key


def test_a_run_failed_by_a_bad_file_still_checks_and_succeeds() -> None:
    """One bad inbox file fails the run (exit 1) but the report was written: its checks count."""
    r = d.Outcome(hours((0, [chk("a", "breach")])), H(1), "r1", H(0), failure="1 FAILED", succeeded=True)
    dec = d.decide(d.State(), r)
    assert [e.kind for e in dec.events] == ["breach", "failed"]
    assert dec.state.last_success == H(1)


def test_caught_up_hours_alert_in_order() -> None:
    """Hours given in any order are taken oldest first: breach at 11, cleared at 12, a new breach at 13."""
    r = run(
        (13, [chk("a", "breach")]),
        (11, [chk("a", "breach")]),
        (12, [chk("a", "ok")]),
    )
    dec = d.decide(d.State(open=(), last_checked=H(10)), r)
    assert kinds(dec) == [("breach", H(11), ["a"]), ("cleared", H(12), ["a"]), ("breach", H(13), ["a"])]
    assert dec.opened == (d.Breach("a", H(11), H(11)), d.Breach("a", H(13), H(13)))
    assert dec.state.last_checked == H(13)


def test_a_backfill_of_an_older_hour_moves_nothing() -> None:
    state = d.decide(d.State(), run((5, [chk("a", "breach")]))).state
    dec = d.decide(state, run((2, [chk("a", "ok"), chk("b", "breach")])))
    assert dec.events == () and dec.backfill == (H(2),)
    assert dec.state.open == state.open and dec.state.last_checked == H(5)


def test_stale_is_announced_once_per_gap() -> None:
    last = H(0)
    state = d.State(last_success=last, last_checked=H(0))
    late = d.decide(state, run((5, [chk("a", "ok")]), started=H(5) + timedelta(minutes=5)))
    assert [e.kind for e in late.events] == ["stale"]
    assert "5.1 h" in late.events[0].detail and late.events[0].identity == (last.isoformat(),)
    # the watcher's event for the same gap has the same key: whoever sends first, it is sent once
    assert d.stale_event(last, H(7)).key == late.events[0].key
    on_time = d.decide(late.state, run((6, [chk("a", "ok")]), started=H(6) + timedelta(minutes=5)))
    assert on_time.events == ()


@pytest.mark.parametrize(("age_h", "stale"), [(1.0, False), (2.0, False), (2.01, True), (30.0, True)])
def test_is_stale(age_h: float, stale: bool) -> None:
    assert d.is_stale(T0, T0 + timedelta(hours=age_h), 2.0) is stale
    assert d.is_stale(None, T0, 2.0) is True


def test_event_keys_are_stable_and_distinct() -> None:
    a = d.decide(d.State(), run((0, [chk("a", "breach")]))).events[0]
    b = d.decide(d.State(), run((0, [chk("a", "breach", value=0.5)]))).events[0]
    assert a.key == b.key  # the value may differ between runs of the hour; the breach is the same
    assert a.key.startswith("breach:2026-03-05T10:")
    c = d.decide(d.State(), run((0, [chk("b", "breach")]))).events[0]
    assert c.key != a.key


# --- catch-up hours ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("last", "hour", "limit", "expected", "skipped"),
    [
        (None, 5, 24, [], 0),  # nothing checked yet: nothing to catch up
        (4, 5, 24, [], 0),  # the previous hour was checked
        (5, 5, 24, [], 0),  # the same hour again
        (7, 5, 24, [], 0),  # a backfill
        (1, 5, 24, [2, 3, 4], 0),
        (1, 5, 2, [3, 4], 1),  # the newest two; one older left out
        (1, 5, 0, [], 3),
    ],
)
def test_missed_hours(last: int | None, hour: int, limit: int, expected: list[int], skipped: int) -> None:
    got, left = notify.missed_hours(None if last is None else H(last), H(hour), limit, UTC)
    assert got == [H(n) for n in expected] and left == skipped


def test_catch_up_describes_what_it_found() -> None:
    c = notify.CatchUp(hours(((1, [chk("a", "breach")])), ((2, [chk("a", "ok")]))), skipped=3)
    assert c.describe() == (
        "caught up 2 missed hours (2026-03-05T11:00Z breached: a), 3 older not checked (alerts.catch_up_hours)"
    )
    assert notify.CatchUp().describe() == ""


# --- payload -------------------------------------------------------------------------------------------
def test_payload_of_a_breach() -> None:
    blind = {"check": "data_arrived", "status": "breach", "value": None, "unit": "", "note": "no data in 1 hour"}
    tool = chk("tool_success", "breach", value=0.912, metric="tool_call_success_rate")
    [e] = d.decide(d.State(), run((0, [tool, blind]))).events
    p = build(e, site="abcd1234", report="reports/hourly/2026-03-05T10.html", exit_status=3)
    assert p["idempotency_key"] == f"launchkit:abcd1234:{e.key}"
    assert (p["event"], p["hour"], p["exit_status"]) == ("breach", "2026-03-05T10:00:00Z", 3)
    assert p["summary_line"] == (
        "hourly 2026-03-05T10:00Z BREACH: Tool-call success 91.2 % (pass 97.0 %, fail line 95.0 %); "
        "Data arrived this hour: no data in 1 hour"
    )
    by = {c["check"]: c for c in p["checks"]}
    assert by["tool_success"]["value"] == 0.912 and by["tool_success"]["value_text"] == "91.2 %"
    assert by["tool_success"]["first_breached_hour"] == "2026-03-05T10:00Z"
    json.dumps(p, allow_nan=False)


PII_NOTE = "coverage low; call jane.doe@example.com or +1 (415) 555-2671"


def test_free_text_in_a_payload_is_redacted() -> None:
    e = d.Event(
        "failed", H(0), (chk("a", "breach", note=PII_NOTE),), detail=f"bad file from {PII_NOTE}", identity=("r",)
    )
    p = build(e, site="s")
    text = json.dumps(p)
    assert "jane.doe" not in text and "555-2671" not in text
    assert "[email]" in p["detail"] and "[phone]" in p["detail"] and "[email]" in p["checks"][0]["note"]
    assert "[email]" in p["summary_line"]
    assert "jane.doe@example.com" in json.dumps(build(e, site="s", redact=False))  # [reports] redact = false


def test_the_summary_line_redacts_the_free_text_not_the_figures_around_it() -> None:
    # a runaway rate is shown ungrouped ("563731500.0 %"), which alone reads as a phone number: the
    # figures launchkit writes are kept, only the free text (the note, the detail) is redacted
    runaway = chk("growth", "breach", 5637315.0, note="see 415 555 2671", **{"pass": 1.0, "marginal": 2.0})
    p = build(d.Event("breach", H(0), (dict(runaway, first_breached_hour="2026-03-05T10:00Z", new=True),)), site="s")
    assert (
        p["summary_line"] == "hourly 2026-03-05T10:00Z BREACH: growth 563731500.0 % (pass 100.0 %, fail line 200.0 %)"
    )
    assert p["checks"][0]["note"] == "see [phone]" and p["checks"][0]["value_text"] == "563731500.0 %"
    unjudged = chk("growth", "breach", None, note="ask 415 555 2671", first_breached_hour="2026-03-05T10:00Z", new=True)
    assert build(d.Event("breach", H(0), (unjudged,)), site="s")["summary_line"].endswith("growth: ask [phone]")
    failed = build(d.Event("failed", H(0), (), detail="hourly FAILED: row 4155552671 from a@b.example"), site="s")
    assert failed["summary_line"] == failed["detail"] == "hourly FAILED: row [phone] from [email]"


# --- configuration -------------------------------------------------------------------------------------
def _config(tmp_path: Path, alerts: str = "", env: dict[str, str] | None = None) -> Config:
    (tmp_path / "launchkit.toml").write_text(f'[warehouse]\npath = "lk.duckdb"\n[alerts]\n{alerts}', encoding="utf-8")
    return load_config(tmp_path / "launchkit.toml", env=env or {})


def test_alerts_config_defaults_and_environment(tmp_path: Path) -> None:
    cfg = _config(
        tmp_path,
        'webhooks = ["https://hooks.example/launch"]\ncommand = "notify-oncall --team x"\n',
        env={"LAUNCHKIT_ALERT_WEBHOOKS": "https://a.example/h?token=SECRET1, https://hooks.example/launch"},
    )
    a = cfg.alerts
    assert a.targets == (
        Target("webhook", "https://hooks.example/launch"),
        Target("webhook", "https://a.example/h?token=SECRET1"),
        Target("command", "notify-oncall --team x"),
    )
    assert (a.stale_after_hours, a.catch_up_hours, a.timeout_s, a.retries) == (2.0, 24, 5.0, 3)
    # the environment's URLs live outside the data: not in the notebooks' parameters, the digest or a repr
    from launchkit.reports.run.execute import _config_json

    assert "SECRET1" not in json.dumps(cfg.data) and "SECRET1" not in repr(cfg)
    assert "hooks.example" not in _config_json(cfg)  # nor the file's own URLs
    assert cfg.with_overrides(**{"budget.total_usd": 5}).alerts.targets == a.targets


@pytest.mark.parametrize(
    ("body", "env", "key"),
    [
        ("stale_after_hours = 0\n", {}, "alerts.stale_after_hours"),
        ("catch_up_hours = -1\n", {}, "alerts.catch_up_hours"),
        ("retries = 1.5\n", {}, "alerts.retries"),
        ('timeout_s = "5"\n', {}, "alerts.timeout_s"),
        ("webhook = []\n", {}, "alerts.webhook"),
        ('webhooks = ["ftp://x.example/SECRET"]\n', {}, "alerts.webhooks[0]"),
        (
            "",
            {"LAUNCHKIT_ALERT_SLACK_WEBHOOKS": "hooks.slack.com/services/SECRET"},
            "LAUNCHKIT_ALERT_SLACK_WEBHOOKS[0]",
        ),
    ],
)
def test_a_bad_alerts_setting_is_refused_at_load(tmp_path: Path, body: str, env: dict[str, str], key: str) -> None:
    with pytest.raises(ConfigError) as err:
        _config(tmp_path, body, env)
    assert err.value.key == key and "SECRET" not in str(err.value)


# --- state in the warehouse and delivery (after_run) ----------------------------------------------------
def _info(n: int, checks: list[dict[str, Any]], *, status: int = exits.OK, line: str = "") -> notify.RunInfo:
    return notify.RunInfo(
        run_id=f"run-{n}",
        started=H(n) + timedelta(hours=1, minutes=5),
        hour=H(n),
        status=status,
        line=line or f"hourly {H(n):%Y-%m-%dT%H:00Z} ...",
        hours=hours((n, checks)) if status != exits.FAILED or checks else (),  # a failed run checked nothing
        report=f"reports/hourly/{H(n):%Y-%m-%dT%H}.html",
        succeeded=status != exits.FAILED,
    )


def _bodies(server: Server) -> list[dict[str, Any]]:
    return [json.loads(r["body"]) for r in server.requests]


def test_after_run_keeps_state_and_retries_what_a_failing_target_missed(tmp_path: Path, server: Server) -> None:
    bad = Server()
    try:
        cfg = _config(tmp_path, f'webhooks = ["{server.url()}", "{bad.url()}"]\nretries = 1\n')
        bad.script = [(500, {}, b"down")] * 2
        sleeps = Sleeps()
        first = notify.after_run(cfg, _info(0, [chk("a", "breach")], status=exits.BREACH), sleep=sleeps)
        assert [e.kind for e in first.events] == ["breach"]
        assert [(r.ok, r.attempts) for _, r in first.deliveries] == [(True, 1), (False, 2)]
        assert sleeps == [0.5]
        assert first.line() == (
            f"alerts: 1 new (breach); 1/2 deliveries made; webhook http://127.0.0.1:{bad.port}/… failed: "
            "HTTP 500: down (after 2 attempts) (kept for the next run)"
        )
        key = _bodies(server)[0]["idempotency_key"]
        # the next hour: still breached (nothing new); the failing target now answers and gets what it missed
        second = notify.after_run(cfg, _info(1, [chk("a", "breach")], status=exits.BREACH), sleep=sleeps)
        assert second.events == [] and len(server.requests) == 1
        assert [b["idempotency_key"] for b in _bodies(bad)] == [key, key, key]
        assert [q["headers"]["Idempotency-Key"] for q in bad.requests] == [key] * 3
        assert bad.requests[0]["body"] == bad.requests[2]["body"]  # the same bytes as the first time
        # it clears: one cleared to each target
        third = notify.after_run(cfg, _info(2, [chk("a", "ok")]), sleep=sleeps)
        assert [e.kind for e in third.events] == ["cleared"]
        assert [b["event"] for b in _bodies(server)] == ["breach", "cleared"]
        assert [b["event"] for b in _bodies(bad)][-1] == "cleared"
        with Warehouse.open(cfg.warehouse_path) as wh:
            runs = wh.execute("SELECT hour, status, succeeded FROM hourly_runs ORDER BY hour").fetchall()
            assert [(h, s, ok) for h, s, ok in runs] == [(H(0), 3, True), (H(1), 3, True), (H(2), 0, True)]
            assert wh.execute(
                "SELECT check_name, first_hour, last_hour, cleared_hour FROM alert_breaches"
            ).fetchall() == [("a", H(0), H(1), H(2))]
            assert wh.execute("SELECT count(*) FROM alert_deliveries WHERE delivered_at IS NULL").fetchall() == [(0,)]
            h = notify.health(wh, cfg, now=H(4))
        assert (h.runs, h.open_breaches, h.alerts_owed, h.stale, h.last_success_hour) == (3, 0, 0, False, H(2))
    finally:
        bad.close()


def test_a_breach_opened_and_cleared_within_one_run_is_kept(tmp_path: Path) -> None:
    """A run that caught up hours in which a breach opened and cleared records both in the warehouse."""
    cfg = _config(tmp_path)
    notify.after_run(cfg, _info(0, [chk("a", "ok")]), sleep=Sleeps())
    caught_up = notify.RunInfo(
        "run-3",
        H(4) + timedelta(minutes=5),
        H(3),
        exits.OK,
        "hourly ...",
        hours((1, [chk("a", "breach")]), (2, [chk("a", "ok")]), (3, [])),
        succeeded=True,
    )
    done = notify.after_run(cfg, caught_up, sleep=Sleeps())
    # two runs were missed (12:05, 13:05): the gap since 11:05 is announced too, before the hours
    assert [(e.kind, e.hour) for e in done.events] == [("stale", None), ("breach", H(1)), ("cleared", H(2))]
    with Warehouse.open(cfg.warehouse_path) as wh:
        rows = wh.execute("SELECT check_name, first_hour, last_hour, cleared_hour FROM alert_breaches").fetchall()
        runs = wh.execute(
            "SELECT hour, last_checked_hour, hours_checked, breaches FROM hourly_runs ORDER BY hour"
        ).fetchall()
    assert rows == [("a", H(1), H(1), H(2))]
    assert runs[-1] == (H(3), H(3), 3, '["a"]')


def test_a_dead_target_is_sent_its_oldest_owed_alert_only(tmp_path: Path) -> None:
    bad = Server()
    try:
        cfg = _config(tmp_path, f'webhooks = ["{bad.url()}"]\nretries = 0\n')
        bad.script = [(503, {}, b"")] * 10
        notify.after_run(cfg, _info(0, [chk("a", "breach")]), sleep=Sleeps())
        later = notify.after_run(cfg, _info(1, [chk("a", "ok")]), sleep=Sleeps())
        # two events owed now; the target fails the first, so the second waits for the next run
        assert [e.kind for e in later.events] == ["cleared"] and len(later.deliveries) == 1
        assert [json.loads(r["body"])["event"] for r in bad.requests] == ["breach", "breach"]
    finally:
        bad.close()


def test_a_target_added_later_gets_only_new_alerts(tmp_path: Path, server: Server) -> None:
    cfg = _config(tmp_path)
    notify.after_run(cfg, _info(0, [chk("a", "breach")]), sleep=Sleeps())  # no targets: state kept, nothing sent
    cfg = _config(tmp_path, f'webhooks = ["{server.url()}"]\n')
    done = notify.after_run(cfg, _info(1, [chk("a", "breach"), chk("b", "breach")]), sleep=Sleeps())
    assert [b["event"] for b in _bodies(server)] == ["breach"]
    assert [c["check"] for c in _bodies(server)[0]["checks"] if c["new"]] == ["b"]
    assert done.line() == "alerts: 1 new (breach); 1/1 deliveries made"


WRITE_STDIN = "import sys, pathlib; p = pathlib.Path(sys.argv[1]); p.write_text(p.read_text() + sys.stdin.read() + '\\n' if p.exists() else sys.stdin.read() + '\\n')"


def test_the_command_target_reads_each_alert_on_stdin(tmp_path: Path) -> None:
    out = tmp_path / "alerts.jsonl"
    command = shlex.join([sys.executable, "-c", WRITE_STDIN, str(out)])
    cfg = _config(tmp_path, f"command = {json.dumps(command)}\n")
    notify.after_run(cfg, _info(0, [chk("a", "breach")], status=exits.BREACH), sleep=Sleeps())
    notify.after_run(cfg, _info(1, [], status=exits.FAILED, line="hourly FAILED: no such inbox"), sleep=Sleeps())
    got = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(g["event"], g["exit_status"]) for g in got] == [("breach", 3), ("failed", 1)]
    assert got[1]["summary_line"] == "hourly FAILED: no such inbox"


def test_a_warehouse_that_cannot_be_opened_still_announces_the_failure(tmp_path: Path, server: Server) -> None:
    cfg = _config(tmp_path, f'webhooks = ["{server.url()}"]\n')
    cfg.warehouse_path.write_bytes(b"this is not a DuckDB file" * 100)
    done = notify.after_run(
        cfg, _info(0, [], status=exits.FAILED, line="hourly FAILED: warehouse damaged"), sleep=Sleeps()
    )
    assert [b["event"] for b in _bodies(server)] == ["failed"]
    assert done.problem is not None and done.problem.startswith("alert state not kept")
    assert "alert state not kept" in (done.line() or "")


def test_status_check_stale_alert_is_sent_once_per_gap(tmp_path: Path, server: Server) -> None:
    cfg = _config(tmp_path, f'webhooks = ["{server.url()}"]\nstale_after_hours = 3\n')
    notify.after_run(cfg, _info(0, [chk("a", "ok")]), sleep=Sleeps())
    with Warehouse.open(cfg.warehouse_path, read_only=True) as wh:
        fresh = notify.health(wh, cfg, now=H(4))
        stale = notify.health(wh, cfg, now=H(5))
    assert not fresh.stale and stale.stale
    assert stale.line() == (
        "hourly STALE: last successful run 2026-03-05T11:05Z for 2026-03-05T10:00Z (3.9 h ago, stale after 3 h)"
    )
    assert notify.alert_stale(cfg, fresh, sleep=Sleeps()).deliveries == []
    first = notify.alert_stale(cfg, stale, sleep=Sleeps())
    again = notify.alert_stale(cfg, stale, sleep=Sleeps())
    assert [b["event"] for b in _bodies(server)] == ["stale"] and again.deliveries == []
    assert first.line() == "alerts: 1 new (stale); 1/1 deliveries made"
    assert _bodies(server)[0]["summary_line"] == (
        "launchkit hourly STALE: no successful hourly run for 3.9 h (the last started 2026-03-05T11:05:00Z)"
    )
    # the hourly run that resumes after the gap creates the same event: not sent again
    resumed = notify.after_run(cfg, _info(5, [chk("a", "ok")]), sleep=Sleeps())
    assert [e.kind for e in resumed.events] == ["stale"] and resumed.deliveries == []
    assert len(server.requests) == 1


def test_an_alert_links_the_report_under_base_url(tmp_path: Path, server: Server) -> None:
    (tmp_path / "launchkit.toml").write_text(
        f'[warehouse]\npath = "lk.duckdb"\n[reports]\nbase_url = "https://reports.example.com/pilot"\n'
        f'[alerts]\nwebhooks = ["{server.url()}"]\n',
        encoding="utf-8",
    )
    cfg = load_config(tmp_path / "launchkit.toml", env={})
    info = _info(0, [chk("a", "breach")], status=exits.BREACH)
    info = dataclasses.replace(info, report=str(cfg.reports_dir / "hourly" / f"{H(0):%Y-%m-%dT%H}.html"))
    notify.after_run(cfg, info, sleep=Sleeps())
    [body] = _bodies(server)
    assert body["report"] == f"https://reports.example.com/pilot/hourly/{H(0):%Y-%m-%dT%H}.html"
