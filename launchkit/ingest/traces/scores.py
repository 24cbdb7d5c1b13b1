"""Scores on an answer, told apart by who gave them: a user's rating or thumb is feedback, a model's, a
program's or an annotator's judgement an evaluation (the platforms' readers share these rules)."""

from __future__ import annotations

from typing import Any

# Categorical score values read as thumbs (lowercased).
THUMBS = {
    "up": "up",
    "thumbs_up": "up",
    "thumbsup": "up",
    "positive": "up",
    "good": "up",
    "👍": "up",
    "down": "down",
    "thumbs_down": "down",
    "thumbsdown": "down",
    "negative": "down",
    "bad": "down",
    "👎": "down",
}
# Words in a score's name that say an end user gave it (the feedback widgets of the platforms' docs).
USER_WORDS = ("feedback", "thumb", "rating", "star", "user")


def from_user(name: Any, label: Any) -> bool:
    """Whether a score sent through an API (which carries users' feedback and the team's checks alike) is a
    user's: its name says so (user-feedback, thumbs, rating, stars) or its categorical value is a thumb."""
    n = str(name or "").lower()
    return any(w in n for w in USER_WORDS) or str(label or "").strip().lower() in THUMBS
