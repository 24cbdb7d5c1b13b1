-- purpose: the manifest row of one load of one file (and table): its counts, status and content hash, the
--          ignored records by reason (JSON object) and the load's warnings (JSON list)
-- grain: one row per load_id
-- parameters: $load_id, $path, $content_hash, $table_name, $format, $status, $rows_read, $loaded, $updated,
--             $duplicates, $rejected, $ignored, $ignored_by_reason, $warnings, $error, $launchkit_version
INSERT INTO loads (load_id, path, content_hash, table_name, format, status, rows_read, loaded, updated,
                   duplicates, rejected, ignored, ignored_by_reason, warnings, error, loaded_at, launchkit_version)
VALUES ($load_id, $path, $content_hash, $table_name, $format, $status, $rows_read, $loaded, $updated,
        $duplicates, $rejected, $ignored, $ignored_by_reason, $warnings, $error, now(), $launchkit_version)
