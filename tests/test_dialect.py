"""launchkit.store.engines.dialect without a JVM: each rule's translation, the refusals, and every query
file translating (tests/test_engines.py runs the translations on Spark and compares the results)."""

from __future__ import annotations

import pytest
import sqlglot

from launchkit.store import queries
from launchkit.store.engines.dialect import RULES, UnportableSQL, to_spark


def spark(sql: str, skip: tuple[str, ...] = ()) -> str:
    return to_spark(sql, skip=skip).upper()


def test_percentiles_are_exact_not_approximate():
    out = spark("SELECT quantile_cont(x, 0.95) AS a, percentile_cont(0.5) WITHIN GROUP (ORDER BY x) AS b FROM t")
    assert "PERCENTILE(X, CAST(0.95 AS DOUBLE))" in out and "PERCENTILE(X, CAST(0.5 AS DOUBLE))" in out
    assert "APPROX" not in out
    assert "APPROX" in spark("SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM t", ("exact_percentiles",))
    desc = spark("SELECT percentile_cont(0.9) WITHIN GROUP (ORDER BY x DESC) FROM t")
    assert "PERCENTILE(X, 1 - CAST(0.9 AS DOUBLE))" in desc
    with pytest.raises(UnportableSQL, match="quantile_disc"):
        to_spark("SELECT quantile_disc(x, 0.5) FROM t")


def test_utc_wall_clock_and_other_zones():
    assert "CAST(TS AS TIMESTAMP_NTZ)" in spark("SELECT timezone('UTC', ts) FROM t")
    with pytest.raises(UnportableSQL, match="only 'UTC'"):
        to_spark("SELECT timezone('Europe/Paris', ts) FROM t")


def test_date_diff_counts_boundaries():
    out = spark("SELECT date_diff('minute', a, b) FROM t")
    assert "TIMESTAMPDIFF(MINUTE, DATE_TRUNC('MINUTE', A), DATE_TRUNC('MINUTE', B))" in out


def test_decimal_literals_divide_as_double():
    assert "X / CAST(3600000.0 AS DOUBLE)" in spark("SELECT x / 3600000.0 FROM t")
    assert "CAST(1.5 AS DECIMAL(3, 1))" in spark("SELECT CAST(1.5 AS DECIMAL(3, 1)) FROM t")  # left as written
    assert "1E6" in spark("SELECT x / 1e6 FROM t")


def test_parameters_stay_bound():
    out = to_spark("SELECT * FROM t WHERE ts >= $start AND list_contains($ranks, rn)")
    assert ":start" in out and "ARRAY_CONTAINS(:ranks, rn)" in out and "$" not in out


def test_series_tables_keep_duckdbs_bounds():
    out = spark("SELECT i FROM range(1, 5) AS t(i)")
    assert "SEQUENCE(1, 5)" in out and "< 5" in out  # range() stops before its end
    assert "FILTER" not in spark("SELECT i FROM generate_series(1, 5) AS t(i)")  # generate_series() includes it


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM a ASOF LEFT JOIN b ON a.k = b.k AND a.t >= b.t",
        "SELECT extract(epoch FROM ts) FROM t",
        "SELECT epoch_ms(ts) FROM t",
        "SELECT epoch(ts) FROM t",
        "SELECT dayofweek(ts) FROM t",
        "SELECT * FROM main.turns",
    ],
)
def test_unportable_constructs_are_refused_at_translation(sql):
    with pytest.raises(UnportableSQL):
        to_spark(sql)


def test_nested_ctes_of_the_same_name_are_renamed():
    out = to_spark("WITH a AS (WITH t AS (SELECT 1 AS x) SELECT x FROM t), t AS (SELECT 2 AS x) SELECT * FROM a, t")
    tree = sqlglot.parse_one(out, read="spark")
    names = [c.alias_or_name for c in tree.find_all(sqlglot.exp.CTE)]
    assert len(names) == len(set(names)), out


def test_every_rule_is_named_once():
    names = [n for n, _ in RULES]
    assert len(names) == len(set(names))


def _readers() -> list[str]:
    return [n for n in queries.names() if n.split("/")[0] not in ("ingest", "backup") and "migrations" not in n]


@pytest.mark.parametrize("name", _readers())
def test_every_query_translates(name):
    q = queries.load_query(name)
    text = q.sql
    for slot in q.slots:
        text = text.replace("{" + slot + "}", '"x"')
    out = to_spark(text)
    assert out.strip() and "$" not in out


def test_an_unnested_series_past_its_end_is_empty_not_an_error():
    out = spark("SELECT unnest(generate_series(a, b, INTERVAL 1 DAY)) AS d FROM t")
    assert "CASE WHEN A <= B THEN SEQUENCE(A, B, INTERVAL '1' DAY) END" in out
    assert "CASE" not in spark("SELECT unnest(generate_series(a, b, INTERVAL 1 DAY)) AS d FROM t", ("series_tables",))


def test_unnests_of_one_select_are_zipped_not_crossed():
    out = spark("SELECT unnest(CAST($a AS INT[])) AS x, unnest(CAST($b AS INT[])) AS y")
    assert "INLINE(ARRAYS_ZIP(" in out and "AS (X, Y)" in out and "EXPLODE" not in out
    assert "EXPLODE" in spark(
        "SELECT unnest(CAST($a AS INT[])) AS x, unnest(CAST($b AS INT[])) AS y", ("zipped_unnests",)
    )
    with pytest.raises(UnportableSQL, match="several unnest"):
        to_spark("SELECT 1 AS k, unnest(CAST($a AS INT[])) AS x, unnest(CAST($b AS INT[])) AS y")
