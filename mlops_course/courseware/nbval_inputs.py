"""Prepare the notebooks nbval checks: expected outputs come from cell metadata.

Committed notebooks carry no outputs. A cell tagged ``nbval-check-output`` stores the
text it must print in ``metadata.expected_output``; this module writes copies under
``build/nbval/`` with that text as the cell's stored output, so that
``pytest --nbval-lax`` re-runs each notebook and fails when a tagged cell prints
something else.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from mlops_course.config import project_root
from mlops_course.courseware import notebooks as nbio
from mlops_course.courseware.runner import build_dir


def tagged_cells(nb: nbformat.NotebookNode) -> list[int]:
    """Return the indices of the cells nbval must check."""
    return [i for i, c in enumerate(nb.cells) if nbio.TAG_NBVAL in nbio.tags(c)]


def with_expected_outputs(
    nb: nbformat.NotebookNode, home: Path, *, where: str
) -> nbformat.NotebookNode:
    """Return a copy whose tagged cells carry their expected stdout as stored output.

    A first cell points ``MLOPS_COURSE_HOME`` at ``home`` so the run writes under build/.
    """
    out = nbformat.from_dict(nb)
    for index in tagged_cells(out):
        cell = out.cells[index]
        expected = cell.metadata.get("expected_output")
        if not isinstance(expected, str) or not expected:
            raise ValueError(
                f"{where}, cell {index}: tagged {nbio.TAG_NBVAL} but metadata.expected_output "
                "is missing; add the exact text the cell prints"
            )
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=expected)]
        cell.execution_count = index + 1
    setup = nbformat.v4.new_code_cell(
        "import os\n"
        f"os.environ['MLOPS_COURSE_HOME'] = {str(home)!r}\n"
        "os.environ.setdefault('MLOPS_COURSE_FAST', '1')\n"
        "os.environ['MPLBACKEND'] = 'Agg'"
    )
    out.cells.insert(0, setup)
    return out


def prepare(root: Path | None = None) -> list[Path]:
    """Write the nbval inputs for every lecture notebook that has tagged cells."""
    root = root or project_root()
    target_dir = build_dir(root) / "nbval"
    if target_dir.exists():
        for old in target_dir.glob("*.ipynb"):
            old.unlink()
    written: list[Path] = []
    for path in nbio.discover("notebooks", root):
        nb = nbio.read(path)
        if not tagged_cells(nb):
            continue
        home = build_dir(root) / "work" / f"nbval-{path.stem}"
        home.mkdir(parents=True, exist_ok=True)
        target = target_dir / path.name
        nbio.write(with_expected_outputs(nb, home, where=str(path)), target)
        written.append(target)
    return written
