"""The report notebooks: thin, parameterised, committed without outputs, and runnable top to bottom
with their defaults (pytest --nbval-lax, on a small demo warehouse given through LAUNCHKIT_WAREHOUSE)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys

import nbformat
import pytest
from _report_fixtures import ROOT, clean_env

from launchkit.reports.kinds import KINDS
from launchkit.reports.run import execute

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_every_report_kind_has_its_notebook():
    assert {KINDS[k].notebook for k in KINDS} == {p.name for p in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for c in nb.cells:
        if c.cell_type == "code":
            assert not c.outputs and c.execution_count is None, c.source[:60]
    assert nb.metadata["kernelspec"]["name"] == "python3"
    tags = [t for c in nb.cells for t in c.metadata.get("tags", [])]
    assert tags.count("parameters") == 1 and tags.count("summary") == 1


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_parameters_are_cheap_literals_checked_by_papermill(path):
    kind = next(k for k, v in KINDS.items() if v.notebook == path.name)
    declared = execute.declared_parameters(path)
    grain = "at" if KINDS[kind].grain == "hour" else "date"
    assert {grain, "config_path", "warehouse", "config_json"} <= set(declared)
    assert declared[grain]["default"] == "None"  # None: the latest complete hour / day with data
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    for node in ast.parse(cell.source).body:
        assert isinstance(node, ast.Assign), ast.dump(node)
        ast.literal_eval(node.value)  # a literal, nothing computed


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_thin(path):
    """No SQL, no direct database access and no HTML built from strings: those live in launchkit."""
    nb = nbformat.read(path, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for forbidden in ("SELECT ", "duckdb", ".execute(", "<div", "<table", "HTML(", "Markdown(", "import plotly"):
        assert forbidden not in code, forbidden
    imports = [n for n in ast.walk(ast.parse(code)) if isinstance(n, (ast.Import, ast.ImportFrom))]
    for n in imports:
        mod = (n.module or "") if isinstance(n, ast.ImportFrom) else n.names[0].name
        assert mod.split(".")[0] in ("launchkit", "pandas", "datetime"), mod


@pytest.mark.slow
def test_notebooks_run_top_to_bottom_with_their_defaults(demo_run, tmp_path):
    """`pytest --nbval-lax` on every notebook, defaults untouched; the warehouse comes from the environment."""
    env = clean_env(LAUNCHKIT_WAREHOUSE=str(demo_run.warehouse), PYTHONWARNINGS="ignore")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--nbval-lax",
            "-q",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(tmp_path),
            "-c",
            os.devnull,
            *map(str, NOTEBOOKS),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert (
        f"{sum(len([c for c in nbformat.read(p, as_version=4).cells if c.cell_type == 'code']) for p in NOTEBOOKS)} passed"
        in proc.stdout
    )
