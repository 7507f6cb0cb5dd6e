"""The course's GitHub Actions workflows (§6.2): validate them offline, review them.

Taught in notebook 06_ci_cd: :func:`validate_workflow` checks GitHub's schema (offline),
:func:`review_workflow` flags what a reviewer would: secrets, write permissions, unpinned
actions, a pipeline that skips part of ``make check``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mlops_course.config import project_root

#: The chapter's workflow (§6.2), as printed: the notebook validates and reviews it.
CHAPTER_WORKFLOW = """\
name: ML Pipeline CI/CD

on:
  push:
    branches: [main, develop]
  pull_request:
    branches: [main]

jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4

      - name: Installer Python
        uses: actions/setup-python@v5
        with:
          python-version: "3.11"

      - name: Installer uv
        run: pip install uv

      - name: Installer les dépendances
        run: uv sync

      - name: Linting avec ruff
        run: uv run ruff check .

      - name: Tests unitaires
        run: uv run pytest tests/ -v --tb=short

      - name: Tests du modèle (performance minimale)
        run: uv run pytest tests/test_model.py -v

  build:
    needs: test
    runs-on: ubuntu-latest
    if: github.ref == 'refs/heads/main'
    steps:
      - uses: actions/checkout@v4

      - name: Connexion au registre Docker
        uses: docker/login-action@v3
        with:
          registry: ghcr.io
          username: ${{ github.actor }}
          password: ${{ secrets.GITHUB_TOKEN }}

      - name: Build et push de l'image
        uses: docker/build-push-action@v5
        with:
          push: true
          tags: |
            ghcr.io/${{ github.repository }}/ml-api:latest
            ghcr.io/${{ github.repository }}/ml-api:${{ github.sha }}

  deploy:
    needs: build
    runs-on: ubuntu-latest
    if: github.ref == 'refs/heads/main'
    environment: production
    steps:
      - name: Déployer sur le serveur
        run: |
          echo "Déploiement de l'image ghcr.io/${{ github.repository }}/ml-api:${{ github.sha }}"
"""
#: The course's workflows, relative to the repository root.
WORKFLOWS = Path(".github") / "workflows"


def workflow_paths(root: Path | None = None) -> list[Path]:
    """Return the repository's workflow files (``.github/workflows/*.yml``), sorted."""
    folder = (root or project_root()) / WORKFLOWS
    return sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")])


def validate_workflow(*paths: str | Path) -> list[str]:
    """Validate workflow files against GitHub's workflow schema (offline); return the errors."""
    from mlops_course.containers import schema_errors

    return schema_errors("vendor.github-workflows", *paths)


def load_workflow(text: str) -> dict[str, Any]:
    """Parse workflow YAML; the ``on:`` key (YAML 1.1 reads it as True) is restored."""
    import yaml

    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError(f"a workflow must be a YAML mapping, got {type(data).__name__}")
    if True in data:
        data["on"] = data.pop(True)
    return data


def triggers(workflow: Mapping[str, Any]) -> set[str]:
    """Return the events that start a workflow (``push``, ``pull_request``, ``schedule``...)."""
    on = workflow.get("on")
    if isinstance(on, str):
        return {on}
    if isinstance(on, list):
        return {str(event) for event in on}
    return {str(event) for event in (on or {})}


def steps(workflow: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Return ``(job id, step)`` for every step of every job, in order."""
    return [
        (job_id, step)
        for job_id, job in (workflow.get("jobs") or {}).items()
        for step in (job or {}).get("steps") or []
    ]


def make_calls(workflow: Mapping[str, Any]) -> list[str]:
    """Return the Makefile targets the workflow's ``run:`` steps call (``make check`` → check)."""
    targets: list[str] = []
    for _, step in steps(workflow):
        for match in re.finditer(
            r"(?:^|[;&|(\s])make((?:\s+[\w.-]+(?:=\S+)?)+)", step.get("run", "")
        ):
            targets += [w for w in match.group(1).split() if "=" not in w]
    return targets


def makefile_targets(text: str) -> set[str]:
    """Return the targets a Makefile defines (rules, not variables)."""
    found = set()
    for line in text.splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-/ ]+):(?!=)", line)
        if match and not line.startswith("\t"):
            found.update(match.group(1).split())
    return found - {".PHONY"}


def check_parts(makefile_text: str) -> list[str]:
    """Return the targets ``make check`` runs: its ``CHECK_STEPS`` variable, if defined,
    else the ``$(MAKE) target`` lines of its recipe."""
    declared = re.search(r"(?m)^CHECK_STEPS\s*:?=\s*(.+)$", makefile_text)
    if declared:
        return declared[1].split()
    lines = makefile_text.splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.startswith("check:"))
    except StopIteration:
        return []
    parts: list[str] = []
    for line in lines[start + 1 :]:
        if line and not line.startswith("\t"):
            break
        parts += re.findall(r"\$\(MAKE\)\s+([\w-]+)", line)
    return parts


def _uses(workflow: Mapping[str, Any]) -> list[str]:
    found = [str(step["uses"]) for _, step in steps(workflow) if "uses" in step]
    found += [str(job["uses"]) for job in (workflow.get("jobs") or {}).values() if "uses" in job]
    return found


def review_workflow(text: str, *, makefile_text: str | None = None) -> list[str]:
    """Return the problems a reviewer would raise on workflow ``text`` (empty: none).

    Checked: least-privilege ``permissions`` at the top, no secret, no
    ``pull_request_target``, every action pinned to a version (not a branch), every job
    with a timeout and Python 3.11; with ``makefile_text``, every ``make`` target the
    workflow calls exists, and the workflow runs the whole of ``make check``.
    """
    try:
        workflow = load_workflow(text)
    except Exception as error:  # YAML errors: report them as a problem
        return [f"YAML illisible : {error}"]
    problems: list[str] = []
    permissions = workflow.get("permissions")
    if permissions is None:
        problems.append(
            "pas de `permissions:` en tête : le jeton aurait les droits par défaut du dépôt ; "
            "écrivez permissions: {contents: read}"
        )
    elif permissions == "write-all" or (
        isinstance(permissions, Mapping) and "write" in {str(v) for v in permissions.values()}
    ):
        problems.append("permissions en écriture : une CI qui teste n'a besoin que de lire")
    if "secrets." in text:
        problems.append(
            "le workflow lit des secrets : il échouerait sur un fork ou une pull request ; "
            "la CI du cours doit tourner sans secret"
        )
    if "pull_request_target" in triggers(workflow):
        problems.append(
            "pull_request_target exécute le code d'une PR avec les droits du dépôt : "
            "utilisez pull_request"
        )
    for uses in _uses(workflow):
        if uses.startswith(("./", "docker://")):
            continue
        ref = uses.partition("@")[2]
        if not ref or ref in {"main", "master", "latest", "HEAD"}:
            problems.append(f"action {uses} non épinglée : précisez une version (@v4) ou un SHA")
    jobs = workflow.get("jobs") or {}
    if not jobs:
        problems.append("aucun job (clé jobs:)")
    for job_id, job in jobs.items():
        if "timeout-minutes" not in (job or {}):
            problems.append(
                f"job {job_id} : pas de timeout-minutes (un notebook bloqué tournerait 6 h)"
            )
    for _, step in steps(workflow):
        if "setup-python" in str(step.get("uses", "")):
            version = str((step.get("with") or {}).get("python-version", ""))
            if version != "3.11":
                problems.append(
                    f"setup-python installe {version or '(version par défaut)'} : le cours "
                    "est verrouillé pour Python 3.11"
                )
    for _, step in steps(workflow):
        run = str(step.get("run", ""))
        if re.search(r"\bpip install\b[^\n;&|]*\buv\b", run):
            problems.append(
                "uv installé par pip, sans version ni cache : utilisez astral-sh/setup-uv "
                "(version épinglée, enable-cache)"
            )
        for command in re.findall(r"\buv (?:sync|run)\b[^\n;&|]*", run):
            if not re.search(r"--(locked|frozen|no-sync)\b", command):
                problems.append(
                    f"`{command.strip()}` sans --locked : la CI testerait un verrou recalculé, "
                    "pas le uv.lock du dépôt"
                )
    if makefile_text is not None:
        problems += _review_make_calls(workflow, makefile_text)
    return problems


def _review_make_calls(workflow: Mapping[str, Any], makefile_text: str) -> list[str]:
    problems = []
    defined = makefile_targets(makefile_text)
    called = make_calls(workflow)
    for target in dict.fromkeys(called):
        if target not in defined:
            problems.append(f"la CI appelle `make {target}`, que le Makefile ne définit pas")
    parts = check_parts(makefile_text)
    if "check" not in called and parts and not set(parts) <= set(called):
        missing = [p for p in parts if p not in called]
        problems.append(
            f"la CI ne lance pas tout `make check` : il manque {missing} "
            "(appelez make check, ou chacune de ses parties)"
        )
    return problems


def workflow_summary(text: str) -> list[str]:
    """Return one line per job: its name, what it needs, and its steps' names."""
    workflow = load_workflow(text)
    lines = []
    for job_id, job in (workflow.get("jobs") or {}).items():
        needs = job.get("needs")
        after = f" (après {needs})" if needs else ""
        lines.append(f"job {job_id}{after} : {job.get('name', '')}")
        for step in job.get("steps") or []:
            label = step.get("name") or step.get("uses") or step.get("run", "").splitlines()[0]
            lines.append(f"  - {label}")
    return lines
