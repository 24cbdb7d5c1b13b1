"""docs/contributing.md's module map is written from the docstrings and kept current; modules stay small."""

from __future__ import annotations

from pathlib import Path

import pytest

from launchkit.cli import module_map

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 600


@pytest.fixture(scope="module")
def rendered() -> str:
    return module_map.render()


def test_the_module_map_is_current(rendered):
    text = (ROOT / "docs" / "contributing.md").read_text(encoding="utf-8")
    assert text == module_map.update(text, rendered), (
        "docs/contributing.md's module map is out of date: run `make docs`"
    )


def test_the_map_lists_every_module_under_its_layer(rendered):
    text = rendered
    modules = [p for p in (ROOT / "launchkit").rglob("*.py") if p.name != "__init__.py"]
    for path in modules:
        assert f"`{path.stem}`: " in text or f"`launchkit.{path.stem}`: " in text, path
    packages = [p.parent for p in (ROOT / "launchkit").rglob("__init__.py") if p.parent.name != "launchkit"]
    for pkg in packages:
        dotted = ".".join(pkg.relative_to(ROOT).parts)
        assert f"**`{dotted}`**: " in text, dotted
    # layers top first: the command above the reports above the store above the bottom modules
    order = [text.index(f"**`launchkit.{p}`**") for p in ("cli", "jobs", "reports", "analytics", "store", "config")]
    assert order == sorted(order)
    assert text.index("Layer 3: reports | synth") < text.index("**`launchkit.reports.run`**")


def test_an_entry_is_the_first_sentence_of_the_docstring(tmp_path):
    mod = tmp_path / "m.py"
    mod.write_text('"""Reading a thing, e.g. a file: the\nfirst paragraph. Second sentence.\n\nMore."""\n')
    assert module_map.first_sentence(mod) == "Reading a thing, e.g. a file: the first paragraph."
    mod.write_text('"""One paragraph without a full stop"""\n')
    assert module_map.first_sentence(mod) == "One paragraph without a full stop"


def test_a_module_without_a_docstring_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(module_map, "PACKAGE", tmp_path / "launchkit")
    (tmp_path / "launchkit").mkdir()
    mod = tmp_path / "launchkit" / "bare.py"
    mod.write_text("X = 1\n")
    with pytest.raises(ValueError, match=r"launchkit/bare.py: no docstring"):
        module_map.first_sentence(mod)


def test_the_map_is_written_between_its_markers_only(rendered):
    text = f"intro\n{module_map.BEGIN}\nOLD-MAP-TEXT\n{module_map.END}\noutro\n"
    out = module_map.update(text, rendered)
    assert out.startswith("intro\n" + module_map.BEGIN) and out.endswith(module_map.END + "\noutro\n")
    assert "OLD-MAP-TEXT" not in out and "**`launchkit.cli`**" in out
    with pytest.raises(ValueError, match="markers"):
        module_map.update("no markers here", rendered)


def test_no_module_is_over_600_lines():
    sizes = {
        str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines())
        for p in (ROOT / "launchkit").rglob("*.py")
    }
    over = {p: n for p, n in sizes.items() if n > MAX_LINES}
    assert not over, f"split these modules (one idea each, at most {MAX_LINES} lines): {over}"
