-- purpose: what the hourly run knows of each inbox file: its content hash, and the file's size, times and
--          inode when it was hashed; a file whose stat is unchanged is not hashed again (the inbox
--          decides what is new by content hash, at a cost that grows with changed files only)
-- grain: one row per file path
-- parameters: none
CREATE TABLE inbox_files (
    path         VARCHAR PRIMARY KEY,
    size         BIGINT NOT NULL,
    mtime_ns     BIGINT NOT NULL,
    ctime_ns     BIGINT NOT NULL,
    inode        UBIGINT NOT NULL,
    content_hash VARCHAR NOT NULL,
    hashed_at    TIMESTAMP WITH TIME ZONE NOT NULL
)
