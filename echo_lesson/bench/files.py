"""save: the report as files, JSON for the figures and PNG for the plot, stamped with the
time, so runs can be kept side by side and compared later."""
from __future__ import annotations

import json
import time
from pathlib import Path

from .plot import write_png


def save(report: dict, folder: str | Path = "bench-results") -> tuple[Path, Path]:
    """Write the report as JSON and the plot as PNG; return both paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    json_path = folder / f"bench-{stamp}.json"
    json_path.write_text(json.dumps(report, indent=1))
    png_path = folder / f"bench-{stamp}.png"
    write_png(report, png_path)
    return json_path, png_path
