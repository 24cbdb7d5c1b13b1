"""Recurring themes in pilot feedback: words and two-word phrases by how many comments use them.

Deliberately simple and explainable (no model, nothing to download): lowercase words without stop
words; a phrase is kept over its words when it is as frequent.

Comments are redacted first (launchkit.redact) unless `redact=False`: the examples go into reports,
JSON summaries and tickets, and the terms themselves must not be pieces of an address or a number.
Redaction placeholders (`[email]`...) are not words, so "email" never becomes a theme because
several comments held an address.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from itertools import pairwise
from typing import Any

import pandas as pd

from launchkit.redact import PLACEHOLDERS, redact_many

_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "for",
        "from",
        "had",
        "has",
        "have",
        "i",
        "in",
        "is",
        "it",
        "its",
        "it's",
        "me",
        "my",
        "no",
        "not",
        "of",
        "on",
        "or",
        "our",
        "so",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "too",
        "up",
        "us",
        "was",
        "we",
        "were",
        "what",
        "when",
        "which",
        "who",
        "will",
        "with",
        "would",
        "you",
        "your",
        "just",
        "very",
        "really",
        "also",
        "been",
        "being",
        "than",
        "into",
        "out",
        "over",
        "only",
    ]
)


_PLACEHOLDER = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS.values()))


def terms(text: str) -> set[str]:
    """The words (no stop words) and two-word phrases of one comment, as themes count them."""
    words = [
        w for w in re.findall(r"[a-z0-9_']+", _PLACEHOLDER.sub(" ", text).lower()) if w not in _STOPWORDS and len(w) > 1
    ]
    return set(words) | {f"{a} {b}" for a, b in pairwise(words)}


def themes(comments: Iterable[Any], *, top: int = 10, min_mentions: int = 2, redact: bool = True) -> pd.DataFrame:
    """The `top` themes used by at least `min_mentions` comments. Columns: theme, comments, share, example
    (the first comment using it; redacted, like the terms, unless `redact` is False)."""
    texts = [str(c) for c in comments if isinstance(c, str) and c.strip()]
    if redact:
        texts = redact_many(texts)
    if not texts:
        return pd.DataFrame(columns=["theme", "comments", "share", "example"])
    doc_terms = [terms(t) for t in texts]
    counts = Counter(term for terms in doc_terms for term in terms)
    phrases = {t: n for t, n in counts.items() if " " in t and n >= min_mentions}
    covered = {w for p, n in phrases.items() for w in p.split() if counts[w] <= n}
    ranked = sorted(
        ((t, n) for t, n in counts.items() if n >= min_mentions and t not in covered),
        key=lambda x: (-x[1], -len(x[0].split()), x[0]),
    )[:top]
    rows = []
    for term, n in ranked:
        example = next(t for t, terms in zip(texts, doc_terms) if term in terms)
        rows.append({"theme": term, "comments": n, "share": n / len(texts), "example": example})
    return pd.DataFrame(rows, columns=["theme", "comments", "share", "example"])
