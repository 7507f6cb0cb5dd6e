"""The summary printed at the end of ``make check``, read from pytest's JUnit reports."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from mlops_course.cli import ArgumentParser
from mlops_course.courseware import exercises as ex
from mlops_course.courseware import notebooks as nbio
from mlops_course.courseware.runner import build_dir

#: The steps of ``make check``, in order, and how the summary names them. A step that
#: succeeded leaves ``<step>.ok``; pytest steps also leave ``<step>.xml`` (JUnit).
STEPS = {
    "lint": "lint",
    "test": "unit tests",
    "notebooks": "notebooks",
    "nbval": "nbval outputs",
}


@dataclass
class Suite:
    """Counts and per-test times of one JUnit report."""

    passed: int = 0
    failed: int = 0
    skipped: int = 0
    seconds: float = 0.0
    cases: list[tuple[str, float, str]] = field(default_factory=list)


def read_junit(path: Path) -> Suite:
    """Read one JUnit XML file written by ``pytest --junitxml``."""
    suite = Suite()
    for case in ET.parse(path).getroot().iter("testcase"):
        seconds = float(case.get("time", 0.0))
        if case.find("failure") is not None or case.find("error") is not None:
            status, suite.failed = "failed", suite.failed + 1
        elif case.find("skipped") is not None:
            status, suite.skipped = "skipped", suite.skipped + 1
        else:
            status, suite.passed = "passed", suite.passed + 1
        suite.seconds += seconds
        suite.cases.append((case.get("name", "?"), seconds, status))
    return suite


def summary(reports_dir: Path, seconds: float | None = None) -> tuple[str, int, int]:
    """Return the summary text and the total passed / failed counts.

    A step that failed without a JUnit report (lint) counts as one failure, so the closing
    line never reads "0 failed" for a run that stopped early.
    """
    lines = ["", "==================== make check: summary ===================="]
    total_passed = total_failed = 0
    suites: dict[str, Suite] = {}
    stopped = False
    for step, label in STEPS.items():
        junit, ok = reports_dir / f"{step}.xml", (reports_dir / f"{step}.ok").exists()
        if junit.exists():
            suite = suites[step] = read_junit(junit)
            total_passed += suite.passed
            total_failed += suite.failed
            lines.append(
                f"{label:<15} {suite.passed} passed, {suite.failed} failed, "
                f"{suite.skipped} skipped ({suite.seconds:.0f} s of test time)"
            )
            if not ok and not suite.failed:
                total_failed += 1
                lines[-1] += "  <- step FAILED"
        elif ok:
            lines.append(f"{label:<15} ok")
        elif not stopped:
            total_failed += 1
            lines.append(f"{label:<15} FAILED (see the messages above)")
        else:
            lines.append(f"{label:<15} not run")
        stopped = stopped or not ok
    notebook_suite = suites.get("notebooks")
    if notebook_suite and (reports_dir / "notebooks.ok").exists():
        checks = sum(len(ex.exercises_of(nbio.read(p))) for p in nbio.discover("solutions"))
        lines.append(
            f"{'exercises':<15} {checks} checks proven to refuse their stub and accept their "
            f"solution, in {len(nbio.discover('solutions'))} notebooks"
        )
    if notebook_suite:
        lines.append("time per notebook (papermill, fresh kernel, fast mode):")
        for name, case_seconds, status in sorted(notebook_suite.cases):
            match = re.match(r"test_(\w+?)_notebook\[(.+)\]", name)
            shown = f"{match[1]:<9} {match[2]}" if match else name
            mark = "" if status == "passed" else f"  <- {status.upper()}"
            lines.append(f"  {shown:<55} {case_seconds:6.1f} s{mark}")
    if seconds is not None:
        lines.append(f"total time      {seconds:.0f} s")
    lines.append(f"check: {total_passed} passed, {total_failed} failed")
    return "\n".join(lines), total_passed, total_failed


def cli(argv: list[str]) -> int:
    """Print the summary; exit 1 when a report holds a failure."""
    parser = ArgumentParser(
        prog="mlops-course report", description="Affiche le bilan d'un `make check`."
    )
    parser.add_argument(
        "--dir", type=Path, default=build_dir() / "reports", help="dossier des rapports"
    )
    parser.add_argument("--seconds", type=float, default=None, help="durée totale du lancement (s)")
    args = parser.parse_args(argv)
    text, _, failed = summary(args.dir, args.seconds)
    print(text)
    return 1 if failed else 0
