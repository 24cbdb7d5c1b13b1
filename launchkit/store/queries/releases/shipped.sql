-- purpose: releases shipped in a window, e.g. the deployment freeze before GA
-- grain: one row per release shipped in [$start, $end), oldest first
-- parameters: $start, $end (TIMESTAMPTZ, half-open window)
SELECT release, shipped_at, kind, notes
FROM releases
WHERE shipped_at >= $start AND shipped_at < $end
ORDER BY shipped_at, release
