-- purpose: the remembered stat and content hash of the files now in the inbox
-- grain: one row per remembered path among $paths
-- parameters: $paths (VARCHAR[])
SELECT path, size, mtime_ns, ctime_ns, inode, content_hash
FROM inbox_files
WHERE path IN (SELECT unnest(CAST($paths AS VARCHAR[])))
