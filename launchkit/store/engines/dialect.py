"""DuckDB SQL -> Spark SQL: sqlglot's transpiler plus the few rules where Spark would otherwise compute
something different (or nothing). The queries stay written once, in DuckDB's dialect (queries/).

    to_spark(duckdb_sql) -> spark_sql     ($name parameters become Spark's :name markers, bound with
                                           spark.sql(text, args={...}), never formatted into the text)

Each rule is a function on the sqlglot syntax tree, named in RULES and tested on its own
(tests/test_dialect.py); docs/scaling.md has the table of what differs between the engines and which
rule handles it. The rules assume a Spark session in UTC (spark.sql.session.timeZone), as the
warehouse is (launchkit.store.engines.spark starts one so).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import sqlglot
from sqlglot import exp

from launchkit.errors import QueryError

# The rules were checked against this sqlglot major version (its Spark generator and DuckDB parser);
# another one must pass tests/test_dialect.py and tests/test_engines.py first.
SQLGLOT_MAJOR = 30


class UnportableSQL(QueryError):
    """A query uses a DuckDB construct with no faithful Spark translation here."""


def _percentile(value: exp.Expression, q: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this="percentile", expressions=[value, q])


def exact_percentiles(tree: exp.Expression) -> exp.Expression:
    """quantile_cont(x, q) and percentile_cont(q) WITHIN GROUP (ORDER BY x) -> percentile(x, q).

    sqlglot writes quantile_cont as PERCENTILE_CONT(x, q), which Spark rejects, and percentile_cont(q)
    WITHIN GROUP (...) as PERCENTILE_APPROX, an approximation. Spark's percentile(x, q) is exact: linear
    between the order statistics around (n-1)q, NULLs ignored, NULL on no rows, as DuckDB's quantile_cont.
    ORDER BY x DESC flips q to 1 - q. quantile_disc has no Spark twin with the same rule: refused.
    """

    def fix(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.WithinGroup) and isinstance(node.this, exp.PercentileCont | exp.PercentileDisc):
            if isinstance(node.this, exp.PercentileDisc):
                raise UnportableSQL("percentile_disc: no exact Spark equivalent (use quantile_cont)")
            order = node.expression
            ordered = order.expressions[0] if isinstance(order, exp.Order) else order
            q = node.this.this
            if isinstance(ordered, exp.Ordered) and ordered.args.get("desc"):
                q = exp.Sub(this=exp.Literal.number(1), expression=q)
            value = ordered.this if isinstance(ordered, exp.Ordered) else ordered
            return _percentile(value.copy(), q.copy())
        if isinstance(node, exp.PercentileCont) and not isinstance(node.parent, exp.WithinGroup):
            return _percentile(node.this.copy(), node.expression.copy())
        if isinstance(node, exp.PercentileDisc) and not isinstance(node.parent, exp.WithinGroup):
            raise UnportableSQL("quantile_disc: no exact Spark equivalent (use quantile_cont)")
        return node

    return tree.transform(fix)


def utc_wall_clock(tree: exp.Expression) -> exp.Expression:
    """timezone('UTC', ts) -> CAST(ts AS TIMESTAMP_NTZ).

    DuckDB's timezone('UTC', timestamptz) is the UTC wall clock; Spark has neither timezone() (sqlglot
    passes it through) nor AT TIME ZONE. Casting Spark's TIMESTAMP (an instant) to TIMESTAMP_NTZ gives the
    wall clock in the session zone, which is UTC. Another zone is refused rather than guessed.
    """

    def fix(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Anonymous) and node.name.lower() == "timezone" and len(node.expressions) == 2:
            zone, ts = node.expressions
            if not (isinstance(zone, exp.Literal) and zone.is_string and zone.this.upper() in ("UTC", "ETC/UTC")):
                raise UnportableSQL(f"timezone({zone.sql()}, ...): only 'UTC' translates to Spark")
            return exp.Cast(this=ts.copy(), to=exp.DataType.build("TIMESTAMP_NTZ", dialect="spark"))
        if isinstance(node, exp.AtTimeZone):
            raise UnportableSQL("AT TIME ZONE: write timezone('UTC', ts)")
        return node

    return tree.transform(fix)


_UNITS = {"MICROSECOND", "MILLISECOND", "SECOND", "MINUTE", "HOUR", "DAY", "WEEK", "MONTH", "QUARTER", "YEAR"}


def boundary_date_diff(tree: exp.Expression) -> exp.Expression:
    """date_diff('unit', a, b) -> timestampdiff(unit, date_trunc('unit', a), date_trunc('unit', b)).

    DuckDB counts the unit boundaries crossed (10:00:59 -> 10:01:00 is 1 minute); Spark's timestampdiff
    counts whole units elapsed (0). Truncating both ends first makes Spark count boundaries too (sqlglot
    marks DuckDB's form date_part_boundary but its Spark generator ignores the mark). Microseconds need
    no truncation.
    """

    def fix(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.DateDiff) and node.args.get("date_part_boundary"):
            unit = (node.unit.name if node.unit is not None else "DAY").upper()
            if unit not in _UNITS:
                raise UnportableSQL(f"date_diff unit {unit!r}")
            start, end = node.expression.copy(), node.this.copy()
            if unit != "MICROSECOND":
                start = exp.Anonymous(this="date_trunc", expressions=[exp.Literal.string(unit), start])
                end = exp.Anonymous(this="date_trunc", expressions=[exp.Literal.string(unit), end])
            return exp.Anonymous(this="timestampdiff", expressions=[exp.var(unit), start, end])
        return node

    return tree.transform(fix)


def double_literals(tree: exp.Expression) -> exp.Expression:
    """3600000.0 -> CAST(3600000.0 AS DOUBLE).

    A literal with a decimal point is a DECIMAL on both engines, but DuckDB turns DECIMAL division into
    DOUBLE while Spark keeps a DECIMAL with its scale capped at 6 digits (x / 3600000.0 = 2.500139 on
    Spark, 2.500138888888889 on DuckDB). As DOUBLE, Spark computes DuckDB's numbers. Exponent literals
    (1e6) are DOUBLE on both already; a literal inside a CAST keeps its written type.
    """

    def fix(node: exp.Expression) -> exp.Expression:
        if (
            isinstance(node, exp.Literal)
            and not node.is_string
            and "." in node.this
            and "e" not in node.this.lower()
            and not isinstance(node.parent, exp.Cast)
        ):
            return exp.Cast(this=node.copy(), to=exp.DataType.build("DOUBLE"))
        return node

    return tree.transform(fix)


_REFUSED_FUNCTIONS = {
    "epoch_us": "epoch_us(): no Spark equivalent here",
    "epoch_ns": "epoch_ns(): no Spark equivalent here",
    "epoch_ms": "epoch_ms(): sqlglot writes TIMESTAMP_MILLIS, which converts the other way",
    "dayofweek": "dayofweek(): sqlglot's Spark mapping is off by one day",
    "isodow": "isodow(): sqlglot's Spark mapping is wrong",
}


def refuse_unportable(tree: exp.Expression) -> exp.Expression:
    """Constructs sqlglot passes to Spark unchanged (or translates wrongly) fail here, at translation,
    with the construct named, instead of at run time or, worse, with a different number:
    ASOF joins, extract(epoch ...), epoch_ms/us/ns, dayofweek/isodow, and tables qualified by
    DuckDB's schema `main` (Spark has no such schema: read the table by its name)."""
    for j in tree.find_all(exp.Join):
        if (j.args.get("method") or "").upper() == "ASOF":
            raise UnportableSQL("ASOF JOIN: join on the range instead (see fragments/turns_priced.sql)")
    for e in tree.find_all(exp.Extract):
        if e.this.name.upper() == "EPOCH":
            raise UnportableSQL("extract(epoch FROM ...): sqlglot makes it a column named EPOCH on Spark")
    for f in tree.find_all(exp.Func):
        name = (f.name if isinstance(f, exp.Anonymous) else f.sql_name()).lower()
        if name in _REFUSED_FUNCTIONS:
            raise UnportableSQL(_REFUSED_FUNCTIONS[name])
    for ep in tree.find_all(exp.TimeToUnix, exp.UnixToTime):
        raise UnportableSQL(
            f"{ep.sql('duckdb')}: sqlglot's Spark form drops the fraction or converts the other way; "
            "use date_diff('microsecond', TIMESTAMPTZ '1970-01-01 00:00:00+00', ts)"
        )
    for dow in tree.find_all(exp.DayOfWeek, exp.DayOfWeekIso):
        raise UnportableSQL(f"{dow.sql('duckdb')}: sqlglot's Spark day-of-week mapping differs")
    for t in tree.find_all(exp.Table):
        if t.db.lower() == "main" and not t.catalog:
            raise UnportableSQL(f"main.{t.name}: DuckDB's schema name; read the table by its name")
    return tree


def unique_nested_ctes(tree: exp.Expression) -> exp.Expression:
    """A CTE of a nested WITH whose name another CTE of the statement also has gets a name of its own.

    sqlglot's Spark generator moves nested WITH clauses up to the statement's (older Spark rejected them),
    so `WITH turns_priced AS (WITH t AS ...), t AS (...)` (a fragment inside a query, each with its own
    `t`) would reach Spark with `t` defined twice. Renaming the inner one where it is visible (the CTEs
    after it in its WITH, and the body of the query that owns it) keeps each reference pointing where
    DuckDB points it; a renamed table reference keeps the old name as its alias, so `t.col` still resolves.
    """
    counts: dict[str, int] = {}
    for cte in tree.find_all(exp.CTE):
        counts[cte.alias_or_name.lower()] = counts.get(cte.alias_or_name.lower(), 0) + 1
    taken = set(counts)
    top = tree.args.get("with_")
    for w in list(tree.find_all(exp.With)):
        owner = w.parent
        if w is top or owner is None:
            continue
        for i, cte in enumerate(list(w.expressions)):
            name = cte.alias_or_name
            if counts.get(name.lower(), 0) < 2:
                continue
            k = 1
            while f"{name}_{k}".lower() in taken:
                k += 1
            new = f"{name}_{k}"
            taken.add(new.lower())
            cte.set("alias", exp.TableAlias(this=exp.to_identifier(new)))
            scopes = [*w.expressions[i + 1 :], *(v for key, v in owner.args.items() if key != "with_" and v)]
            for node in scopes:
                for part in node if isinstance(node, list) else [node]:
                    if not isinstance(part, exp.Expression):
                        continue
                    for t in part.find_all(exp.Table):
                        if t.name.lower() == name.lower() and not t.db:
                            alias = t.alias or name
                            t.set("this", exp.to_identifier(new))
                            t.set("alias", exp.TableAlias(this=exp.to_identifier(alias)))
    return tree


def _positive_step(step: exp.Expression) -> bool:
    """A step known positive: an INTERVAL, a positive number, or a CASE choosing among such steps."""
    if isinstance(step, exp.Interval):
        return True
    if isinstance(step, exp.Literal):
        return not step.is_string and float(step.this) > 0
    if isinstance(step, exp.Case):
        branches = [i.args["true"] for i in step.args.get("ifs") or []]
        default = step.args.get("default")
        return default is not None and all(_positive_step(b) for b in [*branches, default])
    return False


def _bounded_sequence(series: exp.GenerateSeries) -> exp.Expression:
    """Spark's sequence() with DuckDB's bounds: empty (NULL, which explode() turns into no rows) when the start
    is past the end, where sequence() would count down or fail; end-exclusive for range()."""
    start, end, step = series.args["start"], series.args["end"], series.args.get("step")
    if step is not None and not _positive_step(step):
        raise UnportableSQL("range()/generate_series() with a step that is not a positive constant")
    args = [start.copy(), end.copy(), *([step.copy()] if step is not None else [])]
    seq = _call("sequence", *args)
    if series.args.get("is_end_exclusive"):
        keep = exp.Lambda(
            this=exp.LT(this=exp.to_identifier("lk_x"), expression=end.copy()),
            expressions=[exp.to_identifier("lk_x")],
        )
        seq = _call("filter", seq, keep)
        nonempty: exp.Expression = exp.LT(this=start.copy(), expression=end.copy())
    else:
        nonempty = exp.LTE(this=start.copy(), expression=end.copy())
    return exp.Case(ifs=[exp.If(this=nonempty, true=seq)])


def series_tables(tree: exp.Expression) -> exp.Expression:
    """range(a, b [, step]) / generate_series(a, b [, step]): as a table (AS t(col)) -> a subquery exploding
    Spark's sequence(); unnest(generate_series(...)) in a select list -> explode() of the same bounded sequence.

    sqlglot writes the table functions as EXPLODE(SEQUENCE(...), _u(t)), which Spark cannot run, and the
    unnest as EXPLODE(SEQUENCE(...)), which fails ("Illegal sequence boundaries") when a is past b. DuckDB's
    range() stops before b, generate_series() at b, and both are empty when a is past b: the translation keeps
    DuckDB's bounds and emptiness. Steps must be positive (a positive number or an INTERVAL); a negative or
    computed step is refused.
    """

    def fix(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Explode) and isinstance(node.this, exp.GenerateSeries):
            return _call("explode", _bounded_sequence(node.this))
        if not (isinstance(node, exp.Table) and isinstance(node.this, exp.GenerateSeries)):
            return node
        alias = node.args.get("alias")
        if alias is None or len(alias.columns) != 1:
            raise UnportableSQL("range()/generate_series() as a table needs an alias with one column: AS t(col)")
        column = alias.columns[0].copy()
        select = exp.select(exp.alias_(_call("explode", _bounded_sequence(node.this)), column))
        return exp.Subquery(this=select, alias=exp.TableAlias(this=alias.this.copy()))

    return tree.transform(fix)


def zipped_unnests(tree: exp.Expression) -> exp.Expression:
    """SELECT unnest(a) AS x, unnest(b) AS y -> SELECT inline(arrays_zip(a, b)) AS (x, y).

    DuckDB unnests several lists of one SELECT side by side (row k holds the k-th element of each, NULL past
    a shorter list's end); sqlglot writes one EXPLODE per list, which Spark combines as a cross product (n^2
    rows). arrays_zip pairs the elements as DuckDB does, NULL-padded, and inline() makes them rows. Only a
    SELECT whose every column is an aliased unnest is rewritten; another mix is refused.
    """

    def fix(node: exp.Expression) -> exp.Expression:
        if not isinstance(node, exp.Select):
            return node
        cols = node.expressions
        unnests = [c for c in cols if isinstance(c, exp.Alias) and isinstance(c.this, exp.Explode)]
        if len(unnests) < 2:
            return node
        if len(unnests) != len(cols):
            raise UnportableSQL("several unnest() beside other columns in one SELECT: unnest them alone")
        zipped = _call("inline", _call("arrays_zip", *(c.this.this.copy() for c in unnests)))
        names = [exp.to_identifier(c.alias) for c in unnests]
        node.set("expressions", [exp.Aliases(this=zipped, expressions=names)])
        return node

    return tree.transform(fix)


_LIST_TEMPLATE = "CASE WHEN size(lk_agg) = 0 THEN NULL ELSE transform(array_sort(lk_agg), lk_e -> lk_e.v) END"


def _call(name: str, *args: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this=name, expressions=list(args))


def ordered_lists(tree: exp.Expression) -> exp.Expression:
    """list(x ORDER BY k, ...) [FILTER (WHERE c)] -> the same list on Spark, in the same order.

    sqlglot writes COLLECT_LIST(x) and drops the ORDER BY: Spark would return the elements in whatever
    order its tasks met them, and drop NULL elements, which DuckDB keeps; on no rows it returns an empty
    array where DuckDB returns NULL. Here each element travels in a struct with its sort keys (a key's
    IS NULL flag first, so NULL keys sort last, or first with NULLS FIRST, as DuckDB orders), the structs
    are sorted and unwrapped, and an empty list is NULL. Descending keys are refused.
    """

    def build(agg: exp.ArrayAgg, where: exp.Expression | None) -> exp.Expression:
        value, keys = agg.this, []
        if isinstance(value, exp.Order):
            keys, value = list(value.expressions), value.this
        fields: list[exp.Expression] = []
        for i, k in enumerate(keys):
            if k.args.get("desc"):
                raise UnportableSQL("list(... ORDER BY ... DESC): only ascending keys translate to Spark")
            key = k.this.copy()
            null_flag = (
                exp.Not(this=exp.Is(this=key.copy(), expression=exp.Null()))
                if k.args.get("nulls_first")
                else exp.Is(this=key.copy(), expression=exp.Null())
            )
            fields += [exp.Literal.string(f"n{i}"), null_flag, exp.Literal.string(f"k{i}"), key]
        fields += [exp.Literal.string("v"), value.copy()]
        collected = _call("collect_list", _call("named_struct", *fields))
        if where is not None:
            collected = exp.Filter(this=collected, expression=where.copy())
        tpl = sqlglot.parse_one(_LIST_TEMPLATE, read="spark")
        return tpl.transform(lambda n: collected.copy() if isinstance(n, exp.Column) and n.name == "lk_agg" else n)

    def fix(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Filter) and isinstance(node.this, exp.ArrayAgg):
            return build(node.this, node.expression)
        if isinstance(node, exp.ArrayAgg) and not isinstance(node.parent, exp.Filter):
            return build(node, None)
        return node

    return tree.transform(fix)


RULES: tuple[tuple[str, Callable[[exp.Expression], exp.Expression]], ...] = (
    ("refuse_unportable", refuse_unportable),
    ("unique_nested_ctes", unique_nested_ctes),
    ("exact_percentiles", exact_percentiles),
    ("ordered_lists", ordered_lists),
    ("series_tables", series_tables),
    ("zipped_unnests", zipped_unnests),
    ("utc_wall_clock", utc_wall_clock),
    ("boundary_date_diff", boundary_date_diff),
    ("double_literals", double_literals),
)


def check_sqlglot() -> None:
    """Refuse a sqlglot whose major version the rules were not checked with."""
    major = int(sqlglot.__version__.split(".")[0])
    if major != SQLGLOT_MAJOR:
        raise QueryError(
            f"sqlglot {sqlglot.__version__}: launchkit's Spark rules were checked with {SQLGLOT_MAJOR}.x "
            f"(pip install 'sqlglot>={SQLGLOT_MAJOR},<{SQLGLOT_MAJOR + 1}')"
        )


@lru_cache(maxsize=512)
def to_spark(sql: str, *, skip: tuple[str, ...] = ()) -> str:
    """One DuckDB statement in Spark SQL, with every rule applied (`skip` leaves rules out: for tests
    that show why a rule is there). Cached: each query text is translated once per process."""
    check_sqlglot()
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
    except sqlglot.errors.ParseError as exc:
        raise QueryError(f"cannot parse the query for Spark: {str(exc).splitlines()[0]}") from None
    out: exp.Expression = tree  # type: ignore[assignment]  # sqlglot types parse_one loosely
    for name, rule in RULES:
        if name not in skip:
            out = rule(out)
    return out.sql(dialect="spark")
