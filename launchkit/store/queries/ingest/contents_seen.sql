-- purpose: the loads that already looked at any of these contents (loaded anywhere, or failed), so the
--          hourly run reads a file only when its content is new to the warehouse
-- grain: one row per (content hash, path, status, table) among $hashes
-- parameters: $hashes (VARCHAR[])
SELECT DISTINCT content_hash, path, status, table_name
FROM loads
WHERE content_hash IN (SELECT unnest(CAST($hashes AS VARCHAR[])))
  AND status IN ('loaded', 'failed')
