"""Reviews: what a reviewer flags beyond the linters (messages in French, for learners).

Taught in notebook 05_docker.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mlops_course.containers.dockerfile import (
    Instruction,
    base_images,
    exec_form,
    healthcheck_command,
    image_env,
    instructions_of_stage,
    parse_dockerfile,
    split_operators,
    split_options,
    stage_names,
)

_DOWNLOADERS = re.compile(r"\b(curl|wget)\b")
_SECRET_NAME = re.compile(r"(PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|ACCESS_KEY)", re.IGNORECASE)
_MANIFESTS = re.compile(r"^(pyproject\.toml|uv\.lock|requirements[\w.-]*\.txt|README[\w.]*)$")
_INSTALLERS = ("uv sync", "uv pip sync", "uv pip install -r", "uv export", "pip install -r")


# --------------------------------------------------------------------------------------
# Reviews: what a reviewer flags beyond the linters (messages in French, for learners)


def image_unpinned(image: str) -> bool:
    """True for an image without a tag (or ``latest``) and without a digest."""
    if "@sha256:" in image:
        return False
    name = image.rsplit("/", 1)[-1]
    return ":" not in name or name.endswith(":latest")


def review_dockerfile(text: str) -> list[str]:
    """Return the problems a reviewer would raise on Dockerfile ``text`` (empty: none).

    Checked: pinned base images, a non-root ``USER``, a ``HEALTHCHECK`` that works in a
    slim image (no curl/wget), an exec-form ``CMD`` that does not go through ``uv run``,
    dependencies installed before the code with ``--locked`` and without the dev group,
    no secret in ``ENV``.
    """
    instructions = parse_dockerfile(text)
    if not any(i.keyword == "FROM" for i in instructions):
        return ["pas d'instruction FROM : ce n'est pas un Dockerfile complet"]
    problems: list[str] = []
    aliases = set(stage_names(instructions))
    for image in base_images(instructions):
        if image not in aliases and image != "scratch" and image_unpinned(image):
            problems.append(
                f"FROM {image} : image de base non épinglée (précisez un tag, jamais latest)"
            )
    final = instructions_of_stage(instructions, None)
    users = [i.arguments.split(":")[0].strip() for i in final if i.keyword == "USER"]
    if not users or users[-1] in {"root", "0"}:
        problems.append(
            "l'image finale tourne en root : créez un utilisateur système et passez-y avec "
            "USER (non root)"
        )
    check = healthcheck_command(instructions)
    if check is None:
        problems.append("pas de HEALTHCHECK : Docker ne saura pas dire si l'API répond")
    elif _DOWNLOADERS.search(" ".join(check)):
        problems.append(
            "le HEALTHCHECK appelle curl/wget, absents de python:3.11-slim : le conteneur ne "
            "deviendrait jamais healthy ; interrogez /ready (ou /health) avec Python "
            "(urllib.request)"
        )
    cmds = [i for i in final if i.keyword == "CMD"]
    if not cmds:
        problems.append("pas de CMD : l'image ne sait pas quoi lancer")
    else:
        command = exec_form(cmds[-1].arguments)
        if command is None:
            problems.append(
                "CMD en forme shell : écrivez-le en JSON "
                '(["uvicorn", ...]) pour que le serveur reçoive les signaux d\'arrêt'
            )
        elif command[:2] == ["uv", "run"]:
            problems.append(
                "CMD passe par `uv run`, qui peut resynchroniser l'environnement au démarrage : "
                "lancez directement l'exécutable du venv (uvicorn ...)"
            )
    problems += _review_installs(instructions)
    for name in image_env(instructions, None) | image_env(instructions, 0):
        if _SECRET_NAME.search(name):
            problems.append(f"ENV {name} : pas de secret dans une image (passez-le à l'exécution)")
    return problems


def _review_installs(instructions: Sequence[Instruction]) -> list[str]:
    problems: list[str] = []
    stages = sorted({i.stage for i in instructions if i.stage >= 0})
    for stage in stages:
        code_copied = deps_installed = False
        for ins in instructions_of_stage(instructions, stage):
            if ins.keyword in {"COPY", "ADD"}:
                options, rest = split_options(ins.arguments)
                if any(o.startswith("--from") for o in options):
                    continue
                sources = (exec_form(rest) or shlex.split(rest))[:-1]
                if any(not _MANIFESTS.match(Path(s).name.rstrip("*")) for s in sources):
                    code_copied = True
            if ins.keyword != "RUN":
                continue
            command = split_options(ins.arguments)[1]
            if re.search(r"\bpip install\b[^&;]*\buv\b", command):
                problems.append(
                    "uv installé par pip (version non épinglée) : copiez-le depuis son image "
                    "officielle, COPY --from=ghcr.io/astral-sh/uv:<version> /uv /uvx /bin/"
                )
            for segment in split_operators(command):
                words = " ".join(segment)
                if not words.startswith(("uv sync", "uv export")):
                    continue
                if "--locked" not in segment:
                    problems.append(
                        f"`{words[:40]}...` sans --locked : un uv.lock périmé passerait sans "
                        "erreur (--frozen ne vérifie rien) ; utilisez --locked"
                    )
                if "--no-dev" not in segment and "--only-group" not in words:
                    problems.append(
                        f"`{words[:40]}...` sans --no-dev : les outils de développement "
                        "(ruff, pytest...) finiraient dans l'image"
                    )
                if (
                    words.startswith("uv sync")
                    and not code_copied
                    and "--no-install-project" not in segment
                ):
                    problems.append(
                        "`uv sync` avant la copie du code installe aussi le projet, sans son "
                        "code : ajoutez --no-install-project, puis installez le projet après "
                        "COPY du code"
                    )
            if any(marker in command for marker in _INSTALLERS):
                if code_copied and not deps_installed:
                    problems.append(
                        f"ligne {ins.line} : les dépendances s'installent après la copie du "
                        "code ; toute modification du code réinstallerait tout (copiez "
                        "d'abord pyproject.toml et uv.lock)"
                    )
                deps_installed = True
    return list(dict.fromkeys(problems))


def _healthcheck_test(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return str(value or "")


def _volume_target(volume: Any) -> tuple[str, bool]:
    """Return (target, read_only) of a service volume in short or long syntax."""
    if isinstance(volume, Mapping):
        return str(volume.get("target", "")), bool(volume.get("read_only", False))
    parts = str(volume).split(":")
    if len(parts) == 1:
        return parts[0], False
    mode = parts[2] if len(parts) > 2 else ""
    return parts[1], "ro" in mode.split(",")


def _python_image(service: Mapping[str, Any]) -> bool:
    """True for a service built here (docker/Dockerfile) or run from a python image.

    Those have neither curl nor wget. Other images bring their own tools (Grafana's has
    busybox's wget, Prometheus's has promtool): their health checks are not judged here.
    """
    image = str(service.get("image") or "").rsplit("/", 1)[-1]
    return bool(service.get("build")) or image.startswith("python:")


def review_compose(text: str) -> list[str]:
    """Return the problems a reviewer would raise on Compose file ``text`` (empty: none).

    Checked: no obsolete ``version:`` key; for every service a health check (without
    curl/wget in the services built here or run from python images), a restart policy, a
    pinned image tag, model volumes mounted read-only; an MLflow server started with
    ``--allowed-hosts`` and one worker.
    """
    import yaml

    data = yaml.safe_load(text)
    if not isinstance(data, Mapping):
        return ["le fichier Compose doit être un dictionnaire YAML (services: ...)"]
    problems: list[str] = []
    if "version" in data:
        problems.append("clé `version:` obsolète : Compose v2 l'ignore et avertit ; supprimez-la")
    services = data.get("services")
    if not isinstance(services, Mapping) or not services:
        return [*problems, "aucun service défini (clé services:)"]
    for name, service in services.items():
        service = service or {}
        check = service.get("healthcheck")
        if not check or check.get("disable"):
            problems.append(f"service {name} : pas de healthcheck")
        elif _python_image(service) and _DOWNLOADERS.search(_healthcheck_test(check.get("test"))):
            problems.append(
                f"service {name} : le healthcheck appelle curl/wget, absents des images "
                "python slim ; utilisez python -c avec urllib.request"
            )
        if not service.get("restart") and not (service.get("deploy") or {}).get("restart_policy"):
            problems.append(f"service {name} : pas de politique restart (unless-stopped)")
        image = service.get("image")
        if image and image_unpinned(str(image)):
            problems.append(
                f"service {name} : image {image} non épinglée (précisez un tag, jamais latest)"
            )
        if not image and not service.get("build"):
            problems.append(f"service {name} : ni image ni build")
        for volume in service.get("volumes") or []:
            target, read_only = _volume_target(volume)
            if "model" in target and not read_only:
                problems.append(
                    f"service {name} : le volume du modèle ({target}) doit être en lecture "
                    "seule (:ro)"
                )
        command = service.get("command") or ""
        words = command if isinstance(command, list) else shlex.split(str(command))
        joined = " ".join(str(w) for w in words)
        if "mlflow server" in joined or words[:2] == ["mlflow", "server"]:
            if "--allowed-hosts" not in joined:
                problems.append(
                    f"service {name} : mlflow server sans --allowed-hosts n'accepte que "
                    "localhost (les autres conteneurs seraient refusés)"
                )
            if re.search(r"\bpip install\b", joined):
                problems.append(
                    f"service {name} : installer des paquets à chaque démarrage est lent, "
                    "dépend du réseau et ne fige aucune version ; utilisez une image épinglée "
                    "(ghcr.io/mlflow/mlflow:v<version>)"
                )
            environment = service.get("environment") or {}
            if isinstance(environment, list):
                environment = dict(str(e).partition("=")[::2] for e in environment)
            if str(environment.get("MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "")).lower() != "false":
                problems.append(
                    f"service {name} : sans MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false, mlflow "
                    "server lance des processus de jobs en arrière-plan et démarre plus lentement"
                )
            if not re.search(r"(--workers[= ]1\b|-w[= ]?1\b)", joined):
                problems.append(
                    f"service {name} : mlflow server démarre 4 workers par défaut ; "
                    "--workers 1 suffit et démarre bien plus vite"
                )
    return problems
