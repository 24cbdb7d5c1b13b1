-- purpose: remember the stat and content hash of inbox files just hashed (replacing what was known of the path)
-- grain: one row per path in $paths
-- parameters: $paths, $sizes, $mtimes, $ctimes, $inodes, $hashes (parallel lists)
INSERT OR REPLACE INTO inbox_files (path, size, mtime_ns, ctime_ns, inode, content_hash, hashed_at)
SELECT unnest(CAST($paths AS VARCHAR[])), unnest(CAST($sizes AS BIGINT[])), unnest(CAST($mtimes AS BIGINT[])),
       unnest(CAST($ctimes AS BIGINT[])), unnest(CAST($inodes AS UBIGINT[])), unnest(CAST($hashes AS VARCHAR[])), now()
