"""The contract in launchkit/contract.py and the DDL in queries/migrations agree."""

from __future__ import annotations

from launchkit.contract import LINEAGE_COLUMN, SQL_TYPE, TABLES, table_for_file


def test_ddl_columns_and_types_match_the_contract(con):
    for name, spec in TABLES.items():
        got = con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
            [name],
        ).fetchall()
        expected = [(c.name, SQL_TYPE[c.kind]) for c in spec.columns] + [(LINEAGE_COLUMN, "BIGINT")]
        assert got == expected, name


def test_required_columns_are_not_null_in_the_ddl(con):
    for name, spec in TABLES.items():
        nullable = dict(
            con.execute(
                "SELECT column_name, is_nullable FROM information_schema.columns WHERE table_name = ?", [name]
            ).fetchall()
        )
        for c in spec.columns:
            assert (nullable[c.name] == "NO") == (c.required or c.default is not None), (name, c.name)


def test_the_table_is_read_from_the_file_name_prefix():
    assert table_for_file("tool_calls_2026-03-02T10.csv") == "tool_calls"
    assert table_for_file("turns_2026-03-02T10.parquet") == "turns"
    assert table_for_file("vendor_costs.csv") == "vendor_costs"
    assert table_for_file("rollout.csv") == "rollout"
    assert table_for_file("turnstile_1.csv") is None
    assert table_for_file("notes.csv") is None
