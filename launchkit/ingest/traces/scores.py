"""Scores on an answer, told apart by who gave them: a user's rating or thumb is feedback, a model's, a
program's or an annotator's judgement an evaluation (the platforms' readers share these rules, and the
loop that reads a file of scores)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from launchkit.config import Config
from launchkit.errors import InputFileError
from launchkit.ingest.traces.spans import Mapped, TraceFormat, raw_json

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


def looks_like_scores(doc: Any, key: str, is_item: Callable[[Any], bool]) -> bool:
    """A page of scores (`{key: [...]}`), a list of them, or one."""
    if isinstance(doc, Mapping) and isinstance(doc.get(key), list):
        doc = doc[key]
    if isinstance(doc, list):
        return bool(doc) and all(is_item(d) for d in doc[:5])
    return is_item(doc)


def _items(text: str, path: Path, key: str) -> Iterator[Any]:
    """The scores of a file: one JSON document (a page under `key`, a list, one score) or JSON Lines."""
    try:
        docs = [json.loads(text)]
    except json.JSONDecodeError:
        try:
            docs = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as exc:
            raise InputFileError(str(path), f"not valid JSON ({exc.msg} at line {exc.lineno})") from None
    for doc in docs:
        if isinstance(doc, Mapping) and isinstance(doc.get(key), list):
            yield from doc[key]
        elif isinstance(doc, list):
            yield from doc
        else:
            yield doc


def map_scores(
    path: Path,
    config: Config,
    *,
    key: str,
    is_item: Callable[[Any], bool],
    not_item: str,
    record: Callable[[Mapped, int, Mapping[str, Any], str], None],
) -> Mapped:
    """Map a file of scores to raw evaluation and feedback rows: each score that `is_item` accepts goes
    to `record(out, row, score, timezone)`; any other record is rejected before staging (`not_item`)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputFileError(str(path), "not UTF-8 text") from None
    out = Mapped()
    for row, item in enumerate(_items(text, Path(path), key), start=1):
        out.records += 1
        if not is_item(item):
            out.pre_rejects.append((row, None, not_item, raw_json(item)))
            continue
        record(out, row, item, config.timezone)
    return out


def score_format(
    name: str,
    about: str,
    *,
    key: str,
    is_item: Callable[[Any], bool],
    not_item: str,
    record: Callable[[Mapped, int, Mapping[str, Any], str], None],
    head: Callable[[str], bool],
) -> TraceFormat:
    """The record of a format of scores: a page under `key`, a list or JSON Lines of items `is_item`
    accepts, each mapped by `record` (map_scores)."""

    def mapped(path: Path, config: Config) -> Mapped:
        return map_scores(path, config, key=key, is_item=is_item, not_item=not_item, record=record)

    mapped.__doc__ = f"Map {about} to raw evaluation and feedback rows."
    return TraceFormat(name, about, mapped=mapped, head=head, document=lambda doc: looks_like_scores(doc, key, is_item))
