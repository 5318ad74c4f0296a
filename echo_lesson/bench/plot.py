"""plot_bench: the report as a figure. The only bench module that imports matplotlib, and
only when a figure is asked for, so measuring and the table never pay for it."""
from __future__ import annotations

import sys
from pathlib import Path


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
        axes[2].bar([r["server"] for r in held], [r["capacity"]["echoed"] for r in held],
                    color=["#999" if r["peer"] else "#4a7" for r in held])
        axes[2].axhline(held[0]["capacity"]["requested"], color="k", lw=0.8, ls=":")
        axes[2].set_title("connections held and echoing")
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
