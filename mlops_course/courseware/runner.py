"""Execute notebooks with papermill, each from a fresh kernel, in its own folder.

Every run gets its own ``MLOPS_COURSE_HOME`` under ``build/work/`` so that notebooks
write nothing outside ``build/`` (models, MLflow store, logs all follow that variable).
After a run, :func:`stray_stderr` lists what the notebook wrote to stderr without meaning
to (a cell tagged ``stderr-attendu`` shows it on purpose): a quiet notebook has none.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

from mlops_course.config import project_root
from mlops_course.courseware import notebooks as nbio

#: Seconds a single cell may run before the harness gives up (a hang is a failure).
CELL_TIMEOUT = int(os.environ.get("MLOPS_COURSE_CELL_TIMEOUT", "300"))


def build_dir(root: Path | None = None) -> Path:
    """Return the ``build/`` folder (ignored by git) where executed copies go."""
    return (root or project_root()) / "build"


@dataclass
class Outcome:
    """What happened when a notebook ran."""

    notebook: Path
    output: Path
    seconds: float
    error: str | None = None
    error_name: str | None = None
    cell_index: int | None = None
    cell_source: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def describe(self) -> str:
        """Return a one-paragraph account naming the notebook and the failing cell."""
        if self.ok:
            return f"{self.notebook.name}: ran in {self.seconds:.1f} s"
        head = (self.cell_source or "").strip().splitlines()[:3]
        shown = "\n    ".join(head)
        return (
            f"{self.notebook} failed at cell {self.cell_index} "
            f"({self.error_name}: {self.error})\n    {shown}\n"
            f"  executed copy: {self.output}"
        )


#: Matplotlib backend of executed notebooks: figures are kept as outputs, as in JupyterLab.
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


def isolated_env(name: str, root: Path | None = None, *, fast: bool = True) -> dict[str, str]:
    """Return the environment variables that isolate one notebook run under ``build/work``."""
    home = build_dir(root) / "work" / name
    if home.exists():
        shutil.rmtree(home)
    home.mkdir(parents=True)
    return {
        "MLOPS_COURSE_HOME": str(home),
        "MLOPS_COURSE_FAST": "1" if fast else "0",
        # Jupyter's inline backend, as in JupyterLab: figures become PNG outputs of the
        # executed copies (the site shows them); no window is ever opened.
        "MPLBACKEND": INLINE_BACKEND,
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }


def execute(
    notebook: Path,
    output: Path,
    *,
    env: dict[str, str],
    source: nbformat.NotebookNode | None = None,
) -> Outcome:
    """Run ``notebook`` (or the in-memory ``source`` standing for it) with papermill.

    The kernel starts in the notebook's own folder and inherits ``env`` on top of the
    current environment. Failures are returned, not raised, with the failing cell.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    output.parent.mkdir(parents=True, exist_ok=True)
    input_path = notebook
    if source is not None:
        input_path = output.with_suffix(".input.ipynb")
        nbio.write(source, input_path)
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    start = time.perf_counter()
    try:
        papermill.execute_notebook(
            str(input_path),
            str(output),
            cwd=str(notebook.parent),
            kernel_name="python3",
            progress_bar=False,
            execution_timeout=CELL_TIMEOUT,
        )
    except PapermillExecutionError as failure:
        # cell_index counts the cells of the input notebook (papermill inserts its error
        # banner in the executed copy only after computing it).
        return Outcome(
            notebook,
            output,
            time.perf_counter() - start,
            error=str(failure.evalue),
            error_name=failure.ename,
            cell_index=failure.cell_index,
            cell_source=failure.source,
        )
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        if source is not None:
            input_path.unlink(missing_ok=True)
    return Outcome(notebook, output, time.perf_counter() - start)


#: The cells papermill adds to an executed copy (its error banner): not the notebook's own.
_PAPERMILL_TAGS = {"papermill-error-cell-tag"}


@dataclass(frozen=True)
class StrayOutput:
    """A stderr output of an executed notebook that its cell did not declare."""

    cell_index: int
    first_line: str

    def describe(self) -> str:
        """``cell 12: TqdmWarning: IProgress not found...``"""
        return f"cell {self.cell_index}: {self.first_line}"


def stray_stderr(executed: nbformat.NotebookNode) -> list[StrayOutput]:
    """Return the stderr outputs of ``executed`` whose cell is not tagged ``stderr-attendu``.

    Cell indices count the cells of the notebook that was run (papermill's error banner is
    skipped); a proof cell reports the solution cell it comes from (``proof_source_cell``).
    """
    found = []
    index = -1
    for cell in executed.cells:
        if _PAPERMILL_TAGS & set(nbio.tags(cell)):
            continue
        index += 1
        if cell.cell_type != "code" or nbio.TAG_STDERR in nbio.tags(cell):
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                text = "".join(output.get("text", ""))
                lines = [line for line in text.splitlines() if line.strip()] or [""]
                origin = cell.metadata.get("proof_source_cell", index)
                found.append(StrayOutput(origin, lines[0].strip()[:200]))
    return found


def first_check_index(nb: nbformat.NotebookNode) -> int | None:
    """Return the index of the first cell tagged ``check``, if any."""
    for index, cell in enumerate(nb.cells):
        if nbio.TAG_CHECK in nbio.tags(cell):
            return index
    return None
