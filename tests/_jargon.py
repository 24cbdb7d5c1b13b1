"""What a stakeholder must never read in a report: criterion and metric ids, config keys, 'criterion:'."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from launchkit.config.schema import DEFAULTS

# the open sections' own keys (launchkit.config.criteria), beside the fixed sections' in DEFAULTS
_OPEN_KEYS = ("criteria.confidence", "criteria.history_days", "capacity.limits")


def internal_names(criteria: Iterable[Mapping[str, Any]]) -> set[str]:
    """Each criterion's id and metric id, every config key as `section.key` and `[section]`, each key's
    own name when it has an underscore (freeze_from), and the verdict source prefix 'criterion:'."""
    keys = {f"{s}.{k}" for s, v in DEFAULTS.items() if isinstance(v, dict) for k in v} | set(_OPEN_KEYS)
    names = {k.split(".", 1)[1] for k in keys if "_" in k.split(".", 1)[1]}
    sections = {f"[{k.split('.', 1)[0]}]" for k in keys}
    ids = {str(c[f]) for c in criteria for f in ("name", "metric")}
    return ids | keys | names | sections | {"criterion:"}


def found(text: str, names: Iterable[str]) -> dict[str, str]:
    """The names the text holds as words (case as written), each with the text around its first place.
    A name in quotes is the data's own (no evaluations named 'hallucination' loaded), not a label."""
    text = re.sub(r"(?<!\w)(?:'|&#x27;)[\w .-]*(?:'|&#x27;)(?!\w)", "''", text)
    out = {}
    for w in names:
        m = re.search(rf"(?<![\w.]){re.escape(w)}(?![\w])", text)
        if m:
            out[w] = text[max(0, m.start() - 60) : m.end() + 40]
    return out
