-- purpose: rejected input rows, with the reason and the raw values as read
-- grain: one row per rejected input row
-- parameters: none
CREATE TABLE rejects (
    load_id     BIGINT NOT NULL,
    path        VARCHAR NOT NULL,
    table_name  VARCHAR NOT NULL,
    row_number  BIGINT NOT NULL,
    column_name VARCHAR,
    reason      VARCHAR NOT NULL,
    raw         VARCHAR
);
