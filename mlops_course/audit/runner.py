"""Running an audit: ``audit(path)``, the ``mlops-course audit`` command, the broken sample.

Taught in notebook 08_bonnes_pratiques (§8.3): every rule runs on the project; required
rules that fail make the command exit with status 1. :func:`init_sample` copies the
deliberately broken sample project that the notebook repairs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from mlops_course.audit.findings import AuditReport, Finding, Status
from mlops_course.audit.project import Project
from mlops_course.audit.rules import RULES, Rule
from mlops_course.cli import ArgumentParser

SAMPLE_PROJECT = "tests/fixtures/broken_project"
_GIT_IDENTITY = ("-c", "user.name=mlops-course", "-c", "user.email=audit@example.invalid")


def init_sample(destination: Path | str, source: Path | str | None = None) -> Path:
    """Copy a sample project to ``destination`` and commit it in a fresh git repository.

    ``source`` defaults to the broken sample of this repository. Returns the new project path.
    """
    import shutil

    from mlops_course.config import project_root

    source = Path(source) if source is not None else project_root() / SAMPLE_PROJECT
    destination = Path(destination)
    if destination.exists():
        raise FileExistsError(f"destination must not exist yet, got {str(destination)!r}")
    shutil.copytree(source, destination)
    subprocess.run(["git", "init", "-q"], cwd=destination, check=True, capture_output=True)
    commit_all(destination, "sample")
    return destination


def commit_all(project: Path | str, message: str = "update") -> None:
    """Stage and commit every change of a sample project (after fixing its files)."""
    for args in (["add", "-A", "-f"], ["commit", "-q", "--allow-empty", "-m", message]):
        subprocess.run(["git", *_GIT_IDENTITY, *args], cwd=project, check=True, capture_output=True)


def audit(
    path: Path | str,
    *,
    extra_rules: Iterable[Rule] = (),
    exclude: Iterable[str] = (),
    extra_checks: Iterable[Rule] = (),
) -> AuditReport:
    """Run every rule of :data:`RULES` (then ``extra_rules``) on the project at ``path``.

    A rule that crashes is reported as ``cannot tell`` with the error, never aborts the
    audit. ``extra_checks`` is the former name of ``extra_rules`` (notebook 08's exercise).
    """
    project = Project.at(path, exclude)
    report = AuditReport(str(path))
    for run in [*RULES, *extra_rules, *extra_checks]:
        try:
            finding = run(project)
        except Exception as error:  # one broken rule must not hide the others
            finding = Finding(
                getattr(run, "__name__", "rule"),
                "?",
                Status.UNKNOWN,
                f"la règle a planté : {type(error).__name__}: {error}",
                required=False,
            )
        if not isinstance(finding, Finding):
            raise TypeError(f"rule {run!r} must return a Finding, got {type(finding).__name__}")
        report.findings.append(finding)
    return report


def cli(argv: list[str]) -> int:
    """``mlops-course audit PATH [--json]``: exit 1 when a required item fails."""
    parser = ArgumentParser(
        prog="mlops-course audit", description="Audite un projet selon la checklist du chapitre."
    )
    parser.add_argument(
        "path", nargs="?", default=".", metavar="DOSSIER", help="dossier du projet (défaut : .)"
    )
    parser.add_argument("--json", action="store_true", help="rapport en JSON (pour la CI)")
    parser.add_argument(
        "--exclude", action="append", default=[], help="motif glob de chemins à ignorer"
    )
    args = parser.parse_args(argv)
    try:
        report = audit(args.path, exclude=args.exclude)
    except (NotADirectoryError, ValueError) as error:
        print(f"mlops-course audit: {error}", file=sys.stderr)
        return 2
    print(
        json.dumps(report.to_dict(), ensure_ascii=False, indent=2)
        if args.json
        else report.to_text()
    )
    return 0 if report.passed else 1
