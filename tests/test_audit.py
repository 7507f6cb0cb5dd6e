"""Chapter 08: the audit passes on this repository and names every planted fault of a sample."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mlops_course import audit
from mlops_course.config import project_root

SAMPLE = Path(__file__).parent / "fixtures" / "broken_project"

#: Every fault planted in the broken sample, by rule id.
PLANTED = {
    "donnees_hors_git",  # data/clients.csv committed
    "modeles_hors_git",  # models/model.pkl committed
    "modele_versionne",  # no MLflow / DVC
    "tests",  # no test file
    "test_performance",  # so no performance threshold either
    "api_health",  # FastAPI app without /health
    "dockerignore",  # Dockerfile without .dockerignore
    "docker_healthcheck",  # HEALTHCHECK calls curl on a slim image
    "docker_non_root",  # no USER
    "ci_cd",  # no workflow
    "monitoring",  # no drift detection
    "secrets",  # DB_PASSWORD in src/app.py
    "lockfile",  # unpinned requirements.txt
    "gitignore",  # ignores only __pycache__
    "rollback",  # README says nothing about rolling back
    "logging",  # the API logs nothing (advised, not required)
}


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """The broken sample as its own git repository, every file committed."""
    return audit.init_sample(tmp_path / "broken_project")


def test_every_planted_fault_is_reported_and_nothing_else(broken: Path) -> None:
    report = audit.audit(broken)
    failed = {f.rule for f in report.findings if f.status is audit.Status.FAIL}
    assert failed == PLANTED
    assert not report.passed
    assert report.status_of("code_versionne") is audit.Status.PASS
    assert "DB_PASSWORD" not in report.to_text()  # the secret's location is shown, not its value
    assert "src/app.py:7" in next(f.reason for f in report.findings if f.rule == "secrets")


def test_each_failure_comes_with_a_fix(broken: Path) -> None:
    report = audit.audit(broken)
    assert all(f.fix for f in report.failures)


def test_this_repository_passes_its_own_audit() -> None:
    report = audit.audit(project_root())
    assert report.passed, report.to_text()
    assert report.status_of("api_health") is audit.Status.PASS


def test_outside_git_tracked_file_rules_cannot_tell(tmp_path: Path) -> None:
    project = tmp_path / "plain"
    shutil.copytree(SAMPLE, project)
    report = audit.audit(project)
    assert report.status_of("code_versionne") is audit.Status.FAIL
    assert report.status_of("donnees_hors_git") is audit.Status.UNKNOWN


def test_fixing_the_faults_makes_the_sample_pass(broken: Path) -> None:
    (broken / "data" / "clients.csv").unlink()
    (broken / "models" / "model.pkl").unlink()
    (broken / ".gitignore").write_text("/data/\n/models/\nmlruns/\n.env\n.venv/\n")
    (broken / ".dockerignore").write_text(".git\n.venv\ndata/\n")
    (broken / "Dockerfile").write_text(
        "FROM python:3.11-slim\nRUN useradd app\nUSER app\n"
        "HEALTHCHECK CMD python -c \"import urllib.request as u; u.urlopen('http://127.0.0.1:8000/health')\"\n"
    )
    app = (broken / "src" / "app.py").read_text()
    app = app.replace(
        'DB_PASSWORD = "hunter2-production-2024"', 'DB_PASSWORD = os.environ["DB_PASSWORD"]'
    )
    app += '\n\n@app.get("/health")\ndef health() -> dict:\n    return {"status": "ok"}\n'
    (broken / "src" / "app.py").write_text("import os\nimport logging\nimport mlflow\n" + app)
    (broken / "src" / "drift.py").write_text("from scipy.stats import ks_2samp\n")
    (broken / "tests").mkdir()
    (broken / "tests" / "test_model.py").write_text(
        "def test_f1():\n    f1 = 0.97\n    assert f1 >= 0.88\n"
    )
    (broken / ".github" / "workflows").mkdir(parents=True)
    (broken / ".github" / "workflows" / "ci.yml").write_text("on: push\n")
    (broken / "uv.lock").write_text("version = 1\n")
    (broken / "README.md").write_text("# Démo\n\n## Rollback\nDéplacer l'alias champion.\n")
    audit.commit_all(broken, "fix")
    report = audit.audit(broken)
    assert report.passed, report.to_text()


def test_an_extra_rule_runs_and_a_crashing_rule_does_not_hide_the_others(broken: Path) -> None:
    def has_env_example(project: audit.Project) -> audit.Finding:
        ok = (project.root / ".env.example").is_file()
        status = audit.Status.PASS if ok else audit.Status.FAIL
        return audit.Finding("env_example", "Sécurité", status, "modèle .env.example", "ajoutez-le")

    def crashes(project: audit.Project) -> audit.Finding:
        raise RuntimeError("boom")

    report = audit.audit(broken, extra_rules=[has_env_example, crashes])
    assert report.status_of("env_example") is audit.Status.FAIL
    assert report.status_of("crashes") is audit.Status.UNKNOWN
    assert len(report.findings) == len(audit.RULES) + 2


def test_cli_exit_codes_and_json(broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert audit.cli([str(broken), "--json"]) == 1
    payload = json.loads(capsys.readouterr().out)
    assert payload["passed"] is False
    assert {f["rule"] for f in payload["findings"] if f["status"] == "fail"} == PLANTED
    assert audit.cli([str(broken / "nope")]) == 2
    assert "must be a directory" in capsys.readouterr().err


def test_init_sample_refuses_to_overwrite(broken: Path) -> None:
    with pytest.raises(FileExistsError, match="must not exist"):
        audit.init_sample(broken)


def test_every_classic_mistake_names_an_existing_rule_or_none() -> None:
    names = {audit.audit(SAMPLE).findings[i].rule for i in range(len(audit.RULES))}
    assert {rule for *_, rule in audit.CLASSIC_MISTAKES.values()} - {""} <= names
