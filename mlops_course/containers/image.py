"""What an image built from a Dockerfile would contain, worked out without building it.

Used by the checks of notebook 05_docker (its first exercise: a Dockerfile that serves).

:func:`simulate_image` replays a Dockerfile's instructions against a build context (the
files ``.dockerignore`` lets through): ``WORKDIR``, ``ENV``, ``COPY`` (from the context or
from another stage), ``USER``, and the ``RUN`` lines that matter for serving — creating a
user, installing the locked dependencies (``uv sync``, ``uv pip sync``...), installing the
project. It answers what a learner's Dockerfile forgot: the code, the model, the
dependencies, a user that exists, a virtual environment on the ``PATH``.

It is a model of Docker, not Docker: it follows files and installs, not their contents.
A real build is ``make docker-build``.
"""

from __future__ import annotations

import copy
import fnmatch
import posixpath
import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass, field

from mlops_course.containers.dockerfile import (
    exec_form,
    parse_dockerfile,
    split_operators,
    split_options,
)

#: Users present in the ``python:3.11-slim`` images before any ``useradd``.
BASE_USERS = frozenset({"root", "0", "nobody", "65534", "daemon", "www-data"})
SYSTEM = "system"


@dataclass
class ImageContents:
    """The final stage of a simulated build."""

    files: set[str] = field(default_factory=set)
    workdir: str = "/"
    env: dict[str, str] = field(default_factory=dict)
    user: str | None = None
    users: set[str] = field(default_factory=lambda: set(BASE_USERS))
    #: where packages were installed (a venv folder, or "system") -> {"deps", "project"}
    installs: dict[str, set[str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def has(self, path: str) -> bool:
        """Tell whether the file ``path`` (absolute) is in the image."""
        return path in self.files

    def has_folder(self, path: str) -> bool:
        """Tell whether some file lies under folder ``path``."""
        prefix = path.rstrip("/") + "/"
        return any(f.startswith(prefix) for f in self.files)

    @property
    def deps_installed(self) -> bool:
        return any("deps" in what for what in self.installs.values())

    @property
    def project_installed(self) -> bool:
        return any("project" in what for what in self.installs.values())

    def path_dirs(self) -> list[str]:
        """The folders of ``PATH`` (the image's default if no ``ENV PATH``)."""
        default = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        return [p.rstrip("/") for p in self.env.get("PATH", default).split(":") if p]


def _expand(text: str, env: dict[str, str]) -> str:
    def value(found: re.Match[str]) -> str:
        name = found.group(1) or found.group(2)
        return env.get(name, "")

    return re.sub(r"\$\{(\w+)(?::?-[^}]*)?\}|\$(\w+)", value, text)


def _absolute(path: str, workdir: str) -> str:
    return posixpath.normpath(posixpath.join(workdir, path))


def _copy_from_context(
    state: ImageContents, sources: list[str], destination: str, context: list[str]
) -> None:
    target = _absolute(destination, state.workdir)
    # A destination ending in "/" or "." (COPY requirements.txt .), or a folder that already
    # exists (the WORKDIR), receives files under their own names.
    named_folder = destination.endswith(("/", "/.")) or destination == "."
    existing_folder = target == state.workdir or state.has_folder(target)
    into_folder = named_folder or existing_folder or len(sources) > 1
    for source in sources:
        clean = posixpath.normpath(source.lstrip("/")) if source not in {".", "./"} else "."
        if clean == ".":
            matched = [(f, f) for f in context]
        else:
            files = [f for f in context if fnmatch.fnmatch(f, clean)]
            if files:
                into = into_folder or len(files) > 1 or any(c in clean for c in "*?[")
                matched = [(f, posixpath.basename(f) if into else "") for f in files]
            else:  # a folder: its content goes into the destination
                prefix = clean.rstrip("/") + "/"
                matched = [(f, f[len(prefix) :]) for f in context if f.startswith(prefix)]
        if not matched:
            state.problems.append(
                f"COPY {source} : rien de tel dans le contexte de build (absent du dépôt ou "
                "exclu par .dockerignore)"
            )
        for _, relative in matched:
            state.files.add(posixpath.join(target, relative) if relative else target)


def _copy_from_stage(
    state: ImageContents, origin: ImageContents, sources: list[str], dest: str
) -> None:
    target = _absolute(dest, state.workdir)
    for source in sources:
        src = _absolute(source, origin.workdir)
        prefix = src.rstrip("/") + "/"
        for path in origin.files:
            if path == src or path.startswith(prefix):
                state.files.add(posixpath.join(target, path[len(src) :].lstrip("/")))
        for where, what in origin.installs.items():
            if where == src or where.startswith(prefix):
                moved = posixpath.join(target, where[len(src) :].lstrip("/")).rstrip("/")
                state.installs.setdefault(moved, set()).update(what)


def _venv_of(words: list[str], state: ImageContents) -> str:
    """Where a ``uv pip`` / ``pip`` command installs."""
    if "--system" in words or words[0] in {"pip", "pip3", "python", "python3"}:
        return SYSTEM
    if "--python" in words:
        python = words[words.index("--python") + 1]
        return posixpath.dirname(posixpath.dirname(_absolute(python, state.workdir)))
    return state.env.get("VIRTUAL_ENV", SYSTEM)


def _run(state: ImageContents, arguments: str) -> None:
    options, command = split_options(arguments)
    mounted = set()
    for option in options:
        if option.startswith("--mount=") and "type=bind" in option:
            parts = dict(p.split("=", 1) for p in option[8:].split(",") if "=" in p)
            mounted.add(_absolute(parts.get("target", parts.get("source", "")), state.workdir))
    for segment in split_operators(_expand(command, state.env)):
        words = [w for w in segment if w]
        text = " ".join(words)
        has = state.files | mounted
        lock_ok = all(_absolute(n, state.workdir) in has for n in ("pyproject.toml", "uv.lock"))
        code = any(f.startswith(_absolute("mlops_course", state.workdir) + "/") for f in has)
        if words[0] in {"useradd", "adduser"}:
            state.users.add(words[-1])
            for flag in ("--uid", "-u"):
                if flag in words:
                    state.users.add(words[words.index(flag) + 1])
        elif text.startswith(("uv sync", "uv export")):
            if not lock_ok:
                state.problems.append(
                    f"`{words[0]} {words[1]}` s'exécute dans {state.workdir} sans pyproject.toml "
                    "et uv.lock : copiez-les (ou montez-les) avant"
                )
                continue
            if words[1] == "sync":
                venv = state.env.get("UV_PROJECT_ENVIRONMENT") or _absolute(".venv", state.workdir)
                what = {"deps"}
                if "--no-install-project" not in words and code:
                    what.add("project")
                state.installs.setdefault(venv, set()).update(what)
        elif text.startswith(("uv pip sync", "uv pip install", "pip install", "pip3 install")):
            pip_words = words[2:] if words[0] == "uv" else words[1:]
            where = _venv_of(words, state)
            if any(w in {"-r", "--requirement"} or w.endswith(".txt") for w in pip_words):
                state.installs.setdefault(where, set()).add("deps")
            elif "." in pip_words or "-e" in pip_words:
                if code and _absolute("pyproject.toml", state.workdir) in has:
                    what = {"project"} if "--no-deps" in pip_words else {"project", "deps"}
                    state.installs.setdefault(where, set()).update(what)
            elif words[:3] != ["pip", "install", "uv"]:
                state.problems.append(
                    f"`{text[:50]}` installe des paquets sans le verrou uv.lock : leurs versions "
                    "ne sont pas figées ; installez depuis uv.lock (uv sync --locked)"
                )


def simulate_image(text: str, context: Iterable[str]) -> ImageContents:
    """Replay Dockerfile ``text`` against the ``context`` files; return its final stage."""
    context = sorted(context)
    stages: dict[str, ImageContents] = {}
    state = ImageContents()
    number = -1
    for ins in parse_dockerfile(text):
        if ins.keyword == "FROM":
            number += 1
            words = ins.arguments.split()
            image = next(w for w in words if not w.startswith("--"))
            state = copy.deepcopy(stages[image]) if image in stages else ImageContents()
            stages[str(number)] = state
            lowered = [w.lower() for w in words]
            if "as" in lowered:
                stages[words[lowered.index("as") + 1]] = state
        elif ins.keyword == "WORKDIR":
            state.workdir = _absolute(_expand(ins.arguments.strip(), state.env), state.workdir)
        elif ins.keyword == "ENV":
            for word in shlex.split(ins.arguments):
                name, sep, value = word.partition("=")
                if sep:
                    state.env[name] = _expand(value, state.env)
        elif ins.keyword == "USER":
            state.user = ins.arguments.split(":")[0].strip()
        elif ins.keyword in {"COPY", "ADD"}:
            options, rest = split_options(ins.arguments)
            *sources, destination = [
                _expand(w, state.env) for w in exec_form(rest) or shlex.split(rest)
            ]
            origin = next((o.split("=", 1)[1] for o in options if o.startswith("--from=")), None)
            if origin is None:
                _copy_from_context(state, sources, destination, context)
            elif origin in stages:
                _copy_from_stage(state, stages[origin], sources, destination)
        elif ins.keyword == "RUN":
            _run(state, ins.arguments)
    return state
