"""Progress on long work, shown where the learner is: a bar in a notebook (ipywidgets), a
line redrawn in a terminal, or nothing in a pipe or a log file.

    show = make_progress(True, "bench")   # or a callable progress(done, total), or None
    show(3, 10)                           # ... then show(10, 10, done=True)
"""
from __future__ import annotations

import sys

from .i18n import ljust


def make_progress(progress, what: str):
    """A function show(done, total, done=False) that displays progress as it goes."""
    if progress is None:
        return lambda *a, **k: None
    if callable(progress):
        return lambda value, total, done=False, label=None: progress(value, total)
    if "ipykernel" in sys.modules:
        try:
            from IPython.display import display
            import ipywidgets
        except ImportError:
            return lambda *a, **k: None
        bar = ipywidgets.FloatProgress(min=0, max=1, description="", bar_style="info",
                                       layout=ipywidgets.Layout(width="320px"))
        box = ipywidgets.HBox([bar, ipywidgets.Label(what)])
        display(box)

        def show(value, total, done=False, label=None):
            bar.value = min(1.0, value / total) if total else 1.0
            if label:
                box.children[1].value = label
            if done:
                bar.bar_style = "success"
        return show
    if sys.stderr.isatty():
        return terminal_progress(what)
    return lambda *a, **k: None


def terminal_progress(what: str):
    """show(done, total, done=False, label=None): one line on stderr, redrawn in place."""
    def show(value, total, done=False, label=None):
        share = min(1.0, value / total) if total else 1.0
        bar = "#" * int(share * 30)
        sys.stderr.write(f"\r{ljust(label or what, 40)} [{bar:<30}] {share:4.0%}"
                         + ("\n" if done else ""))
        sys.stderr.flush()
    return show
