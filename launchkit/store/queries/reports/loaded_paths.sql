-- purpose: every file path the loader has looked at (loaded or failed) and when it last did (the demo
--          tells whether a warehouse holds data from elsewhere than its own synthetic pilot)
-- grain: one row per path
-- parameters: none
SELECT path, max(loaded_at) AS last_at
FROM loads
WHERE status IN ('loaded', 'failed')
GROUP BY path
