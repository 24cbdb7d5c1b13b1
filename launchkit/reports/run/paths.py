"""Where the report notebooks live: package data (launchkit/reports/notebooks, also `notebooks/` at the
project's top level), read through importlib.resources so an installed wheel finds them."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def notebooks_dir() -> Path:
    """The folder of the report notebooks (a real folder: papermill and Jupyter read files)."""
    return Path(str(resources.files("launchkit.reports") / "notebooks"))


def notebook_path(name: str) -> Path:
    """One report notebook's file."""
    return notebooks_dir() / name
