-- purpose: evaluations of the assistant's answers by a model (LLM as judge), a program or a person annotating:
--          correctness, hallucination, groundedness, ... (a user's own rating or thumbs is feedback); the
--          answer_quality criteria judge them
-- grain: one row per evaluation_id
-- parameters: none
CREATE TABLE evaluations (
    evaluation_id VARCHAR NOT NULL,
    session_id    VARCHAR,
    turn_id       VARCHAR,
    name          VARCHAR NOT NULL,
    source        VARCHAR NOT NULL CHECK (source IN ('llm_judge', 'code', 'human')),
    value         DOUBLE,
    label         VARCHAR,
    judge_model   VARCHAR,
    evaluated_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    comment       VARCHAR,
    _load_id      BIGINT NOT NULL,
    CHECK (value IS NOT NULL OR label IS NOT NULL)
);
