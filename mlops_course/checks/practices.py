"""Checks for notebook 08 (best practices and the project audit).

Exercise 1 works out the image the learner's Dockerfile builds from the broken sample
(:func:`~mlops_course.containers.image.simulate_image`), runs its health check against a
stand-in API (:mod:`~mlops_course.checks.healthcheck`), then audits a copy of the sample
with it. Exercises 2 and 3 run the learner's functions on histories and sample projects
where the typical mistakes give a different answer.
"""

from __future__ import annotations

import posixpath
import re
import shlex
import sys
import tempfile
from collections.abc import Callable, Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

from mlops_course import audit, containers
from mlops_course.checks import call, expect, fail, healthcheck, require, success
from mlops_course.config import project_root
from mlops_course.containers.dockerfile import split_options
from mlops_course.containers.image import SYSTEM, ImageContents, simulate_image

# --------------------------------------------------------------------------------------
# Exercise 1: the broken sample's Dockerfile

#: What ``uvicorn src.app:app`` imports, and what ``src/app.py`` opens at import time
#: (both relative to the working directory).
APP_TARGET = "src.app:app"
APP_FILE = "src/app.py"
MODEL_FILE = "models/model.pkl"
#: uvicorn's defaults when ``--host`` / ``--port`` are not given.
UVICORN_HOST, UVICORN_PORT = "127.0.0.1", 8000
#: Import names of the sample's requirements.txt distributions.
_IMPORT_NAMES = {"scikit-learn": "sklearn"}
_URL = re.compile(r"https?://(\[[^\]]*\]|[^/:'\"\s)]+)(?::(\d+))?(/[^\s'\"),;]*)?")


def _context_files() -> list[str]:
    """The build context: the broken sample's files (it has no .dockerignore)."""
    root = project_root() / audit.SAMPLE_PROJECT
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _requirements() -> set[str]:
    text = (project_root() / audit.SAMPLE_PROJECT / "requirements.txt").read_text()
    names = [re.split(r"[<>=!~\[; ]", line.strip())[0] for line in text.splitlines()]
    return {name.lower() for name in names if name and not name.startswith("#")}


def _words(arguments: str, line: int) -> list[str]:
    """Argument list of an exec-form (JSON) or shell-form instruction."""
    try:
        return containers.exec_form(arguments) or shlex.split(arguments)
    except ValueError as error:
        raise fail(f"ligne {line} : guillemets mal fermés ({arguments[:60]}…).") from error


def _simulate(text: str) -> ImageContents:
    try:
        return simulate_image(text, _context_files())
    except (ValueError, IndexError, StopIteration) as error:
        raise fail(
            "le Dockerfile ne se lit pas jusqu'au bout : une instruction est incomplète (FROM "
            "sans image, COPY sans destination, guillemets non fermés…)."
        ) from error


def _check_installs(text: str, final: list[containers.Instruction]) -> None:
    """pip runs as root, on a requirements file already copied into the image."""
    user, lines = "root", text.splitlines()
    for ins in final:
        if ins.keyword == "USER":
            user = ins.arguments.split(":")[0].strip()
        if ins.keyword != "RUN":
            continue
        words = _words(split_options(ins.arguments)[1], ins.line)
        if not ({"pip", "pip3"} & {posixpath.basename(w) for w in words} and "install" in words):
            continue
        expect(
            user in {"root", "0"},
            f"ligne {ins.line} : pip install s'exécute après USER {user} ; cet utilisateur ne "
            "peut pas écrire dans l'environnement Python de l'image. Installez les dépendances "
            "(en root) avant de changer d'utilisateur.",
        )
        before = _simulate("\n".join(lines[: ins.line - 1]))
        for flag, path in pairwise(words):
            if flag in {"-r", "--requirement"}:
                expect(
                    before.has(posixpath.normpath(posixpath.join(before.workdir, path))),
                    f"ligne {ins.line} : pip install -r {path} — ce fichier n'est pas (encore) "
                    "dans l'image à cet endroit : copiez-le avant de l'installer.",
                )


def _build(text: str) -> tuple[ImageContents, list[containers.Instruction]]:
    """The image ``text`` builds from the sample; what would fail the build is a hint."""
    try:
        instructions = containers.parse_dockerfile(text)
    except ValueError as error:
        raise fail(
            "le Dockerfile se termine au milieu d'une instruction continuée par « \\ »."
        ) from error
    expect(
        bool(instructions) and instructions[0].keyword in {"FROM", "ARG"},
        "un Dockerfile commence par FROM (l'image de base).",
    )
    for ins in instructions:
        if ins.keyword in {"COPY", "ADD", "RUN", "ENV"}:
            _words(split_options(ins.arguments)[1], ins.line)
    image = _simulate(text)
    missing = [p for p in image.problems if p.startswith("COPY")]
    expect(
        not missing,
        f"le build échouerait : {missing[0] if missing else ''}. Les chemins de COPY partent "
        "de la racine du projet.",
    )
    final = [i for i in instructions if i.stage == max(j.stage for j in instructions)]
    _check_installs(text, final)
    return image, instructions


def _option(words: list[str], name: str, default: str) -> str:
    for index, word in enumerate(words):
        if word == name and index + 1 < len(words):
            return words[index + 1]
        if word.startswith(name + "="):
            return word.split("=", 1)[1]
    return default


def _served_port(instructions: list[containers.Instruction], image: ImageContents) -> int:
    """Check the image's CMD serves the sample's app on every interface; return its port."""
    try:
        command = containers.image_command(instructions)
    except ValueError as error:
        raise fail(
            "pas de CMD : l'image ne sait pas quoi lancer. Gardez une instruction CMD qui "
            "sert l'API avec uvicorn."
        ) from error
    words = command if command[:2] != ["/bin/sh", "-c"] else _words(command[2], 0)
    expect(
        any(posixpath.basename(w) == "uvicorn" for w in words),
        f"le CMD lance {words} : il doit servir l'API avec uvicorn.",
    )
    expect(
        APP_TARGET in words,
        "le CMD ne sert pas l'application du projet : elle est définie dans src/app.py "
        "(objet app), et uvicorn la désigne par module:objet, en notation pointée depuis le "
        "WORKDIR (comme dans le Dockerfile d'origine).",
    )
    host = _option(words, "--host", UVICORN_HOST)
    expect(
        host in {"0.0.0.0", "::"},
        f"uvicorn écoute sur {host} : dans un conteneur, cette adresse n'est joignable que "
        "depuis le conteneur lui-même (docker run -p ne l'atteint pas). Faites-le écouter "
        "sur toutes les interfaces (--host).",
    )
    port = _option(words, "--port", str(UVICORN_PORT))
    expect(port.isdigit(), f"--port {port} : on attend un numéro de port.")
    expect(
        "deps" in image.installs.get(SYSTEM, set()),
        "les dépendances ne sont pas installées dans l'image (uvicorn, FastAPI...) : "
        "installez requirements.txt avec pip.",
    )
    return int(port)


def _check_user(image: ImageContents) -> None:
    user = image.user or "root"
    expect(
        user not in {"root", "0"},
        "l'image tourne en root : créez un utilisateur (useradd dans un RUN) et passez-y "
        "avec USER avant le CMD.",
    )
    expect(
        user in image.users or user.isdigit(),
        f"USER {user} : cet utilisateur n'existe pas dans l'image (aucun RUN useradd/adduser "
        "ne le crée) : le conteneur ne démarrerait pas.",
    )


def _check_files(image: ImageContents) -> None:
    def present(relative: str) -> bool:
        return image.has(posixpath.join(image.workdir, relative))

    expect(
        present(APP_FILE),
        f"le CMD importe {APP_FILE} depuis le WORKDIR ({image.workdir}) : il n'y est pas. "
        "Copiez le dossier src/ du projet en gardant son nom (COPY src/ . en vide le "
        "contenu à la racine du WORKDIR).",
    )
    expect(
        present(MODEL_FILE),
        f"{APP_FILE} ouvre {MODEL_FILE} au démarrage (chemin relatif au WORKDIR) : le modèle "
        "n'est pas dans l'image, l'API planterait au lancement.",
    )
    leaked = sorted(f for f in image.files if "/data/" in f or f.endswith(".csv"))
    expect(
        not leaked,
        f"l'image embarque des données ({', '.join(leaked)}) : une image ne contient que ce "
        "que l'API exécute (§8.4). Copiez seulement les fichiers nécessaires, pas tout le projet.",
    )


def _check_healthcheck_text(argv: list[str] | None, port: int) -> list[str]:
    """Check what the health check says before running it; return its command."""
    if argv is None:
        raise fail(
            "pas de HEALTHCHECK (ou HEALTHCHECK NONE) : Docker ne saura pas dire si l'API répond."
        )
    text = " ".join(argv)
    expect(
        not re.search(r"\b(curl|wget)\b", text),
        "le HEALTHCHECK appelle curl/wget, absents de python:3.11-slim : écrivez-le en "
        "Python (python -c avec urllib.request).",
    )
    url = _URL.search(text)
    if url is None:
        raise fail(
            "le HEALTHCHECK n'interroge aucune URL : une commande comme `true` ou `exit 0` dit "
            "« healthy » même quand l'API est tombée. Interrogez sa route de santé en HTTP."
        )
    host, given_port, path = url.group(1), url.group(2), url.group(3) or "/"
    expect(
        host in healthcheck.LOCAL_HOSTS,
        f"le HEALTHCHECK vise l'hôte {host} : il s'exécute dans le conteneur, l'API y est "
        "en local (127.0.0.1 ou localhost).",
    )
    expect(
        given_port is not None,
        "l'URL du HEALTHCHECK n'a pas de port : sans port, HTTP vise le port 80, où rien "
        "n'écoute. Indiquez le port où uvicorn écoute (son option --port, ou son défaut).",
    )
    expect(
        int(given_port or 0) == port,
        f"le HEALTHCHECK vise le port {given_port}, mais le CMD fait écouter uvicorn sur un "
        "autre port : les deux doivent correspondre.",
    )
    expect(
        path.split("?")[0] in healthcheck.HEALTH_ROUTES,
        f"le HEALTHCHECK interroge {path} : ce n'est pas une route de santé. Interrogez /health "
        "(la route que l'audit demande d'ajouter à l'API).",
    )
    try:
        code = healthcheck.python_code(argv)
        imported = healthcheck.imported_modules(code) if code else set()
    except (ValueError, SyntaxError) as error:
        raise fail(
            "le HEALTHCHECK ne se lit pas : guillemets ou code Python incomplets."
        ) from error
    expect(bool(code), 'le HEALTHCHECK doit être une commande Python : python -c "...".')
    installed = {_IMPORT_NAMES.get(name, name).replace("-", "_") for name in _requirements()}
    foreign = sorted(imported - set(sys.stdlib_module_names) - installed)
    expect(
        not foreign,
        f"le HEALTHCHECK importe {', '.join(foreign)}, qui n'est pas installé dans l'image : "
        "utilisez la bibliothèque standard (urllib.request).",
    )
    return argv


def _check_healthcheck_runs(argv: list[str], served: int) -> None:
    codes = healthcheck.exit_codes(argv, served)
    up = codes["up"]
    expect(
        up == 0,
        "contre une API qui répond 200 sur sa route de santé, votre HEALTHCHECK "
        + (f"dépasse {healthcheck.TIMEOUT_S} s" if up is None else f"sort avec le code {up}")
        + " au lieu de réussir : le conteneur ne serait jamais « healthy ».",
    )
    expect(
        codes["down"] != 0,
        "quand rien n'écoute sur le port, votre HEALTHCHECK sort avec le code 0 : il doit "
        "échouer (ne rattrapez pas l'erreur : pas de `|| exit 0`, pas de try/except muet).",
    )
    expect(
        codes["error"] != 0,
        "quand l'API répond 503 (pas prête), votre HEALTHCHECK sort avec le code 0 : une "
        "réponse d'erreur doit le faire échouer.",
    )


def exercice_1(dockerfile_corrige: str) -> None:
    """The learner fixes the broken sample's Dockerfile: it builds, serves and is checked."""
    text = require(dockerfile_corrige, "Exercice 1")
    expect(isinstance(text, str), "on attend le texte du Dockerfile (une chaîne).")
    image, instructions = _build(text)
    port = _served_port(instructions, image)
    _check_user(image)
    _check_files(image)
    argv = _check_healthcheck_text(containers.healthcheck_command(instructions), port)
    _check_healthcheck_runs(argv, port)
    with tempfile.TemporaryDirectory() as tmp:
        project = audit.init_sample(Path(tmp) / "projet")
        (project / "Dockerfile").write_text(text, encoding="utf-8")
        audit.commit_all(project, "fix Dockerfile")
        report = audit.audit(project)
    for finding in report.findings:
        if finding.check in {"docker_healthcheck", "docker_non_root"}:
            expect(
                finding.status is audit.Status.PASS,
                f"l'audit refuse encore ce Dockerfile ({finding.check}) : {finding.reason}.",
            )
    success(
        "Le Dockerfile construit une image servable : dépendances, code et modèle sans les "
        "données, utilisateur non-root, healthcheck Python qui échoue quand l'API ne répond pas."
    )


# --------------------------------------------------------------------------------------
# Exercise 2: the version to roll back to


def _previous(history: Sequence[int]) -> int | None:
    current = history[-1]
    return next((v for v in reversed(history[:-1]) if v != current), None)


def _rollback_hint(history: list[int], got: Any) -> str:
    current, others = history[-1], [v for v in history[:-1] if v != history[-1]]
    shown = f"historique {history} : votre fonction renvoie {got!r}"
    if got == current:
        return f"{shown}, la version actuelle : revenir à la version en place ne corrige rien."
    if got not in history:
        return f"{shown}, une version qui n'a jamais été champion."
    if others and got == max(others):
        return (
            f"{shown}, la plus grande version : le numéro le plus haut n'est pas forcément le "
            "champion précédent. Parcourez l'historique depuis la fin."
        )
    return (
        f"{shown}. Le rollback vise le dernier champion *différent* de l'actuel : parcourez "
        "l'historique depuis la fin."
    )


def exercice_2(version_precedente: Callable[[list[int]], int]) -> None:
    """The learner finds the version to roll back to from the champion's history."""
    cases = [[1, 2], [1, 3, 4], [1, 2, 1], [1, 3, 3], [2, 6, 4, 7], [5, 2, 7, 2], [4, 9, 9, 5]]
    for history in cases:
        given = list(history)
        got = call(version_precedente, given, what="Exercice 2")
        expect(
            given == history,
            f"votre fonction modifie l'historique qu'elle reçoit ({history} devient {given}) : "
            "c'est la mémoire des promotions, ne la changez pas (pas de pop ni de remove).",
        )
        expect(
            isinstance(got, int) and not isinstance(got, bool),
            f"historique {history} : renvoyez un numéro de version (int), pas {got!r}.",
        )
        expect(got == _previous(history), _rollback_hint(history, got))
    for history in ([3], [2, 2], []):
        try:
            got = version_precedente(list(history))
        except ValueError:
            continue
        except Exception as error:  # the learner's code: name what it raised
            raise fail(
                f"historique {history} : votre fonction lève {type(error).__name__}. Il n'y a "
                "pas de version précédente : levez ValueError, avec un message qui le dit."
            ) from error
        raise fail(
            f"historique {history} : il n'y a pas de version précédente ; levez ValueError "
            f"au lieu de renvoyer {got!r}."
        )
    success("Vous savez vers quelle version revenir, et refusez un rollback impossible.")


# --------------------------------------------------------------------------------------
# Exercise 3: a check of your own in the audit

#: The identifiers the statement asks for: the report shows them and groups by area.
ENV_CHECK, ENV_AREA = "env_example", "Sécurité"


def _sample(folder: Path, name: str, files: dict[str, str]) -> audit.Project:
    project = audit.init_sample(folder / name)
    for relative, content in files.items():
        (project / relative).write_text(content, encoding="utf-8")
    if files:
        audit.commit_all(project, f"add {', '.join(files)}")
    return audit.Project.at(project)


def _finding(check: Callable[[audit.Project], audit.Finding], project: audit.Project, case: str):
    finding = call(check, project, what="Exercice 3")
    expect(
        isinstance(finding, audit.Finding),
        f"la vérification doit renvoyer un audit.Finding, pas {type(finding).__name__}.",
    )
    expect(
        isinstance(finding.status, audit.Status),
        f"{case} : le statut {finding.status!r} est une chaîne ; utilisez audit.Status.PASS ou "
        "audit.Status.FAIL (l'audit ne compte comme bloquants que les statuts Status.FAIL).",
    )
    expect(bool(str(finding.reason).strip()), f"{case} : la raison (reason) est vide.")
    return finding


def exercice_3(verifier_env_example: Callable[[audit.Project], audit.Finding]) -> None:
    """The learner adds a check to the audit: a .env.example must document the variables."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sans = _sample(folder, "sans", {})
        env_seul = _sample(folder, "env_seul", {".env": "DB_PASSWORD=hunter2\n"})
        avec = _sample(folder, "avec", {".env.example": "DB_PASSWORD=\n"})
        finding = _finding(verifier_env_example, sans, "sans .env.example")
        expect(
            finding.check == ENV_CHECK,
            f"check={finding.check!r} : l'identifiant de la vérification doit être exactement "
            "celui de l'énoncé (le rapport et la CI le citent).",
        )
        expect(
            finding.area == ENV_AREA,
            f"area={finding.area!r} : le domaine doit être exactement celui de l'énoncé, "
            "accents compris (le rapport regroupe les points par domaine).",
        )
        expect(finding.status is audit.Status.FAIL, "sans .env.example, le statut doit être FAIL.")
        expect(bool(finding.fix), "un échec doit proposer une correction (champ fix).")
        finding = _finding(verifier_env_example, env_seul, "avec seulement un .env")
        expect(
            finding.status is audit.Status.FAIL,
            "un projet qui a un .env (les secrets eux-mêmes) mais pas de .env.example doit "
            "échouer : c'est le fichier d'exemple, sans valeurs, que l'on vérifie.",
        )
        report = audit.audit(avec.root, extra_checks=[verifier_env_example])
        last = report.findings[-1]
        expect(
            last.status is audit.Status.PASS,
            "avec un fichier .env.example à la racine du projet audité, le statut doit être "
            f"PASS (reçu {last.status!r} : {last.reason}). Cherchez le fichier dans projet.root, "
            "pas dans le dossier courant.",
        )
    success("Votre vérification s'ajoute à l'audit et distingue les trois projets.")
