"""``mlops-course progress``: 0 done on a fresh mon-travail/, all done with the solutions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mlops_course import progress
from mlops_course.config import project_root
from mlops_course.courseware import exercises as ex
from mlops_course.courseware import notebooks as nbio

NAME = "01_introduction_mlops.ipynb"


@pytest.mark.slow
def test_progress_goes_from_nothing_done_to_all_done_and_reruns_only_what_changed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, workspace = project_root(), tmp_path / "mon-travail"
    fresh = ex.learner_copy(nbio.read(root / "exercises" / NAME), NAME)
    nbio.write(fresh, workspace / NAME)
    before = (workspace / NAME).read_bytes()

    def check(*, expect_executed: int) -> progress.Report:
        # a private cache root: the real build/progress/ is left alone
        report = progress.evaluate(workspace, only=["01", "07"], root=cache_root, echo=False)
        assert len(report.executed) == expect_executed
        return report

    cache_root = tmp_path / "depot"
    shutil.copytree(root / "solutions", cache_root / "solutions")
    report = check(expect_executed=1)
    text = progress.render(report)
    run = report.runs[NAME]
    assert run.outcome == "ok"
    assert {c.status for c in run.checks.values()} == {"todo"}
    assert report.runs["07_monitoring_drift.ipynb"].outcome == "missing"
    assert "⏳ Je comprends le cycle de vie ML et les niveaux de maturité MLOps" in text
    assert "0/9" in text and "Exercice 1 — Le cycle de vie" in text
    assert "À faire ensuite : mon-travail/01_introduction_mlops.ipynb, Exercice 1" in text
    assert (workspace / NAME).read_bytes() == before  # only read, never written

    check(expect_executed=0)  # unchanged: read from the cache

    shutil.copy(root / "solutions" / NAME, workspace / NAME)
    report = progress.evaluate(workspace, only=["01"], root=cache_root, echo=False)
    assert report.executed == [NAME]
    assert {c.status for c in report.runs[NAME].checks.values()} == {"done"}
    text = progress.render(report)
    assert "✅ Je comprends le cycle de vie ML et les niveaux de maturité MLOps" in text
    assert "🎉 Tout est validé" in text
    capsys.readouterr()


def test_show_does_nothing_outside_the_learners_copies(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    progress.show()
    assert "ouvrez ce notebook depuis mon-travail/" in capsys.readouterr().out
    monkeypatch.setenv("MLOPS_COURSE_HEADLESS", "1")  # inside a run of progress or grade
    progress.show(tmp_path)
    assert "bilan non calculé" in capsys.readouterr().out
