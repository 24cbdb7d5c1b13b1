-- purpose: every stored decision, oldest first, for the audit trail and the reports
-- grain: one row per stored decision
-- parameters: none
SELECT
    decision_id, day, decided_at, recommendation, ga_ready, data_sufficient, reasons, inputs, thresholds,
    config_digest, launchkit_version
FROM decisions
ORDER BY day, decided_at
