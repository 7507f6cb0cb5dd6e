"""Where generated state goes, and the fast-mode switch."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_course import config


def test_all_generated_state_follows_mlops_course_home(isolated_home: Path) -> None:
    assert config.model_dir() == isolated_home / "model"
    assert config.log_dir() == isolated_home / "logs"
    assert config.tracking_uri() == f"sqlite:///{isolated_home / 'mlruns' / 'mlflow.db'}"
    assert config.artifact_root().is_relative_to(isolated_home)


def test_specific_variables_override_the_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLOPS_COURSE_MODEL_DIR", str(tmp_path / "m"))
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "sqlite:////elsewhere/db.sqlite")
    assert config.model_dir() == tmp_path / "m"
    assert config.tracking_uri() == "sqlite:////elsewhere/db.sqlite"


def test_the_default_home_is_the_repository_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MLOPS_COURSE_HOME")
    assert (config.home_dir() / "pyproject.toml").is_file()
    assert config.tracking_uri().startswith("sqlite:////")  # absolute path


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("true", True), ("0", False), ("", False)]
)
def test_fast_mode_reads_the_usual_spellings(
    raw: str, expected: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLOPS_COURSE_FAST", raw)
    assert config.fast_mode() is expected


def test_a_misspelled_fast_mode_is_an_error_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MLOPS_COURSE_FAST", "vrai")
    with pytest.raises(ValueError, match="MLOPS_COURSE_FAST"):
        config.fast_mode()
