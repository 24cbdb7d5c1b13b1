-- purpose: the assistant's releases and when each shipped, for the go/no-go's deployment-freeze check
--          (a regular release shipped inside [ga] freeze_from..freeze_to blocks GA; an emergency fix does not)
-- grain: one row per release
-- parameters: none
CREATE TABLE releases (
    release    VARCHAR NOT NULL,
    shipped_at TIMESTAMP WITH TIME ZONE NOT NULL,
    kind       VARCHAR NOT NULL DEFAULT 'regular' CHECK (kind IN ('regular', 'emergency')),
    notes      VARCHAR,
    _load_id   BIGINT NOT NULL
);
