"""The records behind the numbers, as tables a report shows: feedback given and incidents open in a window."""

from __future__ import annotations

import pandas as pd

from launchkit.store.runner import QueryRunner
from launchkit.window import Window


def feedback(db: QueryRunner, window: Window) -> pd.DataFrame:
    """Feedback submitted in the window (submitted_at, tenant_id, rating, thumbs, comment)."""
    return db.frame("reports/feedback", window.params)


def incidents(db: QueryRunner, window: Window) -> pd.DataFrame:
    """Incidents open at some time in the window, with their timeline."""
    return db.frame("reports/incidents", window.params)
