-- purpose: billed spend per vendor from the vendor bill lines (telemetry does not carry the vendor), per
--          period of usage_date ($grain: 'day', 'week' = ISO week starting Monday, 'month'). usage_date is
--          the vendor's billing day, a UTC date, whatever the report zone: bills are not split by hour
-- grain: one row per period and vendor with bill lines dated in [$start, $end)
-- parameters: $start, $end (DATE, half-open range), $grain ('day', 'week' or 'month')
SELECT
    CAST(date_trunc($grain, usage_date) AS DATE) AS period,
    vendor AS value,
    sum(amount_usd) AS cost_usd,
    count(*) AS lines
FROM vendor_costs
WHERE usage_date >= $start AND usage_date < $end
GROUP BY CAST(date_trunc($grain, usage_date) AS DATE), vendor
ORDER BY period, value
