"""Chapter 06: the CI/CD pipeline of the course, and the model gate it enforces.

- the chapter's thresholds (:data:`ACCURACY_MINIMALE`, :data:`F1_MINIMAL`) and
  :func:`gate`, which says whether metrics pass them and why not;
- :func:`regressed_model`: a deliberately bad model (one stump) the gate must block;
- :func:`run_model_tests`: ``pytest tests/test_model.py`` in a subprocess, against the
  model files of a folder of your choice, so a notebook can show the gate pass or fail;
- :func:`validate_workflow` (GitHub's schema, offline) and :func:`review_workflow`, which
  flags what a reviewer would: secrets, write permissions, unpinned actions, a pipeline
  that skips part of ``make check``.
"""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from mlops_course.config import project_root

#: The chapter's thresholds (§6.3): below either one, the pipeline blocks the deployment.
ACCURACY_MINIMALE = 0.90
F1_MINIMAL = 0.88
#: The same thresholds, keyed by the metric names of ``training.evaluate``.
THRESHOLDS: dict[str, float] = {"accuracy": ACCURACY_MINIMALE, "f1_weighted": F1_MINIMAL}
#: The oldest Python the course supports (``requires-python`` of pyproject.toml).
MINIMUM_PYTHON = "3.11"
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
#: The chapter's model tests.
MODEL_TESTS = Path("tests") / "test_model.py"


# --------------------------------------------------------------------------------------
# The model gate


@dataclass(frozen=True)
class GateResult:
    """The gate's verdict on a set of metrics."""

    metrics: dict[str, float]
    thresholds: dict[str, float]
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when every metric reaches its threshold."""
        return not self.failures

    def summary(self) -> str:
        """Return one line per metric, then the verdict."""
        lines = [
            f"{name:<12} {self.metrics[name]:.4f}  (seuil {threshold:.2f})"
            f"  {'ok' if self.metrics[name] >= threshold else 'SOUS LE SEUIL'}"
            for name, threshold in self.thresholds.items()
        ]
        verdict = "porte franchie : déploiement autorisé" if self.passed else "déploiement BLOQUÉ"
        return "\n".join([*lines, verdict])


def gate(metrics: Mapping[str, float], thresholds: Mapping[str, float] | None = None) -> GateResult:
    """Compare ``metrics`` with ``thresholds`` (the chapter's by default).

    A metric passes when it is greater than or equal to its threshold. A threshold whose
    metric is missing is an error, not a pass.
    """
    thresholds = dict(THRESHOLDS if thresholds is None else thresholds)
    missing = sorted(set(thresholds) - set(metrics))
    if missing:
        raise KeyError(f"metrics {missing} are missing; got {sorted(metrics)}")
    for name, value in thresholds.items():
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"threshold {name!r} must be in [0, 1], got {value!r}")
    values = {name: float(metrics[name]) for name in thresholds}
    failures = [
        f"{name} {values[name]:.4f} < seuil {threshold}"
        for name, threshold in thresholds.items()
        if values[name] < threshold
    ]
    return GateResult(values, thresholds, failures)


def evaluate_gate(
    model: Any, split: Any = None, thresholds: Mapping[str, float] | None = None
) -> GateResult:
    """Evaluate ``model`` on the chapter's test split (or ``split``) and apply :func:`gate`."""
    from mlops_course import data, training

    split = split or data.split()
    return gate(training.evaluate(model, split.X_test, split.y_test), thresholds)


def regressed_model() -> Any:
    """Return a deliberately bad model: one tree of depth 1 (it cannot tell 3 classes apart)."""
    from mlops_course import training

    return training.train({"n_estimators": 1, "max_depth": 1, "min_samples_split": 2})


# --------------------------------------------------------------------------------------
# The chapter's model tests, run like CI runs them


@dataclass(frozen=True)
class TestRun:
    """The outcome of one ``pytest`` run in a subprocess."""

    returncode: int
    output: str
    command: list[str]

    __test__ = False  # not a pytest test class

    @property
    def passed(self) -> bool:
        """True when pytest exited with 0 (every test passed)."""
        return self.returncode == 0

    def counts(self) -> dict[str, int]:
        """Return pytest's final counts (``{"passed": 8, "failed": 2}``)."""
        last = next((line for line in reversed(self.output.splitlines()) if " in " in line), "")
        return {
            word: int(n) for n, word in re.findall(r"(\d+) (passed|failed|error|skipped)", last)
        }

    def failed_tests(self) -> list[str]:
        """Return the names of the tests that failed."""
        return sorted(set(re.findall(r"^FAILED \S+::(\S+)", self.output, flags=re.MULTILINE)))


def run_model_tests(
    folder: str | Path | None = None,
    *,
    tests: str | Path | None = None,
    args: Sequence[str] = (),
    timeout: float = 300.0,
) -> TestRun:
    """Run the chapter's model tests (``pytest tests/test_model.py``) in a subprocess.

    That is the CI's gate step. The tests build their own model files in pytest's
    temporary folder; it and pytest's cache go to ``folder`` (pass one under
    ``MLOPS_COURSE_HOME``; default: a new temporary folder). Nothing is written in the
    repository: no cache, no bytecode.
    """
    import tempfile

    root = project_root()
    target = Path(tests) if tests is not None else root / MODEL_TESTS
    if not target.is_file():
        raise FileNotFoundError(f"model tests not found: {target}")
    folder = Path(folder) if folder is not None else Path(tempfile.mkdtemp(prefix="model-tests-"))
    folder.mkdir(parents=True, exist_ok=True)
    # The model tests use no pytest plugin: not auto-loading the installed ones (nbval,
    # schemathesis, hypothesis, xdist...) halves pytest's start-up.
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    command = [
        sys.executable, "-m", "pytest", str(target), "-q", "--no-header", "-rf",
        f"--basetemp={folder.resolve() / 'tmp'}", "-o", f"cache_dir={folder.resolve() / 'cache'}",
        *args,
    ]  # fmt: skip
    done = subprocess.run(
        command, cwd=root, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    return TestRun(done.returncode, done.stdout + done.stderr, command)


@dataclass(frozen=True)
class TestOutcome:
    """One of the chapter's model tests applied to a given model."""

    name: str
    failure: str | None = None

    __test__ = False  # not a pytest test class

    @property
    def passed(self) -> bool:
        """True when the test's assertions held."""
        return self.failure is None


def load_model_tests(path: str | Path | None = None) -> ModuleType:
    """Import ``tests/test_model.py`` as a module (its thresholds, its test classes)."""
    import importlib.util

    path = Path(path) if path is not None else project_root() / MODEL_TESTS
    spec = importlib.util.spec_from_file_location("chapter_model_tests", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import the model tests at {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def judge_with_model_tests(model: Any, *, module: ModuleType | None = None) -> list[TestOutcome]:
    """Apply the chapter's model tests to ``model``, as pytest would with that fixture.

    Every ``Test*`` class method whose arguments are ``model`` and/or ``test_data`` (the
    chapter's test split) runs once; the others need files on disk and are left to pytest.
    """
    import inspect

    from mlops_course import data

    module = module or load_model_tests()
    split = data.split()
    fixtures = {"model": model, "test_data": (split.X_test, split.y_test)}
    outcomes = []
    for class_name, cls in vars(module).items():
        if not (class_name.startswith("Test") and isinstance(cls, type)):
            continue
        for name, function in vars(cls).items():
            if not name.startswith("test_") or not callable(function):
                continue
            wanted = [p for p in inspect.signature(function).parameters if p != "self"]
            if not set(wanted) <= set(fixtures):
                continue
            try:
                function(cls(), **{p: fixtures[p] for p in wanted})
            except AssertionError as error:
                first = (str(error).splitlines() or ["assertion failed"])[0]
                outcomes.append(TestOutcome(f"{class_name}::{name}", first))
            else:
                outcomes.append(TestOutcome(f"{class_name}::{name}"))
    return outcomes


# --------------------------------------------------------------------------------------
# Workflows


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


def review_workflow(text: str, *, makefile_text: str | None = None) -> list[str]:
    """Return the problems a reviewer would raise on workflow ``text`` (empty: none).

    Checked: least-privilege ``permissions`` at the top, no secret, no
    ``pull_request_target``, every action pinned to a version (not a branch), every job
    with a timeout and a supported Python (≥ 3.11); with ``makefile_text``, every ``make``
    target the workflow calls exists, and a workflow run on pull requests runs the whole of
    ``make check`` (``mlops-course check`` counts as ``make check``).
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
    for job_id, step in steps(workflow):
        if "setup-python" in str(step.get("uses", "")):
            version = str((step.get("with") or {}).get("python-version", ""))
            unsupported = [v for v in _python_versions(version, jobs.get(job_id) or {})
                           if not _supported_python(v)]  # fmt: skip
            if not version or unsupported:
                problems.append(
                    f"setup-python installe {', '.join(unsupported) or '(version par défaut)'} : "
                    f"le cours demande Python ≥ {MINIMUM_PYTHON}"
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


def _review_make_calls(workflow: Mapping[str, Any], makefile_text: str) -> list[str]:
    problems = []
    defined = makefile_targets(makefile_text)
    called = make_calls(workflow)
    for target in dict.fromkeys(called):
        if target not in defined:
            problems.append(f"la CI appelle `make {target}`, que le Makefile ne définit pas")
    parts = check_parts(makefile_text)
    # A workflow that gates pull requests must run all of `make check`; one that only
    # publishes (the site, on main) need not.
    gates = "pull_request" in triggers(workflow)
    if gates and "check" not in called and parts and not set(parts) <= set(called):
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
