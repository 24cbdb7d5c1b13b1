-- purpose: store one end-of-day decision as an auditable record
-- grain: one row inserted into decisions
-- parameters: $decision_id, $day, $decided_at, $recommendation, $ga_ready, $data_sufficient, $reasons, $inputs, $thresholds, $config_digest, $launchkit_version
INSERT INTO decisions (
    decision_id, day, decided_at, recommendation, ga_ready, data_sufficient, reasons, inputs, thresholds,
    config_digest, launchkit_version
)
VALUES (
    $decision_id, $day, $decided_at, $recommendation, $ga_ready, $data_sufficient, $reasons, $inputs,
    $thresholds, $config_digest, $launchkit_version
)
