"""Checks for notebook 05 (Docker for ML)."""

from __future__ import annotations

import copy
import os
import posixpath
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mlops_course import containers
from mlops_course.checks import expect, fail, healthcheck, require, success
from mlops_course.config import project_root
from mlops_course.containers import kubernetes
from mlops_course.containers.image import SYSTEM, ImageContents, simulate_image

#: Paths a build context must never carry, and paths the image needs.
KEPT_OUT = (
    ".git/config",
    ".venv/bin/python",
    "notebooks/05_docker.ipynb",
    "data/raw/iris.csv",
    "mlruns/mlflow.db",
    ".env",
    "build/executed/notebooks/05_docker.ipynb",
    "mlops_course/__pycache__/config.cpython-311.pyc",
)
LET_IN = (
    "pyproject.toml",
    "uv.lock",
    "README.md",
    "mlops_course/api/service.py",
    "model/pipeline_v1.onnx",
    "model/pipeline_v1.manifest.json",
)


def _context() -> list[str]:
    """The build context of this repository, with the model files ``make model`` writes."""
    return sorted({*containers.context_files(project_root()), *LET_IN})


def _model_dir(image: ImageContents) -> str:
    """Where the API in the image looks for its model (``mlops_course.config.model_dir``)."""
    env = image.env
    if env.get("MLOPS_COURSE_MODEL_DIR"):
        folder = posixpath.join(image.workdir, env["MLOPS_COURSE_MODEL_DIR"])
    else:  # MLOPS_COURSE_HOME, else the project root: the working folder in an image
        folder = posixpath.join(image.workdir, env.get("MLOPS_COURSE_HOME", "."), "model")
    return posixpath.normpath(folder)


def _option(command: list[str], name: str) -> str | None:
    for index, word in enumerate(command):
        if word == name and index + 1 < len(command):
            return command[index + 1]
        if word.startswith(name + "="):
            return word.split("=", 1)[1]
    return None


def _check_contents(image: ImageContents) -> None:
    """The image holds the dependencies, the code and the model, where the API needs them."""
    expect(not image.problems, "le build échouerait :\n  - " + "\n  - ".join(image.problems))
    expect(
        image.deps_installed,
        "l'image n'installe aucune dépendance : FastAPI, uvicorn et onnxruntime n'y seraient "
        "pas. Installez-les depuis le verrou uv.lock (après avoir copié pyproject.toml et "
        "uv.lock).",
    )
    expect(
        image.project_installed or image.has_folder(posixpath.join(image.workdir, "mlops_course")),
        "le code de l'API (le paquet mlops_course/) n'est pas dans l'image : copiez-le (et "
        "installez le projet) pour que uvicorn puisse l'importer.",
    )
    folder = _model_dir(image)
    expect(
        image.has(posixpath.join(folder, "pipeline_v1.onnx")),
        f"l'API cherchera son modèle dans {folder}/ et il n'y est pas : l'image doit contenir "
        "le modèle ONNX servi (make model l'écrit dans model/).",
    )
    expect(
        image.has(posixpath.join(folder, "pipeline_v1.manifest.json")),
        "le modèle est copié sans son manifeste : l'API vérifie l'empreinte sha256 du modèle "
        "avant de le charger et refuserait de démarrer.",
    )


def _check_command(image: ImageContents, command: list[str], exposed: list[str]) -> int:
    """The CMD starts this API, reachable from outside the container; return its port."""
    expect(
        "mlops_course.api:app" in command,
        f"le CMD lance {command} : l'API de ce dépôt est `mlops_course.api:app` "
        "(le chapitre disait app.main:app).",
    )
    venvs = [where for where in image.installs if where != SYSTEM]
    if command[0] in {"uvicorn", "python", "python3"} and SYSTEM not in image.installs:
        on_path = any(posixpath.join(v, "bin") in image.path_dirs() for v in venvs)
        expect(
            on_path,
            f"les paquets sont installés dans {venvs[0] if venvs else 'un virtualenv'}, dont le "
            f"dossier bin/ n'est pas dans le PATH : le CMD ne trouverait pas {command[0]} "
            "(ajoutez-le au PATH avec ENV).",
        )
    host = _option(command, "--host")
    expect(
        host in {"0.0.0.0", "::"},
        f"uvicorn écoutera sur {host or '127.0.0.1 (sa valeur par défaut, sans --host)'} : dans "
        "un conteneur, seul le conteneur lui-même l'atteint, ni `docker run -p` ni les autres "
        "conteneurs. Faites-le écouter sur toutes les interfaces.",
    )
    port = int(_option(command, "--port") or containers.CONTAINER_PORT)
    expect(
        not exposed or str(port) in exposed,
        f"EXPOSE annonce {', '.join(exposed)} mais uvicorn écoute sur le port {port}.",
    )
    return port


def exercice_1(dockerfile_corrige: str) -> None:
    """The learner fixes the chapter's Dockerfile until it builds an image that serves.

    Linters first (hadolint, the review), then what the image needs, worked out from the
    instructions and this repository's build context: dependencies from the lock, the code,
    the model and its manifest where the API looks, a user that exists, a CMD listening on
    every interface; last, the HEALTHCHECK command runs against a stand-in API on the served
    port (ready, loading, down).
    """
    text = require(dockerfile_corrige, "Exercice 1")
    expect(isinstance(text, str), "on attend le texte du Dockerfile (une chaîne).")
    expect(
        text.strip() != containers.CHAPTER_DOCKERFILE.strip(),
        "c'est encore le Dockerfile du chapitre.",
    )
    try:
        instructions = containers.parse_dockerfile(text)
        command = containers.image_command(instructions)
    except ValueError as error:
        raise fail(f"Dockerfile illisible : {error}") from error
    findings = containers.hadolint_text(text)
    expect(
        not findings,
        "hadolint signale encore :\n  " + "\n  ".join(str(f) for f in findings),
    )
    problems = containers.review_dockerfile(text)
    expect(not problems, "la revue signale encore :\n  - " + "\n  - ".join(problems))
    image = simulate_image(text, _context())
    _check_contents(image)
    final = max(i.stage for i in instructions)
    exposed = [
        word.split("/")[0]
        for i in instructions
        if i.keyword == "EXPOSE" and i.stage == final
        for word in i.arguments.split()
    ]
    port = _check_command(image, command, exposed)
    expect(
        image.user is not None and (image.user.isdigit() or image.user in image.users),
        f"USER {image.user} : cet utilisateur n'est créé nulle part dans l'image "
        "(useradd) ; le conteneur refuserait de démarrer.",
    )
    _check_healthcheck(containers.healthcheck_command(instructions) or [], port, "HEALTHCHECK")
    success(
        "hadolint et la revue n'ont plus rien à dire, et l'image contient ce qu'il faut pour "
        "servir : dépendances verrouillées, code, modèle et manifeste, un utilisateur non root "
        "qui existe, uvicorn joignable, un HEALTHCHECK qui attend le modèle."
    )


def _argv(test: Any, port: int, served: int = containers.CONTAINER_PORT) -> list[str]:
    """A health check command (Compose ``test`` or Dockerfile argv) aimed at ``port``."""
    if isinstance(test, str):
        argv = ["/bin/sh", "-c", test]
    elif test and test[0] == "CMD-SHELL":
        argv = ["/bin/sh", "-c", " ".join(str(t) for t in test[1:])]
    elif test and test[0] == "CMD":
        argv = [str(t) for t in test[1:]]
    else:
        argv = [str(t) for t in test]
    argv = [a.replace(f":{served}", f":{port}") for a in argv]
    if argv and posixpath.basename(argv[0]) in {"python", "python3"}:
        argv[0] = sys.executable
    return argv


def _exit_code(test: Any, port: int, served: int = containers.CONTAINER_PORT) -> int:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    try:
        done = subprocess.run(
            _argv(test, port, served), capture_output=True, timeout=15, check=False, env=env
        )
    except (OSError, subprocess.TimeoutExpired):
        return 1
    return done.returncode


def _check_healthcheck(test: Any, served: int, what: str) -> None:
    """Run a health check against a stand-in API on ``served``: ready, loading, then down."""
    expect(bool(test), f"pas de {what} : Docker ne saurait pas dire si l'API peut prédire.")
    with healthcheck.stand_in_api(200) as port:
        ok = _exit_code(test, port, served)
    expect(
        ok == 0,
        f"contre une API prête, votre {what} sort avec le code {ok} au lieu de 0 : interroge-t-il "
        "bien l'API, sur le port où uvicorn écoute, avec un programme présent dans l'image ?",
    )
    with healthcheck.stand_in_api(503, health=200) as port:  # the model is loading
        loading = _exit_code(test, port, served)
    expect(
        loading != 0,
        f"pendant le chargement du modèle (/ready répond 503), votre {what} dit « healthy » : "
        "/health répond 200 dès que le processus tourne ; interrogez la route qui attend le "
        "modèle.",
    )
    down = _exit_code(test, healthcheck.closed_port(), served)  # nothing answers
    expect(down != 0, f"quand rien ne répond, votre {what} doit échouer (code non nul).")


def exercice_2(healthcheck_api: Mapping[str, Any]) -> None:
    """The learner writes the API service's Compose health check."""
    check = require(healthcheck_api, "Exercice 2")
    expect(isinstance(check, Mapping), "on attend un dictionnaire (la section healthcheck:).")
    test = check.get("test")
    expect(
        isinstance(test, list) and test[:1] in (["CMD"], ["CMD-SHELL"]),
        'la clé test doit être une liste qui commence par "CMD" (ou "CMD-SHELL").',
    )
    for key in ("interval", "timeout", "retries", "start_period"):
        expect(key in check, f"il manque la clé {key!r} (fréquence, délai, essais, démarrage).")
    import yaml

    data = yaml.safe_load((project_root() / containers.COMPOSE_FILE).read_text())
    data["services"]["api"]["healthcheck"] = copy.deepcopy(dict(check))
    text = yaml.safe_dump(data, sort_keys=False)
    problems = containers.review_compose(text)
    expect(not problems, "la revue signale :\n  - " + "\n  - ".join(problems))
    _check_healthcheck(test, containers.CONTAINER_PORT, "commande")
    with tempfile.TemporaryDirectory() as folder:  # last: the schema check takes a second
        candidate = Path(folder) / "docker-compose.yml"
        candidate.write_text(text)
        errors = containers.validate_compose(candidate)
    expect(
        not errors,
        "le fichier Compose ne respecte plus la spécification :\n  " + "\n  ".join(errors),
    )
    success("Health check valide : healthy quand le modèle est prêt, pas avant, et sans curl.")


def exercice_3(dockerignore: str) -> None:
    """The learner writes a .dockerignore that keeps data, envs and git out of the context."""
    text = require(dockerignore, "Exercice 3")
    expect(isinstance(text, str), "on attend le texte du .dockerignore (une chaîne).")
    patterns = containers.dockerignore_patterns(text)
    expect(bool(patterns), "votre .dockerignore ne contient aucun motif.")
    leaking = [p for p in KEPT_OUT if not containers.is_excluded(p, patterns)]
    expect(
        not leaking,
        f"ces fichiers partiraient dans le contexte de build : {leaking}. Indice : un dossier "
        "exclu exclut son contenu, et `**/` vaut pour tous les sous-dossiers.",
    )
    missing = [p for p in LET_IN if containers.is_excluded(p, patterns)]
    expect(
        not missing,
        f"l'image a besoin de {missing}, que votre .dockerignore exclut. Indice : `!motif` "
        "réintègre ce qu'un motif précédent a exclu (le dernier motif qui correspond gagne).",
    )
    success("Le contexte de build ne contient que le projet et le modèle servi.")


def exercice_4(deployment_corrige: str) -> None:
    """The learner fixes a Deployment whose probes and image tag are wrong.

    The manifest must pass the Kubernetes schemas (strict, as ``kubectl apply`` would) and
    the course's review: readiness on the route that waits for the model, liveness on the
    one that does not, a start-up probe long enough for the model load, probes on the port
    the container declares and the image serves, a fixed image tag.
    """
    import yaml

    text = require(deployment_corrige, "Exercice 4")
    expect(isinstance(text, str), "on attend le texte YAML du Deployment (une chaîne).")
    expect(
        text.strip() != kubernetes.BROKEN_DEPLOYMENT.strip(),
        "c'est encore le Deployment de départ : corrigez ses sondes et son image.",
    )
    try:
        documents = kubernetes.load_manifests(text)
    except (yaml.YAMLError, ValueError) as error:
        raise fail(f"YAML illisible (vérifiez l'indentation) : {error}") from error
    expect(
        len(documents) == 1 and documents[0].get("kind") == "Deployment",
        "on attend un seul objet, de kind Deployment.",
    )
    errors = kubernetes.schema_errors(documents)
    expect(
        not errors,
        "le schéma de Kubernetes refuse ce manifeste (kubectl apply échouerait) :\n  "
        + "\n  ".join(errors),
    )
    problems = kubernetes.review_deployment(documents[0])
    expect(not problems, "la revue signale encore :\n  - " + "\n  - ".join(problems))
    success(
        "Deployment valide : le trafic attend le modèle (readiness), un processus bloqué est "
        "redémarré (liveness) sans tuer un chargement en cours (startup), sur le bon port, "
        "avec une image de version fixe."
    )
