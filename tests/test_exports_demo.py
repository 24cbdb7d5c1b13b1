"""`launchkit export cost` on the demo: the CSV files and the XLSX workbook hold the cost report's numbers
(its JSON summary and its "download CSV" links) and agree with pandas recomputing them from the CSV
rows the demo loaded (tests/_report_fixtures.py)."""

from __future__ import annotations

import io
import re
from typing import Any
from urllib.parse import unquote

import pandas as pd
import pytest
from _report_fixtures import LAST_DAY, PII_COHORT, PII_TENANT, run_cli

from launchkit.reports.files.exports import COST_TABLES, FILE_COLUMNS

_EXPORTED: dict[str, Any] = {}


def _export(run, tmp_path_factory) -> dict[str, Any]:
    """Both formats, once for this module: {"csv": folder, "xlsx": path, "output": stdout}."""
    if not _EXPORTED:
        base = tmp_path_factory.mktemp("export")
        common = ("--warehouse", str(run.warehouse), "--reports-dir", str(run.reports))
        out = run_cli("export", "cost", "--format", "csv", "--out", str(base / "csv"), *common, cwd=run.folder)
        run_cli("export", "cost", "--format", "xlsx", "--out", str(base / "cost.xlsx"), *common, cwd=run.folder)
        _EXPORTED.update(csv=base / "csv", xlsx=base / "cost.xlsx", output=out.stdout)
    return _EXPORTED


def _csv(folder, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{name}.csv", keep_default_na=False, na_values=[""])


def _as_report(df: pd.DataFrame) -> pd.DataFrame:
    """An exported table in the report's columns: the files give shares and percentages as fractions."""
    out = df.copy()
    for col, (name, factor) in FILE_COLUMNS.items():
        if name in out:
            out[name] = out[name] / factor
            out = out.rename(columns={name: col})
    return out


def _same(a: pd.DataFrame, b: pd.DataFrame, keys: list[str]) -> None:
    """Equal tables: same rows (by key) and columns; numbers within JSON's 12 significant digits."""
    a = a.sort_values(keys).reset_index(drop=True)
    b = b.sort_values(keys).reset_index(drop=True)
    assert list(a.columns) == list(b.columns)
    assert len(a) == len(b)
    for col in a.columns:
        x, y = a[col], b[col]
        if pd.api.types.is_numeric_dtype(x) and pd.api.types.is_numeric_dtype(y) and not pd.api.types.is_bool_dtype(x):
            assert x.isna().tolist() == y.isna().tolist(), col
            assert x.fillna(0).to_numpy() == pytest.approx(y.fillna(0).to_numpy(), rel=1e-10, abs=1e-12), col
        else:
            assert [None if pd.isna(v) else str(v) for v in x] == [None if pd.isna(v) else str(v) for v in y], col


@pytest.mark.slow
def test_every_table_is_exported_as_csv_and_as_an_xlsx_sheet(demo_run, tmp_path_factory):
    ex = _export(demo_run, tmp_path_factory)
    assert {p.stem for p in ex["csv"].glob("*.csv")} == {"about", *COST_TABLES}
    book = pd.read_excel(ex["xlsx"], sheet_name=None)
    assert list(book) == ["about", *COST_TABLES]
    for name in COST_TABLES:
        from_csv = _csv(ex["csv"], name)
        sheet = book[name]
        assert list(sheet.columns) == list(from_csv.columns), name
        for col in ("day", "period"):  # dates: ISO text in CSV, date cells in the workbook
            if col in sheet:
                sheet[col] = pd.to_datetime(sheet[col]).dt.strftime("%Y-%m-%d")
        if len(from_csv):
            _same(sheet, from_csv, list(from_csv.columns[:2]))
    about: dict[str, str] = dict(_csv(ex["csv"], "about").itertuples(index=False))
    assert about["from"] == "2026-03-02" and about["to"].startswith(LAST_DAY)  # the report's period by default


@pytest.mark.slow
def test_exported_tables_equal_the_cost_reports_summary(demo_run, tmp_path_factory):
    ex = _export(demo_run, tmp_path_factory)
    s = demo_run.summary("cost", LAST_DAY)
    pairs = {
        "spend_by_model": (s["spend_by_model"], ["model"]),
        "spend_by_tenant": (s["spend_by_tenant"], ["tenant"]),
        "spend_by_vendor": (s["spend_by_vendor"], ["vendor"]),
        "spend_by_day": (s["spend_by_day"], ["day"]),
        "reconciliation": (s["reconciliation_rows"], ["vendor", "day"]),
        "chargeback_tenant": (s["chargeback"]["by_tenant"], ["tenant"]),
        "chargeback_cohort": (s["chargeback"]["by_cohort"], ["cohort"]),
    }
    for name, (rows, keys) in pairs.items():
        summary = pd.DataFrame(rows)
        if "day" in summary:
            summary["day"] = summary["day"].str[:10]
        _same(_as_report(_csv(ex["csv"], name)), summary, keys)


@pytest.mark.slow
def test_the_reports_download_links_hold_the_exported_tables(demo_run, tmp_path_factory):
    ex = _export(demo_run, tmp_path_factory)
    html = (demo_run.reports / "cost" / f"{LAST_DAY}.html").read_text(encoding="utf-8")
    links = {}
    for tag in re.findall(r"<a [^>]*download=[^>]*>", html):  # the HTML sanitizer may reorder attributes
        name = re.search(r'download="([^"]*)"', tag).group(1)  # type: ignore[union-attr]
        body = re.search(r'href="data:text/csv;charset=utf-8,([^"]*)"', tag).group(1)  # type: ignore[union-attr]
        links[name] = unquote(body)
    shown = {n for n in COST_TABLES if len(_csv(ex["csv"], n))}  # an empty table shows "no rows", no link
    assert set(links) == {f"{n}.csv" for n in shown}
    for name in shown:
        linked = pd.read_csv(io.StringIO(links[f"{name}.csv"].lstrip("\ufeff")), keep_default_na=False, na_values=[""])
        exported = _as_report(_csv(ex["csv"], name))
        _same(linked, exported, list(exported.columns[:2]))


@pytest.mark.slow
def test_chargeback_and_spend_agree_with_pandas_on_the_demo_rows(demo_run, tmp_path_factory):
    ex = _export(demo_run, tmp_path_factory)
    turns = demo_run.frame("turns")
    sessions = demo_run.frame("sessions").drop_duplicates("session_id", keep="last")
    t = turns.merge(sessions[["session_id", "tenant_id", "cohort"]], on="session_id", how="left")
    t[["tenant_id", "cohort"]] = t[["tenant_id", "cohort"]].fillna("(unknown)")
    cb = _csv(ex["csv"], "chargeback_tenant").set_index("tenant")
    oracle = t.groupby("tenant_id").agg(turns=("turn_id", "size"), sessions=("session_id", "nunique"))
    assert cb["turns"].to_dict() == oracle["turns"].to_dict()
    assert cb["sessions"].to_dict() == oracle["sessions"].to_dict()
    # tenants whose every turn carries a reported cost: the amount is the plain sum of the rows
    reported = t.groupby("tenant_id")["cost_usd"].agg(lambda c: c.sum() if c.notna().all() else None).dropna()
    assert len(reported) >= 2
    for tenant, total in reported.items():
        assert cb.loc[tenant, "cost_usd"] == pytest.approx(total, rel=1e-9), tenant
    # shares are of the priced spend and add up to 1
    assert (cb["share_fraction"] * cb["cost_usd"].sum()).to_numpy() == pytest.approx(
        cb["cost_usd"].to_numpy(), rel=1e-10
    )
    assert cb["share_fraction"].sum() == pytest.approx(1.0)
    co = _csv(ex["csv"], "chargeback_cohort").set_index("cohort")
    assert co["turns"].to_dict() == t.groupby("cohort").size().to_dict()
    assert co.loc[PII_COHORT, "cost_usd"] == pytest.approx(t.loc[t["tenant_id"] == PII_TENANT, "cost_usd"].sum())
    # billed side of the reconciliation: the vendor bill lines summed per vendor and day
    bills = demo_run.frame("vendor_costs")
    bills["vendor"] = bills["vendor"].str.strip().str.lower()
    billed = bills.groupby(["vendor", "usage_date"])["amount_usd"].sum()
    recon = _csv(ex["csv"], "reconciliation").dropna(subset=["billed_usd"]).set_index(["vendor", "day"])["billed_usd"]
    assert len(recon) == len(billed)
    for (vendor, day), amount in billed.items():
        assert recon.loc[(vendor, day)] == pytest.approx(amount, rel=1e-9)
    # per day: turns counted from the rows
    per_day = _csv(ex["csv"], "spend_by_day").set_index("day")["turns"]
    assert per_day.to_dict() == turns.groupby(turns["started_at"].dt.strftime("%Y-%m-%d")).size().to_dict()
    assert f"wrote {ex['csv']}" in str(ex["output"])  # the command says where
