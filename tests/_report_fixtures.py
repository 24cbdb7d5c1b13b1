"""Shared set-up for the report tests: one small demo pilot with hostile strings, built once per session.

`demo_run` runs `launchkit demo --days 3 --start 2026-03-02 --report-days 1 --sessions-per-hour 40`
(synth, ingest, every report through papermill: the last day's daily reports and its busiest hour;
synth's default traffic, a sixth of the demo's) into a temporary folder
after loading a few rows whose text is hostile HTML, so every report shows data that must be
escaped, and a few whose text holds personal data (e-mail, phone, card, SSN), which every output
must redact. The demo writes its launchkit.toml (pilot period and budget) into that folder. Tests
read the reports, the warehouse and the raw CSV files (the oracle:
values recomputed with pandas from the rows as written, not through launchkit's SQL).
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from launchkit.config import find_config

ROOT = Path(__file__).resolve().parents[1]

SCRIPT_COMMENT = "<script>alert(1)</script><img src=x onerror=alert(2)>"
BOLD_TOOL = "<b>bold</b>"
EVIL_TENANT = "t<i>evil</i>"
EVIL_TITLE = "<img src=x onerror=alert(3)>Evil & co"
HOSTILE_HOUR = "2026-03-04T14:00:00Z"
# personal data typed into comments and incident text: the reports must show placeholders, never these
PII_EMAIL = "jane.doe+pilot@example.com"
PII_PHONE = "+1 (415) 555-2671"
PII_CARD = "4111 1111 1111 1111"
PII_SSN = "536-90-4399"
PII = (PII_EMAIL, PII_PHONE, PII_CARD, PII_SSN)
PII_PIECES = ("jane.doe", "555-2671", "4111 1111", "4111111111111111", "536-90-4399")  # any fragment is a leak
# the day's first comments, and they share its most common theme: the theme's example is one of them
PII_COMMENTS = (
    f"Helpful summary. Call me on {PII_PHONE} or mail {PII_EMAIL}",
    f"Helpful summary, but it showed my card {PII_CARD} and my SSN {PII_SSN}",
)
PII_TITLE = f"Answer leaked {PII_EMAIL}"
PII_ROOT_CAUSE = f"Prompt echoed card {PII_CARD}"
PII_ACTIONS = f"Call {PII_PHONE} to confirm; purge SSN {PII_SSN}"
PII_TENANT = "t-pii"
PII_COHORT = "wave-2"
DEMO_DAYS = 3
DEMO_START = "2026-03-02"  # a Monday: the three days are weekdays
DEMO_SESSIONS_PER_HOUR = "40"  # synth's default traffic, not the demo's 250: a small pilot the oracles read fast
LAST_DAY = "2026-03-04"

HOSTILE = {
    "sessions_hostile.csv": f"""session_id,tenant_id,user_id,started_at,ended_at,cohort,release
s-evil-1,{EVIL_TENANT},u-evil,2026-03-04T14:05:00Z,2026-03-04T14:20:00Z,pilot,2026.03.1
""",
    "turns_hostile.csv": """turn_id,session_id,started_at,model,status,latency_ms,ttft_ms,input_tokens,output_tokens,cost_usd
u-evil-1,s-evil-1,2026-03-04T14:06:00Z,gpt-4o,ok,1000,200,1000,100,0.05
""",
    "tool_calls_hostile.csv": f"""call_id,session_id,turn_id,tool_name,started_at,duration_ms,status,error_type
c-evil-1,s-evil-1,u-evil-1,{BOLD_TOOL},2026-03-04T14:06:30Z,100,ok,
c-evil-2,s-evil-1,u-evil-1,{BOLD_TOOL},2026-03-04T14:07:30Z,120,error,"<b>boom</b>"
""",
    "feedback_hostile.csv": f"""feedback_id,session_id,user_id,submitted_at,rating,thumbs,comment
f-evil-1,s-evil-1,u-evil,2026-03-04T14:10:00Z,1,down,"{SCRIPT_COMMENT}"
""",
    "incidents_hostile.csv": f"""incident_id,severity,opened_at,resolved_at,title,root_cause,postmortem_at,action_items
inc-evil,SEV4,2026-03-04T10:00:00Z,2026-03-04T11:00:00Z,"{EVIL_TITLE}",<u>cause</u>,2026-03-04T15:00:00Z,<a href=javascript:alert(4)>fix</a>
""",
    "sessions_pii.csv": f"""session_id,tenant_id,user_id,started_at,ended_at,cohort,release
s-pii-1,{PII_TENANT},u-pii,2026-03-04T00:00:00Z,2026-03-04T00:20:00Z,{PII_COHORT},2026.03.1
""",
    "turns_pii.csv": """turn_id,session_id,started_at,model,status,latency_ms,ttft_ms,input_tokens,output_tokens,cost_usd
u-pii-1,s-pii-1,2026-03-04T00:01:00Z,gpt-4o,ok,900,150,800,80,0.04
""",
    "feedback_pii.csv": f"""feedback_id,session_id,user_id,submitted_at,rating,thumbs,comment
f-pii-1,s-pii-1,u-pii,2026-03-04T00:02:00Z,1,down,"{PII_COMMENTS[0]}"
f-pii-2,s-pii-1,u-pii,2026-03-04T00:03:00Z,2,down,"{PII_COMMENTS[1]}"
""",
    "incidents_pii.csv": f"""incident_id,severity,opened_at,resolved_at,title,root_cause,postmortem_at,action_items
inc-pii,SEV3,2026-03-04T16:00:00Z,2026-03-04T17:00:00Z,"{PII_TITLE}","{PII_ROOT_CAUSE}",,"{PII_ACTIONS}"
""",
}


def launchkit_cmd(*args: str) -> list[str]:
    """The `launchkit` command line, run by this interpreter (`python -m launchkit`)."""
    return [sys.executable, "-m", "launchkit", *args]


def config_for(cwd: Path | None) -> str:
    """The explicit LAUNCHKIT_CONFIG for a subprocess started in `cwd` (default: the test's folder): the
    launchkit.toml the upward search finds there when the test wrote it, else `none` (no file). A
    launchkit.toml in the checkout (`make demo` writes one at its root) is never the test's."""
    found = find_config(cwd)
    if found is None or ROOT in found.resolve().parents:
        return "none"
    return str(found)


def clean_env(cwd: Path | None = None, **extra: str) -> dict[str, str]:
    """The environment for a subprocess started in `cwd`: none of the caller's LAUNCHKIT_* variables and
    an explicit config (config_for), so a notebook run from its folder in the checkout, or a command
    run beside a test's own launchkit.toml, reads what the test means whatever `make demo` left."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAUNCHKIT_")}
    env["LAUNCHKIT_CONFIG"] = config_for(cwd)
    env.update(extra)
    return env


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 240, check: bool = True
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        launchkit_cmd(*args), cwd=cwd, env=env or clean_env(cwd), capture_output=True, text=True, timeout=timeout
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"launchkit {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


@dataclass
class DemoRun:
    folder: Path
    warehouse: Path
    reports: Path
    data: Path  # synthetic CSVs
    hostile: Path  # hostile CSVs
    output: str  # of `launchkit demo`
    hourly_output: str  # of `launchkit run hourly --at HOSTILE_HOUR`

    def summary(self, kind: str, stamp: str) -> dict:
        import json

        return json.loads((self.reports / kind / f"{stamp}.json").read_text(encoding="utf-8"))

    def frame(self, table: str) -> pd.DataFrame:
        """Every row of a contract table as written in the CSV files (synthetic plus hostile)."""
        files = (
            sorted(self.data.glob(f"{table}_*.csv"))
            + sorted(self.data.glob(f"{table}.csv"))
            + sorted(self.hostile.glob(f"{table}_*.csv"))
        )
        parts = [pd.read_csv(f, dtype=str, keep_default_na=False, na_values=[""]) for f in files]
        df = pd.concat(parts, ignore_index=True)
        for col in ("started_at", "ended_at", "submitted_at", "opened_at", "resolved_at"):
            if col in df:
                df[col] = pd.to_datetime(df[col], utc=True, format="ISO8601")
        for col in ("cost_usd", "latency_ms", "ttft_ms", "rating", "amount_usd", "duration_ms"):
            if col in df:
                df[col] = pd.to_numeric(df[col])
        return df


def build_demo(folder: Path) -> DemoRun:
    folder.mkdir(parents=True, exist_ok=True)
    hostile = folder / "hostile"
    hostile.mkdir()
    for name, text in HOSTILE.items():
        (hostile / name).write_text(text, encoding="utf-8")
    wh = folder / "lk.duckdb"
    reports = folder / "reports"
    common = ("--warehouse", str(wh), "--reports-dir", str(reports))
    run_cli("ingest", str(hostile), *common, cwd=folder)
    proc = run_cli(
        "demo",
        *("--days", str(DEMO_DAYS), "--start", DEMO_START, "--report-days", "1"),
        *("--sessions-per-hour", DEMO_SESSIONS_PER_HOUR),
        *("--data-dir", str(folder / "data"), *common),
        cwd=folder,
    )
    hourly = run_cli("run", "hourly", "--at", HOSTILE_HOUR, *common, cwd=folder)
    return DemoRun(
        folder, wh, reports, folder / "data", hostile, proc.stdout + proc.stderr, hourly.stdout + hourly.stderr
    )


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """`launchkit demo --days 3` (after loading hostile rows) into a temporary folder, once per session
    (conftest.py loads this module as a plugin, so every test module shares the one fixture)."""
    return build_demo(tmp_path_factory.mktemp("demo"))
