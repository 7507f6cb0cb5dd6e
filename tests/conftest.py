"""Shared fixtures: every test runs with its own generated-state folder and MLflow store."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

#: Sample projects the tests audit or run in a subprocess, never collected here.
collect_ignore = ["fixtures"]


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

    ``verify(check, stub=..., right=..., wrong=..., hint="❌", wrongs=[(answer, hint), ...])``:
    the untouched stub raises ``NotDoneError`` ("pas encore fait"); the wrong answer, and
    each answer of ``wrongs`` (one per typical mistake), a ``WrongAnswerError`` whose
    message matches its hint; the right answer passes and prints a ✅ line. An answer
    given as a tuple is passed as several arguments.
    """
    from mlops_course.checks import NotDoneError, WrongAnswerError

    missing = object()

    def verify(
        check: Callable[..., None],
        *,
        stub: Any,
        right: Any,
        wrong: Any = missing,
        hint: str = "❌",
        wrongs: list[tuple[Any, str]] | tuple[()] = (),
    ) -> None:
        def run(answer: Any) -> None:
            check(*answer) if isinstance(answer, tuple) else check(answer)

        with pytest.raises(NotDoneError, match="pas encore fait"):
            run(stub)
        mistakes = ([] if wrong is missing else [(wrong, hint)]) + list(wrongs)
        assert mistakes, "give at least one wrong answer (wrong= or wrongs=)"
        for answer, expected_hint in mistakes:
            with pytest.raises(WrongAnswerError, match=expected_hint):
                run(answer)
        capsys.readouterr()
        run(right)
        assert capsys.readouterr().out.startswith("✅")

    return verify
