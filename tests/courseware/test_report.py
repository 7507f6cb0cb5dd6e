"""The summary `make check` prints, read from JUnit reports."""

from __future__ import annotations

from pathlib import Path

from mlops_course.courseware import report

_JUNIT = """<?xml version="1.0"?><testsuites><testsuite name="pytest">
<testcase classname="t" name="test_lecture_notebook[01_introduction_mlops]" time="4.5"/>
<testcase classname="t" name="test_solution_notebook[01_introduction_mlops]" time="6.0">
<failure message="boom"/></testcase>
<testcase classname="t" name="test_skipped" time="0.0"><skipped/></testcase>
</testsuite></testsuites>"""


def _passed_steps(folder: Path, *steps: str) -> None:
    for step in steps:
        (folder / f"{step}.ok").touch()


def test_summary_counts_failures_and_lists_time_per_notebook(tmp_path: Path) -> None:
    _passed_steps(tmp_path, "lint", "test")
    (tmp_path / "notebooks.xml").write_text(_JUNIT)
    text, passed, failed = report.summary(tmp_path, seconds=42)
    assert (passed, failed) == (1, 1)
    assert "lint            ok" in text and "nbval outputs   not run" in text
    assert "01_introduction_mlops" in text and "<- FAILED" in text
    assert "checks proven" not in text  # the notebooks step failed: nothing was proven
    assert text.splitlines()[-2:] == ["total time      42 s", "check: 1 passed, 1 failed"]


def test_a_step_that_failed_without_a_report_still_counts_as_a_failure(tmp_path: Path) -> None:
    text, passed, failed = report.summary(tmp_path)
    assert (passed, failed) == (0, 1)
    assert "lint            FAILED" in text and "unit tests      not run" in text


def test_cli_exits_non_zero_when_a_report_holds_a_failure(tmp_path: Path) -> None:
    _passed_steps(tmp_path, "lint", "test", "notebooks", "nbval")
    (tmp_path / "notebooks.xml").write_text(_JUNIT)
    assert report.cli(["--dir", str(tmp_path)]) == 1
    (tmp_path / "notebooks.xml").write_text(_JUNIT.replace('<failure message="boom"/>', ""))
    assert report.cli(["--dir", str(tmp_path)]) == 0
