"""Checks for notebook 08 (best practices and the project audit)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from mlops_course import audit
from mlops_course.checks import call, expect, fail, require, success


def exercice_1(dockerfile_corrige: str) -> None:
    """The learner fixes the broken sample's Dockerfile until the audit accepts it."""
    text = require(dockerfile_corrige, "Exercice 1")
    expect(isinstance(text, str), "on attend le texte du Dockerfile (une chaîne).")
    expect(
        text.lstrip().upper().startswith(("FROM", "#", "ARG")), "un Dockerfile commence par FROM."
    )
    with tempfile.TemporaryDirectory() as tmp:
        project = audit.init_sample(Path(tmp) / "projet")
        (project / "Dockerfile").write_text(text, encoding="utf-8")
        audit.commit_all(project, "fix Dockerfile")
        report = audit.audit(project)
    for check, hint in (
        (
            "docker_healthcheck",
            "le HEALTHCHECK doit exister et ne pas appeler curl ni wget : "
            'utilisez python -c "import urllib.request; ..."',
        ),
        (
            "docker_non_root",
            "terminez par une instruction USER vers un utilisateur créé (useradd), pas root.",
        ),
    ):
        expect(report.status_of(check) is audit.Status.PASS, f"{check} : {hint}")
    success("Le Dockerfile passe l'audit : healthcheck exécutable et utilisateur non-root.")


def exercice_2(version_precedente: Callable[[list[int]], int]) -> None:
    """The learner finds the version to roll back to from the champion's history."""
    cases = {(1, 2): 1, (1, 3, 4): 3, (1, 2, 1): 2, (1, 3, 3): 1, (5, 2, 7, 2): 7}
    for history, want in cases.items():
        got = call(version_precedente, list(history), what="Exercice 2")
        expect(
            got == want,
            f"historique {list(history)} : votre fonction renvoie {got}, on attend {want}. "
            "Indice : le rollback vise le dernier champion *différent* de l'actuel.",
        )
    for history in ([3], [2, 2]):
        try:
            got = version_precedente(list(history))
        except ValueError:
            continue
        raise fail(
            f"historique {history} : il n'y a pas de version précédente ; levez ValueError "
            f"au lieu de renvoyer {got!r}."
        )
    success("Vous savez vers quelle version revenir, et refusez un rollback impossible.")


def exercice_3(verifier_env_example: Callable[[audit.Project], audit.Finding]) -> None:
    """The learner adds a check to the audit: a .env.example must document the variables."""
    with tempfile.TemporaryDirectory() as tmp:
        sans = audit.init_sample(Path(tmp) / "sans")
        avec = audit.init_sample(Path(tmp) / "avec")
        (avec / ".env.example").write_text("DB_PASSWORD=\n", encoding="utf-8")
        audit.commit_all(avec, "add .env.example")
        finding = call(verifier_env_example, audit.Project.at(sans), what="Exercice 3")
        expect(
            isinstance(finding, audit.Finding),
            f"la vérification doit renvoyer un audit.Finding, pas {type(finding).__name__}.",
        )
        expect(finding.status is audit.Status.FAIL, "sans .env.example, le statut doit être FAIL.")
        expect(bool(finding.fix), "un échec doit proposer une correction (champ fix).")
        report = audit.audit(avec, extra_checks=[verifier_env_example])
        expect(
            report.findings[-1].status is audit.Status.PASS,
            "avec un fichier .env.example à la racine, le statut doit être PASS.",
        )
    success("Votre vérification s'ajoute à l'audit et distingue les deux projets.")
