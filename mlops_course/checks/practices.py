"""Checks for notebook 08 (best practices and the project audit).

Exercise 1 reads the learner's Dockerfile the way a build would (working directory, copied
files, users, installs), runs its health check against a stand-in API, then audits a copy of
the broken sample with it. Exercises 2 and 3 run the learner's functions on histories and
sample projects where the typical mistakes give a different answer.
"""

from __future__ import annotations

import ast
import os
import posixpath
import re
import shlex
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from fnmatch import fnmatch
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from mlops_course import audit, containers
from mlops_course.checks import call, expect, fail, require, success
from mlops_course.config import project_root
from mlops_course.containers.dockerfile import split_options

# --------------------------------------------------------------------------------------
# Exercise 1: the broken sample's Dockerfile

#: What ``uvicorn src.app:app`` imports, and what ``src/app.py`` opens at import time
#: (both relative to the working directory).
APP_TARGET = "src.app:app"
APP_FILE = "src/app.py"
MODEL_FILE = "models/model.pkl"
#: uvicorn's defaults when ``--host`` / ``--port`` are not given.
UVICORN_HOST, UVICORN_PORT = "127.0.0.1", 8000
#: Hosts a health check inside the container can reach the API on.
LOCAL_HOSTS = {"127.0.0.1", "localhost", "0.0.0.0"}
#: Routes that answer while the API is up.
HEALTH_ROUTES = {"/health", "/ready"}
#: Users that exist in python:3.11-slim without being created.
BUILTIN_USERS = {"nobody"}
#: Import names of the sample's requirements.txt distributions.
_IMPORT_NAMES = {"scikit-learn": "sklearn"}

_URL = re.compile(r"https?://(\[[^\]]*\]|[^/:'\"\s)]+)(?::(\d+))?(/[^\s'\"),;]*)?")
_PYTHON = re.compile(r"(?:/usr(?:/local)?/bin/)?python3?(?:\.\d+)?")
_SECONDS = 10


@dataclass
class _Image:
    """What a build of the learner's final stage leaves in the image, step by step."""

    workdir: str = "/"
    files: set[str] = field(default_factory=set)
    user: str = "root"
    created_users: set[str] = field(default_factory=set)
    installed: set[str] = field(default_factory=set)


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


def _segments(words: list[str]) -> list[list[str]]:
    segments: list[list[str]] = [[]]
    for word in words:
        if word in {"&&", ";", "||", "|"}:
            segments.append([])
        else:
            segments[-1].append(word)
    return [s for s in segments if s]


def _copy(image: _Image, sources: Sequence[str], dest: str, context: list[str], line: int) -> None:
    """Apply ``COPY sources dest`` to ``image`` (Docker's rules for files and folders)."""
    target = posixpath.normpath(posixpath.join(image.workdir, dest))
    folders = {posixpath.dirname(f) for f in image.files} | {image.workdir}
    into_folder = dest.endswith(("/", "/.")) or dest == "." or len(sources) > 1
    into_folder = into_folder or target in folders
    for source in sources:
        name = posixpath.normpath(source.lstrip("/"))
        if name == ".":
            image.files |= {posixpath.join(target, f) for f in context}
            continue
        inside = [f for f in context if f.startswith(name + "/")]
        matched = [f for f in context if fnmatch(f, name)]
        if inside:  # a folder: its content goes into the destination
            image.files |= {posixpath.join(target, f[len(name) + 1 :]) for f in inside}
        elif matched:
            for f in matched:
                single = not into_folder and len(matched) == 1
                image.files.add(target if single else posixpath.join(target, posixpath.basename(f)))
        else:
            raise fail(
                f"ligne {line} : COPY {source} — ce chemin n'existe pas dans le projet, le build "
                "échouerait. Les chemins de COPY partent de la racine du projet."
            )


def _pip_install(image: _Image, words: list[str], line: int) -> None:
    if image.user not in {"root", "0"}:
        raise fail(
            f"ligne {line} : pip install s'exécute après USER {image.user} ; cet utilisateur ne "
            "peut pas écrire dans l'environnement Python de l'image. Installez les dépendances "
            "(en root) avant de changer d'utilisateur."
        )
    after = words[words.index("install") + 1 :]
    for index, word in enumerate(after):
        path = ""
        if word in {"-r", "--requirement"} and index + 1 < len(after):
            path = after[index + 1]
        elif word.startswith(("--requirement=", "-r")) and word not in {"-r"}:
            path = word.split("=", 1)[-1] if "=" in word else word[2:]
        if path:
            full = posixpath.normpath(posixpath.join(image.workdir, path))
            expect(
                full in image.files,
                f"ligne {line} : pip install -r {path} — ce fichier n'est pas (encore) dans "
                "l'image à cet endroit : copiez-le avant de l'installer.",
            )
            image.installed |= _requirements()
        elif not word.startswith("-") and (index == 0 or after[index - 1] not in {"-r"}):
            image.installed.add(re.split(r"[<>=!~\[]", word)[0].lower())


def _build(text: str) -> tuple[_Image, list[containers.Instruction]]:
    """Replay the final stage of ``text`` on the sample's context; a build error is a hint."""
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
    last = max(i.stage for i in instructions)
    final = [i for i in instructions if i.stage == last]
    image, context = _Image(), _context_files()
    for ins in final:
        options, rest = split_options(ins.arguments)
        if ins.keyword == "WORKDIR":
            image.workdir = posixpath.normpath(posixpath.join(image.workdir, rest))
        elif ins.keyword in {"COPY", "ADD"} and not any(o.startswith("--from") for o in options):
            words = _words(rest, ins.line)
            expect(
                len(words) >= 2, f"ligne {ins.line} : COPY attend une source et une destination."
            )
            _copy(image, words[:-1], words[-1], context, ins.line)
        elif ins.keyword == "RUN":
            for segment in _segments(_words(rest, ins.line)):
                program = posixpath.basename(segment[0])
                if program in {"useradd", "adduser"}:
                    image.created_users |= {w for w in segment[1:] if w and not w.startswith("-")}
                elif {program, *segment[1:3]} & {"pip", "pip3"} and "install" in segment:
                    _pip_install(image, segment, ins.line)
        elif ins.keyword == "USER":
            user = rest.split(":")[0].strip()
            expect(
                user in image.created_users | BUILTIN_USERS | {"root", "0"} or user.isdigit(),
                f"ligne {ins.line} : USER {user} — cet utilisateur n'existe pas dans l'image "
                "(aucun RUN useradd/adduser ne l'a créé avant cette ligne) : le conteneur ne "
                "démarrerait pas.",
            )
            image.user = user
    return image, instructions


def _served_port(instructions: list[containers.Instruction], image: _Image) -> int:
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

    def option(name: str, default: str) -> str:
        for index, word in enumerate(words):
            if word == name and index + 1 < len(words):
                return words[index + 1]
            if word.startswith(name + "="):
                return word.split("=", 1)[1]
        return default

    host = option("--host", UVICORN_HOST)
    expect(
        host in {"0.0.0.0", "::"},
        f"uvicorn écoute sur {host} : dans un conteneur, cette adresse n'est joignable que "
        "depuis le conteneur lui-même (docker run -p ne l'atteint pas). Faites-le écouter "
        "sur toutes les interfaces (--host).",
    )
    port = option("--port", str(UVICORN_PORT))
    expect(port.isdigit(), f"--port {port} : on attend un numéro de port.")
    expect(
        "uvicorn" in image.installed,
        "uvicorn n'est pas installé dans l'image : installez les dépendances du projet "
        "(requirements.txt) avec pip.",
    )
    missing = sorted(_requirements() - image.installed)
    expect(
        not missing,
        f"les dépendances {missing} ne sont pas installées dans l'image : installez "
        "requirements.txt avec pip.",
    )
    return int(port)


def _check_files(image: _Image) -> None:
    def present(relative: str) -> bool:
        return posixpath.join(image.workdir, relative) in image.files

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


def _healthcheck_code(argv: list[str]) -> str:
    """Return the Python source of ``python -c CODE`` in the health check, or ''."""
    words = argv if argv[:2] != ["/bin/sh", "-c"] else _words(argv[2], 0)
    for index, word in enumerate(words[:-2]):
        if _PYTHON.fullmatch(word) and words[index + 1] == "-c":
            return words[index + 2]
    return ""


def _check_healthcheck_text(argv: list[str] | None, port: int) -> None:
    expect(
        argv is not None,
        "pas de HEALTHCHECK (ou HEALTHCHECK NONE) : Docker ne saura pas dire si l'API répond.",
    )
    assert argv is not None
    text = " ".join(argv)
    expect(
        not re.search(r"\b(curl|wget)\b", text),
        "le HEALTHCHECK appelle curl/wget, absents de python:3.11-slim : écrivez-le en "
        "Python (python -c avec urllib.request).",
    )
    url = _URL.search(text)
    expect(
        url is not None,
        "le HEALTHCHECK n'interroge aucune URL : une commande comme `true` ou `exit 0` dit "
        "« healthy » même quand l'API est tombée. Interrogez sa route de santé en HTTP.",
    )
    assert url is not None
    host, given_port, path = url.group(1), url.group(2), url.group(3) or "/"
    expect(
        host in LOCAL_HOSTS,
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
        path.split("?")[0] in HEALTH_ROUTES,
        f"le HEALTHCHECK interroge {path} : ce n'est pas une route de santé. Interrogez /health "
        "(la route que l'audit demande d'ajouter à l'API).",
    )
    code = _healthcheck_code(argv)
    expect(bool(code), 'le HEALTHCHECK doit être une commande Python : python -c "...".')
    try:
        tree = ast.parse(code)
    except SyntaxError as error:
        raise fail(
            f"le code Python du HEALTHCHECK ne compile pas (ligne {error.lineno})."
        ) from error
    allowed = set(sys.stdlib_module_names) | {
        _IMPORT_NAMES.get(name, name).replace("-", "_") for name in _requirements()
    }
    for node in ast.walk(tree):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        for name in names:
            expect(
                name.split(".")[0] in allowed,
                f"le HEALTHCHECK importe {name.split('.')[0]}, qui n'est pas installé dans "
                "l'image : utilisez la bibliothèque standard (urllib.request).",
            )


class _StandInApi(BaseHTTPRequestHandler):
    """Answers the health routes with the status the server holds, anything else with 404."""

    def do_GET(self) -> None:
        route = self.path.split("?")[0]
        status = self.server.status if route in HEALTH_ROUTES else 404  # type: ignore[attr-defined]
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"status": "ok"}' if status == 200 else b"{}")

    def log_message(self, format: str, *args: Any) -> None:  # keep the notebook quiet
        return


@contextmanager
def _stand_in_api(status: int) -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _StandInApi)
    server.status = status  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def _closed_port() -> int:
    with _stand_in_api(200) as port:
        pass
    return port


def _run_healthcheck(argv: list[str], served: int, port: int, shims: Path) -> int | None:
    """Run the health check with the served port pointed at ``port``; None on a timeout."""
    local = "|".join(re.escape(h) for h in sorted(LOCAL_HOSTS))
    address = re.compile(rf"(?:{local}):{served}(?!\d)")
    args = [address.sub(f"127.0.0.1:{port}", word) for word in argv]
    args = [str(shims / "python") if _PYTHON.fullmatch(word) else word for word in args]
    if args[:2] == ["/bin/sh", "-c"]:  # the image's python is on the PATH: use the shim's
        args[2] = re.sub(r"(?<![\w/.-])/usr(?:/local)?/bin/(?=python)", "", args[2])
    env = {**os.environ, "PATH": f"{shims}{os.pathsep}{os.environ.get('PATH', '')}"}
    try:
        done = subprocess.run(
            args,
            env=env,
            capture_output=True,
            timeout=_SECONDS,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        return None
    except OSError:
        return 127
    return done.returncode


def _check_healthcheck_runs(argv: list[str], served: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        shims = Path(folder)
        for name in ("python", "python3", "python3.11"):
            shim = shims / name
            shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
            shim.chmod(0o755)
        with _stand_in_api(200) as port:
            up = _run_healthcheck(argv, served, port, shims)
        expect(
            up == 0,
            "contre une API qui répond 200 sur sa route de santé, votre HEALTHCHECK "
            + (f"dépasse {_SECONDS} s" if up is None else f"sort avec le code {up} au lieu de 0")
            + " : le conteneur ne serait jamais « healthy ».",
        )
        with _stand_in_api(503) as port:
            erroring = _run_healthcheck(argv, served, port, shims)
        down = _run_healthcheck(argv, served, _closed_port(), shims)
    expect(
        down != 0,
        "quand rien n'écoute sur le port, votre HEALTHCHECK sort avec le code 0 : il doit "
        "échouer (ne rattrapez pas l'erreur : pas de `|| exit 0`, pas de try/except muet).",
    )
    expect(
        erroring != 0,
        "quand l'API répond 503 (pas prête), votre HEALTHCHECK sort avec le code 0 : une "
        "réponse d'erreur doit le faire échouer.",
    )


def exercice_1(dockerfile_corrige: str) -> None:
    """The learner fixes the broken sample's Dockerfile: it builds, serves and is checked."""
    text = require(dockerfile_corrige, "Exercice 1")
    expect(isinstance(text, str), "on attend le texte du Dockerfile (une chaîne).")
    image, instructions = _build(text)
    port = _served_port(instructions, image)
    expect(
        image.user not in {"root", "0"},
        "l'image tourne en root : créez un utilisateur (useradd dans un RUN) et passez-y "
        "avec USER avant le CMD.",
    )
    _check_files(image)
    argv = containers.healthcheck_command(instructions)
    _check_healthcheck_text(argv, port)
    assert argv is not None
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
