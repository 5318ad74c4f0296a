"""Every exercise's self-check, run three ways in a real kernel: on the stub, on the answer,
and on the wrong answers its lesson warns about.

How an exercise is written down (in the instructor notebook, read by this test):
- the answer is a code cell tagged `solution`; the learner gets its stub (edition.py);
- its self-check is the code cells after it, up to and including the first one tagged
  `self-check`; a failed self-check raises (an AssertionError whose message says what to fix);
- the solution cell's metadata `wrong_answers` lists slips the lesson warns about, each
  `{"source": code, "says": text}`: with `source` in place of the answer, the self-check must
  fail, and its error (or what it printed) must contain `says`;
- on the stub it must fail with its own "not yet" message (`stub_says`, default below), not
  with a NameError or TypeError from the stub's `...`.

One kernel per notebook: the stub, each wrong answer and then the answer run one after
another in place, and the notebook goes on from there. The Chinese edition's exercises are
the same code (test_zh_parity); here its wrong answers must be the English ones, its
messages must be its own, and one Chinese notebook runs in a kernel too.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell

from echo_lesson.edition import is_solution, stub_of

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
STUB_SAYS = {"en": "Not yet", "zh": "还没"}
# A stub must fail by saying so, not by crashing on its own `...`.
CRASHES = {"NameError", "TypeError", "AttributeError", "SyntaxError", "UnboundLocalError"}
# The Chinese notebooks run in a kernel here (the others are checked without one).
ZH_IN_A_KERNEL = ["01_first_echo_server.ipynb"]


def language_of(path: Path) -> str:
    return "zh" if path.parent.name == "zh" else "en"


def exercises(nb) -> list[tuple[int, list[int]]]:
    """(solution cell index, indices of its self-check block) for every exercise."""
    found = []
    for index, cell in enumerate(nb.cells):
        if not is_solution(cell):
            continue
        block = []
        for later in range(index + 1, len(nb.cells)):
            other = nb.cells[later]
            if is_solution(other):
                break
            if other.cell_type == "code":
                block.append(later)
                if "self-check" in other.metadata.get("tags", []):
                    found.append((index, block))
                    break
        else:
            found.append((index, []))
    return found


def with_exercises(folder: Path) -> list[Path]:
    return [p for p in sorted(folder.glob("*.ipynb"))
            if any(is_solution(c) for c in nbformat.read(p, as_version=4).cells)]


ENGLISH = with_exercises(NOTEBOOKS)
CHINESE = with_exercises(NOTEBOOKS / "zh")


def edition_id(path: Path) -> str:
    return path.relative_to(NOTEBOOKS).as_posix()


class Kernel:
    """Runs cells one by one in one kernel and says what each produced."""

    def __init__(self, client: NotebookClient):
        self.client = client
        self.client.allow_errors = True

    def run(self, source: str, index: int) -> tuple[str | None, str]:
        """(the error's name or None, all the text the cell showed: stdout, values, error)."""
        cell = new_code_cell(source)
        self.client.execute_cell(cell, index)
        error, texts = None, []
        for output in cell.outputs:
            if output.output_type == "error":
                error = error or output.ename
                texts.append(f"{output.ename}: {output.evalue}")
            elif output.output_type == "stream":
                texts.append(output.text)
            elif "text/plain" in output.get("data", {}):
                texts.append(output.data["text/plain"])
        return error, "\n".join(texts)

    def attempt(self, nb, answer: str, index: int, block: list[int]) -> tuple[str | None, str]:
        """Put `answer` in place of the solution, run the self-check block; the first error."""
        error, text = self.run(answer, index)
        if error:
            return error, text
        for later in block:
            error, shown = self.run(nb.cells[later].source, later)
            text += "\n" + shown
            if error:
                return error, text
        return None, text


def run_every_exercise(path: Path) -> int:
    """Run the notebook in one kernel; at each exercise try stub, wrong answers and answer."""
    nb = nbformat.read(path, as_version=4)
    language = language_of(path)
    client = NotebookClient(nb, timeout=60, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    tried = 0
    todo = dict(exercises(nb))
    with client.setup_kernel():
        kernel = Kernel(client)
        index = 0
        while index < len(nb.cells):
            cell = nb.cells[index]
            if index in todo:
                block = todo[index]
                assert block, f"cell {index}: an exercise needs a cell tagged self-check after it"
                where = f"{edition_id(path)} cell {index}"
                error, text = kernel.attempt(nb, stub_of(cell, language), index, block)
                says = cell.metadata.get("stub_says", STUB_SAYS[language])
                assert error and error not in CRASHES, f"{where}: the stub must fail, not crash:\n{text}"
                assert says in text, f"{where}: the stub's failure must say {says!r}:\n{text}"
                wrong_answers = cell.metadata.get("wrong_answers", [])
                assert len(wrong_answers) >= 2, f"{where}: name at least two wrong answers"
                for wrong in wrong_answers:
                    error, text = kernel.attempt(nb, wrong["source"], index, block)
                    assert error, f"{where}: passed on a wrong answer:\n{wrong['source']}"
                    assert wrong["says"] in text, \
                        f"{where}: on this wrong answer expected {wrong['says']!r}:\n{wrong['source']}\ngot:\n{text}"
                error, text = kernel.attempt(nb, cell.source, index, block)
                assert not error, f"{where}: the answer must pass its self-check:\n{text}"
                tried += 1
                index = block[-1] + 1
                continue
            if cell.cell_type == "code":
                error, text = kernel.run(cell.source, index)
                allowed = "raises-exception" in cell.metadata.get("tags", [])
                assert allowed or not error, f"{edition_id(path)} cell {index} failed:\n{text}"
            index += 1
    return tried


@pytest.mark.parametrize("path", ENGLISH + [NOTEBOOKS / "zh" / name for name in ZH_IN_A_KERNEL],
                         ids=edition_id)
def test_every_self_check_fails_on_the_stub_and_wrong_answers_and_passes_the_answer(path):
    assert run_every_exercise(path) == len(exercises(nbformat.read(path, as_version=4)))


@pytest.mark.parametrize("path", CHINESE, ids=edition_id)
def test_chinese_exercises_have_the_same_wrong_answers_with_their_own_messages(path):
    chinese = nbformat.read(path, as_version=4)
    english = nbformat.read(NOTEBOOKS / path.name, as_version=4)
    for (zh_index, zh_block), (en_index, _) in zip(exercises(chinese), exercises(english)):
        zh_wrong = chinese.cells[zh_index].metadata.get("wrong_answers", [])
        en_wrong = english.cells[en_index].metadata.get("wrong_answers", [])
        assert [w["source"] for w in zh_wrong] == [w["source"] for w in en_wrong]
        from echo_lesson.i18n import _zh_catalog

        said_somewhere = "\n".join(chinese.cells[i].source for i in zh_block) + "\n".join(
            _zh_catalog()[0].values())
        for wrong, original in zip(zh_wrong, en_wrong):
            assert wrong["says"] != original["says"] or not original["says"].isascii(), \
                f"cell {zh_index}: the Chinese edition's message is still English: {wrong['says']!r}"
            assert wrong["says"] in said_somewhere, \
                f"cell {zh_index}: {wrong['says']!r} is said nowhere in the Chinese self-check"
