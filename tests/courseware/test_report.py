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


def test_summary_counts_failures_and_lists_time_per_notebook(tmp_path: Path) -> None:
    (tmp_path / "notebooks.xml").write_text(_JUNIT)
    text, passed, failed = report.summary(tmp_path)
    assert (passed, failed) == (1, 1)
    assert "unit tests      not run" in text
    assert "01_introduction_mlops" in text and "<- FAILED" in text
    assert text.splitlines()[-1] == "check: 1 passed, 1 failed"


def test_cli_exits_non_zero_when_a_report_holds_a_failure(tmp_path: Path) -> None:
    (tmp_path / "notebooks.xml").write_text(_JUNIT)
    assert report.cli(["--dir", str(tmp_path)]) == 1
    (tmp_path / "notebooks.xml").write_text(_JUNIT.replace('<failure message="boom"/>', ""))
    assert report.cli(["--dir", str(tmp_path)]) == 0
