"""Reading, writing and walking the course's notebooks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import nbformat

from mlops_course.config import project_root

#: The three folders of notebooks, in the order a learner meets them.
FOLDERS = ("notebooks", "solutions", "exercises")

#: Tags with a meaning for the harness.
TAG_PARAMETERS = "parameters"  # papermill's parameters cell (reads MLOPS_COURSE_FAST)
TAG_SOLUTION = "solution"  # whole cell is a solution (replaced by a stub in exercises)
TAG_CHECK = "check"  # a self-check cell: one call to a function of mlops_course.checks
TAG_NBVAL = "nbval-check-output"  # nbval compares this cell's output with metadata.expected_output
TAG_STDERR = "stderr-attendu"  # the cell writes to stderr on purpose (the stderr test allows it)

#: Kernel every notebook declares (a custom name gives NoSuchKernel in papermill and nbval).
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def read(path: Path) -> nbformat.NotebookNode:
    """Read a notebook (nbformat 4)."""
    return nbformat.read(path, as_version=4)


def write(nb: nbformat.NotebookNode, path: Path) -> None:
    """Write a notebook, creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def dumps(nb: nbformat.NotebookNode) -> str:
    """Serialize a notebook exactly as :func:`write` would, with a final newline."""
    return nbformat.writes(nb) + "\n"


def tags(cell: nbformat.NotebookNode) -> list[str]:
    """Return the tags of a cell (an empty list when it has none)."""
    return list(cell.get("metadata", {}).get("tags", []))


def discover(folder: str, root: Path | None = None) -> list[Path]:
    """Return the ``NN_*.ipynb`` notebooks of one of :data:`FOLDERS`, sorted."""
    base = (root or project_root()) / folder
    return sorted(p for p in base.glob("[0-9][0-9]_*.ipynb") if p.is_file())


def all_notebooks(root: Path | None = None) -> Iterator[Path]:
    """Yield every course notebook, folder by folder."""
    for folder in FOLDERS:
        yield from discover(folder, root)


def normalized(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return a copy without outputs, with sequential cell ids and the ``python3`` kernel.

    This is the form committed to git (the same that ``nbstripout`` produces), so a
    generated notebook is byte-stable from one run to the next.
    """
    out = nbformat.from_dict(nb)
    out.metadata = {"kernelspec": dict(KERNELSPEC)}
    for index, cell in enumerate(out.cells):
        cell["id"] = str(index)
        for key in ("collapsed", "scrolled", "ExecuteTime", "execution"):
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        if "attachments" in cell and not cell["attachments"]:
            del cell["attachments"]
    out.nbformat, out.nbformat_minor = 4, 5
    return out
