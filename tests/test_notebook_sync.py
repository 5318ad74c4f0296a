"""The notebooks and the package never drift apart.

A code cell that shows package code carries a tag `package-source:DOTTED.NAME` (a space after
the colon is allowed). Its code must equal `inspect.getsource(DOTTED.NAME)`, up to
indentation and blank lines, so a learner who reads the cell reads what the course runs.
"""
from __future__ import annotations

import difflib
import importlib
import inspect
import re
import textwrap
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
TAG = re.compile(r"^package-source:\s*(?P<name>[A-Za-z_][\w.]*)$")

# What the lessons promise to show; losing one of these tags must fail a test.
REQUIRED = {
    "01_first_echo_server.ipynb": {"echo_lesson.servers.base.echo_handler"},
    "02_one_client_at_a_time.ipynb": {"echo_lesson.servers.teaching.echo_client",
                                      "echo_lesson.servers.teaching.serve_one_at_a_time",
                                      "echo_lesson.servers.single.SingleClientServer"},
    "03_one_thread_per_client.ipynb": {"echo_lesson.servers.teaching.serve_threads",
                                       "echo_lesson.servers.threaded.ThreadedServer"},
    "04_robust_server.ipynb": {"echo_lesson.servers.robust.robust_echo",
                               "echo_lesson.servers.robust.RobustServer.handle_new_client"},
    "06_scaling_up.ipynb": {"echo_lesson.servers.pool.PoolServer._work",
                            "echo_lesson.servers.selector_server.SelectorServer._read",
                            "echo_lesson.servers.asyncio_server.echo_stream"},
}


def resolve(dotted: str):
    """The object a dotted name points to: the longest importable module, then attributes."""
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attribute in parts[split:]:
            obj = getattr(obj, attribute)
        return obj
    raise ImportError(f"no importable module in {dotted!r}")


def normalise(code: str) -> str:
    """Code without what does not change its meaning or its looks: the common indentation,
    trailing spaces, line-ending style and blank lines at the ends or in runs."""
    lines = [line.rstrip() for line in textwrap.dedent(code.replace("\r\n", "\n")).split("\n")]
    text = "\n".join(lines).strip("\n")
    return re.sub(r"\n{3,}", "\n\n", text)


def same_code(cell_source: str, package_source: str) -> bool:
    return normalise(cell_source) == normalise(package_source)


def tagged_cells() -> list[tuple[str, int, str, str]]:
    """(notebook, cell index, dotted name, cell source) for every package-source tag."""
    found = []
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for index, cell in enumerate(nb.cells):
            for tag in cell.get("metadata", {}).get("tags", []):
                match = TAG.match(tag)
                if match:
                    assert cell.cell_type == "code", f"{path.name} cell {index}: tag a code cell"
                    found.append((path.name, index, match["name"], cell.source))
    return found


def cell_for(notebook: str, dotted: str) -> str:
    return next(source for nb, _, name, source in tagged_cells()
                if nb == notebook and name == dotted)


def test_every_tagged_cell_shows_the_package_code():
    cells = tagged_cells()
    assert len(cells) >= len(REQUIRED)
    drifted = []
    for notebook, index, dotted, source in cells:
        package_source = inspect.getsource(resolve(dotted))
        if not same_code(source, package_source):
            diff = difflib.unified_diff(normalise(package_source).splitlines(),
                                        normalise(source).splitlines(),
                                        f"package: {dotted}", f"{notebook} cell {index}",
                                        lineterm="")
            drifted.append("\n".join(diff))
    assert not drifted, ("notebook cells differ from the package; update the cell (or the "
                         "package) so they match:\n\n" + "\n\n".join(drifted))


def test_each_lesson_shows_the_code_it_promises():
    shown: dict[str, set[str]] = {}
    for notebook, _, dotted, _ in tagged_cells():
        shown.setdefault(notebook, set()).add(dotted)
    for notebook, names in REQUIRED.items():
        missing = names - shown.get(notebook, set())
        assert not missing, f"{notebook} has no cell tagged package-source:{missing}"


def test_a_changed_notebook_cell_is_caught():
    cell = cell_for("01_first_echo_server.ipynb", "echo_lesson.servers.base.echo_handler")
    package_source = inspect.getsource(resolve("echo_lesson.servers.base.echo_handler"))
    assert same_code(cell, package_source)
    edited = cell.replace("conn.sendall(data)", "conn.send(data)")
    assert edited != cell
    assert not same_code(edited, package_source)
    assert not same_code(cell.replace("4096", "1024"), package_source)
    assert not same_code(cell + "\n    print('extra')", package_source)


def test_a_changed_package_is_caught():
    dotted = "echo_lesson.servers.threaded.ThreadedServer"
    cell = cell_for("03_one_thread_per_client.ipynb", dotted)
    package_source = inspect.getsource(resolve(dotted))
    assert same_code(cell, package_source)
    renamed = package_source.replace('name=f"client-{client_id}"', 'name=f"worker-{client_id}"')
    assert renamed != package_source
    assert not same_code(cell, renamed)
    assert not same_code(cell, package_source.replace("# target=", "# the target="))


def test_only_layout_is_forgiven():
    method = "    def f(self):\n        return 1\n"
    assert same_code("def f(self):\n    return 1", method)  # a method shown on its own
    assert same_code("\ndef f(self):   \r\n    return 1\n\n", method)  # blank lines, spaces, CRLF
    assert not same_code("def f(self):\n  return 1", method)  # indentation inside is code
    assert not same_code("def f(self):\n    return 2", method)


def test_resolve_finds_functions_classes_and_methods():
    from echo_lesson.servers.base import BaseServer, echo_handler
    assert resolve("echo_lesson.servers.base.echo_handler") is echo_handler
    assert resolve("echo_lesson.servers.base.BaseServer.start_thread") is BaseServer.start_thread
    with pytest.raises(AttributeError):
        resolve("echo_lesson.servers.base.no_such_function")
