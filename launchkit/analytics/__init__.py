"""The numbers: metrics, data-quality gates, finance and pricing, reconciliation, GA criteria, the
end-of-day decision, the hour's checks, feedback themes and the go/no-go. Every function reads data
through a launchkit.store.warehouse.QueryRunner, never a connection; none imports plotly or Jupyter."""
