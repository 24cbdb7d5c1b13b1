"""The data contract: canonical tables, their keys and the rules an input row must meet.

The DDL lives in queries/migrations/ (the warehouse is created and migrated from those files);
this module holds what the loader needs to validate a row: which columns exist, their kind, which
are required, and their domains. tests/test_contract.py checks the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["text", "timestamp", "date", "double", "bigint", "integer"]

SQL_TYPE: dict[str, str] = {
    "text": "VARCHAR",
    "timestamp": "TIMESTAMP WITH TIME ZONE",
    "date": "DATE",
    "double": "DOUBLE",
    "bigint": "BIGINT",
    "integer": "INTEGER",
}


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool = False
    choices: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    default: str | None = None  # a literal used when the value is missing
    may_be_planned: bool = False  # a time that may lie ahead (a planned rollout): no [ingest] max_future_hours
    cap: str | None = None  # a configured cap the value may not pass (a field of the load's window, compile)


@dataclass(frozen=True)
class RowCheck:
    """A rule across columns, as a SQL predicate over the typed values that must hold."""

    column: str
    predicate: str
    reason: str


@dataclass(frozen=True)
class Table:
    name: str
    key: str
    columns: tuple[Column, ...]
    checks: tuple[RowCheck, ...] = field(default=())

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "sessions",
            key="session_id",
            columns=(
                Column("session_id", "text", required=True),
                Column("tenant_id", "text", required=True),
                Column("user_id", "text"),
                Column("started_at", "timestamp", required=True),
                Column("ended_at", "timestamp"),
                Column("cohort", "text", default="pilot"),
                Column("release", "text"),
            ),
            checks=(RowCheck("ended_at", "ended_at IS NULL OR ended_at >= started_at", "ended before it started"),),
        ),
        Table(
            "turns",
            key="turn_id",
            columns=(
                Column("turn_id", "text", required=True),
                Column("session_id", "text", required=True),
                Column("started_at", "timestamp", required=True),
                Column("model", "text"),
                Column("status", "text", required=True, choices=("ok", "error")),
                Column("latency_ms", "double", min=0),
                Column("ttft_ms", "double", min=0),
                Column("input_tokens", "bigint", min=0),
                Column("output_tokens", "bigint", min=0),
                Column("cost_usd", "double", min=0, cap="max_cost"),
                # subsets of input_tokens, priced at their own rates (NULL: not reported)
                Column("cache_read_tokens", "bigint", min=0),
                Column("cache_write_tokens", "bigint", min=0),
                Column("provider", "text"),  # one name per provider (launchkit.ingest.traces.semconv)
                Column("model_raw", "text"),  # the model name as reported; `model` is one name per model
                # why a failed turn failed (an exception class, an HTTP status such as 429, a provider's code)
                Column("error_type", "text"),
            ),
            checks=(
                RowCheck(
                    "cache_read_tokens",
                    "input_tokens IS NULL OR coalesce(cache_read_tokens, 0) + coalesce(cache_write_tokens, 0) "
                    "<= input_tokens",
                    "cache read + cache write tokens exceed input tokens",
                ),
            ),
        ),
        Table(
            "tool_calls",
            key="call_id",
            columns=(
                Column("call_id", "text", required=True),
                Column("session_id", "text", required=True),
                Column("turn_id", "text"),
                Column("tool_name", "text", required=True),
                Column("started_at", "timestamp", required=True),
                Column("duration_ms", "double", min=0),
                Column("status", "text", required=True, choices=("ok", "error", "timeout")),
                Column("error_type", "text"),
            ),
        ),
        Table(
            "feedback",
            key="feedback_id",
            columns=(
                Column("feedback_id", "text", required=True),
                Column("session_id", "text"),
                Column("user_id", "text"),
                Column("submitted_at", "timestamp", required=True),
                Column("rating", "integer", min=1, max=5),
                Column("thumbs", "text", choices=("up", "down")),
                Column("comment", "text"),
            ),
            checks=(RowCheck("rating", "rating IS NOT NULL OR thumbs IS NOT NULL", "needs a rating or thumbs"),),
        ),
        Table(
            "evaluations",
            key="evaluation_id",
            columns=(
                Column("evaluation_id", "text", required=True),
                Column("session_id", "text"),
                Column("turn_id", "text"),  # the turn or span judged; NULL: the whole session / trace
                Column("name", "text", required=True),  # what was judged: correctness, hallucination, ...
                # who judged: a model (llm_judge), a program (code) or a person annotating (human); a user's
                # own rating or thumbs is feedback, never an evaluation
                Column("source", "text", required=True, choices=("llm_judge", "code", "human")),
                Column("value", "double"),  # a numeric score; a boolean as 1 / 0
                Column("label", "text"),  # a categorical score ("correct", "partially correct")
                Column("judge_model", "text"),
                Column("evaluated_at", "timestamp", required=True),
                Column("comment", "text"),
            ),
            checks=(RowCheck("value", "value IS NOT NULL OR label IS NOT NULL", "needs a value or a label"),),
        ),
        Table(
            "vendor_costs",
            key="line_id",
            columns=(
                Column("line_id", "text", required=True),
                Column("vendor", "text", required=True),
                Column("usage_date", "date", required=True),
                Column("model", "text"),
                Column("description", "text"),
                Column("amount_usd", "double", required=True),
                Column("invoice_id", "text"),
            ),
        ),
        Table(
            "incidents",
            key="incident_id",
            columns=(
                Column("incident_id", "text", required=True),
                Column("severity", "text", required=True, choices=("SEV1", "SEV2", "SEV3", "SEV4")),
                Column("opened_at", "timestamp", required=True),
                Column("resolved_at", "timestamp"),
                Column("title", "text"),
                Column("root_cause", "text"),
                Column("postmortem_at", "timestamp"),
                Column("action_items", "text"),
            ),
            checks=(
                RowCheck("resolved_at", "resolved_at IS NULL OR resolved_at >= opened_at", "resolved before it opened"),
            ),
        ),
        Table(
            "releases",
            key="release",
            columns=(
                Column("release", "text", required=True),
                Column("shipped_at", "timestamp", required=True),
                Column("kind", "text", choices=("regular", "emergency"), default="regular"),
                Column("notes", "text"),
            ),
        ),
        Table(
            "rollout",
            key="tenant_id",
            columns=(
                Column("tenant_id", "text", required=True),
                Column("cohort", "text", default="pilot"),
                Column("enabled_at", "timestamp", may_be_planned=True),
                Column("disabled_at", "timestamp", may_be_planned=True),
            ),
            checks=(
                RowCheck(
                    "disabled_at",
                    "disabled_at IS NULL OR enabled_at IS NULL OR disabled_at >= enabled_at",
                    "disabled before it was enabled",
                ),
            ),
        ),
    )
}

# Columns the loader adds to every contract table: which load last wrote the row.
LINEAGE_COLUMN = "_load_id"


def table_for_file(file_name: str) -> str | None:
    """The contract table a file name claims by its prefix: 'tool_calls_2026-03-02T10.csv'."""
    stem = file_name.lower()
    for name in sorted(TABLES, key=len, reverse=True):  # tool_calls before a shorter prefix
        if stem == name or stem.startswith(name + "_") or stem.startswith(name + "."):
            return name
    return None
