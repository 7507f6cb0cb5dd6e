"""Shared fixtures: every test runs with its own generated-state folder and MLflow store."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """Keep hypothesis' example database under build/ (nothing written beside the sources)."""
    import os

    build = Path(__file__).resolve().parent.parent / "build"
    os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", str(build / ".hypothesis"))


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Point MLOPS_COURSE_HOME (models, logs, MLflow store) at a fresh temporary folder."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("MLOPS_COURSE_HOME", str(home))
    for name in ("MLOPS_COURSE_MODEL_DIR", "MLOPS_COURSE_LOG_DIR", "MLFLOW_TRACKING_URI"):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
def check_contract(capsys: pytest.CaptureFixture[str]) -> Callable[..., None]:
    """Assert the contract of a notebook self-check (``mlops_course.checks``).

    ``verify(check, stub=..., wrong=..., right=..., hint="❌")``: the untouched stub
    raises ``NotDoneError`` ("pas encore fait"), the wrong answer an ``AssertionError``
    whose message matches ``hint`` (and is not ``NotDoneError``), the right answer passes
    and prints a ✅ line. An answer given as a tuple is passed as several arguments.
    """
    from mlops_course.checks import NotDoneError

    def verify(
        check: Callable[..., None], *, stub: Any, wrong: Any, right: Any, hint: str = "❌"
    ) -> None:
        def run(answer: Any) -> None:
            check(*answer) if isinstance(answer, tuple) else check(answer)

        with pytest.raises(NotDoneError, match="pas encore fait"):
            run(stub)
        with pytest.raises(AssertionError, match=hint) as wrong_answer:
            run(wrong)
        assert not isinstance(wrong_answer.value, NotDoneError)
        capsys.readouterr()
        run(right)
        assert capsys.readouterr().out.startswith("✅")

    return verify
