"""Student editions: solutions stubbed, nothing of them left, the rest untouched."""
import subprocess
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from echo_lesson.edition import (DETAILS_TAG, DEFAULT_STUB, student_notebook, stub_for,
                                 write_student_edition)

ROOT = Path(__file__).resolve().parent.parent

SOLUTION = '''def my_handler(conn, addr):
    """Echo until the client is done."""
    while data := conn.recv(4096):
        conn.sendall(data)
'''


def without_answers(path) -> str:
    """The student notebook's text minus the folded answers (the one place they may be)."""
    nb = nbformat.read(path, as_version=4)
    nb.cells = [c for c in nb.cells if DETAILS_TAG not in c.metadata.get("tags", [])]
    return nbformat.writes(nb)


def solution_cell(source=SOLUTION, **metadata):
    cell = new_code_cell(source, metadata={"tags": ["solution"], **metadata})
    cell.outputs = [new_output("stream", name="stdout", text="secret output\n")]
    cell.execution_count = 3
    return cell


def test_stub_keeps_signatures_and_docstrings_only():
    stub = stub_for(SOLUTION)
    assert stub.startswith(DEFAULT_STUB.rstrip("\n"))
    assert 'def my_handler(conn, addr):\n    """Echo until the client is done."""\n    ...' in stub
    assert "sendall" not in stub and "recv" not in stub
    compile(stub, "stub", "exec")  # a stub must at least run
    assert stub_for("x = 1\nprint(x)") == DEFAULT_STUB


def test_chinese_stubs_speak_chinese():
    stub = stub_for(SOLUTION, "zh")
    assert stub.startswith("# 轮到你了") and "...  # 在这里写你的代码" in stub
    assert "Your turn" not in stub and "your code here" not in stub
    compile(stub, "stub", "exec")


def test_solution_cells_are_replaced_and_cleared_the_rest_kept():
    nb = new_notebook(cells=[new_markdown_cell("# Exercise"), solution_cell(),
                             new_code_cell("check(my_handler)"),
                             solution_cell("answer = 42", student_stub="answer = ...")])
    student = student_notebook(nb)
    md, stubbed, folded, check, custom, folded_custom = student.cells
    assert md.source == "# Exercise" and check.source == "check(my_handler)"
    assert "sendall" not in stubbed.source and stubbed.outputs == []
    assert stubbed.execution_count is None and stubbed.metadata["tags"] == ["exercise"]
    assert custom.source == "answer = ..." and "student_stub" not in custom.metadata
    assert nb.cells[1].source == SOLUTION  # the instructor's copy is untouched


def test_each_answer_is_folded_under_its_stub_never_as_code():
    nb = new_notebook(cells=[solution_cell(wrong_answers=[{"source": "x", "says": "y"}])])
    stubbed, folded = student_notebook(nb).cells
    assert folded.cell_type == "markdown" and folded.metadata["tags"] == [DETAILS_TAG]
    assert folded.source.startswith("<details><summary>Solution")
    assert f"```python\n{SOLUTION}```\n\n</details>" in folded.source
    assert "wrong_answers" not in stubbed.metadata  # test data, not for the learner
    chinese = student_notebook(nb, "zh").cells[1].source
    assert chinese.startswith("<details><summary>参考答案")
    # A fence inside the answer cannot close the block early.
    tricky = student_notebook(new_notebook(cells=[solution_cell('s = """```"""')])).cells[1]
    assert "````python\n" in tricky.source


def test_cli_writes_one_student_notebook_per_notebook(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    for name in ("01_a.ipynb", "02_b.ipynb"):
        nbformat.write(new_notebook(cells=[solution_cell()]), source / name)
    out = tmp_path / "student"
    result = subprocess.run([sys.executable, "-m", "echo_lesson", "student-edition", str(out),
                             "--source", str(source)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["01_a.ipynb", "02_b.ipynb"]
    assert "conn.sendall(data)" not in without_answers(out / "01_a.ipynb")
    assert "secret output" not in (out / "01_a.ipynb").read_text()


def test_the_chinese_edition_gets_chinese_stubs(tmp_path):
    source = tmp_path / "src"
    (source / "zh").mkdir(parents=True)
    nbformat.write(new_notebook(cells=[solution_cell()]), source / "01_a.ipynb")
    nbformat.write(new_notebook(cells=[solution_cell()]), source / "zh" / "01_a.ipynb")
    out = tmp_path / "student"
    written = write_student_edition(source, out)
    assert sorted(p.relative_to(out).as_posix() for p in written) == ["01_a.ipynb", "zh/01_a.ipynb"]
    assert "Your turn" in (out / "01_a.ipynb").read_text()
    chinese = without_answers(out / "zh" / "01_a.ipynb")
    assert "轮到你了" in chinese and "Your turn" not in chinese and "conn.sendall(data)" not in chinese


def test_the_self_check_block_loses_what_the_answer_printed_and_later_cells_keep_theirs():
    """Under a stub, "11 of 11 checks passed" would be a lie: the code cells after a
    solution, up to the one tagged self-check, are cleared; the cells after it are not."""
    def ran(source, tags=()):
        cell = new_code_cell(source, metadata={"tags": list(tags)})
        cell.outputs = [new_output("stream", name="stdout", text="Well done!\n")]
        cell.execution_count = 7
        return cell

    nb = new_notebook(cells=[solution_cell(), ran("helper()"), ran("check()", ["self-check"]),
                             new_markdown_cell("Next"), ran("demo()")])
    _, _, helper, check, _, demo = student_notebook(nb).cells
    assert helper.outputs == [] and check.outputs == [] and check.execution_count is None
    assert demo.outputs and demo.execution_count == 7
