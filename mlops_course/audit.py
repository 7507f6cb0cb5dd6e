"""Chapter 08: audit a project directory against the production checklist (§8.3, §8.4).

Each check reads the project (and, when it is a git checkout, the list of tracked files)
and returns a :class:`Finding`: ``pass``, ``fail`` or ``cannot tell``, with the reason
and the fix. Required checks that fail make :attr:`AuditReport.passed` false and the
``mlops-course audit`` command exit with status 1. Paths matching ``exclude`` patterns
(``[tool.mlops-course.audit] exclude`` in the audited project's ``pyproject.toml``)
are skipped, e.g. deliberately broken samples kept for tests.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import re
import subprocess
import sys
import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path


class Status(StrEnum):
    """The outcome of one check."""

    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "cannot tell"


@dataclass(frozen=True)
class Finding:
    """The result of one check, tied to a line of the chapter's checklist."""

    check: str
    area: str
    status: Status
    reason: str
    fix: str = ""
    required: bool = True


@dataclass(frozen=True)
class Verdict:
    """Builds the findings of one check, so each check names its id and area once."""

    check: str
    area: str

    def passed(self, reason: str, *, required: bool = True) -> Finding:
        return Finding(self.check, self.area, Status.PASS, reason, required=required)

    def failed(self, reason: str, fix: str, *, required: bool = True) -> Finding:
        return Finding(self.check, self.area, Status.FAIL, reason, fix, required=required)

    def unknown(self, reason: str, *, required: bool = True) -> Finding:
        return Finding(self.check, self.area, Status.UNKNOWN, reason, required=required)


@dataclass
class AuditReport:
    """All findings for one project; data first, text on top."""

    path: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def failures(self) -> list[Finding]:
        """Required checks that failed."""
        return [f for f in self.findings if f.status is Status.FAIL and f.required]

    @property
    def passed(self) -> bool:
        """True when no required check failed."""
        return not self.failures

    def status_of(self, check: str) -> Status:
        """Return the status of one check by its id."""
        for finding in self.findings:
            if finding.check == check:
                return finding.status
        raise KeyError(f"no check named {check!r}; checks: {[f.check for f in self.findings]}")

    def to_dict(self) -> dict:
        """Return the report as JSON-ready data."""
        return {
            "path": self.path,
            "passed": self.passed,
            "findings": [{**asdict(f), "status": str(f.status)} for f in self.findings],
        }

    def to_text(self) -> str:
        """Return the report as aligned lines, one per check, with the fixes."""
        marks = {Status.PASS: "✅", Status.FAIL: "❌", Status.UNKNOWN: "❔"}
        lines = [f"Audit MLOps de {self.path}"]
        for f in self.findings:
            optional = "" if f.required else " (conseillé)"
            lines.append(f"{marks[f.status]} {f.area:<14} {f.check:<22} {f.reason}{optional}")
            if f.status is not Status.PASS and f.fix:
                lines.append(f"   → {f.fix}")
        verdict = "OK" if self.passed else f"{len(self.failures)} point(s) bloquant(s)"
        lines.append(f"Résultat : {verdict}")
        return "\n".join(lines)


@dataclass
class Project:
    """What the checks read: the files of a project, tracked ones when it is a git checkout."""

    root: Path
    exclude: tuple[str, ...] = ()
    _files: list[Path] | None = None
    _tracked: list[str] | None = None
    _git_checked: bool = False

    @classmethod
    def at(cls, root: Path | str, exclude: Iterable[str] = ()) -> Project:
        """Open a project; exclusions come from ``exclude`` and its pyproject.toml."""
        root = Path(root).resolve()
        if not root.is_dir():
            raise NotADirectoryError(f"audit path must be a directory, got {str(root)!r}")
        return cls(root, tuple(exclude) + _configured_exclusions(root))

    def excluded(self, relative: str) -> bool:
        """True when ``relative`` (a POSIX path) matches an exclusion pattern."""
        return any(
            fnmatch.fnmatch(relative, pattern) or relative.startswith(pattern.rstrip("*/") + "/")
            for pattern in self.exclude
        )

    @property
    def tracked(self) -> list[str] | None:
        """Files tracked by git (relative POSIX paths), or None outside a git checkout."""
        if not self._git_checked:
            self._git_checked = True
            try:
                result = subprocess.run(
                    ["git", "-C", str(self.root), "ls-files", "-z"],
                    capture_output=True,
                    check=True,
                    timeout=30,
                )
            except (OSError, subprocess.SubprocessError):
                self._tracked = None
            else:
                if (self.root / ".git").exists():
                    names = result.stdout.decode("utf-8", "replace").split("\0")
                    self._tracked = [n for n in names if n and not self.excluded(n)]
        return self._tracked

    def files(self) -> list[Path]:
        """Project files worth reading: tracked files, or every file but the usual noise."""
        if self._files is None:
            if self.tracked is not None:
                self._files = [self.root / n for n in self.tracked if (self.root / n).is_file()]
            else:
                self._files = [p for p in _walk(self.root) if not self.excluded(self.rel(p))]
        return self._files

    def rel(self, path: Path) -> str:
        """Return ``path`` relative to the project root, POSIX style."""
        return path.relative_to(self.root).as_posix()

    def text_files(self, *suffixes: str) -> Iterator[tuple[Path, str]]:
        """Yield ``(path, text)`` for readable text files with one of ``suffixes`` (all if none)."""
        for path in self.files():
            if suffixes and path.suffix not in suffixes and path.name not in suffixes:
                continue
            try:
                if path.stat().st_size > 1_000_000:
                    continue
                yield path, path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue


_NOISE = {".git", ".venv", "venv", "node_modules", "__pycache__", "build", ".tools", "mlruns"}


def _walk(root: Path) -> Iterator[Path]:
    for path in sorted(root.iterdir()):
        if path.name in _NOISE or path.name.startswith(".ipynb_checkpoints"):
            continue
        if path.is_dir():
            yield from _walk(path)
        elif path.is_file():
            yield path


def _configured_exclusions(root: Path) -> tuple[str, ...]:
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        return ()
    try:
        config = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{pyproject}: cannot read [tool.mlops-course.audit]: {error}") from error
    patterns = config.get("tool", {}).get("mlops-course", {}).get("audit", {}).get("exclude", [])
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise ValueError(
            f"{pyproject}: [tool.mlops-course.audit] exclude must be a list of strings"
        )
    return tuple(patterns)


Check = Callable[[Project], Finding]
CHECKS: list[Check] = []


def check(function: Check) -> Check:
    """Register a check run by :func:`audit` (in definition order)."""
    CHECKS.append(function)
    return function


DATA_SUFFIXES = (".csv", ".parquet", ".h5", ".hdf5", ".feather", ".arrow", ".xlsx")
MODEL_SUFFIXES = (".joblib", ".pkl", ".pickle", ".onnx", ".pt", ".pth", ".h5", ".safetensors")


def _tracked_with(
    project: Project, suffixes: tuple[str, ...], folders: tuple[str, ...]
) -> list[str]:
    return [
        name
        for name in project.tracked or []
        if name.endswith(suffixes) or name.split("/", 1)[0] in folders
    ]


@check
def code_versioned(project: Project) -> Finding:
    verdict = Verdict("code_versionne", "Code")
    if project.tracked is None:
        return verdict.failed(
            "le dossier n'est pas un dépôt git",
            "git init, puis committez le code (pas les données ni les modèles)",
        )
    return verdict.passed(f"{len(project.tracked)} fichiers suivis par git")


@check
def data_not_in_git(project: Project) -> Finding:
    verdict = Verdict("donnees_hors_git", "Données")
    if project.tracked is None:
        return verdict.unknown("pas de dépôt git à inspecter")
    found = _tracked_with(project, DATA_SUFFIXES, ("data",))
    if found:
        return verdict.failed(
            f"données suivies par git : {', '.join(found[:5])}",
            "git rm --cached ces fichiers, ajoutez data/ et *.csv au .gitignore "
            "(DVC ou stockage objet)",
        )
    return verdict.passed("aucun fichier de données suivi par git")


@check
def models_not_in_git(project: Project) -> Finding:
    verdict = Verdict("modeles_hors_git", "Modèle")
    if project.tracked is None:
        return verdict.unknown("pas de dépôt git à inspecter")
    found = _tracked_with(project, MODEL_SUFFIXES, ("model", "models"))
    if found:
        return verdict.failed(
            f"modèles sérialisés suivis par git : {', '.join(found[:5])}",
            "versionnez les modèles dans MLflow (ou DVC) et ignorez model/ dans git",
        )
    return verdict.passed("aucun modèle sérialisé suivi par git")


def _code_mentions(
    project: Project, pattern: str, suffixes: tuple[str, ...] = (".py",)
) -> list[str]:
    regex = re.compile(pattern)
    return [project.rel(p) for p, text in project.text_files(*suffixes) if regex.search(text)]


@check
def model_registry(project: Project) -> Finding:
    verdict = Verdict("modele_versionne", "Modèle")
    uses = _code_mentions(project, r"(?m)^\s*(import|from)\s+(mlflow|dvc)\b") or [
        project.rel(p) for p in project.files() if p.name in {"dvc.yaml", "MLproject"}
    ]
    if uses:
        return verdict.passed(f"MLflow/DVC utilisé ({uses[0]})")
    return verdict.failed(
        "aucune trace de MLflow ni de DVC",
        "enregistrez chaque modèle dans le Model Registry de MLflow (notebook 02)",
    )


@check
def tests_present(project: Project) -> Finding:
    verdict = Verdict("tests", "Tests")
    tests = [p for p in project.files() if re.fullmatch(r"test_.*\.py|.*_test\.py", p.name)]
    if tests:
        return verdict.passed(f"{len(tests)} fichier(s) de tests")
    return verdict.failed("aucun fichier test_*.py", "ajoutez des tests pytest dans tests/")


_PERFORMANCE_TEST = re.compile(
    r"assert\s+\w*(accuracy|f1|auc|rmse|precision|recall)\w*\s*(>=|>|<=|<)|"
    r"(ACCURACY|F1)_MINIMA",
    re.IGNORECASE,
)


@check
def model_performance_test(project: Project) -> Finding:
    verdict = Verdict("test_performance", "Tests")
    found = [
        project.rel(p)
        for p, text in project.text_files(".py")
        if re.fullmatch(r"test_.*\.py|.*_test\.py", p.name) and _PERFORMANCE_TEST.search(text)
    ]
    if found:
        return verdict.passed(f"seuils de performance testés ({found[0]})")
    return verdict.failed(
        "aucun test n'impose de seuil de performance au modèle",
        "ajoutez un test du type `assert accuracy >= ACCURACY_MINIMALE` (notebook 06)",
    )


_ROUTE = r"@\w+\.(get|post|put|api_route|route)\(\s*['\"]{path}['\"]"


@check
def health_route(project: Project) -> Finding:
    verdict = Verdict("api_health", "API")
    apis = _code_mentions(project, r"\bFastAPI\(|\bFlask\(|\bAPIRouter\(")
    if not apis:
        return verdict.unknown("aucune API FastAPI/Flask trouvée", required=False)
    if _code_mentions(project, _ROUTE.format(path="/health")):
        return verdict.passed("route /health présente")
    return verdict.failed(
        f"l'API ({apis[0]}) n'a pas de route /health",
        "ajoutez GET /health (liveness) et GET /ready (modèle chargé) (notebook 04)",
    )


def _dockerfiles(project: Project) -> list[Path]:
    return [p for p in project.files() if p.name == "Dockerfile" or p.name.endswith(".Dockerfile")]


@check
def dockerignore(project: Project) -> Finding:
    verdict = Verdict("dockerignore", "Docker")
    dockerfiles = _dockerfiles(project)
    if not dockerfiles:
        return verdict.failed(
            "aucun Dockerfile",
            "ajoutez un Dockerfile multi-étapes et un .dockerignore (notebook 05)",
        )
    missing = [
        project.rel(d)
        for d in dockerfiles
        if not (project.root / ".dockerignore").is_file()
        and not d.with_name(d.name + ".dockerignore").is_file()
    ]
    if missing:
        return verdict.failed(
            f"pas de .dockerignore pour {', '.join(missing)}",
            "ajoutez un .dockerignore qui exclut .git, .venv, data/, notebooks/, mlruns/",
        )
    return verdict.passed(".dockerignore présent")


def _instructions(text: str) -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n", " ", text)
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            out.append((keyword.upper(), rest.strip()))
    return out


@check
def docker_healthcheck(project: Project) -> Finding:
    verdict = Verdict("docker_healthcheck", "Docker")
    dockerfiles = _dockerfiles(project)
    if not dockerfiles:
        return verdict.unknown("aucun Dockerfile", required=False)
    for path in dockerfiles:
        instructions = _instructions(path.read_text(encoding="utf-8"))
        checks = [rest for kw, rest in instructions if kw == "HEALTHCHECK"]
        if not checks:
            return verdict.failed(
                f"{project.rel(path)} sans HEALTHCHECK",
                "HEALTHCHECK CMD python -c \"import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')\"",
            )
        installs = " ".join(rest for kw, rest in instructions if kw == "RUN")
        for tool in ("curl", "wget"):
            if re.search(rf"\b{tool}\b", checks[-1]) and not re.search(
                rf"install[^&;]*\b{tool}\b", installs
            ):
                return verdict.failed(
                    f"{project.rel(path)} : le HEALTHCHECK appelle {tool}, absent des images slim",
                    "utilisez un healthcheck en Python (urllib.request)",
                )
    return verdict.passed("HEALTHCHECK présent et exécutable")


@check
def docker_non_root(project: Project) -> Finding:
    verdict = Verdict("docker_non_root", "Docker")
    dockerfiles = _dockerfiles(project)
    if not dockerfiles:
        return verdict.unknown("aucun Dockerfile", required=False)
    for path in dockerfiles:
        users = [
            rest.split(":")[0]
            for kw, rest in _instructions(path.read_text(encoding="utf-8"))
            if kw == "USER"
        ]
        if not users or users[-1] in {"root", "0"}:
            return verdict.failed(
                f"{project.rel(path)} s'exécute en root",
                "créez un utilisateur (useradd) et terminez par USER <cet utilisateur>",
            )
    return verdict.passed("le conteneur tourne sans root")


@check
def ci_workflow(project: Project) -> Finding:
    verdict = Verdict("ci_cd", "CI/CD")
    names = [project.rel(p) for p in project.files()]
    found = [
        n
        for n in names
        if re.fullmatch(
            r"\.github/workflows/[^/]+\.ya?ml|\.gitlab-ci\.yml|Jenkinsfile|\.circleci/config\.yml",
            n,
        )
    ]
    if found:
        return verdict.passed(f"pipeline CI : {found[0]}")
    return verdict.failed(
        "aucun pipeline CI (.github/workflows/*.yml, .gitlab-ci.yml…)",
        "ajoutez un workflow qui lance lint, tests et tests du modèle à chaque push (notebook 06)",
    )


@check
def monitoring(project: Project) -> Finding:
    verdict = Verdict("monitoring", "Monitoring")
    found = _code_mentions(
        project, r"ks_2samp|chi2_contingency|DriftDetector|evidently|wasserstein_distance"
    )
    if found:
        return verdict.passed(f"détection de drift ({found[0]})")
    return verdict.failed(
        "aucune détection de drift dans le code",
        "surveillez le drift des entrées et la confiance des prédictions (notebook 07)",
    )


@check
def prediction_logging(project: Project) -> Finding:
    verdict = Verdict("logging", "Logging")
    apis = _code_mentions(project, r"\bFastAPI\(|\bFlask\(")
    if not apis:
        return verdict.unknown("aucune API trouvée", required=False)
    if _code_mentions(project, r"getLogger\(|\blogging\.|\blogger\."):
        return verdict.passed("l'API journalise", required=False)
    return verdict.failed(
        "l'API ne journalise rien",
        "une ligne JSON par prédiction (id, version du modèle, entrées, sortie, latence)",
        required=False,
    )


_SECRET_PATTERNS = (
    re.compile(r"AKIA[0-9A-Z]{16}"),
    re.compile(r"-----BEGIN (?:RSA |EC |OPENSSH |DSA )?PRIVATE KEY-----"),
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    re.compile(
        r"(?i)\b[\w-]*(password|passwd|secret|api[_-]?key|token)\b\s*[:=]\s*['\"][^'\"\s]{8,}['\"]"
    ),
)
_CODE_SUFFIXES = (".py", ".yml", ".yaml", ".toml", ".json", ".cfg", ".ini", ".sh", ".env", ".ipynb")


@check
def no_secrets(project: Project) -> Finding:
    verdict = Verdict("secrets", "Sécurité")
    hits = []
    tracked_env = [n for n in project.tracked or [] if n == ".env" or n.endswith("/.env")]
    hits += [f"{n} (fichier .env suivi par git)" for n in tracked_env]
    for path, text in project.text_files(*_CODE_SUFFIXES, "Dockerfile"):
        for number, line in enumerate(text.splitlines(), start=1):
            if "os.environ" in line or "getenv" in line or "${{" in line:
                continue
            if any(p.search(line) for p in _SECRET_PATTERNS):
                hits.append(f"{project.rel(path)}:{number}")
    if hits:
        return verdict.failed(
            f"secret probable : {', '.join(hits[:5])}",
            "retirez-le du code (et de l'historique git), révoquez-le, "
            "lisez-le depuis une variable d'environnement",
        )
    return verdict.passed("aucune chaîne ressemblant à un secret")


@check
def lockfile(project: Project) -> Finding:
    verdict = Verdict("lockfile", "Code")
    locks = (
        "uv.lock",
        "poetry.lock",
        "Pipfile.lock",
        "pdm.lock",
        "requirements.lock",
        "conda-lock.yml",
    )
    found = [n for n in locks if (project.root / n).is_file()]
    if not found and (project.root / "requirements.txt").is_file():
        text = (project.root / "requirements.txt").read_text(encoding="utf-8")
        lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
        if lines and all("==" in ln for ln in lines):
            found = ["requirements.txt (versions figées)"]
    if found:
        return verdict.passed(f"dépendances verrouillées ({found[0]})")
    return verdict.failed(
        "aucun fichier de verrouillage des dépendances",
        "uv lock (et committez uv.lock) pour un environnement reproductible",
    )


@check
def gitignore(project: Project) -> Finding:
    verdict = Verdict("gitignore", "Code")
    path = project.root / ".gitignore"
    if not path.is_file():
        return verdict.failed(
            "pas de .gitignore",
            "ajoutez le .gitignore du §8.2 (data/, model/, mlruns/, .env, .venv/)",
        )
    text = path.read_text(encoding="utf-8")
    entries = {line.strip().rstrip("/").lstrip("/") for line in text.splitlines()}
    wanted = {
        "data": {"data", "*.csv"},
        "mlruns": {"mlruns"},
        ".env": {".env"},
        ".venv": {".venv", "venv"},
    }
    missing = [name for name, spellings in wanted.items() if not entries & spellings]
    if missing:
        return verdict.failed(
            f".gitignore n'ignore pas : {', '.join(missing)}", "complétez-le avec le modèle du §8.2"
        )
    return verdict.passed(".gitignore couvre données, MLflow, .env, .venv")


def _docs(project: Project) -> list[tuple[Path, str]]:
    return [
        (p, text)
        for p, text in project.text_files(".md", ".rst", ".txt")
        if p.name.lower().startswith("readme")
        or "docs" in p.parts
        or p.stem.upper() in {"RUNBOOK", "ROLLBACK"}
    ]


@check
def documentation(project: Project) -> Finding:
    verdict = Verdict("documentation", "Documentation")
    readmes = [
        p
        for p in project.files()
        if p.name.lower().startswith("readme") and p.parent == project.root
    ]
    if readmes:
        return verdict.passed(f"{readmes[0].name} présent")
    return verdict.failed(
        "pas de README à la racine",
        "un README : installer, lancer, tester, déployer, revenir en arrière",
    )


@check
def rollback_documented(project: Project) -> Finding:
    verdict = Verdict("rollback", "Rollback")
    pattern = re.compile(
        r"rollback|revenir en arri[eè]re|retour arri[eè]re|roll back", re.IGNORECASE
    )
    found = [project.rel(p) for p, text in _docs(project) if pattern.search(text)]
    if found:
        return verdict.passed(f"procédure de rollback documentée ({found[0]})")
    return verdict.failed(
        "aucune procédure de rollback dans la documentation",
        "documentez comment revenir au modèle précédent "
        "(ex. déplacer l'alias champion) et testez-le",
    )


#: §8.4 "les erreurs classiques": mistake -> (consequence, remedy, audit check that catches it).
CLASSIC_MISTAKES: dict[str, tuple[str, str, str]] = {
    "Pas de versioning du modèle": (
        "Impossible de reproduire ou rollback",
        "MLflow Model Registry",
        "modele_versionne",
    ),
    "Preprocessing séparé du modèle": (
        "Bugs subtils en production",
        "Pipeline sklearn complet",
        "",
    ),
    "Pas de monitoring": (
        "Le modèle se dégrade en silence",
        "Data drift + métriques",
        "monitoring",
    ),
    "Tests manuels seulement": ("Régressions non détectées", "CI/CD avec tests auto", "ci_cd"),
    "Secrets dans le code": ("Fuite de données", "Variables d'env + .env", "secrets"),
    "Docker image trop grosse": ("Déploiement lent", "Image slim + .dockerignore", "dockerignore"),
    "Pas de health check": ("Impossible de détecter les pannes", "Endpoint /health", "api_health"),
    "Données d'entraînement dans Docker": ("Image de 10 Go", "Données dans S3/GCS", "dockerignore"),
}

#: The deliberately broken sample project (kept with the tests, excluded from this repo's audit).
SAMPLE_PROJECT = "tests/fixtures/broken_project"
_GIT_IDENTITY = ("-c", "user.name=mlops-course", "-c", "user.email=audit@example.invalid")


def init_sample(destination: Path | str, source: Path | str | None = None) -> Path:
    """Copy a sample project to ``destination`` and commit it in a fresh git repository.

    ``source`` defaults to the broken sample of this repository. Returns the new project path.
    """
    import shutil

    from mlops_course.config import project_root

    source = Path(source) if source is not None else project_root() / SAMPLE_PROJECT
    destination = Path(destination)
    if destination.exists():
        raise FileExistsError(f"destination must not exist yet, got {str(destination)!r}")
    shutil.copytree(source, destination)
    subprocess.run(["git", "init", "-q"], cwd=destination, check=True, capture_output=True)
    commit_all(destination, "sample")
    return destination


def commit_all(project: Path | str, message: str = "update") -> None:
    """Stage and commit every change of a sample project (after fixing its files)."""
    for args in (["add", "-A", "-f"], ["commit", "-q", "--allow-empty", "-m", message]):
        subprocess.run(["git", *_GIT_IDENTITY, *args], cwd=project, check=True, capture_output=True)


def audit(
    path: Path | str, *, extra_checks: Iterable[Check] = (), exclude: Iterable[str] = ()
) -> AuditReport:
    """Run every registered check (and ``extra_checks``) on the project at ``path``.

    A check that crashes is reported as ``cannot tell`` with the error, never aborts the audit.
    """
    project = Project.at(path, exclude)
    report = AuditReport(str(path))
    for run in [*CHECKS, *extra_checks]:
        try:
            finding = run(project)
        except Exception as error:  # one broken check must not hide the others
            finding = Finding(
                getattr(run, "__name__", "check"),
                "?",
                Status.UNKNOWN,
                f"la vérification a échoué : {type(error).__name__}: {error}",
                required=False,
            )
        if not isinstance(finding, Finding):
            raise TypeError(f"check {run!r} must return a Finding, got {type(finding).__name__}")
        report.findings.append(finding)
    return report


def cli(argv: list[str]) -> int:
    """``mlops-course audit PATH [--json]``: exit 1 when a required item fails."""
    parser = argparse.ArgumentParser(
        prog="mlops-course audit", description="Audit a project against the chapter's checklist."
    )
    parser.add_argument("path", nargs="?", default=".", help="project directory (default: .)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON (for CI)")
    parser.add_argument("--exclude", action="append", default=[], help="glob of paths to skip")
    args = parser.parse_args(argv)
    try:
        report = audit(args.path, exclude=args.exclude)
    except (NotADirectoryError, ValueError) as error:
        print(f"mlops-course audit: {error}", file=sys.stderr)
        return 2
    print(
        json.dumps(report.to_dict(), ensure_ascii=False, indent=2)
        if args.json
        else report.to_text()
    )
    return 0 if report.passed else 1
