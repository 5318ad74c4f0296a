"""plot_bench: the report as a figure. The only bench module that imports matplotlib, and
only when a figure is asked for, so measuring and the table never pay for it."""
from __future__ import annotations

import sys
from pathlib import Path


# What became of each connection of the capacity test, bottom to top.
OUTCOMES = [("echoed", "held and echoing", "#4a7"), ("no_echo", "no echo in time", "#e95"),
            ("never_completed", "never completed", "#999"), ("refused", "refused", "#c44"),
            ("failed", "other error", "#a6c"), ("not_tried", "not tried", "#ddd")]


def plot_bench(report: dict):
    """Round trips/s and p99 latency by concurrency, one line per server; and, when the
    capacity test ran, the connections each server held."""
    import matplotlib.pyplot as plt

    held = [r for r in report["servers"] if r["capacity"]]
    fig, axes = plt.subplots(1, 3 if held else 2, figsize=(13 if held else 9, 3.8))
    for row in report["servers"]:
        cs = [int(c) for c in row["median"]]
        style = "--" if row["peer"] else "-"
        axes[0].plot(cs, [row["median"][str(c)]["round_trips_per_s"] for c in cs], style,
                     marker="o", label=row["server"])
        axes[1].plot(cs, [row["median"][str(c)]["p99_ms"] for c in cs], style, marker="o",
                     label=row["server"])
    for ax, title in ((axes[0], "round trips per second"), (axes[1], "p99 latency (ms)")):
        ax.set_xscale("log")
        ax.set_xlabel("concurrent clients (C)")
        ax.set_title(title)
        ax.set_ylim(bottom=0)
    axes[0].legend(fontsize=8)
    if held:  # no empty third panel when the capacity test was left out (capacity=0)
        names = [r["server"] for r in held]
        bottom = [0] * len(held)
        for key, label, color in OUTCOMES:
            counts = [r["capacity"].get(key, 0) for r in held]
            if any(counts):
                axes[2].bar(names, counts, bottom=bottom, color=color, label=label)
                bottom = [b + c for b, c in zip(bottom, counts)]
        axes[2].axhline(held[0]["capacity"]["requested"], color="k", lw=0.8, ls=":")
        axes[2].set_title("connections opened at once")
        axes[2].legend(fontsize=8, loc="lower right")
        axes[2].tick_params(axis="x", rotation=45)
    fig.tight_layout()
    return fig


def write_png(report: dict, path: Path) -> None:
    """Draw the report into the PNG file `path`, with no window (Agg) outside a notebook,
    and close the figure."""
    import matplotlib
    if "ipykernel" not in sys.modules:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plot_bench(report)
    fig.savefig(path, dpi=100)
    plt.close(fig)
