"""A drill-down scope: which rows a metric counts when someone looks at one tenant, cohort, release, model or tool.

The rule for each dimension is SQL (queries/fragments/scope.sql): the scoped queries read the contract
tables through it, so every metric of the scope comes from the same SQL as the whole pilot's. The value is
always bound; the dimension is one of a fixed list (the SQL picks the column, never the caller).

- tenant / cohort / release: the sessions with that value ('(unknown)' for sessions without one, as in
  metrics.breakdown), with all their turns, tool calls and feedback;
- model: the turns of that model, the tool calls those turns made, and the sessions with such a turn;
- tool: the calls of that tool, the turns that made them, and the sessions with such a call.
"""

from __future__ import annotations

from dataclasses import dataclass

from launchkit.errors import LaunchkitError

DIMENSIONS = ("tenant", "cohort", "release", "model", "tool")
UNKNOWN = "(unknown)"


@dataclass(frozen=True)
class Scope:
    """One value of one dimension ('tenant', 't03'); see the module's rules for what it keeps."""

    by: str
    value: str

    def __post_init__(self) -> None:
        if self.by not in DIMENSIONS:
            raise LaunchkitError(f"cannot drill down by {self.by!r}: one of {', '.join(DIMENSIONS)}")
        if not isinstance(self.value, str) or not self.value:
            raise LaunchkitError(f"a {self.by} to drill down to is needed (text), got {self.value!r}")

    @property
    def params(self) -> dict[str, str]:
        """The scoped queries' bound parameters."""
        return {"scope_by": self.by, "scope_value": self.value}

    @property
    def label(self) -> str:
        return f"{self.by} {self.value}"

    def to_json(self) -> dict[str, str]:
        return {"by": self.by, "value": self.value}


def scope(by: str | None, value: str | None) -> Scope | None:
    """A Scope, or None (the whole pilot) when `by` or `value` is missing."""
    if not by or value in (None, ""):
        return None
    return Scope(by, str(value))
