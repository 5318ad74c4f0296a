"""`python -m echo_lesson bench`: the course's servers against the standard library's.

Every server, the course's kinds and the stdlib peers alike, is started the same way: in a
fresh process of its own (`python -m echo_lesson.bench --serve NAME`), pinned to one core
when there are two or more, while the load clients run on the other. Each one is warmed up
first (a short load, and a burst of connections opened and closed: a fresh asyncio server
is slow until its first connections close), then measured with echo_lesson.load. Each
figure is the median of `repeat` fresh starts, and is shown as a ratio to the best stdlib
peer of the same run: compare servers within one run, never across machines or runs.

One module a job, so each can change without the others:

    peers.py      the stdlib servers the course's are compared against
    processes.py  each server in a child process of its own; CPU pinning
    run.py        run_bench: the rounds of measurements, and the report they make
    table.py      format_table: the report as text (headings in the chosen language)
    plot.py       plot_bench: the report as a figure (the only module that imports matplotlib)
    files.py      save: the report as JSON and PNG files
    __main__.py   `python -m echo_lesson.bench --serve NAME`: the child process's entry
"""
from __future__ import annotations

from .files import save
from .peers import PEERS, available_peers
from .plot import plot_bench
from .processes import ServerProcess
from .run import COURSE_KINDS, run_bench, warm_up
from .table import format_table

__all__ = ["COURSE_KINDS", "PEERS", "ServerProcess", "available_peers", "format_table",
           "plot_bench", "run_bench", "save", "warm_up"]
