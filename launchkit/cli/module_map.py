"""docs/contributing.md's module map, written from the packages' and modules' docstrings (a test checks it
is current), as reference.py writes docs/cli.md from the commands.

Regenerate with `python -m launchkit.cli.module_map docs/contributing.md` (or `make docs`): it rewrites
the part of the file between the two markers. The map follows the layers contract of pyproject.toml,
top to bottom, so it draws the architecture the contracts check; each entry is the first sentence of a
docstring, read with ast (nothing is imported, so no heavy library loads and no module runs).
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]  # launchkit/
PYPROJECT = PACKAGE.parent / "pyproject.toml"
BEGIN = "<!-- module map: written by `make docs` from the docstrings (edit those, not this) -->"
END = "<!-- end of module map -->"

# a sentence ends at . ! ? before a space, except after these abbreviations
_SENTENCE_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)(?<!\bvs)(?<!\betc)[.!?](?=\s)")


def first_sentence(path: Path) -> str:
    """The first sentence of a module's docstring (its first paragraph, lines joined)."""
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    if not doc:
        raise ValueError(f"{path.relative_to(PACKAGE.parent)}: no docstring (say what the module is for)")
    paragraph = " ".join(doc.split("\n\n", 1)[0].split())
    end = _SENTENCE_END.search(paragraph)
    return paragraph[: end.start() + 1] if end else paragraph


def layers(pyproject: Path = PYPROJECT) -> list[list[str]]:
    """The layers of the contract over the `launchkit` container, top first, each a list of names."""
    contracts = tomllib.loads(pyproject.read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]
    top = next(c for c in contracts if c.get("type") == "layers" and c.get("containers") == ["launchkit"])
    return [[name.strip() for name in re.split(r"[|:]", layer)] for layer in top["layers"]]


def _package_lines(path: Path, dotted: str) -> list[str]:
    """A package: its docstring, its modules, then its subpackages (each the same way)."""
    lines = [f"**`{dotted}`**: {first_sentence(path / '__init__.py')}", ""]
    modules = sorted(p for p in path.glob("*.py") if p.name != "__init__.py")
    lines += [f"- `{p.stem}`: {first_sentence(p)}" for p in modules]
    lines += [""] if modules else []
    for sub in sorted(p.parent for p in path.glob("*/__init__.py")):
        lines += _package_lines(sub, f"{dotted}.{sub.name}")
    return lines


def render(pyproject: Path = PYPROJECT) -> str:
    """The map: each layer of the contract, top first, its packages and modules with their first sentence."""
    out = [BEGIN, ""]
    placed: set[str] = set()
    for number, names in enumerate(layers(pyproject), 1):
        out += [f"#### Layer {number}: {' | '.join(names)}", ""]
        singles = []
        for name in names:
            placed.add(name)
            if (PACKAGE / name / "__init__.py").is_file():
                out += _package_lines(PACKAGE / name, f"launchkit.{name}")
            else:
                singles.append(f"- `launchkit.{name}`: {first_sentence(PACKAGE / f'{name}.py')}")
        out += singles + ([""] if singles else [])
    rest = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem not in placed and p.name != "__init__.py")
    if rest:
        out += ["#### Outside the layers", ""]
        out += [f"- `launchkit.{name}`: {first_sentence(PACKAGE / f'{name}.py')}" for name in rest] + [""]
    return "\n".join(out + [END])


def update(text: str, rendered: str | None = None) -> str:
    """`text` (docs/contributing.md) with the part between the markers written anew (`rendered`, else render())."""
    if BEGIN not in text or END not in text:
        raise ValueError(f"the module map's markers are missing: {BEGIN!r} ... {END!r}")
    head, rest = text.split(BEGIN, 1)
    return head + (rendered if rendered is not None else render()) + rest.split(END, 1)[1]


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/contributing.md")
    target.write_text(update(target.read_text(encoding="utf-8")), encoding="utf-8")
