"""Checks of notebook 06_ci_cd, exercises 3 and 4: the everyday CI workflow and the release
workflow that publishes the image, reviewed and validated against GitHub's schema.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from mlops_course import release, workflows
from mlops_course.checks import expect, require, success
from mlops_course.config import project_root


def _schema_errors(text: str) -> list[str]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "workflow.yml"
        path.write_text(text)
        return workflows.validate_workflow(path)


def exercice_3(workflow_ci: str) -> None:
    """The learner writes a minimal CI workflow for the course."""
    text = require(workflow_ci, "Exercice 3")
    expect(isinstance(text, str), "on attend le texte YAML du workflow (une chaîne).")
    makefile = (project_root() / "Makefile").read_text()
    problems = workflows.review_workflow(text, makefile_text=makefile)
    expect(not problems, "la revue signale :\n  - " + "\n  - ".join(problems))
    workflow = workflows.load_workflow(text)
    expect(
        {"push", "pull_request"} <= workflows.triggers(workflow),
        "le workflow doit tourner à chaque push et sur chaque pull request.",
    )
    calls = workflows.make_calls(workflow)
    expect(
        "check" in calls or set(workflows.check_parts(makefile)) <= set(calls),
        "le workflow doit lancer `make check` (lint, tests, porte du modèle, notebooks).",
    )
    setup_uv = [
        s for _, s in workflows.steps(workflow) if workflows.step_action(s) == "astral-sh/setup-uv"
    ]
    expect(
        bool(setup_uv) and workflows.step_inputs(setup_uv[0]).get("enable-cache") is True,
        "installez uv avec astral-sh/setup-uv et `enable-cache: true` (le cache évite de "
        "tout retélécharger à chaque exécution).",
    )
    errors = _schema_errors(text)  # last: the schema check takes a second
    expect(not errors, "GitHub refuserait ce workflow :\n  " + "\n  ".join(errors))
    success("Workflow valide, sans secret, en lecture seule, qui lance tout make check.")


def exercice_4(workflow_release: str) -> None:
    """The learner writes the release workflow: a version tag builds and pushes the image."""
    text = require(workflow_release, "Exercice 4")
    expect(isinstance(text, str), "on attend le texte YAML du workflow (une chaîne).")
    makefile = (project_root() / "Makefile").read_text()
    problems = release.review_release(text, makefile_text=makefile)
    expect(not problems, "la revue signale :\n  - " + "\n  - ".join(problems))
    errors = _schema_errors(text)
    expect(not errors, "GitHub refuserait ce workflow :\n  " + "\n  ".join(errors))
    success(
        "Workflow de publication valide : un tag de version, les tests d'abord, puis l'image "
        "docker/Dockerfile poussée sur ghcr.io avec le jeton intégré, sous le numéro de version."
    )
