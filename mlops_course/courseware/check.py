"""``mlops-course check``: what ``make check`` runs, in pure Python (Linux, macOS, Windows).

The Makefile calls this command, so ``make check`` and ``uv run mlops-course check`` are
one and the same. The steps, in order (their labels live in :data:`report.STEPS`):

- ``lint``: ruff on code and notebooks, notebooks committed without outputs, in their
  committed form, ``exercises/`` and ``binder/`` in sync with their sources;
- ``test``: the test suite (without the notebooks and the browser tests);
- ``notebooks``: every notebook executed with papermill (copies in ``build/executed/``);
- ``nbval``: the tagged outputs of the lecture notebooks compared with nbval.

``mlops-course check`` runs them all, stops at the first failure, and prints the summary
(JUnit reports in ``build/reports/``); ``mlops-course check test`` runs one step alone.
Arguments after ``--`` go to pytest.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mlops_course.cli import ArgumentParser
from mlops_course.config import project_root
from mlops_course.courseware import notebooks as nbio
from mlops_course.courseware import report
from mlops_course.courseware.runner import build_dir

#: The steps of a full check, in order.
STEPS: tuple[str, ...] = tuple(report.STEPS)

#: Environment every step's processes get (offline by design: no telemetry).
CHILD_ENV = {"MLFLOW_DISABLE_TELEMETRY": "true", "PYTHONUTF8": "1"}


@dataclass
class Options:
    """How the steps run."""

    jobs: int = 2
    fast: bool = True
    pytest_args: list[str] = field(default_factory=list)
    junit_dir: Path | None = None
    root: Path = field(default_factory=project_root)

    def junit(self, step: str) -> list[str]:
        """Return pytest's ``--junitxml`` argument for ``step`` when reports are kept."""
        return [f"--junitxml={self.junit_dir / f'{step}.xml'}"] if self.junit_dir else []


def run(command: Sequence[str | Path], options: Options, env: dict[str, str] | None = None) -> int:
    """Run one command from the project root, its output going to the terminal."""
    child_env = {**os.environ, **CHILD_ENV, **(env or {})}
    notebooks = [str(part) for part in command if str(part).endswith(".ipynb")]
    parts = [str(part) for part in command if not str(part).endswith(".ipynb")]
    parts += [f"<{len(notebooks)} notebooks>"] if notebooks else []
    shown = " ".join(parts).replace(sys.executable, "python")
    print(f"$ {shown}", flush=True)
    return subprocess.call([str(part) for part in command], cwd=options.root, env=child_env)


def _python(*args: str) -> list[str]:
    return [sys.executable, *args]


def lint(options: Options) -> int:
    """ruff, notebooks without outputs and in committed form, generated files in sync."""
    from mlops_course.courseware import binder, commands, questionnaire

    notebooks = [str(p.relative_to(options.root)) for p in nbio.all_notebooks(options.root)]
    for command in (
        _python("-m", "ruff", "check", "."),
        _python("-m", "ruff", "format", "--check", "."),
        _python("-m", "nbstripout", "--verify", *notebooks),
    ):
        if run(command, options):
            return 1
    for name, function, args in (
        ("format-notebooks --check", commands.format_notebooks, ["--check"]),
        ("quiz --check", questionnaire.cli, ["--check"]),
        ("exercises --check", commands.exercises, ["--check"]),
        ("binder --check", binder.cli, ["--check"]),
    ):
        print(f"$ mlops-course {name}", flush=True)
        if function(args):
            return 1
    return 0


def test(options: Options) -> int:
    """The test suite, without the notebooks and the browser tests (steps of their own)."""
    command = _python("-m", "pytest", "tests", "--ignore=tests/notebooks", "--ignore=tests/browser")
    command += ["-n", str(options.jobs), "-q", *options.junit("test"), *options.pytest_args]
    return run(command, options)


def notebooks(options: Options) -> int:
    """Every notebook with papermill: lectures, solution proofs, exercises up to their check."""
    command = _python("-m", "pytest", "tests/notebooks", "-n", str(options.jobs), "-q")
    command += ["--durations=0", *options.junit("notebooks"), *options.pytest_args]
    return run(command, options, env={"MLOPS_COURSE_FAST": "1" if options.fast else "0"})


def nbval(options: Options) -> int:
    """The lecture notebooks again under nbval, comparing the outputs of tagged cells."""
    from mlops_course.courseware import commands

    if commands.nbval_prepare([]):
        return 1
    command = _python("-m", "pytest", "--nbval-lax", "build/nbval", "-n", str(options.jobs))
    command += ["--dist", "loadscope", "-q", *options.junit("nbval"), *options.pytest_args]
    return run(command, options, env={"MLOPS_COURSE_FAST": "1" if options.fast else "0"})


RUNNERS: dict[str, Callable[[Options], int]] = {
    "lint": lint,
    "test": test,
    "notebooks": notebooks,
    "nbval": nbval,
}


def check_all(options: Options) -> int:
    """Run every step in order, stop at the first failure, print the summary."""
    reports = options.junit_dir = options.junit_dir or build_dir(options.root) / "reports"
    if reports.exists():
        for old in reports.iterdir():
            old.unlink()
    reports.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    status = 0
    for step in STEPS:
        if RUNNERS[step](options) == 0:
            (reports / f"{step}.ok").touch()
        else:
            status = 1
            print(f"mlops-course check: step '{step}' failed", file=sys.stderr)
            break
    text, _, failed = report.summary(reports, time.perf_counter() - start)
    print(text)
    return 1 if status or failed else 0


def cli(argv: list[str]) -> int:
    """``mlops-course check [STEP ...] [--jobs N] [--full] [-- PYTEST_ARGS]``."""
    pytest_args: list[str] = []
    if "--" in argv:
        argv, pytest_args = argv[: argv.index("--")], argv[argv.index("--") + 1 :]
    parser = ArgumentParser(
        prog="mlops-course check",
        description="Lint, tests, notebooks, sorties nbval (ce que lance `make check`).",
        epilog="Les arguments après `--` sont passés à pytest.",
    )
    steps = ", ".join(STEPS)
    parser.add_argument(
        "steps", nargs="*", metavar="ÉTAPE", help=f"parmi {steps} (défaut : toutes)"
    )
    parser.add_argument("--jobs", "-n", type=int, default=2, help="processus pytest (défaut : 2)")
    parser.add_argument(
        "--full", action="store_true", help="notebooks en taille réelle (pas le mode rapide)"
    )
    args = parser.parse_args(argv)
    unknown = [step for step in args.steps if step not in RUNNERS]
    if unknown:
        parser.error(f"étape inconnue : {', '.join(unknown)} ; choisir parmi {', '.join(STEPS)}")
    if args.jobs < 1:
        parser.error(f"--jobs doit valoir au moins 1, pas {args.jobs}")
    options = Options(jobs=args.jobs, fast=not args.full, pytest_args=pytest_args)
    if not args.steps:
        return check_all(options)
    for step in args.steps:
        if RUNNERS[step](options):
            return 1
    return 0
