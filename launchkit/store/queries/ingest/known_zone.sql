-- purpose: whether a time zone name is one DuckDB knows (the allow-list for `SET TimeZone`)
-- grain: one row (a count)
-- parameters: $zone
SELECT count(*) AS n FROM pg_timezone_names() WHERE name = $zone
