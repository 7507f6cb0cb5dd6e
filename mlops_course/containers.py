"""Chapter 05: the container files of the API, checked with or without a Docker engine.

- :func:`hadolint` lints a Dockerfile; :func:`validate_compose` validates a Compose file
  against the Compose specification (offline, with ``check-jsonschema``'s copy);
- :func:`review_dockerfile` and :func:`review_compose` flag what a reviewer would
  (a health check calling curl in an image without curl, a root user, a ``version:`` key...);
- :func:`context_files` lists what ``.dockerignore`` lets into the build context;
- :func:`docker_available` tells whether a Docker engine answers;
- without an engine, :func:`build_serving_env` builds the environment the image's build
  stage builds (same ``uv export`` selection) and :func:`serve` starts the image's command
  from it; with an engine, :func:`build_image` and :func:`smoke_test_image` run the real image.

The Dockerfile is the single source: package selection, command and health check are read
from it, so the local equivalent cannot drift from the image.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlops_course.config import project_root

#: Where the container files live, relative to the repository root.
DOCKERFILE = Path("docker") / "Dockerfile"
COMPOSE_FILE = Path("docker") / "docker-compose.yml"
DOCKERIGNORE = Path(".dockerignore")
#: Port the image's API listens on.
CONTAINER_PORT = 8000
#: The chapter's example flower (§4.4), sent to ``/predict`` by the smoke tests.
SAMPLE = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
#: Environment variable that turns the Docker-engine paths off even where an engine runs.
DOCKER_SWITCH = "MLOPS_COURSE_DOCKER"

#: The chapter's Dockerfile (§5.2), as printed: the notebooks lint and review it.
CHAPTER_DOCKERFILE = """\
FROM python:3.11-slim

LABEL maintainer="equipe-ml"
LABEL description="API de prédiction ML - Iris Classifier"
LABEL version="1.0.0"

ENV PYTHONUNBUFFERED=1 \\
    PYTHONDONTWRITEBYTECODE=1 \\
    UV_SYSTEM_PYTHON=1

RUN pip install uv

WORKDIR /app

COPY pyproject.toml uv.lock* ./

RUN uv sync --frozen --no-dev

COPY app/ ./app/
COPY model/ ./model/

EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=10s --retries=3 \\
    CMD curl -f http://localhost:8000/health || exit 1

CMD ["uv", "run", "uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]
"""

#: The chapter's Compose file (§5.4), as printed.
CHAPTER_COMPOSE = """\
version: "3.8"

services:
  api:
    build: .
    ports:
      - "8000:8000"
    environment:
      - MODEL_PATH=/app/model/pipeline_v1.joblib
      - LOG_LEVEL=INFO
    volumes:
      - ./model:/app/model:ro
    restart: unless-stopped
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost:8000/health"]
      interval: 30s
      timeout: 10s
      retries: 3

  mlflow:
    image: python:3.11-slim
    command: >
      bash -c "pip install uv && uv pip install mlflow --system &&
      mlflow server --host 0.0.0.0 --port 5000
      --backend-store-uri sqlite:///mlflow.db
      --default-artifact-root ./mlruns"
    ports:
      - "5000:5000"
    volumes:
      - mlflow_data:/app/mlruns
      - mlflow_db:/app
    restart: unless-stopped

volumes:
  mlflow_data:
  mlflow_db:
"""

_DOWNLOADERS = re.compile(r"\b(curl|wget)\b")
_SECRET_NAME = re.compile(r"(PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|ACCESS_KEY)", re.IGNORECASE)
_MANIFESTS = re.compile(r"^(pyproject\.toml|uv\.lock|requirements[\w.-]*\.txt|README[\w.]*)$")
_INSTALLERS = ("uv sync", "uv pip sync", "uv pip install -r", "uv export", "pip install -r")


# --------------------------------------------------------------------------------------
# Tools


def tool(name: str) -> Path:
    """Return the path of a command-line tool: next to this Python first, then on PATH.

    ``hadolint`` and ``check-jsonschema`` come with the locked environment (dev group),
    so they sit in ``.venv/bin`` beside the interpreter.
    """
    beside = Path(sys.executable).parent / name
    if beside.is_file():
        return beside
    found = shutil.which(name)
    if found:
        return Path(found)
    if name == "uv":
        private = project_root() / ".tools" / "bin" / "uv"
        if private.is_file():
            return private
    raise FileNotFoundError(
        f"tool {name!r} not found beside {sys.executable} nor on PATH; "
        "`make install` (uv sync) installs it"
    )


def _run(command: Sequence[str | Path], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    kwargs.setdefault("capture_output", True)
    kwargs.setdefault("text", True)
    kwargs.setdefault("check", False)
    return subprocess.run([str(part) for part in command], **kwargs)


# --------------------------------------------------------------------------------------
# hadolint


@dataclass(frozen=True)
class Finding:
    """One hadolint finding."""

    line: int
    code: str
    level: str
    message: str

    def __str__(self) -> str:
        return f"ligne {self.line} {self.code} [{self.level}] {self.message}"


def _findings(stdout: str, stderr: str) -> list[Finding]:
    try:
        raw = json.loads(stdout or "[]")
    except json.JSONDecodeError as error:
        raise RuntimeError(f"hadolint failed: {stderr.strip() or stdout.strip()}") from error
    return [Finding(int(f["line"]), f["code"], f["level"], f["message"]) for f in raw]


def hadolint(path: str | Path) -> list[Finding]:
    """Lint the Dockerfile at ``path`` with hadolint; return its findings (empty: clean)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Dockerfile not found: {path}")
    done = _run([tool("hadolint"), "--no-fail", "--no-color", "--format", "json", path], timeout=60)
    return _findings(done.stdout, done.stderr)


def hadolint_text(text: str) -> list[Finding]:
    """Lint Dockerfile ``text`` (read from standard input by hadolint)."""
    done = _run(
        [tool("hadolint"), "--no-fail", "--no-color", "--format", "json", "-"],
        input=text,
        timeout=60,
    )
    return _findings(done.stdout, done.stderr)


# --------------------------------------------------------------------------------------
# JSON-schema validation (offline: the schemas ship inside check-jsonschema)


def schema_errors(builtin_schema: str, *paths: str | Path) -> list[str]:
    """Validate files against one of check-jsonschema's built-in schemas, offline.

    ``builtin_schema`` is a name such as ``"vendor.compose-spec"`` or
    ``"vendor.github-workflows"``: the schema ships inside check-jsonschema, nothing is
    downloaded. Runs ``check-jsonschema --builtin-schema NAME -o json FILE...`` in this
    process (its ``main``), which saves starting an interpreter per file. Returns one
    line per error (empty: all valid).
    """
    import contextlib
    import io

    from check_jsonschema import main as check_jsonschema

    if not paths:
        raise ValueError("schema_errors needs at least one file to validate, got none")
    missing = [str(p) for p in paths if not Path(p).is_file()]
    if missing:
        raise FileNotFoundError(f"files to validate not found: {missing}")
    output = io.StringIO()
    arguments = ["--builtin-schema", builtin_schema, "-o", "json", *map(str, paths)]
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(io.StringIO()):
        check_jsonschema(arguments, standalone_mode=False)
    try:
        report = json.loads(output.getvalue())
    except json.JSONDecodeError as error:
        raise RuntimeError(f"check-jsonschema failed: {output.getvalue().strip()}") from error
    errors = []
    for error in report.get("errors", []):
        best = error.get("best_match") or error  # "not valid under any of..." made concrete
        errors.append(f"{Path(error['filename']).name}: {best['path']}: {best['message']}")
    errors += [
        f"{Path(e['filename']).name}: {e.get('message', e)}" for e in report.get("parse_errors", [])
    ]
    return errors


def validate_compose(path: str | Path) -> list[str]:
    """Validate a Compose file against the Compose specification; return the errors."""
    return schema_errors("vendor.compose-spec", path)


# --------------------------------------------------------------------------------------
# Reading a Dockerfile


@dataclass(frozen=True)
class Instruction:
    """One Dockerfile instruction, continuation lines joined."""

    line: int
    keyword: str
    arguments: str
    stage: int


def parse_dockerfile(text: str) -> list[Instruction]:
    """Split Dockerfile ``text`` into instructions (comments dropped, ``\\`` lines joined).

    ``stage`` counts ``FROM`` lines from 0; instructions before the first ``FROM``
    (global ``ARG``) get stage -1.
    """
    instructions: list[Instruction] = []
    stage = -1
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if stripped.startswith("#") or (not stripped and not pending):
            continue
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending.append(stripped[:-1].strip())
            continue
        pending.append(stripped)
        joined = " ".join(part for part in pending if part)
        pending = []
        keyword, _, arguments = joined.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            stage += 1
        instructions.append(Instruction(start, keyword, arguments.strip(), stage))
    if pending:
        raise ValueError(f"Dockerfile ends inside a continuation line started at line {start}")
    return instructions


def read_dockerfile(path: str | Path | None = None) -> list[Instruction]:
    """Parse the repository's Dockerfile (or the one at ``path``)."""
    return parse_dockerfile(Path(path or project_root() / DOCKERFILE).read_text())


def exec_form(arguments: str) -> list[str] | None:
    """Return the JSON (exec form) argument list of CMD/ENTRYPOINT-like text, else None."""
    text = arguments.strip()
    if not text.startswith("["):
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return None
    return [str(v) for v in value] if isinstance(value, list) else None


def _stage(instructions: Sequence[Instruction], stage: int | None) -> list[Instruction]:
    last = max((i.stage for i in instructions), default=-1)
    wanted = last if stage is None else stage
    return [i for i in instructions if i.stage == wanted]


def _global_args(instructions: Sequence[Instruction]) -> dict[str, str]:
    values: dict[str, str] = {}
    for ins in instructions:
        if ins.stage == -1 and ins.keyword == "ARG":
            name, _, default = ins.arguments.partition("=")
            values[name.strip()] = default.strip().strip('"')
    return values


def base_images(instructions: Sequence[Instruction]) -> list[str]:
    """Return the image of each ``FROM``, global ``ARG`` defaults substituted."""
    args = _global_args(instructions)
    images = []
    for ins in instructions:
        if ins.keyword == "FROM":
            words = [w for w in ins.arguments.split() if not w.startswith("--")]
            image = re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m.group(1), m.group(0)), words[0])
            images.append(image)
    return images


def stage_names(instructions: Sequence[Instruction]) -> list[str]:
    """Return the ``AS`` name of each stage ('' when unnamed)."""
    names = []
    for ins in instructions:
        if ins.keyword == "FROM":
            words = ins.arguments.split()
            lowered = [w.lower() for w in words]
            names.append(words[lowered.index("as") + 1] if "as" in lowered else "")
    return names


def _split_options(arguments: str) -> tuple[list[str], str]:
    """Split leading ``--flag=value`` options from the rest of an instruction."""
    options = []
    rest = arguments.strip()
    while rest.startswith("--"):
        option, _, rest = rest.partition(" ")
        options.append(option)
        rest = rest.strip()
    return options, rest


def image_command(instructions: Sequence[Instruction]) -> list[str]:
    """Return the final stage's ``CMD`` as an argument list (shell form: ``sh -c``)."""
    cmds = [i for i in _stage(instructions, None) if i.keyword == "CMD"]
    if not cmds:
        raise ValueError("the final stage of the Dockerfile has no CMD")
    return exec_form(cmds[-1].arguments) or ["/bin/sh", "-c", cmds[-1].arguments]


def healthcheck_command(instructions: Sequence[Instruction]) -> list[str] | None:
    """Return the final stage's ``HEALTHCHECK`` command as an argument list, or None."""
    checks = [i for i in _stage(instructions, None) if i.keyword == "HEALTHCHECK"]
    if not checks:
        return None
    _, rest = _split_options(checks[-1].arguments)
    keyword, _, command = rest.partition(" ")
    if keyword.upper() != "CMD":
        return None
    return exec_form(command) or ["/bin/sh", "-c", command]


def image_env(instructions: Sequence[Instruction], stage: int | None = None) -> dict[str, str]:
    """Return the ``ENV`` values of a stage (the final one by default), unexpanded."""
    values: dict[str, str] = {}
    for ins in _stage(instructions, stage):
        if ins.keyword == "ENV":
            for word in shlex.split(ins.arguments):
                name, sep, value = word.partition("=")
                if sep:
                    values[name] = value
    return values


def run_commands(instructions: Sequence[Instruction], stage: int | None = None) -> list[str]:
    """Return the shell commands of the ``RUN`` lines of a stage, ``--mount`` options removed."""
    stage_instructions = _stage(instructions, stage)
    return [_split_options(i.arguments)[1] for i in stage_instructions if i.keyword == "RUN"]


def baked_files(instructions: Sequence[Instruction]) -> list[str]:
    """Return the context files the final stage copies in (not ``--from`` another stage)."""
    files = []
    for ins in _stage(instructions, None):
        if ins.keyword == "COPY":
            options, rest = _split_options(ins.arguments)
            if not any(o.startswith("--from") for o in options):
                files += (exec_form(rest) or shlex.split(rest))[:-1]
    return files


def export_arguments(instructions: Sequence[Instruction]) -> list[str]:
    """Return the ``uv export`` arguments of the build stage, without ``--output-file``.

    That is the image's package selection: :func:`build_serving_env` runs the same command.
    """
    for ins in instructions:
        if ins.keyword != "RUN":
            continue
        for segment in _split_operators(_split_options(ins.arguments)[1]):
            if segment[:2] == ["uv", "export"]:
                args = segment[2:]
                cleaned, skip = [], False
                for arg in args:
                    if skip:
                        skip = False
                        continue
                    if arg in {"--output-file", "-o"}:
                        skip = True
                        continue
                    if arg.startswith("--output-file="):
                        continue
                    cleaned.append(arg)
                return cleaned
    raise ValueError("no `uv export` command in the Dockerfile's RUN instructions")


def _split_operators(command: str) -> list[list[str]]:
    """Split a shell command on ``&&`` / ``;`` into word lists."""
    segments: list[list[str]] = [[]]
    for word in shlex.split(command):
        if word in {"&&", ";", "||"}:
            segments.append([])
        else:
            segments[-1].append(word)
    return [s for s in segments if s]


def pruned_packages(instructions: Sequence[Instruction]) -> list[str]:
    """Return the packages the image leaves out (the ``--prune`` arguments of ``uv export``)."""
    args = export_arguments(instructions)
    return [args[i + 1] for i, arg in enumerate(args[:-1]) if arg == "--prune"]


# --------------------------------------------------------------------------------------
# Reviews: what a reviewer flags beyond the linters (messages in French, for learners)


def _image_unpinned(image: str) -> bool:
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
        if image not in aliases and image != "scratch" and _image_unpinned(image):
            problems.append(
                f"FROM {image} : image de base non épinglée (précisez un tag, jamais latest)"
            )
    final = _stage(instructions, None)
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
        for ins in _stage(instructions, stage):
            if ins.keyword in {"COPY", "ADD"}:
                options, rest = _split_options(ins.arguments)
                if any(o.startswith("--from") for o in options):
                    continue
                sources = (exec_form(rest) or shlex.split(rest))[:-1]
                if any(not _MANIFESTS.match(Path(s).name.rstrip("*")) for s in sources):
                    code_copied = True
            if ins.keyword != "RUN":
                continue
            command = _split_options(ins.arguments)[1]
            if re.search(r"\bpip install\b[^&;]*\buv\b", command):
                problems.append(
                    "uv installé par pip (version non épinglée) : copiez-le depuis son image "
                    "officielle, COPY --from=ghcr.io/astral-sh/uv:<version> /uv /uvx /bin/"
                )
            for segment in _split_operators(command):
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


def review_compose(text: str) -> list[str]:
    """Return the problems a reviewer would raise on Compose file ``text`` (empty: none).

    Checked: no obsolete ``version:`` key; for every service a health check that does not
    need curl/wget, a restart policy, a pinned image tag, model volumes mounted
    read-only; an MLflow server started with ``--allowed-hosts`` and one worker.
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
        elif _DOWNLOADERS.search(_healthcheck_test(check.get("test"))):
            problems.append(
                f"service {name} : le healthcheck appelle curl/wget, absents des images "
                "python slim ; utilisez python -c avec urllib.request"
            )
        if not service.get("restart") and not (service.get("deploy") or {}).get("restart_policy"):
            problems.append(f"service {name} : pas de politique restart (unless-stopped)")
        image = service.get("image")
        if image and _image_unpinned(str(image)):
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


# --------------------------------------------------------------------------------------
# .dockerignore and the build context


def dockerignore_patterns(text: str) -> list[str]:
    """Return the patterns of a ``.dockerignore`` text (comments and blanks dropped)."""
    patterns = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        body = line[1:].strip() if negated else line
        body = os.path.normpath(body.lstrip("/")) if body not in {"", "."} else body
        patterns.append(("!" if negated else "") + body)
    return patterns


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    out, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = pattern.find("]", i)
            if end == -1:
                out.append(re.escape(char))
            else:
                out.append(pattern[i : end + 1].replace("[!", "[^"))
                i = end
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("".join(out))


def is_excluded(path: str, patterns: Sequence[str]) -> bool:
    """Tell whether ``.dockerignore`` ``patterns`` keep ``path`` out of the build context.

    Docker's rules: a pattern matches a path or any of its parent folders, ``*`` stays
    within a folder, ``**`` spans folders, ``!`` re-includes, and the last match wins.
    """
    parts = Path(path).as_posix().strip("/").split("/")
    candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    excluded = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        regex = _pattern_regex(pattern[1:] if negated else pattern)
        if any(regex.fullmatch(candidate) for candidate in candidates):
            excluded = not negated
    return excluded


def context_files(root: Path | None = None, patterns: Sequence[str] | None = None) -> list[str]:
    """Return the files (relative POSIX paths) that ``docker build`` would send from ``root``."""
    root = root or project_root()
    if patterns is None:
        ignore = root / DOCKERIGNORE
        patterns = dockerignore_patterns(ignore.read_text()) if ignore.is_file() else []
    reincluded = [p[1:] for p in patterns if p.startswith("!")]
    files: list[str] = []
    for folder, dirs, names in os.walk(root):
        relative = Path(folder).relative_to(root).as_posix()
        prefix = "" if relative == "." else relative + "/"
        kept = []
        for name in sorted(dirs):
            path = prefix + name
            could_return = any(
                r.startswith(path + "/") or r == path or "**" in r for r in reincluded
            )
            if not is_excluded(path, patterns) or could_return:
                kept.append(name)
        dirs[:] = kept
        files += [prefix + n for n in sorted(names) if not is_excluded(prefix + n, patterns)]
    return sorted(files)


def copy_context(destination: Path, root: Path | None = None) -> Path:
    """Copy the build context (what ``.dockerignore`` lets through) to ``destination``."""
    root = root or project_root()
    for relative in context_files(root):
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / relative, target)
    return destination


# --------------------------------------------------------------------------------------
# The image's environment without Docker


def _uv_env() -> dict[str, str]:
    dropped = {"VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    # As in the image's build stage (its ENV), on the machine's Python 3.11.
    env.update(
        UV_COMPILE_BYTECODE="1",
        UV_LINK_MODE="copy",
        UV_PYTHON_DOWNLOADS="never",
        UV_PYTHON=env.get("UV_PYTHON", "3.11"),
    )
    return env


def serving_requirements(root: Path | None = None, *, hashes: bool = False) -> list[str]:
    """Return the pinned requirements the image installs (the Dockerfile's ``uv export``)."""
    root = root or project_root()
    args = export_arguments(read_dockerfile(root / DOCKERFILE))
    if not hashes:
        args = [*args, "--no-hashes", "--no-header", "--no-annotate"]
    done = _run([tool("uv"), "export", *args], cwd=root, env=_uv_env(), timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"uv export failed: {done.stderr.strip()}")
    return [line for line in done.stdout.splitlines() if line and not line.startswith("#")]


def _copy_sources(instructions: Sequence[Instruction], context: Path, workdir: Path) -> None:
    """Do the build stage's ``COPY`` lines (not ``--from``) from ``context`` into ``workdir``."""
    for ins in _stage(instructions, 0):
        if ins.keyword != "COPY":
            continue
        options, rest = _split_options(ins.arguments)
        if any(o.startswith("--from") for o in options):
            continue
        *sources, destination = exec_form(rest) or shlex.split(rest)
        for source in sources:
            origin = context / source
            into_folder = destination.endswith("/") or len(sources) > 1
            target = workdir / destination / origin.name if into_folder else workdir / destination
            target.parent.mkdir(parents=True, exist_ok=True)
            if origin.is_dir():
                shutil.copytree(origin, target, dirs_exist_ok=True)
            else:
                shutil.copy2(origin, target)


def build_serving_env(directory: str | Path, *, root: Path | None = None) -> Path:
    """Build in ``directory`` the virtual environment of the image; return its Python.

    The Dockerfile's build stage, replayed on this machine: the build context (what
    ``.dockerignore`` lets through); ``uv export`` with the Dockerfile's own arguments (its
    package selection) next to ``pyproject.toml`` and ``uv.lock`` only, as its bind mounts
    give it; ``uv venv``; ``uv pip sync --require-hashes``; the stage's ``COPY`` lines; then
    ``uv pip install --no-deps`` of the project. uv's cache is reused: no network is needed
    beyond the package index, and none at all when the cache holds every file.
    """
    root = root or project_root()
    directory = Path(directory)
    instructions = read_dockerfile(root / DOCKERFILE)
    context = copy_context(directory / "context", root)
    lock = directory / "lock"
    lock.mkdir(parents=True)
    for name in ("pyproject.toml", "uv.lock"):
        shutil.copy2(context / name, lock / name)
    source = directory / "src"
    _copy_sources(instructions, context, source)
    requirements = directory / "serve-requirements.txt"
    python = directory / "venv" / "bin" / "python"
    uv = tool("uv")
    steps = [
        (lock, [uv, "export", *export_arguments(instructions), "--output-file", requirements]),
        (lock, [uv, "venv", "--quiet", python.parent.parent]),
        (lock, [uv, "pip", "sync", "--quiet", "--python", python, "--require-hashes",
                requirements]),
        (source, [uv, "pip", "install", "--quiet", "--python", python, "--no-deps", "."]),
    ]  # fmt: skip
    for cwd, step in steps:
        done = _run(step, cwd=cwd, env=_uv_env(), timeout=600)
        if done.returncode != 0:
            shown = " ".join(str(s) for s in step[:3])
            raise RuntimeError(f"`{shown} ...` failed:\n{done.stderr.strip()}")
    return python


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _with_port(command: Sequence[str], host: str, port: int) -> list[str]:
    out = list(command)
    for flag, value in (("--host", host), ("--port", str(port))):
        if flag in out:
            out[out.index(flag) + 1] = value
        else:
            out += [flag, value]
    return out


@dataclass
class LocalServer:
    """The image's command running from a local copy of the image's environment."""

    url: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    healthcheck: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path = field(default_factory=Path)

    def log(self, lines: int = 30) -> str:
        """Return the last ``lines`` lines the server wrote."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def healthy(self) -> bool:
        """Run the image's own HEALTHCHECK command against this server."""
        done = _run(self.healthcheck, env=self.env, cwd=self.cwd, timeout=30)
        return done.returncode == 0

    def wait_healthy(self, timeout: float = 60.0) -> float:
        """Poll the health check until it passes; return the seconds it took."""
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            if self.process.poll() is not None:
                code = self.process.returncode
                raise RuntimeError(f"the server exited with {code}:\n{self.log()}")
            if self.healthy():
                return time.perf_counter() - start
            time.sleep(0.25)
        raise TimeoutError(f"not healthy after {timeout:.0f} s:\n{self.log()}")


@contextmanager
def serve(
    python: str | Path,
    *,
    model_dir: str | Path,
    home: str | Path,
    port: int | None = None,
    root: Path | None = None,
) -> Iterator[LocalServer]:
    """Start the image's ``CMD`` from the environment of ``python``; stop it on exit.

    The process gets the image's runtime ``ENV`` (paths replaced by ``model_dir`` and
    ``home``), a working folder of its own, and 127.0.0.1 on a free port instead of
    0.0.0.0:8000. Its health check is the image's ``HEALTHCHECK`` command.
    """
    root = root or project_root()
    instructions = read_dockerfile(root / DOCKERFILE)
    bin_dir = Path(python).parent
    port = port or free_port()
    home = Path(home)
    workdir = home / "workdir"
    workdir.mkdir(parents=True, exist_ok=True)
    env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(home),
        "LANG": "C.UTF-8",
    }
    for name, value in image_env(instructions).items():
        if name != "PATH":
            env[name] = value
    env.update(MLOPS_COURSE_HOME=str(home), MLOPS_COURSE_MODEL_DIR=str(Path(model_dir)))
    command = _with_port(image_command(instructions), "127.0.0.1", port)
    command[0] = str(bin_dir / command[0]) if (bin_dir / command[0]).exists() else command[0]
    image_check = healthcheck_command(instructions) or []
    check = [part.replace(f":{CONTAINER_PORT}", f":{port}") for part in image_check]
    if check and check[0] == "python":
        check[0] = str(python)
    log_path = home / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=workdir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = LocalServer(f"http://127.0.0.1:{port}", port, process, log_path, check, env, workdir)
    try:
        yield server
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=timeout)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=timeout)


# --------------------------------------------------------------------------------------
# Talking to a running API (local process or container)


@dataclass(frozen=True)
class ServingCheck:
    """What a smoke test saw: the health answer and one prediction."""

    health: dict[str, Any]
    prediction: dict[str, Any]

    def summary(self) -> str:
        """Return a one-line account."""
        return (
            f"/health -> {self.health.get('status')} ; /predict -> "
            f"{self.prediction.get('label')} (classe {self.prediction.get('prediction')})"
        )


def _request(url: str, payload: Mapping[str, Any] | None = None, timeout: float = 10.0) -> Any:
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


def check_serving(url: str, sample: Mapping[str, float] | None = None) -> ServingCheck:
    """Call ``/health`` and ``/predict`` on the API at ``url``; raise if either is wrong."""
    from mlops_course.data import LABELS

    health = _request(f"{url.rstrip('/')}/health")
    prediction = _request(f"{url.rstrip('/')}/predict", dict(sample or SAMPLE))
    if prediction.get("label") not in LABELS:
        raise AssertionError(f"/predict answered an unknown label: {prediction!r}")
    return ServingCheck(health, prediction)


# --------------------------------------------------------------------------------------
# With a Docker engine


def docker_available() -> bool:
    """Tell whether a Docker engine answers (``docker info`` succeeds).

    ``MLOPS_COURSE_DOCKER=0`` answers False even where an engine runs (CI runs the
    image in a job of its own).
    """
    if os.environ.get(DOCKER_SWITCH, "").strip().lower() in {"0", "false", "no", "off"}:
        return False
    docker = shutil.which("docker")
    if docker is None:
        return False
    try:
        done = _run([docker, "info", "--format", "{{.ServerVersion}}"], timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0 and bool(done.stdout.strip())


def build_image(tag: str, *, context: Path | None = None, root: Path | None = None) -> None:
    """``docker build`` the API image from ``context`` (the repository by default)."""
    root = root or project_root()
    done = _run(
        ["docker", "build", "--file", root / DOCKERFILE, "--tag", tag, context or root],
        timeout=1800,
    )
    if done.returncode != 0:
        raise RuntimeError(f"docker build failed:\n{done.stderr[-3000:]}")


def smoke_test_image(
    image: str, *, port: int | None = None, timeout: float = 120.0
) -> ServingCheck:
    """Run ``image``, wait until Docker reports it healthy, call ``/predict``, remove it."""
    port = port or free_port()
    started = _run(
        ["docker", "run", "--detach", "--publish", f"127.0.0.1:{port}:{CONTAINER_PORT}", image],
        timeout=120,
    )
    if started.returncode != 0:
        raise RuntimeError(f"docker run failed: {started.stderr.strip()}")
    container = started.stdout.strip()
    try:
        deadline = time.monotonic() + timeout
        status = ""
        while time.monotonic() < deadline:
            status = _run(
                ["docker", "inspect", "--format", "{{.State.Health.Status}}", container],
                timeout=30,
            ).stdout.strip()
            if status in {"healthy", "unhealthy"} or not status:
                break
            time.sleep(1)
        if status != "healthy":
            logs = _run(["docker", "logs", "--tail", "40", container], timeout=30)
            raise RuntimeError(
                f"container {container[:12]} is {status or 'gone'}:\n{logs.stdout}{logs.stderr}"
            )
        return check_serving(f"http://127.0.0.1:{port}")
    finally:
        _run(["docker", "rm", "--force", container], timeout=60)


def cli(argv: Iterable[str] | None = None) -> int:
    """``python -m mlops_course.containers smoke IMAGE``: smoke-test a built image."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2 or args[0] != "smoke":
        print("usage: python -m mlops_course.containers smoke IMAGE", file=sys.stderr)
        return 2
    result = smoke_test_image(args[1])
    print(f"{args[1]}: {result.summary()}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(cli())
