"""Student editions: the notebooks with every solution cell replaced by a stub.

A cell tagged `solution` holds the answer to an exercise. In the student edition its code
becomes a stub (the cell's `student_stub` metadata if it has one; else each function's
`def` line and docstring with `...` as body, so the self-check that follows runs and says
"not yet" instead of crashing), and its outputs are cleared.
"""
from __future__ import annotations

import ast
from pathlib import Path

import nbformat

SOLUTION_TAG = "solution"
DEFAULT_STUB = "# Your turn: write your answer here, then run the check below.\n"


def stub_for(source: str) -> str:
    """Keep the signatures (and docstrings) of the functions a solution defines."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return DEFAULT_STUB
    lines = source.splitlines()
    parts = [DEFAULT_STUB.rstrip("\n")]
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            body_start = node.body[0]
            header = lines[node.lineno - 1 - len(node.decorator_list): body_start.lineno - 1]
            has_doc = (isinstance(body_start, ast.Expr) and isinstance(body_start.value, ast.Constant)
                       and isinstance(body_start.value.value, str))
            if has_doc:
                header += lines[body_start.lineno - 1: body_start.end_lineno]
            indent = " " * (body_start.col_offset)
            parts.append("\n".join(header) + f"\n{indent}...  # your code here")
    return "\n\n".join(parts) + "\n"


def is_solution(cell) -> bool:
    return cell.cell_type == "code" and SOLUTION_TAG in cell.get("metadata", {}).get("tags", [])


def student_notebook(nb):
    """A copy of the notebook with solutions stubbed and their outputs cleared."""
    nb = nbformat.from_dict(nb)  # a deep copy
    for cell in nb.cells:
        if is_solution(cell):
            cell.source = cell.metadata.get("student_stub") or stub_for(cell.source)
            cell.outputs = []
            cell.execution_count = None
            cell.metadata["tags"] = [t for t in cell.metadata["tags"] if t != SOLUTION_TAG]
            cell.metadata.pop("student_stub", None)
            cell.metadata["tags"].append("exercise")
    return nb


def write_student_edition(source_dir: Path, out_dir: Path) -> list[Path]:
    """Write a student edition of every notebook in source_dir; return the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(Path(source_dir).glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        target = out_dir / path.name
        nbformat.write(student_notebook(nb), target)
        written.append(target)
    return written
