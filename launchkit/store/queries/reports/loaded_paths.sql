-- purpose: every file path the loader has looked at (loaded or failed) and when it last did, so the
--          hourly run reads only files that are new or changed since
-- grain: one row per path
-- parameters: none
SELECT path, max(loaded_at) AS last_at
FROM loads
WHERE status IN ('loaded', 'failed')
GROUP BY path
