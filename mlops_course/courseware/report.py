"""The summary printed at the end of ``make check``, read from pytest's JUnit reports."""

from __future__ import annotations

import argparse
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from mlops_course.courseware import exercises as ex
from mlops_course.courseware import notebooks as nbio
from mlops_course.courseware.runner import build_dir

#: The JUnit files ``make check`` writes, and how the summary names them.
REPORTS = {"unit.xml": "unit tests", "notebooks.xml": "notebooks", "nbval.xml": "nbval outputs"}


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


def summary(reports_dir: Path) -> tuple[str, int, int]:
    """Return the summary text and the total passed / failed counts."""
    lines = ["", "==================== make check: summary ===================="]
    total_passed = total_failed = 0
    suites: dict[str, Suite] = {}
    for filename, label in REPORTS.items():
        path = reports_dir / filename
        if not path.exists():
            lines.append(f"{label:<15} not run")
            continue
        suite = suites[filename] = read_junit(path)
        total_passed += suite.passed
        total_failed += suite.failed
        lines.append(
            f"{label:<15} {suite.passed} passed, {suite.failed} failed, "
            f"{suite.skipped} skipped ({suite.seconds:.0f} s of test time)"
        )
    checks = sum(len(ex.exercises_of(nbio.read(p))) for p in nbio.discover("solutions"))
    lines.append(
        f"{'exercises':<15} {checks} checks proven to refuse their stub and accept their "
        f"solution, in {len(nbio.discover('solutions'))} notebooks"
    )
    notebook_suite = suites.get("notebooks.xml")
    if notebook_suite:
        lines.append("time per notebook (papermill, fresh kernel, fast mode):")
        for name, seconds, status in sorted(notebook_suite.cases):
            match = re.match(r"test_(\w+?)_notebook\[(.+)\]", name)
            shown = f"{match[1]:<9} {match[2]}" if match else name
            mark = "" if status == "passed" else f"  <- {status.upper()}"
            lines.append(f"  {shown:<55} {seconds:6.1f} s{mark}")
    lines.append(f"check: {total_passed} passed, {total_failed} failed")
    return "\n".join(lines), total_passed, total_failed


def cli(argv: list[str]) -> int:
    """Print the summary; exit 1 when a report holds a failure."""
    parser = argparse.ArgumentParser(prog="mlops-course report")
    parser.add_argument("--dir", type=Path, default=build_dir() / "reports")
    args = parser.parse_args(argv)
    text, _, failed = summary(args.dir)
    print(text)
    return 1 if failed else 0
