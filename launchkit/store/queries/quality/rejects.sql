-- purpose: rows read and rows rejected by the loads made in a window (rejects joined to loads on load_id,
--          placed in time by loads.loaded_at)
-- grain: one row for the window [$start, $end)
-- parameters: $start, $end (TIMESTAMPTZ, half-open window)
SELECT
    (SELECT count(*) FROM loads WHERE loaded_at >= $start AND loaded_at < $end) AS loads,
    (SELECT coalesce(sum(rows_read), 0) FROM loads WHERE loaded_at >= $start AND loaded_at < $end) AS rows_read,
    (SELECT count(*)
     FROM rejects AS r
     JOIN loads AS l ON l.load_id = r.load_id
     WHERE l.loaded_at >= $start AND l.loaded_at < $end AND r.resolved_by IS NULL) AS rejected_rows
