"""The jobs a command runs end to end: `load` (every write: ingest, price what needs it, publish the
snapshot) and `hourly` (the cron entry: lock, inbox, report, exit status)."""
