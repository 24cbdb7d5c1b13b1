-- purpose: feedback left by pilot analysts
-- grain: one row per feedback_id
-- parameters: none
CREATE TABLE feedback (
    feedback_id  VARCHAR NOT NULL,
    session_id   VARCHAR,
    user_id      VARCHAR,
    submitted_at TIMESTAMP WITH TIME ZONE NOT NULL,
    rating       INTEGER CHECK (rating BETWEEN 1 AND 5),
    thumbs       VARCHAR CHECK (thumbs IN ('up', 'down')),
    comment      VARCHAR,
    _load_id     BIGINT NOT NULL,
    CHECK (rating IS NOT NULL OR thumbs IS NOT NULL)
);
