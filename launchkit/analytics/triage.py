"""Feedback triage for the debrief: negative feedback first, what people newly complain about, repeats grouped.

- Negative: rated 1 or 2 of 5, or thumbs down, with or without a rating (`is_negative`: one definition, the
  tickets' too). The day's feedback is ordered negative first (lowest rating first, a thumbs-down without a
  rating with the 2s), then the rest, oldest first within a level; each row keeps its session, tenant and time.
- New complaints: the themes (launchkit.analytics.themes' terms) of the day's negative comments against the
  baseline's negative comments: a theme's share of the day's negative comments minus its share of the
  baseline's (lift), most newly frequent first, used by at least `min_mentions` of the day's.
- Near-duplicates: comments whose normalised words (lowercase, punctuation dropped) have a Jaccard similarity
  of at least NEAR_DUPLICATE with a group's first comment join that group: one row per group with its count,
  negative count, sessions, tenants and first and last time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from launchkit.analytics import themes

NEAR_DUPLICATE = 0.8
_WORD = re.compile(r"[a-z0-9_']+")


def is_negative(rating: Any, thumbs: Any) -> bool:
    """Rated 1 or 2 of 5, or thumbs down (with or without a rating)."""
    low = rating is not None and not pd.isna(rating) and float(rating) <= 2
    return bool(low or (isinstance(thumbs, str) and thumbs.strip().lower() == "down"))


def _level(rating: Any, thumbs: Any) -> float:
    """Sort level: the rating, a thumbs-down without one as a 2, a thumbs-up without one as a 4, else 3."""
    if rating is not None and not pd.isna(rating):
        return float(rating)
    if isinstance(thumbs, str):
        return 2.0 if thumbs.strip().lower() == "down" else 4.0
    return 3.0


def ordered(fb: pd.DataFrame) -> pd.DataFrame:
    """The feedback rows (records.feedback), negative first (see the module), with a `negative` column."""
    out = fb.copy()
    out["negative"] = [is_negative(r, t) for r, t in zip(out["rating"], out["thumbs"])]
    out["_level"] = [_level(r, t) for r, t in zip(out["rating"], out["thumbs"])]
    out = out.sort_values(["negative", "_level", "submitted_at", "feedback_id"], ascending=[False, True, True, True])
    return out.drop(columns="_level").reset_index(drop=True)


def new_complaints(day: pd.DataFrame, baseline: pd.DataFrame, *, top: int = 10, min_mentions: int = 2) -> pd.DataFrame:
    """Themes of the day's negative comments against the baseline's (columns theme, comments, share,
    baseline_share, lift, example); the comments are taken as given (redact them before, as records does)."""
    cols = ["theme", "comments", "share", "baseline_share", "lift", "example"]

    def negative_texts(fb: pd.DataFrame) -> list[str]:
        neg = [is_negative(r, t) for r, t in zip(fb["rating"], fb["thumbs"])]
        return [str(c) for c, n in zip(fb["comment"], neg) if n and isinstance(c, str) and c.strip()]

    now, before = negative_texts(day), negative_texts(baseline)
    if not now:
        return pd.DataFrame(columns=cols)
    now_terms = [themes.terms(t) for t in now]
    before_terms = [themes.terms(t) for t in before]
    counts: dict[str, int] = {}
    for ts in now_terms:
        for term in ts:
            counts[term] = counts.get(term, 0) + 1
    rows: list[dict[str, Any]] = []
    for term, n in counts.items():
        if n < min_mentions:
            continue
        base = sum(term in ts for ts in before_terms) / len(before) if before else 0.0
        share = n / len(now)
        example = next(t for t, ts in zip(now, now_terms) if term in ts)
        rows.append({"theme": term, "comments": n, "share": share, "baseline_share": base, "lift": share - base,
                     "example": example})  # fmt: skip
    rows.sort(key=lambda r: (-r["lift"], -r["comments"], -len(r["theme"].split()), r["theme"]))
    # a phrase is kept over its words when it lifts as much
    kept: list[dict[str, Any]] = []
    for r in rows:
        if " " not in r["theme"] and any(r["theme"] in k["theme"].split() and k["lift"] >= r["lift"] for k in kept):
            continue
        kept.append(r)
    return pd.DataFrame(kept[:top], columns=cols)


def _words(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(text.lower()))


@dataclass
class _Group:
    words: frozenset[str]
    rows: list[dict[str, Any]]


def near_duplicates(fb: pd.DataFrame) -> pd.DataFrame:
    """The comments grouped by near-duplicate text (see the module), largest group first (columns comment,
    count, negative, sessions, tenants, first_at, last_at)."""
    groups: list[_Group] = []
    for rec in ordered(fb).to_dict("records"):
        row = {str(k): v for k, v in rec.items()}
        text = row.get("comment")
        if not isinstance(text, str) or not text.strip():
            continue
        w = _words(text)
        for g in groups:
            union = len(w | g.words)
            if union and len(w & g.words) / union >= NEAR_DUPLICATE:
                g.rows.append(row)
                break
        else:
            groups.append(_Group(w, [row]))
    out = [
        {
            "comment": g.rows[0]["comment"],
            "count": len(g.rows),
            "negative": sum(bool(r["negative"]) for r in g.rows),
            "sessions": [r["session_id"] for r in g.rows if isinstance(r.get("session_id"), str)],
            "tenants": sorted({r["tenant_id"] for r in g.rows if isinstance(r.get("tenant_id"), str)}),
            "first_at": min(r["submitted_at"] for r in g.rows),
            "last_at": max(r["submitted_at"] for r in g.rows),
        }
        for g in groups
    ]
    out.sort(key=lambda r: (-r["negative"], -r["count"], str(r["comment"])))
    cols = ["comment", "count", "negative", "sessions", "tenants", "first_at", "last_at"]
    return pd.DataFrame(out, columns=cols)
