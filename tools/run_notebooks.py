"""Execute notebooks in place, so their stored outputs are fresh (`make notebooks`).

Cells tagged `raises-exception` may raise (they show a real error on purpose); any other
error stops with the notebook's name. Runs each notebook from its own folder, as
JupyterLab and nbval do.
"""
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def run(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=60, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    for cell in nb.cells:  # execution timings vary; they are not part of the lesson
        cell.get("metadata", {}).pop("execution", None)
    nbformat.write(nb, path)
    print(f"ran {path}")


if __name__ == "__main__":
    for name in sys.argv[1:]:
        run(Path(name))
