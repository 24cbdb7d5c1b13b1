-- purpose: forget what the old price rows were computed from, so the next load job prices every turn anew
-- grain: n/a
-- parameters: none
DELETE FROM pricing_state;
