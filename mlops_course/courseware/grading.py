"""Grade a class: ``mlops-course grade SUBMISSIONS/`` (for instructors).

``SUBMISSIONS/`` holds one folder or one ``.zip`` per learner, with their exercise
notebooks (any names, any depth: a renamed notebook is recognised by its checks). Every
notebook runs headless and in isolation (:mod:`mlops_course.courseware.headless`: its own
temporary folder and ``HOME``, a reduced environment, a time limit per notebook enforced by
killing its process groups), several at a time. A broken, partial, renamed, missing or
endless notebook never stops the run: it gets its row like the others.

Writes, in ``--out`` (default: ``<SUBMISSIONS>-notes/`` next to it):

- ``grades.csv``: one row per learner, one column per exercise and question (1 = ✅,
  0 otherwise), the total, the maximum, and remarks;
- ``rapports/<learner>.html``: a French report per learner with each check's message.

**Submissions are code, run with your user's rights on your machine**: see README,
"Pour les formateurs", for what the isolation does and does not protect.
"""

from __future__ import annotations

import csv
import html
import re
import shutil
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

from mlops_course import checklist
from mlops_course.cli import ArgumentParser
from mlops_course.config import project_root
from mlops_course.courseware import expectations, headless
from mlops_course.courseware.expectations import CourseNotebook
from mlops_course.courseware.headless import DEFAULT_LIMIT, DONE, NotebookRun
from mlops_course.courseware.submissions import match_notebooks, notebook_files

#: Largest total size of the notebooks extracted from one learner's zip.
MAX_ZIP_BYTES = 200 * 1024 * 1024
CSV_NAME = "grades.csv"
REPORTS_DIR = "rapports"


@dataclass
class Learner:
    """One submission: a name, the folder its notebooks are in, and what went on."""

    name: str
    folder: Path | None
    remarks: list[str] = field(default_factory=list)
    runs: dict[str, NotebookRun] = field(default_factory=dict)

    def points(self, course: list[CourseNotebook]) -> dict[str, int]:
        """Proof column -> 1 when ✅, 0 otherwise."""
        return {
            proof.column: int(self.runs[nb.name].checks[proof.key].status == DONE)
            for nb in course
            for proof in nb.proofs
        }


def _extract(archive: Path, target: Path) -> list[str]:
    """Extract the notebooks of a learner's zip safely; return French remarks."""
    remarks: list[str] = []
    try:
        with zipfile.ZipFile(archive) as bundle:
            total = 0
            for info in bundle.infolist():
                parts = PurePosixPath(info.filename.replace("\\", "/")).parts
                if info.is_dir() or not info.filename.lower().endswith(".ipynb"):
                    continue
                if (
                    info.filename.startswith(("/", "\\"))
                    or ".." in parts
                    or any(p.startswith(("__MACOSX", ".")) for p in parts)
                ):
                    continue
                total += info.file_size
                if total > MAX_ZIP_BYTES:
                    remarks.append(
                        f"archive tronquée : plus de {MAX_ZIP_BYTES >> 20} Mo de notebooks"
                    )
                    break
                destination = target.joinpath(*parts)
                destination.parent.mkdir(parents=True, exist_ok=True)
                with bundle.open(info) as source, destination.open("wb") as sink:
                    shutil.copyfileobj(source, sink)
    except (zipfile.BadZipFile, OSError, RuntimeError) as error:
        remarks.append(f"archive illisible : {error}")
    return remarks


def _slug(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name).strip("._") or "apprenant"


def collect(submissions: Path, scratch: Path) -> list[Learner]:
    """One :class:`Learner` per folder or zip of ``submissions`` (zips extracted in ``scratch``)."""
    learners: list[Learner] = []
    seen: set[str] = set()
    for entry in sorted(submissions.iterdir()):
        if entry.name.startswith((".", "__")):
            continue
        if entry.is_dir():
            name, folder, remarks = entry.name, entry, []
        elif entry.suffix.lower() == ".zip":
            name = entry.stem
            folder = scratch / f"{len(learners):03d}-{_slug(name)}"
            folder.mkdir(parents=True)
            remarks = _extract(entry, folder)
        else:
            print(f"« {entry.name} » ignoré : ni un dossier ni un .zip", file=sys.stderr)
            continue
        unique, n = name, 2
        while unique in seen:
            unique, n = f"{name} ({n})", n + 1
        seen.add(unique)
        learners.append(Learner(unique, folder, remarks))
    return learners


def grade(
    submissions: Path,
    out: Path,
    *,
    only: list[str] | None = None,
    limit: float = DEFAULT_LIMIT,
    jobs: int = 2,
    fast: bool = True,
    echo: bool = True,
) -> list[Learner]:
    """Grade every learner of ``submissions``; write ``grades.csv`` and the reports in ``out``."""
    start = time.monotonic()
    course = expectations.course(project_root(), only)
    scratch = Path(tempfile.mkdtemp(prefix="mlops-course-grade-"))
    try:
        learners = collect(submissions, scratch)
        tasks = []
        for learner in learners:
            files = notebook_files(learner.folder) if learner.folder else []
            pairs, remarks = match_notebooks(files, course)
            learner.remarks += remarks
            for notebook in course:
                if notebook.name in pairs:
                    tasks.append(((learner.name, notebook.name), pairs[notebook.name], notebook))
                else:
                    learner.runs[notebook.name] = headless.missing(
                        notebook, f"{notebook.name} absent de la copie rendue"
                    )
        if echo:
            print(
                f"{len(learners)} apprenant(s), {len(tasks)} notebook(s) à exécuter, "
                f"{jobs} à la fois, limite {limit:.0f} s par notebook…",
                flush=True,
            )
        by_name = {learner.name: learner for learner in learners}

        def done(tag: tuple[str, str], run: NotebookRun) -> None:
            if echo:
                passed = sum(c.status == DONE for c in run.checks.values())
                extra = "" if run.outcome == "ok" else f" [{run.outcome}]"
                print(
                    f"  {tag[0]} / {tag[1]} : {passed}/{len(run.checks)} ✅ "
                    f"({run.seconds:.0f} s){extra}",
                    flush=True,
                )

        runs = headless.run_all(tasks, limit=limit, fast=fast, jobs=jobs, on_done=done)
        for (learner_name, notebook_name), run in runs.items():
            by_name[learner_name].runs[notebook_name] = run
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    write_outputs(learners, course, out, limit=limit, fast=fast)
    if echo:
        total = sum(len(nb.proofs) for nb in course)
        print(f"\n{'apprenant':<30} total (sur {total})")
        for learner in learners:
            print(f"{learner.name:<30} {sum(learner.points(course).values())}")
        seconds = time.monotonic() - start
        print(f"\n{out / CSV_NAME} et {out / REPORTS_DIR}/ écrits en {seconds:.0f} s.")
    return learners


def _remarks(learner: Learner) -> list[str]:
    notes = list(learner.remarks)
    for name, run in learner.runs.items():
        notes += [f"{name} : {r}" for r in run.remarks if run.outcome != "missing"]
        if run.outcome == "missing":
            notes.append(f"{name} : absent")
    return notes


def write_outputs(
    learners: list[Learner], course: list[CourseNotebook], out: Path, *, limit: float, fast: bool
) -> None:
    """Write ``grades.csv`` and one HTML report per learner into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    columns = [proof.column for nb in course for proof in nb.proofs]
    with (out / CSV_NAME).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["apprenant", *columns, "total", "sur", "remarques"])
        for learner in learners:
            points = learner.points(course)
            writer.writerow(
                [
                    learner.name,
                    *(points[c] for c in columns),
                    sum(points.values()),
                    len(columns),
                    " | ".join(_remarks(learner)),
                ]
            )
    reports = out / REPORTS_DIR
    reports.mkdir(exist_ok=True)
    used: set[str] = set()
    for learner in learners:
        stem, n = _slug(learner.name), 2
        while stem in used:  # "a b" and "a_b" must not share a report
            stem, n = f"{_slug(learner.name)}-{n}", n + 1
        used.add(stem)
        page = report_html(learner, course, limit=limit, fast=fast)
        (reports / f"{stem}.html").write_text(page, encoding="utf-8")


_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       color: #222; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1.5rem; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.statut { text-align: center; width: 2.5rem; }
pre { white-space: pre-wrap; margin: 0; font-family: ui-monospace, monospace; font-size: 0.85rem; }
.remarque { color: #8a4b00; }
"""


def report_html(learner: Learner, course: list[CourseNotebook], *, limit: float, fast: bool) -> str:
    """The French HTML report of one learner: checklist, then every check with its message."""
    e = html.escape
    points = learner.points(course)
    statuses = {
        proof.key: learner.runs[nb.name].checks[proof.key].status
        for nb in course
        for proof in nb.proofs
    }
    parts = [
        "<!DOCTYPE html>",
        '<html lang="fr"><head><meta charset="utf-8">',
        f"<title>Évaluation — {e(learner.name)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>Évaluation — {e(learner.name)}</h1>",
        f"<p><strong>{sum(points.values())} / {len(points)}</strong> vérifications réussies "
        f"(✅). Évalué le {datetime.now():%d/%m/%Y à %H:%M}, mode "
        f"{'rapide' if fast else 'complet'}, limite de {limit:.0f} s par notebook.</p>",
    ]
    if learner.remarks:
        parts.append("<ul>")
        parts += [f'<li class="remarque">{e(r)}</li>' for r in learner.remarks]
        parts.append("</ul>")
    parts += ["<h2>Checklist de validation du chapitre 10</h2>", "<table>"]
    parts.append("<tr><th>Statut</th><th>Point</th><th>Réussi</th></tr>")
    for item in checklist.ITEMS:
        found = [statuses[k] for k in checklist.proofs(item.id) if k in statuses]
        if not found:
            continue
        done = sum(s == DONE for s in found)
        parts.append(
            f'<tr><td class="statut">{headless.verdict(found)}</td><td>{e(item.text)}</td>'
            f"<td>{done} / {len(found)}</td></tr>"
        )
    parts.append("</table>")
    for notebook in course:
        run = learner.runs[notebook.name]
        passed = sum(c.status == DONE for c in run.checks.values())
        parts.append(f"<h2>{e(notebook.name)} — {passed} / {len(run.checks)}</h2>")
        if run.file and run.file != notebook.name:
            parts.append(f"<p>Fichier évalué : <code>{e(run.file)}</code></p>")
        if run.outcome != "missing" and run.seconds:
            parts.append(f"<p>Exécuté en {run.seconds:.0f} s.</p>")
        if run.remarks:
            parts.append("<ul>")
            parts += [f'<li class="remarque">{e(r)}</li>' for r in run.remarks]
            parts.append("</ul>")
        parts += ["<table>", "<tr><th>Statut</th><th>Vérification</th><th>Message</th></tr>"]
        for proof in notebook.proofs:
            check = run.checks[proof.key]
            parts.append(
                f'<tr><td class="statut">{check.symbol}</td><td>{e(proof.label)}</td>'
                f"<td><pre>{e(check.message)}</pre></td></tr>"
            )
        parts.append("</table>")
    parts.append(
        "<p><small>✅ la vérification a réussi ; ⏳ pas encore fait (ou cellule absente) ; ❌ "
        "réponse fausse, erreur dans la vérification, ou vérification jamais atteinte (limite "
        "de temps, noyau arrêté).</small></p></body></html>"
    )
    return "\n".join(parts) + "\n"


def cli(argv: list[str]) -> int:
    """``mlops-course grade SUBMISSIONS/``: grade a class, write grades.csv and reports."""
    parser = ArgumentParser(
        prog="mlops-course grade",
        description="Exécute isolément les notebooks de chaque apprenant (un dossier ou un .zip "
        "par apprenant dans RENDUS) et écrit grades.csv et un rapport HTML par apprenant. "
        "Les rendus sont du code exécuté avec vos droits : lisez README, « Pour les formateurs ».",
    )
    parser.add_argument(
        "submissions", type=Path, metavar="RENDUS", help="dossier des rendus de la classe"
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="dossier des notes (défaut : RENDUS-notes/)"
    )
    headless.add_run_arguments(parser)
    args = parser.parse_args(argv)
    submissions = args.submissions.resolve()
    if not submissions.is_dir():
        print(f"{submissions} n'est pas un dossier", file=sys.stderr)
        return 2
    out = (args.out or submissions.parent / f"{submissions.name}-notes").resolve()
    if out == submissions or submissions in out.parents:
        print("--out ne doit pas être dans le dossier des copies rendues", file=sys.stderr)
        return 2
    grade(
        submissions,
        out,
        only=args.notebooks,
        limit=args.limit,
        jobs=args.jobs,
        fast=not args.full,
    )
    return 0
