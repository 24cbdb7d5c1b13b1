-- purpose: vendor bill lines, for reconciliation by the finance liaison
-- grain: one row per line_id
-- parameters: none
CREATE TABLE vendor_costs (
    line_id     VARCHAR NOT NULL,
    vendor      VARCHAR NOT NULL,
    usage_date  DATE NOT NULL,
    model       VARCHAR,
    description VARCHAR,
    amount_usd  DOUBLE NOT NULL,
    invoice_id  VARCHAR,
    _load_id    BIGINT NOT NULL
);
