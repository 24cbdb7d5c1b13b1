-- purpose: the plausibility window of one load ([ingest] earliest, now + max_future_hours) and its caps
--          ([ingest] max_turn_cost_usd) as the DuckDB variable lk_window, which the contract compiler's
--          checks read (launchkit.ingest.compile)
-- grain: n/a (sets a variable on the connection)
-- parameters: $earliest, $latest (TIMESTAMPTZ), $first_day, $last_day (the same bounds as dates, UTC), $max_cost
SET VARIABLE lk_window = {
    'earliest': CAST($earliest AS TIMESTAMPTZ),
    'latest': CAST($latest AS TIMESTAMPTZ),
    'first_day': CAST($first_day AS DATE),
    'last_day': CAST($last_day AS DATE),
    'max_cost': CAST($max_cost AS DOUBLE)
}
