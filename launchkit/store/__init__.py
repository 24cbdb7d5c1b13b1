"""Where the data lives: the DuckDB warehouse, its migrations, the SQL files and the query runner.

Modules: `sql` (quoting), `queries` (the SQL files, package data), `migrate` (schema versions),
`connect` (open a warehouse), `runner` (the Warehouse object and the narrow QueryRunner interface
the analytics use), `snapshot` (the read-only copy readers use), `status`, `atomic` (whole-file writes).
"""
