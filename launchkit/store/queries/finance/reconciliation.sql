-- purpose: finance reconciliation: per vendor and UTC day, the cost of the turns (turns_priced, with the vendor
--          of their price row) against the vendor's bill lines (vendor_costs), with the difference in USD and in
--          percent of the bill and whether it is within $tolerance_pct. A side with no data is NULL (not 0):
--          then diff and within_tolerance are NULL too. vendor is NULL for turns whose model maps to no vendor.
-- grain: one row per (vendor, day) present on either side, days in [$start, $end) (NULL bounds are open)
-- parameters: $start, $end, $tolerance_pct
WITH turns_priced AS ({{ turns_priced }}),
turn_side AS (
    SELECT
        lower(trim(tp.vendor)) AS vendor,
        CAST(timezone('UTC', tp.started_at) AS DATE) AS day,
        sum(tp.cost_usd) AS computed_usd,
        count(*) FILTER (WHERE tp.cost_usd IS NULL) AS unpriced_turns
    FROM turns_priced AS tp
    WHERE (CAST($start AS DATE) IS NULL OR CAST(timezone('UTC', tp.started_at) AS DATE) >= CAST($start AS DATE))
      AND (CAST($end AS DATE) IS NULL OR CAST(timezone('UTC', tp.started_at) AS DATE) < CAST($end AS DATE))
    GROUP BY 1, 2
),
bill_side AS (
    SELECT lower(trim(vendor)) AS vendor, usage_date AS day, sum(amount_usd) AS billed_usd
    FROM vendor_costs
    WHERE (CAST($start AS DATE) IS NULL OR usage_date >= CAST($start AS DATE))
      AND (CAST($end AS DATE) IS NULL OR usage_date < CAST($end AS DATE))
    GROUP BY 1, 2
),
joined AS (
    SELECT
        coalesce(t.vendor, b.vendor) AS vendor,
        coalesce(t.day, b.day) AS day,
        t.computed_usd,
        b.billed_usd,
        coalesce(t.unpriced_turns, 0) AS unpriced_turns
    FROM turn_side AS t
    FULL OUTER JOIN bill_side AS b ON t.vendor = b.vendor AND t.day = b.day
)
SELECT
    vendor,
    day,
    computed_usd,
    billed_usd,
    computed_usd - billed_usd AS diff_usd,
    CASE WHEN billed_usd <> 0 THEN 100.0 * (computed_usd - billed_usd) / billed_usd END AS diff_pct,
    CASE
        WHEN computed_usd IS NULL OR billed_usd IS NULL THEN NULL
        WHEN billed_usd = 0 THEN computed_usd = 0
        ELSE abs(100.0 * (computed_usd - billed_usd) / billed_usd) <= CAST($tolerance_pct AS DOUBLE)
    END AS within_tolerance,
    unpriced_turns
FROM joined
ORDER BY day, vendor NULLS LAST
