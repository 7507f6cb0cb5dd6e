"""Child process of :mod:`mlops_course.courseware.headless`: execute one prepared notebook.

``python -m mlops_course.courseware.headless_worker NOTEBOOK RESULTS`` runs every cell with
nbclient, errors allowed (so every check runs), in the notebook's folder, and appends one
JSON line per event to ``RESULTS`` as it goes, so that a run stopped at its time limit
still tells which cells finished:

- ``{"event": "kernel", "pid": ..., "pgid": ...}`` once the kernel has started;
- ``{"event": "cell", "index": i, "key": ..., "outputs": [...]}`` after each check cell
  (cells whose ``metadata.mlops_course_key`` names a proof);
- ``{"event": "cell", "index": i}`` after any other cell, with ``"error": {...}`` if it raised;
- ``{"event": "end"}`` or ``{"event": "crash", "error": ...}`` at the end.

The parent starts this process in its own session and kills its process group (and the
kernel's) at the time limit.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

#: Cell metadata naming the proof a prepared check cell stands for.
KEY_META = "mlops_course_key"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def plain(text: str) -> str:
    """Text without terminal colour codes."""
    return _ANSI.sub("", text)


def _compact(output: Any) -> dict[str, Any] | None:
    if output.get("output_type") == "error":
        return {
            "type": "error",
            "ename": output.get("ename", ""),
            "evalue": plain(str(output.get("evalue", "")))[:2000],
            "traceback": [plain(line)[:2000] for line in output.get("traceback", [])[:40]],
        }
    if output.get("output_type") == "stream":
        return {"type": "stream", "name": output.get("name"), "text": output.get("text", "")[:8000]}
    return None


def main(argv: list[str] | None = None) -> int:
    """Run the notebook ``argv[0]``, appending events to the file ``argv[1]``."""
    import nbformat
    from nbclient import NotebookClient

    notebook, results = (Path(a) for a in (argv if argv is not None else sys.argv[1:]))
    nb = nbformat.read(notebook, as_version=4)
    sink = results.open("a", encoding="utf-8")

    def emit(event: dict[str, Any]) -> None:
        sink.write(json.dumps(event, ensure_ascii=False) + "\n")
        sink.flush()

    client = NotebookClient(
        nb,
        timeout=None,  # the parent enforces the notebook's time limit
        allow_errors=True,
        kernel_name="python3",
        resources={"metadata": {"path": str(notebook.parent)}},
        skip_cells_with_tag="mlops-course-never-skip",
        record_timing=False,
    )

    def kernel_started(**_: Any) -> None:
        provisioner = getattr(client.km, "provisioner", None)
        pid = getattr(provisioner, "pid", None)
        pgid = getattr(provisioner, "pgid", None)
        if pgid is None and pid is not None:
            pgid = os.getpgid(pid)
        emit({"event": "kernel", "pid": pid, "pgid": pgid})

    def cell_executed(cell: Any, cell_index: int, **_: Any) -> None:
        key = cell.get("metadata", {}).get(KEY_META)
        if key:
            outputs = [o for o in map(_compact, cell.get("outputs", [])) if o]
            emit({"event": "cell", "index": cell_index, "key": key, "outputs": outputs})
            return
        event: dict[str, Any] = {"event": "cell", "index": cell_index}
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                evalue = plain(str(output.get("evalue", "")))[:500]
                event["error"] = {"ename": output.get("ename", ""), "evalue": evalue}
                break
        emit(event)

    client.on_notebook_start = kernel_started
    client.on_cell_executed = cell_executed
    try:
        client.execute()
    except Exception as error:  # a dead kernel, a kernel that cannot start...
        emit({"event": "crash", "error": f"{type(error).__name__}: {error}"[:1000]})
        return 1
    else:
        emit({"event": "end"})
    finally:
        sink.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
