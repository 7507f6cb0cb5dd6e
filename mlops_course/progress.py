"""Where the learner stands: the chapter's checklist, proven by their own notebooks.

``mlops-course progress`` (``make progress``), or the last cell of each exercise notebook
(:func:`show`), runs the learner's notebooks of ``mon-travail/`` headless, each in its own
temporary folder and under a time limit (:mod:`mlops_course.courseware.headless`), then
prints the ten "Je sais…" items of the chapter with ✅ / ⏳ / ❌, every exercise and question
of every notebook, and what to do next. The learner's notebooks are only read.

Results are cached under ``build/progress/`` by notebook content (its cells' sources, not
its outputs) and by the course's own code: a second run re-executes only the notebooks
that changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mlops_course import checklist
from mlops_course.cli import ArgumentParser
from mlops_course.config import project_root

if TYPE_CHECKING:  # the harness (nbformat, nbclient) is imported only when a report is made
    from mlops_course.courseware.expectations import CourseNotebook
    from mlops_course.courseware.headless import NotebookRun

#: Where ``make lab`` puts the learner's copies.
WORKSPACE = "mon-travail"
#: Bump when the format of cached results changes.
_CACHE_VERSION = "1"


@dataclass
class Report:
    """The learner's progress: one run per course notebook."""

    workspace: Path
    course: list[CourseNotebook]
    runs: dict[str, NotebookRun]
    executed: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def status(self, key: str) -> str | None:
        """The status of a proof, or None if no course notebook holds it."""
        for run in self.runs.values():
            if key in run.checks:
                return run.checks[key].status
        return None


def course_fingerprint(root: Path | None = None) -> str:
    """A hash of the course's code (``mlops_course/``) and of the solution notebooks."""
    root = root or project_root()
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    for path in sorted((root / "solutions").glob("[0-9][0-9]_*.ipynb")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def notebook_fingerprint(path: Path) -> str | None:
    """A hash of a notebook's cell types and sources (outputs and metadata ignored)."""
    try:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError):
        return None
    content = [
        (c.get("cell_type"), "".join(c.get("source", "")), c.get("metadata", {}).get("tags"))
        for c in cells
        if isinstance(c, dict)
    ]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()


def _cache_dir(root: Path) -> Path:
    return root / "build" / "progress"


def evaluate(
    workspace: Path,
    *,
    only: list[str] | None = None,
    limit: float | None = None,
    jobs: int = 2,
    fast: bool = True,
    use_cache: bool = True,
    echo: bool = True,
    root: Path | None = None,
) -> Report:
    """Run (or read from the cache) every notebook of ``workspace``; return the report."""
    from mlops_course.courseware import expectations, headless, submissions
    from mlops_course.courseware.headless import DONE, NotebookRun

    limit = headless.DEFAULT_LIMIT if limit is None else limit
    root = root or project_root()
    start = time.monotonic()
    course = expectations.course(root, only)
    files = submissions.notebook_files(workspace) if workspace.is_dir() else []
    pairs, remarks = submissions.match_notebooks(files, course)
    runs: dict[str, NotebookRun] = {}
    report = Report(workspace, course, runs, remarks=remarks)
    fingerprint = course_fingerprint(root)
    cache = _cache_dir(root)
    tasks, keys = [], {}
    for notebook in course:
        path = pairs.get(notebook.name)
        if path is None:
            runs[notebook.name] = headless.missing(
                notebook, f"pas de {workspace.name}/{notebook.name} : lancez `make lab`."
            )
            continue
        content = notebook_fingerprint(path)
        key = hashlib.sha256(
            f"{_CACHE_VERSION}|{fingerprint}|{content}|{fast}|{limit}".encode()
        ).hexdigest()
        keys[notebook.name] = key
        stored = cache / f"{Path(notebook.name).stem}.json"
        if use_cache and content is not None and stored.is_file():
            try:
                data = json.loads(stored.read_text(encoding="utf-8"))
                if data.get("key") == key:
                    runs[notebook.name] = NotebookRun.from_dict(data["run"])
                    report.cached.append(notebook.name)
                    continue
            except (ValueError, KeyError, TypeError):
                pass
        tasks.append((notebook.name, path, notebook))
    if echo and tasks:
        names = ", ".join(Path(name).stem for name, _, _ in tasks)
        print(f"Exécution de {len(tasks)} notebook(s) ({names})…", flush=True)

    def done(name: str, run: NotebookRun) -> None:
        if echo:
            passed = sum(c.status == DONE for c in run.checks.values())
            print(f"  {name} : {passed}/{len(run.checks)} ✅ ({run.seconds:.0f} s)", flush=True)

    fresh = headless.run_all(tasks, limit=limit, fast=fast, jobs=jobs, on_done=done)
    cache.mkdir(parents=True, exist_ok=True)
    for name, run in fresh.items():
        runs[name] = run
        report.executed.append(name)
        if run.outcome == "ok":  # a time limit or a crash may come from the machine's load
            payload = {"key": keys[name], "run": run.to_dict()}
            (cache / f"{Path(name).stem}.json").write_text(
                json.dumps(payload, ensure_ascii=False), encoding="utf-8"
            )
    report.runs = {nb.name: runs[nb.name] for nb in course}
    report.seconds = time.monotonic() - start
    return report


def item_status(report: Report, item_id: str) -> tuple[str, int, int]:
    """The symbol of a checklist item, and how many of its proofs are done out of how many."""
    from mlops_course.courseware.headless import DONE, verdict

    statuses = [s for s in map(report.status, checklist.proofs(item_id)) if s is not None]
    return verdict(statuses), sum(s == DONE for s in statuses), len(statuses)


def next_step(report: Report) -> str:
    """What the learner should do next, in French."""
    from mlops_course.courseware.headless import DONE, SYMBOL

    pending = [
        (notebook, proof, report.runs[notebook.name])
        for notebook in report.course
        for proof in notebook.proofs
        if report.runs[notebook.name].checks[proof.key].status != DONE
    ]
    if not pending:
        total = sum(len(nb.proofs) for nb in report.course)
        return f"🎉 Tout est validé : {total} exercices et questions, chacun ✅."
    folder = report.workspace.name
    for notebook, proof, run in pending:
        check = run.checks[proof.key]
        if SYMBOL[check.status] == "❌":
            first = check.message.splitlines()[0] if check.message else ""
            return f"À corriger d'abord : {folder}/{notebook.name}, {proof.label}.\n  {first}"
    notebook, proof, run = pending[0]
    if run.outcome == "missing":
        return f"À faire ensuite : créez vos copies avec `make lab` ({folder}/{notebook.name})."
    return f"À faire ensuite : {folder}/{notebook.name}, {proof.label}."


def render(report: Report) -> str:
    """The report as text: checklist, then every notebook, then the next step."""
    from mlops_course.courseware.headless import DONE, SYMBOL

    lines = []
    head = f"Bilan de {report.workspace.name}/ : {len(report.course)} notebook(s)"
    if report.executed or report.cached:
        head += f", {len(report.executed)} exécuté(s), {len(report.cached)} inchangé(s) depuis"
        head += " le dernier bilan"
    lines += [head + f" ({report.seconds:.0f} s).", "", "Checklist de validation du chapitre 10"]
    width = max(len(item.text) for item in checklist.ITEMS)
    elsewhere = 0
    for item in checklist.ITEMS:
        symbol, done, total = item_status(report, item.id)
        if not total:
            elsewhere += 1
            continue
        lines.append(f"  {symbol} {item.text:<{width}}  {done}/{total}")
    if elsewhere:
        lines.append(f"  ({elsewhere} point(s) prouvé(s) par d'autres notebooks que ceux choisis)")
    lines += ["", "Par notebook"]
    for notebook in report.course:
        run = report.runs[notebook.name]
        checks = run.checks
        passed = sum(c.status == DONE for c in checks.values())
        lines.append(f"  {notebook.name}  {passed}/{len(checks)}")
        lines += [f"    ⚠️ {remark}" for remark in run.remarks if run.outcome != "missing"]
        if run.outcome == "missing":
            lines.append(f"    ⏳ {run.remarks[0]}")
            continue
        questions = []
        for proof in notebook.proofs:
            check = checks[proof.key]
            if proof.kind == "question":
                questions.append((proof, check))
                continue
            lines.append(f"    {check.symbol} {proof.label}")
            if SYMBOL[check.status] == "❌":
                lines += [f"        {line}" for line in check.message.splitlines()[:3]]
        if questions:
            symbols = " ".join(check.symbol for _, check in questions)
            lines.append(f"    Questionnaire : {symbols}")
            for proof, check in questions:
                if SYMBOL[check.status] == "❌":
                    first = check.message.splitlines()[0]
                    lines.append(f"        Question {proof.number} : {first}")
    if report.remarks:
        lines += ["", *[f"⚠️ {remark}" for remark in report.remarks]]
    lines += ["", next_step(report)]
    return "\n".join(lines)


def show(workspace: str | Path | None = None, *, limit: float | None = None, jobs: int = 2) -> None:
    """Print the learner's progress (the last cell of each exercise notebook calls this).

    Runs only from the learner's copies (``mon-travail/``); elsewhere (the course's own
    ``solutions/`` or ``exercises/``, or a notebook already run by a progress check) it
    says so and does nothing, without importing the notebook runner.
    """
    folder = Path(workspace) if workspace is not None else project_root() / WORKSPACE
    if workspace is None and Path.cwd().resolve() != folder.resolve():
        print(
            f"Le bilan porte sur vos copies de {WORKSPACE}/ : ouvrez ce notebook depuis "
            f"{WORKSPACE}/ (`make lab` les crée), ou lancez `make progress` dans un terminal."
        )
        return
    from mlops_course.courseware.headless import HEADLESS_ENV

    if os.environ.get(HEADLESS_ENV):
        print("(bilan non calculé : ce notebook est exécuté par un bilan ou une évaluation)")
        return
    print(render(evaluate(folder, limit=limit, jobs=jobs)))


def cli(argv: list[str]) -> int:
    """``mlops-course progress``: run the notebooks of mon-travail/ and print the checklist."""
    from mlops_course.courseware.headless import add_run_arguments

    parser = ArgumentParser(
        prog="mlops-course progress",
        description="Exécute vos notebooks de mon-travail/ (en lecture seule, chacun dans un "
        "dossier temporaire, avec une limite de temps) et affiche la checklist du chapitre.",
    )
    parser.add_argument(
        "--dir", type=Path, default=None, help="dossier de vos notebooks (défaut : mon-travail/)"
    )
    add_run_arguments(parser)
    parser.add_argument("--no-cache", action="store_true", help="tout réexécuter, sans le cache")
    args = parser.parse_args(argv)
    folder = args.dir or project_root() / WORKSPACE
    if not folder.is_dir():
        print(f"{folder} n'existe pas : lancez `make lab` pour créer vos copies.", file=sys.stderr)
        return 1
    report = evaluate(
        folder,
        only=args.notebooks,
        limit=args.limit,
        jobs=args.jobs,
        fast=not args.full,
        use_cache=not args.no_cache,
    )
    print(render(report))
    return 0


__all__ = ["Report", "cli", "evaluate", "render", "show"]
