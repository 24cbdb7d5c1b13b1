-- purpose: a sequence for load ids
-- grain: n/a
-- parameters: none
CREATE SEQUENCE load_id_seq START 1;
