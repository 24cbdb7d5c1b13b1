-- fragment: turns_attributed: priced turns (turns_priced, effective cost_usd, NULL when unpriced) with their
--           session's tenant_id and cohort, for spend by who used it; a turn whose session is not in the
--           sessions table (or has no tenant) falls under '(unknown)'
-- grain: one row per turn_id
-- parameters: none
WITH turns_priced AS ({{ turns_priced }})
SELECT
    tp.*,
    coalesce(s.tenant_id, '(unknown)') AS tenant_id,
    coalesce(s.cohort, '(unknown)') AS cohort
FROM turns_priced AS tp
LEFT JOIN sessions AS s ON s.session_id = tp.session_id
