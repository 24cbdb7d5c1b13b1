"""Exit statuses of every launchkit command, in one table, and how several combine.

When more than one applies, the first in PRECEDENCE wins: a run that failed is a failure even if it
also breached a threshold; a busy warehouse (try again) beats a breach it could not check.
docs/cli.md shows this table; `make test` checks the two agree.
"""

from __future__ import annotations

OK = 0
FAILED = 1
USAGE = 2  # click's own: a wrong flag or argument
BREACH = 3
WARNINGS = 4
BUSY = 75  # EX_TEMPFAIL: try again later
CLOSED_PIPE = 141  # 128 + SIGPIPE: what a shell reports for a tool stopped by a closed pipe

MEANINGS: dict[int, str] = {
    OK: "all well",
    FAILED: "failed: a file, the configuration, the warehouse or a report (one line on stderr says which)",
    USAGE: "usage error: an unknown flag or a missing argument (click's own)",
    BREACH: "a threshold was breached (the report was written)",
    WARNINGS: "loaded with warnings: records were read but not loaded for a reason other than a duplicate",
    BUSY: "busy: another run holds the lock or the warehouse; nothing was done, try again later",
    CLOSED_PIPE: "the output's reader went away (`launchkit status | head -4`): stopped quietly, as a tool stopped "
    "by SIGPIPE",
}

# Highest precedence first; USAGE is decided by click before any of these can apply.
# CLOSED_PIPE is never combined: the command stops where its output could not be written.
PRECEDENCE: tuple[int, ...] = (FAILED, BUSY, BREACH, WARNINGS, OK)


def combine(*statuses: int) -> int:
    """The one exit status for a run to which several apply (PRECEDENCE order)."""
    present = set(statuses) or {OK}
    for status in PRECEDENCE:
        if status in present:
            return status
    return max(present)
