"""With a Docker engine: build the image, run it, smoke-test it; the module's CLI.

Taught in notebook 05_docker (when an engine is there).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from mlops_course.config import project_root
from mlops_course.containers.files import (
    CONTAINER_PORT,
    DOCKER_SWITCH,
    DOCKERFILE,
)
from mlops_course.containers.lint import (
    run_command,
)
from mlops_course.containers.local import (
    ServingCheck,
    check_serving,
    free_port,
)

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
        done = run_command([docker, "info", "--format", "{{.ServerVersion}}"], timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0 and bool(done.stdout.strip())


def build_image(tag: str, *, context: Path | None = None, root: Path | None = None) -> None:
    """``docker build`` the API image from ``context`` (the repository by default)."""
    root = root or project_root()
    done = run_command(
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
    started = run_command(
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
            status = run_command(
                ["docker", "inspect", "--format", "{{.State.Health.Status}}", container],
                timeout=30,
            ).stdout.strip()
            if status in {"healthy", "unhealthy"} or not status:
                break
            time.sleep(1)
        if status != "healthy":
            logs = run_command(["docker", "logs", "--tail", "40", container], timeout=30)
            raise RuntimeError(
                f"container {container[:12]} is {status or 'gone'}:\n{logs.stdout}{logs.stderr}"
            )
        return check_serving(f"http://127.0.0.1:{port}")
    finally:
        run_command(["docker", "rm", "--force", container], timeout=60)


def cli(argv: Iterable[str] | None = None) -> int:
    """``python -m mlops_course.containers smoke IMAGE``: smoke-test a built image."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2 or args[0] != "smoke":
        print("usage : mlops-course container smoke IMAGE", file=sys.stderr)
        return 2
    result = smoke_test_image(args[1])
    print(f"{args[1]}: {result.summary()}")
    return 0
