"""The image's environment and command without Docker, and the HTTP smoke check.

Taught in notebook 05_docker.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlops_course.config import project_root
from mlops_course.containers.context import (
    copy_context,
)
from mlops_course.containers.dockerfile import (
    Instruction,
    exec_form,
    export_arguments,
    healthcheck_command,
    image_command,
    image_env,
    instructions_of_stage,
    read_dockerfile,
    split_options,
)
from mlops_course.containers.files import (
    CONTAINER_PORT,
    DOCKERFILE,
    SAMPLE,
)
from mlops_course.containers.lint import (
    run_command,
    tool,
)

# --------------------------------------------------------------------------------------
# The image's environment without Docker


def _uv_env() -> dict[str, str]:
    dropped = {"VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    # As in the image's build stage (its ENV), on the Python running the course (any
    # supported version: uv takes the base interpreter of this virtual environment).
    env.update(
        UV_COMPILE_BYTECODE="1",
        UV_LINK_MODE="copy",
        UV_PYTHON_DOWNLOADS="never",
        UV_PYTHON=env.get("UV_PYTHON") or sys.executable,
    )
    return env


def serving_requirements(root: Path | None = None, *, hashes: bool = False) -> list[str]:
    """Return the pinned requirements the image installs (the Dockerfile's ``uv export``)."""
    root = root or project_root()
    args = export_arguments(read_dockerfile(root / DOCKERFILE))
    if not hashes:
        args = [*args, "--no-hashes", "--no-header", "--no-annotate"]
    done = run_command([tool("uv"), "export", *args], cwd=root, env=_uv_env(), timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"uv export failed: {done.stderr.strip()}")
    return [line for line in done.stdout.splitlines() if line and not line.startswith("#")]


def _copy_sources(instructions: Sequence[Instruction], context: Path, workdir: Path) -> None:
    """Do the build stage's ``COPY`` lines (not ``--from``) from ``context`` into ``workdir``."""
    for ins in instructions_of_stage(instructions, 0):
        if ins.keyword != "COPY":
            continue
        options, rest = split_options(ins.arguments)
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
        done = run_command(step, cwd=cwd, env=_uv_env(), timeout=600)
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
        done = run_command(self.healthcheck, env=self.env, cwd=self.cwd, timeout=30)
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
    """SIGTERM to the server's process group, SIGKILL after ``timeout`` (Windows: the process)."""
    if process.poll() is not None:
        return
    try:
        _signal(process, signal.SIGTERM)
        process.wait(timeout=timeout)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with suppress(ProcessLookupError):
            _signal(process, getattr(signal, "SIGKILL", signal.SIGTERM))
        process.wait(timeout=timeout)


def _signal(process: subprocess.Popen[bytes], signum: int) -> None:
    if hasattr(os, "killpg"):  # POSIX: the whole session started for the server
        os.killpg(process.pid, signum)
    else:  # Windows: no process group to signal; terminate() is TerminateProcess
        process.terminate()


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
