"""The audit's rules: one function per line of the chapter's production checklist.

Taught in notebook 08_bonnes_pratiques (§8.3, §8.4). Each rule reads a
:class:`~mlops_course.audit.project.Project` and returns a
:class:`~mlops_course.audit.findings.Finding` with the reason and the fix.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from mlops_course.audit.findings import Finding, Verdict
from mlops_course.audit.project import Project

#: A rule reads a project and returns its finding.
Rule = Callable[[Project], Finding]
#: Every rule :func:`~mlops_course.audit.audit` runs, in this order.
RULES: list[Rule] = []


def rule(function: Rule) -> Rule:
    """Register a rule run by :func:`~mlops_course.audit.audit` (in definition order)."""
    RULES.append(function)
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


@rule
def code_versioned(project: Project) -> Finding:
    verdict = Verdict("code_versionne", "Code")
    if project.tracked is None:
        return verdict.failed(
            "le dossier n'est pas un dépôt git",
            "git init, puis committez le code (pas les données ni les modèles)",
        )
    if not project.tracked:
        return verdict.failed(
            "dépôt git sans aucun fichier suivi",
            "git add -A, puis git commit (ni données ni modèles)",
        )
    return verdict.passed(f"{len(project.tracked)} fichiers suivis par git")


@rule
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


@rule
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


_TEST_FILE = re.compile(r"test_.*\.py|.*_test\.py|conftest\.py")


@rule
def model_registry(project: Project) -> Finding:
    verdict = Verdict("modele_versionne", "Modèle")
    code = _code_mentions(project, r"(?m)^\s*(import|from)\s+(mlflow|dvc)\b")
    uses = [name for name in code if not _TEST_FILE.fullmatch(name.rpartition("/")[2])] or [
        project.rel(p) for p in project.files() if p.name in {"dvc.yaml", "MLproject"}
    ]  # a test that reads MLflow does not version the project's models
    if uses:
        return verdict.passed(f"MLflow/DVC utilisé ({uses[0]})")
    return verdict.failed(
        "aucune trace de MLflow ni de DVC",
        "enregistrez chaque modèle dans le Model Registry de MLflow (notebook 02)",
    )


@rule
def tests_present(project: Project) -> Finding:
    verdict = Verdict("tests", "Tests")
    tests = [p for p in project.files() if re.fullmatch(r"test_.*\.py|.*_test\.py", p.name)]
    if tests:
        return verdict.passed(f"{len(tests)} fichier(s) de tests")
    return verdict.failed("aucun fichier test_*.py", "ajoutez des tests pytest dans tests/")


_PERFORMANCE_TEST = re.compile(
    r"assert\s+[\w.\[\]'\"]*?(accuracy|f1|auc|rmse|precision|recall)[\w.\[\]'\"]*\s*"
    r"(>=|>|<=|<)|(ACCURACY|F1)_MINIMA",
    re.IGNORECASE,
)


@rule
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


@rule
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


@rule
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


@rule
def docker_healthcheck(project: Project) -> Finding:
    verdict = Verdict("docker_healthcheck", "Docker")
    dockerfiles = _dockerfiles(project)
    if not dockerfiles:
        return verdict.unknown("aucun Dockerfile", required=False)
    for path in dockerfiles:
        instructions = _instructions(path.read_text(encoding="utf-8"))
        healthchecks = [rest for kw, rest in instructions if kw == "HEALTHCHECK"]
        if not healthchecks:
            return verdict.failed(
                f"{project.rel(path)} sans HEALTHCHECK",
                "HEALTHCHECK CMD python -c \"import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')\"",
            )
        installs = " ".join(rest for kw, rest in instructions if kw == "RUN")
        for tool in ("curl", "wget"):
            if re.search(rf"\b{tool}\b", healthchecks[-1]) and not re.search(
                rf"install[^&;]*\b{tool}\b", installs
            ):
                return verdict.failed(
                    f"{project.rel(path)} : le HEALTHCHECK appelle {tool}, absent des images slim",
                    "utilisez un healthcheck en Python (urllib.request)",
                )
    return verdict.passed("HEALTHCHECK présent et exécutable")


@rule
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


@rule
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


@rule
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


@rule
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


@rule
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


@rule
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


@rule
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


@rule
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


@rule
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


#: §8.4 "les erreurs classiques": mistake -> (consequence, remedy, audit rule that catches it).
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
    "Pas de health check": ("Impossible de détecter les pannes", "Route /health", "api_health"),
    "Données d'entraînement dans Docker": ("Image de 10 Go", "Données dans S3/GCS", "dockerignore"),
}

#: The deliberately broken sample project (kept with the tests, excluded from this repo's audit).
