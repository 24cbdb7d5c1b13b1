"""Recurring themes in pilot feedback: words and two-word phrases by how many comments use them.

Deliberately simple and explainable (no model, nothing to download): lowercase words without stop
words; a phrase is kept over its words when it is as frequent.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from itertools import pairwise
from typing import Any

import pandas as pd

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


def themes(comments: Iterable[Any], *, top: int = 10, min_mentions: int = 2) -> pd.DataFrame:
    """The `top` themes used by at least `min_mentions` comments. Columns: theme, comments, share, example."""
    texts = [str(c) for c in comments if isinstance(c, str) and c.strip()]
    if not texts:
        return pd.DataFrame(columns=["theme", "comments", "share", "example"])
    doc_terms: list[set[str]] = []
    for t in texts:
        words = [w for w in re.findall(r"[a-z0-9_']+", t.lower()) if w not in _STOPWORDS and len(w) > 1]
        terms = set(words) | {f"{a} {b}" for a, b in pairwise(words)}
        doc_terms.append(terms)
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
