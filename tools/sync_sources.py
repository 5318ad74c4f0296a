"""Rewrite every notebook cell tagged `package-source:NAME` from the package's source.

Run after changing a function a lesson shows, then `make notebooks` for the outputs:
    python tools/sync_sources.py [NOTEBOOK ...]   (default: every notebook, both editions)
tests/test_notebook_sync.py checks the result.
"""
from __future__ import annotations

import inspect
import sys
import textwrap
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from test_notebook_sync import TAG, resolve  # noqa: E402  (one definition of the tag)


def sync(path: Path) -> list[str]:
    """Update the tagged cells of one notebook; return the names it changed."""
    notebook = nbformat.read(path, as_version=4)
    changed = []
    for cell in notebook.cells:
        for tag in cell.get("metadata", {}).get("tags", []):
            match = TAG.match(tag)
            if match:
                source = textwrap.dedent(inspect.getsource(resolve(match["name"]))).rstrip("\n")
                if cell.source.rstrip("\n") != source:
                    cell.source = source
                    changed.append(match["name"])
    if changed:
        nbformat.write(notebook, path)
    return changed


if __name__ == "__main__":
    paths = [Path(p).resolve() for p in sys.argv[1:]] or sorted((ROOT / "notebooks").rglob("*.ipynb"))
    for path in paths:
        for name in sync(path):
            print(f"{path.relative_to(ROOT)}: {name}")
