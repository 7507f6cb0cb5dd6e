"""The end project: ``mlops-course new-project`` lays out §8.1, never overwrites, and its
rubric is executable: the skeleton fails it with French reasons, the reference passes it.

The reference is not a second copy of the template: it is the template, as ``new-project``
writes it, with ``tests/fixtures/end_project_reference/`` laid over it (the completed TODO
files, a lock, and the lock's platforms in ``pyproject.toml``): see :func:`reference_project`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mlops_course import audit, new_project
from mlops_course.cli import main
from mlops_course.config import project_root

#: What the reference project adds to the template: only files that differ from it.
REFERENCE_OVERLAY = Path(__file__).parent / "fixtures" / "end_project_reference"
#: The files the learner completes (they hold the template's TODOs).
TODO_FILES = {
    "app/main.py", "app/schemas.py", "src/train.py", "src/drift.py", "tests/test_model.py"
}  # fmt: skip
#: What the untouched skeleton, committed, fails, and why (each TODO leaves one rule failing).
SKELETON_FAILURES = {
    "modele_versionne",  # src/train.py does not use MLflow yet
    "test_performance",  # tests/test_model.py asserts nothing yet
    "api_health",  # app/main.py has no route yet
    "monitoring",  # src/drift.py detects nothing yet
    "lockfile",  # `uv lock` is the learner's first step
    "todo_restants",  # the TODOs themselves
}

#: The marker the rule looks for, spelled so that this file carries none (the repository
#: passes its own audit).
MARK = "TO" + "DO"


def _git_commit_all(project: Path, message: str = "squelette") -> None:
    subprocess.run(["git", "init", "-q"], cwd=project, check=True, capture_output=True)
    audit.commit_all(project, message)


def _overlay_files() -> set[str]:
    return {
        p.relative_to(REFERENCE_OVERLAY).as_posix()
        for p in REFERENCE_OVERLAY.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def reference_project(destination: Path) -> Path:
    """The completed end project, committed in a fresh git repository at ``destination``.

    The skeleton a learner gets (``new_project.create``), with the fixture's files laid over
    it: what a learner who completed every TODO (and ran ``uv lock``) would commit.
    """
    new_project.create(destination)
    shutil.copytree(
        REFERENCE_OVERLAY,
        destination,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache"),
    )
    _git_commit_all(destination, "projet complété")
    return destination


def _pytest(project: Path) -> subprocess.CompletedProcess[str]:
    """Run a project's own tests with this environment's Python (offline), leaving no cache."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "MLFLOW_DISABLE_TELEMETRY": "true"}
    env.pop("MLFLOW_TRACKING_URI", None)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "ignore"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_new_project_lays_out_the_chapters_structure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "mon-projet-vins"
    assert main(["new-project", str(project)]) == 0
    files = {p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file()}
    assert {
        "app/__init__.py", "app/main.py", "app/schemas.py",
        "src/__init__.py", "src/data.py", "src/train.py", "src/drift.py",
        "tests/conftest.py", "tests/test_model.py", "tests/test_api.py",
        "tests/test_drift.py", "tests/test_train.py",
        "Dockerfile", ".dockerignore", "docker-compose.yml", ".github/workflows/ci.yml",
        ".gitignore", ".env.example", "pyproject.toml", "README.md",
    } == files  # fmt: skip
    for folder in new_project.EMPTY_FOLDERS:  # the model and the data: there, never in git
        assert (project / folder).is_dir() and not any((project / folder).iterdir())
    readme = (project / "README.md").read_text(encoding="utf-8")
    for section in ("## Le but", "## Les étapes", "## La grille d'évaluation"):
        assert section in readme
    assert "load_wine" in (project / "src" / "data.py").read_text(encoding="utf-8")
    assert f"uv run mlops-course audit {project}" in capsys.readouterr().out


def test_an_existing_folder_is_refused_and_left_as_it_was(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    taken = tmp_path / "existant"
    taken.mkdir()
    (taken / "notes.txt").write_text("mes notes\n", encoding="utf-8")
    assert main(["new-project", str(taken)]) == 1
    assert "n'est pas vide" in capsys.readouterr().err
    assert [p.name for p in taken.iterdir()] == ["notes.txt"]
    assert (taken / "notes.txt").read_text(encoding="utf-8") == "mes notes\n"

    a_file = tmp_path / "fichier"
    a_file.write_text("x", encoding="utf-8")
    assert main(["new-project", str(a_file)]) == 1
    assert "est un fichier" in capsys.readouterr().err
    assert a_file.read_text(encoding="utf-8") == "x"

    empty = tmp_path / "vide"
    empty.mkdir()
    assert len(new_project.create(empty)) > 15  # an empty folder is fine


def test_the_untouched_skeleton_fails_the_audit_with_french_reasons(tmp_path: Path) -> None:
    project = tmp_path / "squelette"
    new_project.create(project)
    outside_git = audit.audit(project)
    assert outside_git.status_of("code_versionne") is audit.Status.FAIL
    assert "n'est pas un dépôt git" in outside_git.to_text()

    _git_commit_all(project)
    report = audit.audit(project)
    assert {f.rule for f in report.failures} == SKELETON_FAILURES
    text = report.to_text()
    for reason in (
        "marqueur(s) TODO dans le code",
        "src/train.py",
        "aucune détection de drift",
        "n'a pas de route /health",
        "aucun test n'impose de seuil de performance",
        "aucun fichier de verrouillage",
    ):
        assert reason in text
    assert all(f.fix for f in report.failures)
    assert main(["audit", str(project)]) == 1


@pytest.mark.slow
def test_the_skeletons_own_tests_fail_until_the_todos_are_written(tmp_path: Path) -> None:
    project = tmp_path / "squelette"
    new_project.create(project)
    done = _pytest(project)
    assert done.returncode != 0
    assert "TODO : écrivez build_pipeline" in done.stdout
    assert "TODO : écrivez detect_drift" in done.stdout


@pytest.mark.slow
def test_the_reference_project_passes_the_audit_and_its_own_tests(tmp_path: Path) -> None:
    project = reference_project(tmp_path / "reference")
    report = audit.audit(project)
    assert report.passed, report.to_text()
    assert report.status_of("todo_restants") is audit.Status.PASS
    assert report.status_of("test_performance") is audit.Status.PASS
    done = _pytest(project)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and "failed" not in done.stdout


def test_the_reference_overlay_only_completes_the_templates_todo_files() -> None:
    """The reference cannot drift from what learners get: it replaces no other file."""
    template = {
        name: source.read_text(encoding="utf-8") for name, source in new_project.template_files()
    }
    overlay = _overlay_files()
    assert {name for name in TODO_FILES if MARK in template[name]} == TODO_FILES
    assert overlay - set(template) == {"uv.lock"}  # a learner's first step: `uv lock`
    assert overlay & set(template) == TODO_FILES | {"pyproject.toml"}
    for name in TODO_FILES:
        assert MARK not in (REFERENCE_OVERLAY / name).read_text(encoding="utf-8"), name
    # The only other change: the platforms of its (small) lock, after the template's text.
    completed = (REFERENCE_OVERLAY / "pyproject.toml").read_text(encoding="utf-8")
    assert completed.startswith(template["pyproject.toml"].rstrip("\n"))


def test_the_template_is_valid_docker_compose_and_ci(tmp_path: Path) -> None:
    from mlops_course.containers import hadolint, validate_compose
    from mlops_course.workflows import validate_workflow

    project = tmp_path / "projet"
    new_project.create(project)
    assert [f for f in hadolint(project / "Dockerfile") if f.level in {"error", "warning"}] == []
    assert validate_compose(project / "docker-compose.yml") == []
    assert validate_workflow(project / ".github" / "workflows" / "ci.yml") == []


def test_git_ignores_no_template_file_so_the_wheel_ships_them_all() -> None:
    """Hatch builds the wheel from the package folder minus what git ignores."""
    root = project_root()
    files = [
        p.relative_to(root).as_posix()
        for p in (root / "mlops_course" / new_project.TEMPLATE).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and ".ruff_cache" not in p.parts
    ]
    assert len(files) == len(dict(new_project.template_files()))
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", *files], cwd=root, capture_output=True, text=True
    )
    assert ignored.stdout == "", f"git (and so the wheel) would leave out: {ignored.stdout}"


def test_the_todo_rule_reads_markers_not_mentions(tmp_path: Path) -> None:
    project = tmp_path / "projet"
    (project / "src").mkdir(parents=True)
    (project / "src" / "a.py").write_text(
        '"""Mentions of TODO in prose are fine."""\nTODO_FILES = ["x"]\n', encoding="utf-8"
    )
    assert audit.audit(project).status_of("todo_restants") is audit.Status.PASS
    (project / "src" / "b.py").write_text(
        f'def f():\n    # {MARK} : write it\n    raise NotImplementedError("{MARK} : f")\n',
        encoding="utf-8",
    )
    (project / "Dockerfile").write_text(f"FROM python:3.11-slim\n# {MARK}: USER\n")
    finding = next(f for f in audit.audit(project).findings if f.rule == "todo_restants")
    assert finding.status is audit.Status.FAIL
    assert finding.reason == "3 marqueur(s) TODO dans le code : Dockerfile:2 ; src/b.py:2,3"


def test_a_git_repository_with_nothing_committed_is_not_versioned(tmp_path: Path) -> None:
    project = tmp_path / "projet"
    project.mkdir()
    (project / "train.py").write_text("import mlflow\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    finding = next(f for f in audit.audit(project).findings if f.rule == "code_versionne")
    assert finding.status is audit.Status.FAIL and "git commit" in finding.fix


@pytest.mark.parametrize(
    ("test_line", "status"),
    [
        ('assert metrics["f1_weighted"] >= F1', audit.Status.PASS),
        ("assert scores.accuracy > 0.9", audit.Status.PASS),
        ("assert model is not None", audit.Status.FAIL),
    ],
)
def test_a_performance_test_may_read_its_metric_from_a_dict(
    tmp_path: Path, test_line: str, status: audit.Status
) -> None:
    project = tmp_path / "projet"
    (project / "tests").mkdir(parents=True)
    (project / "tests" / "test_model.py").write_text(
        f"def test_model(metrics, scores, model):\n    {test_line}\n", encoding="utf-8"
    )
    assert audit.audit(project).status_of("test_performance") is status


def test_mlflow_read_only_by_the_tests_does_not_version_the_models(tmp_path: Path) -> None:
    project = tmp_path / "projet"
    (project / "tests").mkdir(parents=True)
    (project / "tests" / "test_train.py").write_text("import mlflow\n", encoding="utf-8")
    assert audit.audit(project).status_of("modele_versionne") is audit.Status.FAIL
    (project / "train.py").write_text("import mlflow\n", encoding="utf-8")
    assert audit.audit(project).status_of("modele_versionne") is audit.Status.PASS
