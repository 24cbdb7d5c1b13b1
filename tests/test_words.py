"""Words for each reader (issue 19, item 3): every metric has a display name and a plain-language line."""

from __future__ import annotations

import re

import pytest

from launchkit.catalogue import METRICS, display_name, plain


@pytest.mark.parametrize("name", sorted(METRICS))
def test_every_metric_has_a_display_name_and_a_plain_line(name):
    m = METRICS[name]
    assert m.label and m.label[0].isupper() and not re.search(r"[_.]|\bp\d\d\b", m.label), m.label
    assert m.plain.endswith(".") and len(m.plain) <= 120 and not re.search(r"_|\bp\d\d\b", m.plain), m.plain
    assert display_name(name) == m.label and plain(name) == m.plain


def test_display_names_tell_metrics_apart():
    labels = [m.label for m in METRICS.values()]
    assert len(set(labels)) == len(labels)
    assert display_name("no_such_metric") == "no_such_metric" and plain("no_such_metric") == ""
