"""Run a learner's notebook headless and in isolation, then read the verdict of every check.

Used by ``mlops-course progress`` (the learner's own notebooks) and ``mlops-course grade``
(an instructor's class). One run is isolated as follows:

- the notebook is only **read**: a prepared copy runs in a fresh temporary folder, which is
  also the run's working directory, ``HOME``, ``TMPDIR`` and ``MLOPS_COURSE_HOME``; the folder
  is deleted afterwards;
- the environment is rebuilt from a short list (``PATH``, locale): the caller's other
  variables (tokens, cloud credentials…) are not passed on;
- the notebook runs in a child process started in its own session, under a time limit for
  the **whole notebook**; at the limit (and after every run) the child's process group, the
  kernel's process group and, on Linux, every process that inherited the run's marker
  variable are killed with SIGKILL;
- nothing needs the network; nothing blocks it either, and the code runs with the
  caller's user rights: this is not a sandbox (see README, "Pour les formateurs").

Every cell runs, errors allowed, so that every check runs. Each check is classified from
the outputs of its cell (:func:`classify`):

- ✅ ``done``: the cell printed a line starting with ✅ and raised nothing;
- ⏳ ``todo``: ``NotDoneError`` (the exercise still holds its ``...``);
- ❌ ``wrong``: ``WrongAnswerError`` (the check's French hint is the message);
- ❌ ``error``: any other exception in the check cell (often a ``NameError`` because the
  exercise's cell failed), or a check cell that printed no ✅;
- ❌ ``not_run``: the check cell was never reached — the notebook hit its time limit, its
  kernel died, or it could not start;
- ⏳ ``missing``: the notebook has no cell calling this check (deleted), or there is no
  notebook at all.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from mlops_course.courseware.expectations import CourseNotebook, called_keys, import_aliases
from mlops_course.courseware.headless_worker import KEY_META
from mlops_course.courseware.questionnaire import PROGRESS_ROLE, QUIZ_KEY

#: Seconds a whole notebook may run (kernel start included) before it is stopped.
DEFAULT_LIMIT = 300.0
#: Set in every headless run: :func:`mlops_course.progress.show` then does nothing.
HEADLESS_ENV = "MLOPS_COURSE_HEADLESS"
#: Environment variable carrying the run's id: every process it starts inherits it.
MARKER_ENV = "MLOPS_COURSE_RUN_ID"
#: Variables passed on from the caller's environment; everything else is dropped.
PASSED_ENV = ("PATH", "LANG", "LANGUAGE", "TZ", "SYSTEMROOT", "UV_PYTHON")

DONE, TODO, WRONG, ERROR, NOT_RUN, MISSING = (
    "done",
    "todo",
    "wrong",
    "error",
    "not_run",
    "missing",
)
SYMBOL = {DONE: "✅", TODO: "⏳", MISSING: "⏳", WRONG: "❌", ERROR: "❌", NOT_RUN: "❌"}
_ORIGIN = "mlops_course_origin"

#: Names a kernel gives a syntax error (Python 3.13 reports incomplete input as its own
#: ``_IncompleteInputError``).
SYNTAX_ERRORS = frozenset({"SyntaxError", "IndentationError", "TabError", "_IncompleteInputError"})


@dataclass
class CheckResult:
    """The verdict of one check of a notebook."""

    key: str
    status: str
    message: str

    @property
    def symbol(self) -> str:
        return SYMBOL[self.status]


@dataclass
class NotebookRun:
    """What happened when one learner notebook ran (or why it could not)."""

    notebook: str
    """The course notebook it stands for (``01_introduction_mlops.ipynb``)."""
    file: str | None
    """The learner's file that was run (``None`` when there was none)."""
    outcome: str
    """``ok``, ``timeout``, ``crashed``, ``unreadable`` or ``missing``."""
    seconds: float = 0.0
    remarks: list[str] = field(default_factory=list)
    """French sentences for the learner or the instructor (time limit, first error…)."""
    checks: dict[str, CheckResult] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NotebookRun:
        checks = {k: CheckResult(**v) for k, v in data.get("checks", {}).items()}
        return cls(**{**data, "checks": checks})


def verdict(statuses: list[str]) -> str:
    """The symbol of a group of checks (a checklist item): ✅ all done, ❌ one wrong, else ⏳."""
    if statuses and all(s == DONE for s in statuses):
        return "✅"
    if any(SYMBOL[s] == "❌" for s in statuses):
        return "❌"
    return "⏳"


def missing(course_notebook: CourseNotebook, remark: str) -> NotebookRun:
    """The run of a notebook that does not exist: every check ⏳ ``missing``."""
    checks = {p.key: CheckResult(p.key, MISSING, f"⏳ {remark}") for p in course_notebook.proofs}
    return NotebookRun(course_notebook.name, None, "missing", remarks=[remark], checks=checks)


def classify(outputs: list[dict[str, Any]]) -> tuple[str, str]:
    """Return the status and the message of a check cell, from its compacted outputs."""
    for output in outputs:
        if output.get("type") != "error":
            continue
        ename, evalue = output.get("ename", ""), output.get("evalue", "")
        message = "\n".join(output.get("traceback", [])).strip() or f"{ename}: {evalue}"
        if ename == "NotDoneError":
            return TODO, message
        if ename == "WrongAnswerError":
            return WRONG, message
        hint = ""
        if ename == "NameError":
            hint = " (la cellule de l'exercice a-t-elle été exécutée, et sans erreur ?)"
        return ERROR, f"❌ la vérification a levé {ename}: {evalue}{hint}"
    text = "".join(o.get("text", "") for o in outputs if o.get("name") == "stdout").strip()
    if any(line.startswith("✅") for line in text.splitlines()):
        return DONE, text
    return ERROR, "❌ la vérification n'a affiché ni ✅ ni message : a-t-elle été modifiée ?"


def prepare(
    nb: nbformat.NotebookNode, course_notebook: CourseNotebook
) -> tuple[nbformat.NotebookNode, set[str]]:
    """Return the copy to run and the proof keys whose check cell the learner kept.

    Check cells are found by what they call. A cell identical to the official check is
    marked; a modified one runs as the learner wrote it, followed by the official check,
    which is the one graded. The cell that shows progress is left out.
    """
    expected = {p.key: p for p in course_notebook.proofs}
    aliases = import_aliases([c.source for c in nb.cells if c.cell_type == "code"])
    cells: list[nbformat.NotebookNode] = []
    present: set[str] = set()
    for index, original in enumerate(nb.cells):
        if original.get("metadata", {}).get(QUIZ_KEY) == PROGRESS_ROLE:
            continue
        cell = nbformat.from_dict(original)
        cell.metadata[_ORIGIN] = index
        cell.metadata.pop(KEY_META, None)
        if cell.cell_type == "code":  # outputs are re-made by the run
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
        if cell.cell_type != "code":
            continue
        keys = [k for k in called_keys(cell.source, aliases) if k in expected]
        present.update(keys)
        if len(keys) == 1 and cell.source.strip() == expected[keys[0]].check_source:
            cell.metadata[KEY_META] = keys[0]
            continue
        for key in keys:
            official = nbformat.v4.new_code_cell(expected[key].check_source)
            official.metadata.update({KEY_META: key, _ORIGIN: index})
            cells.append(official)
    out = nbformat.v4.new_notebook()
    out.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3"}}
    for number, cell in enumerate(cells):  # fresh ids: old or duplicated ones are not valid
        cell["id"] = f"cell-{number}"
    out.cells = cells
    return out, present


def environment(folder: Path, *, fast: bool, run_id: str) -> dict[str, str]:
    """The whole environment of one run: a short list from the caller, the rest local."""
    env = {k: v for k, v in os.environ.items() if k in PASSED_ENV or k.startswith("LC_")}
    home, tmp = folder / "home", folder / "tmp"
    for path in (home, tmp, folder / "course"):
        path.mkdir(parents=True, exist_ok=True)
    env.update(
        {
            "HOME": str(home),
            "USERPROFILE": str(home),
            "TMPDIR": str(tmp),
            "TEMP": str(tmp),
            "TMP": str(tmp),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
            "JUPYTER_PLATFORM_DIRS": "1",
            "MPLBACKEND": "Agg",
            "MLOPS_COURSE_HOME": str(folder / "course"),
            "MLOPS_COURSE_FAST": "1" if fast else "0",
            "MLFLOW_DISABLE_TELEMETRY": "true",
            "DO_NOT_TRACK": "1",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
            "PYTHONUNBUFFERED": "1",
            HEADLESS_ENV: "1",
            MARKER_ENV: run_id,
        }
    )
    return env


def _kill_group(pgid: int | None) -> None:
    if pgid is None or pgid <= 1 or not hasattr(os, "killpg") or pgid == os.getpgid(0):
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _kill_marked(run_id: str) -> None:
    """Kill every process whose environment carries this run's marker (Linux only)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return
    needle = f"{MARKER_ENV}={run_id}".encode()
    for _ in range(3):  # a process may start another one while we kill it
        found = False
        for entry in proc.iterdir():
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:
                if needle in (entry / "environ").read_bytes().split(b"\0"):
                    os.kill(int(entry.name), signal.SIGKILL)
                    found = True
            except (OSError, ValueError):
                continue
        if not found:
            return
        time.sleep(0.05)


def _read_events(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    events = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:  # the last line of a killed run may be cut
            continue
    return events


def _where(cells: list[nbformat.NotebookNode], index: int) -> str:
    cell = cells[index]
    origin = cell.metadata.get(_ORIGIN, index)
    first = next((line.strip() for line in cell.source.splitlines() if line.strip()), "")
    shown = first if len(first) <= 60 else first[:57] + "…"
    return f"la cellule n° {origin + 1} (« {shown} »)" if shown else f"la cellule n° {origin + 1}"


def run(
    path: Path,
    course_notebook: CourseNotebook,
    *,
    limit: float = DEFAULT_LIMIT,
    fast: bool = True,
) -> NotebookRun:
    """Run the learner's notebook ``path`` (standing for ``course_notebook``) in isolation."""
    start = time.monotonic()
    try:
        nb = nbformat.read(path, as_version=4)
        prepared, present = prepare(nb, course_notebook)
    except Exception as error:  # not JSON, not a notebook, unreadable...
        remark = f"notebook illisible ({type(error).__name__}: {str(error)[:200]})"
        result = missing(course_notebook, remark)
        result.file, result.outcome = path.name, "unreadable"
        for check in result.checks.values():
            check.status, check.message = NOT_RUN, f"❌ {remark}"
        return result
    folder = Path(tempfile.mkdtemp(prefix="mlops-course-run-"))
    try:
        work = folder / "travail"
        work.mkdir()
        notebook_path = work / course_notebook.name
        nbformat.write(prepared, notebook_path)
        results = folder / "resultats.jsonl"
        run_id = uuid.uuid4().hex
        command = [sys.executable, "-m", "mlops_course.courseware.headless_worker"]
        with (folder / "worker.log").open("wb") as log:
            process = subprocess.Popen(
                [*command, str(notebook_path), str(results)],
                cwd=work,
                env=environment(folder, fast=fast, run_id=run_id),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            timed_out = False
            try:
                process.wait(timeout=limit)
            except subprocess.TimeoutExpired:
                timed_out = True
            events = _read_events(results)
            kernel = next((e for e in events if e.get("event") == "kernel"), {})
            _kill_group(kernel.get("pgid"))
            if timed_out:
                _kill_group(process.pid)
            _kill_marked(run_id)
            process.wait()
        events = _read_events(results)
        log_tail = (folder / "worker.log").read_text(encoding="utf-8", errors="replace")[-600:]
        outcome = _interpret(events, prepared, present, course_notebook, timed_out, limit)
        if outcome.outcome == "crashed" and not any(e.get("event") == "crash" for e in events):
            outcome.remarks.append(f"journal de l'exécution : {log_tail.strip()[-300:]}")
        outcome.file = path.name
        outcome.seconds = round(time.monotonic() - start, 1)
        return outcome
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _interpret(
    events: list[dict[str, Any]],
    prepared: nbformat.NotebookNode,
    present: set[str],
    course_notebook: CourseNotebook,
    timed_out: bool,
    limit: float,
) -> NotebookRun:
    checks: dict[str, CheckResult] = {}
    first_error: tuple[int, dict[str, str]] | None = None
    last_index = -1
    for event in events:
        if event.get("event") != "cell":
            continue
        last_index = max(last_index, int(event["index"]))
        if "key" in event:
            status, message = classify(event.get("outputs", []))
            checks[event["key"]] = CheckResult(event["key"], status, message)
        elif "error" in event and first_error is None:
            first_error = (int(event["index"]), event["error"])
    ended = any(e.get("event") == "end" for e in events)
    crash = next((e["error"] for e in events if e.get("event") == "crash"), None)
    remarks: list[str] = []
    cells = prepared.cells
    code_after = [i for i in range(last_index + 1, len(cells)) if cells[i].cell_type == "code"]
    if timed_out:
        outcome = "timeout"
        stuck = f" : {_where(cells, code_after[0])} ne s'est pas terminée" if code_after else ""
        why = f"⏱ notebook arrêté à la limite de {limit:.0f} s{stuck} (boucle sans fin ? "
        remarks.append(why + "calcul trop long ?)")
        not_run = f"❌ vérification jamais atteinte : le notebook a été arrêté à {limit:.0f} s."
    elif not ended:
        outcome = "crashed"
        remarks.append(f"💥 l'exécution s'est arrêtée avant la fin : {crash or 'sans message'}")
        not_run = (
            "❌ vérification jamais atteinte : l'exécution s'est arrêtée avant (noyau mort ?)."
        )
    else:
        outcome = "ok"
        not_run = "❌ vérification jamais exécutée."
    if first_error is not None:
        index, error = first_error
        ename = str(error.get("ename"))
        kind = " (erreur de syntaxe)" if ename in SYNTAX_ERRORS else ""
        remarks.append(
            f"première erreur hors vérification, {_where(cells, index)}{kind} : "
            f"{ename}: {error.get('evalue')}"
        )
    for proof in course_notebook.proofs:
        if proof.key in checks:
            continue
        if proof.key in present:
            checks[proof.key] = CheckResult(proof.key, NOT_RUN, not_run)
        else:
            checks[proof.key] = CheckResult(
                proof.key,
                MISSING,
                "⏳ aucune cellule de ce notebook n'appelle cette vérification (supprimée ?).",
            )
    ordered = {p.key: checks[p.key] for p in course_notebook.proofs}
    return NotebookRun(course_notebook.name, None, outcome, remarks=remarks, checks=ordered)


def run_all(
    tasks: list[tuple[Any, Path, CourseNotebook]],
    *,
    limit: float = DEFAULT_LIMIT,
    fast: bool = True,
    jobs: int = 2,
    on_done: Any = None,
) -> dict[Any, NotebookRun]:
    """Run ``(tag, path, course_notebook)`` tasks, ``jobs`` at a time; return runs by tag.

    ``on_done(tag, run)`` is called as each run finishes (from a worker thread).
    """
    from concurrent.futures import ThreadPoolExecutor, as_completed

    results: dict[Any, NotebookRun] = {}
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {
            pool.submit(run, path, notebook, limit=limit, fast=fast): tag
            for tag, path, notebook in tasks
        }
        for future in as_completed(futures):
            tag = futures[future]
            try:
                results[tag] = future.result()
            except Exception as error:  # the harness itself failed: never stop the others
                notebook = next(nb for t, _, nb in tasks if t == tag)
                remark = f"exécution impossible : {type(error).__name__}: {error}"
                result = missing(notebook, remark)
                result.outcome = "crashed"
                for check in result.checks.values():
                    check.status, check.message = NOT_RUN, f"❌ {remark}"
                results[tag] = result
            if on_done is not None:
                on_done(tag, results[tag])
    return results


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of a headless run (``progress``, ``grade``): notebooks, limit, jobs, size."""
    parser.add_argument(
        "--notebooks", nargs="+", default=None, help="seulement ces notebooks (numéros : 01 07)"
    )
    limit = f"secondes par notebook (défaut : {DEFAULT_LIMIT:.0f})"
    parser.add_argument("--limit", type=float, default=DEFAULT_LIMIT, help=limit)
    parser.add_argument(
        "--jobs", type=int, default=2, help="notebooks exécutés en même temps (défaut : 2)"
    )
    parser.add_argument("--full", action="store_true", help="taille réelle (MLOPS_COURSE_FAST=0)")
