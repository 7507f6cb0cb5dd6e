"""Chapter 06 (notebook ``06_ci_cd``, §6.2): the GitHub Actions workflows, read and reviewed.

- :func:`load_workflow`, :func:`triggers`, :func:`steps`, :func:`make_calls`: a workflow as
  data (YAML 1.1 reads the ``on:`` key as True: it is restored);
- :func:`validate_workflow`: GitHub's workflow schema, offline (check-jsonschema);
- :func:`review_workflow`: what a reviewer flags on the everyday CI (secrets, write
  permissions, unpinned actions, no checkout or no Python before the project's commands, a
  pipeline that skips part of ``make check``); :func:`hygiene` is the part every workflow
  of the course shares with the release workflow (``mlops_course.release``).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mlops_course.config import project_root

#: The oldest Python the course supports (``requires-python`` of pyproject.toml).
MINIMUM_PYTHON = "3.11"
#: The course's workflows, relative to the repository root.
WORKFLOWS = Path(".github") / "workflows"
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
    """Return the Makefile targets the workflow's ``run:`` steps call (``make check`` → check).

    ``mlops-course check`` is what ``make check`` runs (Linux, macOS, Windows): it counts as
    ``check``, and ``mlops-course check test notebooks`` as those steps.
    """
    targets: list[str] = []
    for _, step in steps(workflow):
        run = step.get("run", "")
        for match in re.finditer(r"(?:^|[;&|(\s])make((?:\s+[\w.-]+(?:=\S+)?)+)", run):
            targets += [w for w in match.group(1).split() if "=" not in w]
        for match in re.finditer(r"\bmlops-course check\b([^\n;&|]*)", run):
            named = list(itertools.takewhile(lambda w: not w.startswith("-"), match[1].split()))
            targets += named or ["check"]
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


def step_action(step: Mapping[str, Any]) -> str:
    """The action a step uses, without its version (``actions/checkout``), or ""."""
    return str(step.get("uses", "")).partition("@")[0].lower()


def job_steps(job: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    return [step for step in (job or {}).get("steps") or [] if isinstance(step, dict)]


def step_inputs(step: Mapping[str, Any], env: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A step's ``with:`` inputs; with ``env``, ``${{ env.NAME }}`` replaced by its value."""
    inputs = step.get("with")
    if not isinstance(inputs, dict):
        return {}
    if env is None:
        return dict(inputs)

    def expand(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        return re.sub(
            r"\$\{\{\s*env\.(\w+)\s*\}\}",
            lambda m: str(env.get(m[1], m[0])),
            value,
        )

    return {key: expand(value) for key, value in inputs.items()}


def grants_write(permissions: Any) -> bool:
    if permissions == "write-all":
        return True
    return isinstance(permissions, Mapping) and "write" in {str(v) for v in permissions.values()}


def review_workflow(text: str, *, makefile_text: str | None = None) -> list[str]:
    """Return the problems a reviewer would raise on the CI workflow ``text`` (empty: none).

    Checked: least-privilege ``permissions`` at the top, no secret, no
    ``pull_request_target``, every action pinned to a version (not a branch), every job
    with a timeout, a checkout and a supported Python (≥ 3.11) before it runs the project's
    commands;
    with ``makefile_text``, every ``make`` target the workflow calls exists, and the
    workflow runs the whole of ``make check``.
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
    elif grants_write(permissions):
        problems.append("permissions en écriture : une CI qui teste n'a besoin que de lire")
    if "secrets." in text:
        problems.append(
            "le workflow lit des secrets : il échouerait sur un fork ou une pull request ; "
            "la CI du cours doit tourner sans secret"
        )
    problems += hygiene(workflow)
    if makefile_text is not None:
        problems += review_make_calls(workflow, makefile_text)
    return problems


def hygiene(workflow: Mapping[str, Any]) -> list[str]:
    """What any workflow of this course must get right (CI, upgrade or release)."""
    problems: list[str] = []
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
                f"job {job_id} : pas de timeout-minutes (un job bloqué tournerait 6 h, "
                "la limite de GitHub)"
            )
    for job_id, step in steps(workflow):
        if step_action(step) == "actions/setup-python":
            version = str(step_inputs(step).get("python-version", ""))
            unsupported = [v for v in _python_versions(version, jobs.get(job_id) or {})
                           if not _supported_python(v)]  # fmt: skip
            if not version or unsupported:
                problems.append(
                    f"setup-python installe {', '.join(unsupported) or '(version par défaut)'} : "
                    f"le cours demande Python ≥ {MINIMUM_PYTHON}"
                )
    for job_id, job in jobs.items():
        problems += _review_setup(job_id, job_steps(job))
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
    return problems


def _python_versions(version: str, job: Mapping[str, Any]) -> list[str]:
    """Return the versions a ``python-version:`` asks for (``${{ matrix.x }}`` expanded)."""
    expression = re.fullmatch(r"\$\{\{\s*matrix\.([\w-]+)\s*\}\}", version.strip())
    if not expression:
        return [version] if version else []
    matrix = (job.get("strategy") or {}).get("matrix") or {}
    values = matrix.get(expression[1]) or []
    values = list(values) if isinstance(values, list) else [values]
    values += [entry[expression[1]] for entry in matrix.get("include") or []
               if isinstance(entry, Mapping) and expression[1] in entry]  # fmt: skip
    return [str(value) for value in values] or [version]


def _supported_python(version: str) -> bool:
    match = re.fullmatch(r"(\d+)\.(\d+)(?:\.\d+)?", version.strip())
    minimum = tuple(int(part) for part in MINIMUM_PYTHON.split("."))
    return bool(match) and (int(match[1]), int(match[2])) >= minimum


_PROJECT_COMMAND = re.compile(r"(?:^|[;&|(\s])(?:make|uv|pytest|python)\b")


def _review_setup(job_id: str, in_order: Sequence[Mapping[str, Any]]) -> list[str]:
    """A job that runs the project's commands must first check it out and install Python."""
    first = next(
        (i for i, s in enumerate(in_order) if _PROJECT_COMMAND.search(str(s.get("run", "")))),
        None,
    )
    if first is None:
        return []
    before = {step_action(step) for step in in_order[:first]}
    problems = []
    if "actions/checkout" not in before:
        problems.append(
            f"job {job_id} : il lance les commandes du projet sans avoir récupéré le dépôt "
            "(actions/checkout) : le runner démarre sur un dossier vide"
        )
    if "actions/setup-python" not in before:
        problems.append(
            f"job {job_id} : Python n'est pas installé avant les commandes du projet "
            f"(actions/setup-python) : le runner n'a pas de Python ≥ {MINIMUM_PYTHON}"
        )
    return problems


def review_make_calls(
    workflow: Mapping[str, Any], makefile_text: str, *, whole_check: bool = True
) -> list[str]:
    problems = []
    defined = makefile_targets(makefile_text)
    called = make_calls(workflow)
    for target in dict.fromkeys(called):
        if target not in defined:
            problems.append(f"la CI appelle `make {target}`, que le Makefile ne définit pas")
    parts = check_parts(makefile_text)
    # A workflow that gates pull requests must run all of `make check`; one that only
    # publishes (the site, on main) need not.
    whole_check = whole_check and "pull_request" in triggers(workflow)
    if whole_check and "check" not in called and parts and not set(parts) <= set(called):
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
