"""Student editions: the notebooks with every solution cell replaced by a stub.

A cell tagged `solution` holds the answer to an exercise. In the student edition its code
becomes a stub (the cell's `student_stub` metadata if it has one; else each function's
`def` line and docstring with `...` as body, so the self-check that follows runs and says
"not yet" instead of crashing), and its outputs are cleared, with those of its self-check
(the code cells after it, up to the one tagged `self-check`). Right under the stub comes the
answer, folded away in a markdown `<details>` block (tagged `solution-details`): one click
for a stuck learner, and never run by mistake. A Chinese notebook (in a `zh` folder) gets
its stubs' comments and the block's title in Chinese.
"""
from __future__ import annotations

import ast
from pathlib import Path

import nbformat
from nbformat.v4 import new_markdown_cell

SOLUTION_TAG = "solution"
# What a stub says, by language: the line above it, and the comment in each empty body.
STUB_TEXTS = {
    "en": ("# Your turn: write your answer here, then run the check below.", "# your code here"),
    "zh": ("# 轮到你了：在这里写下你的答案，然后运行下面的检查。", "# 在这里写你的代码"),
}
DEFAULT_STUB = STUB_TEXTS["en"][0] + "\n"
DETAILS_TAG = "solution-details"
DETAILS_TITLE = {
    "en": "Solution (open it when you are stuck, or to compare with yours)",
    "zh": "参考答案（卡住了再打开，或者写完后对照）",
}
# What the instructor's solution cells carry for tests only (tests/test_exercises.py).
TEST_METADATA = ("student_stub", "wrong_answers", "stub_says")


def stub_for(source: str, language: str = "en") -> str:
    """Keep the signatures (and docstrings) of the functions a solution defines."""
    heading, body_comment = STUB_TEXTS[language]
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return heading + "\n"
    lines = source.splitlines()
    parts = [heading]
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            body_start = node.body[0]
            header = lines[node.lineno - 1 - len(node.decorator_list): body_start.lineno - 1]
            has_doc = (isinstance(body_start, ast.Expr) and isinstance(body_start.value, ast.Constant)
                       and isinstance(body_start.value.value, str))
            if has_doc:
                header += lines[body_start.lineno - 1: body_start.end_lineno]
            indent = " " * (body_start.col_offset)
            parts.append("\n".join(header) + f"\n{indent}...  {body_comment}")
    return "\n\n".join(parts) + "\n"


def is_solution(cell) -> bool:
    return cell.cell_type == "code" and SOLUTION_TAG in cell.get("metadata", {}).get("tags", [])


def stub_of(cell, language: str = "en") -> str:
    """What the learner gets in place of this solution cell."""
    return cell.metadata.get("student_stub") or stub_for(cell.source, language)


def details_cell(solution: str, language: str = "en", cell_id: str | None = None):
    """The answer, folded: a markdown cell a learner opens with one click."""
    fence = "```"
    while fence in solution:  # a fence the code itself does not contain
        fence += "`"
    text = (f"<details><summary>{DETAILS_TITLE[language]}</summary>\n\n"
            f"{fence}python\n{solution.rstrip()}\n{fence}\n\n</details>")
    cell = new_markdown_cell(text, metadata={"tags": [DETAILS_TAG]})
    if cell_id:  # the same id each time the edition is written
        cell.id = cell_id
    return cell


def student_notebook(nb, language: str = "en"):
    """A copy of the notebook with solutions stubbed, their outputs cleared, and each
    answer folded in a <details> block under its stub."""
    nb = nbformat.from_dict(nb)  # a deep copy
    cells = []
    checking = False  # in the self-check block after a stub: what the answer printed goes
    for cell in nb.cells:
        cells.append(cell)
        if checking and cell.cell_type == "code" and not is_solution(cell):
            cell.outputs = []  # ("11 of 11 checks passed" under a stub would be a lie)
            cell.execution_count = None
            checking = "self-check" not in cell.metadata.get("tags", [])
        if is_solution(cell):
            checking = True
            answer = cell.source
            cell.source = stub_of(cell, language)
            cell.outputs = []
            cell.execution_count = None
            cell.metadata["tags"] = [t for t in cell.metadata["tags"] if t != SOLUTION_TAG]
            for key in TEST_METADATA:
                cell.metadata.pop(key, None)
            cell.metadata["tags"].append("exercise")
            cell_id = f"{cell['id']}-answer" if cell.get("id") else None
            cells.append(details_cell(answer, language, cell_id))
    nb.cells = cells
    return nb


def write_student_edition(source_dir: Path, out_dir: Path) -> list[Path]:
    """Write a student edition of every notebook in source_dir (and in its `zh` folder, the
    Chinese edition, to out_dir/zh); return the files written."""
    written = []
    for language, source, target_dir in (("en", Path(source_dir), Path(out_dir)),
                                         ("zh", Path(source_dir) / "zh", Path(out_dir) / "zh")):
        paths = sorted(source.glob("*.ipynb"))
        if paths:
            target_dir.mkdir(parents=True, exist_ok=True)
        for path in paths:
            nb = nbformat.read(path, as_version=4)
            target = target_dir / path.name
            nbformat.write(student_notebook(nb, language), target)
            written.append(target)
    return written
