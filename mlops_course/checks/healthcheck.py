"""A container's health check, run on this machine against a stand-in API.

Notebook 08's first exercise uses it: the learner's ``HEALTHCHECK`` command runs as Docker
would run it (exec form, or ``/bin/sh -c``), with the API's address inside the container
pointed at a local server that answers 200, then 503, then nothing at all. Notebook
05_docker's checks run their health checks against the same stand-in, loading its model
(/health 200, /ready 503).
"""

from __future__ import annotations

import ast
import os
import re
import shlex
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

#: Hosts a health check inside the container can reach the API on.
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "0.0.0.0"})
#: Routes that answer while the API is up.
HEALTH_ROUTES = frozenset({"/health", "/ready"})
#: How a Python interpreter is spelled in a Dockerfile (``python``, ``/usr/local/bin/python3``).
PYTHON = re.compile(r"(?:/usr(?:/local)?/bin/)?python3?(?:\.\d+)?")
#: Docker's default ``--timeout`` is 30 s; a health check here gets a third of it.
TIMEOUT_S = 10


def python_code(argv: list[str]) -> str:
    """Return the source of ``python -c CODE`` in a health check command, or ''."""
    words = shlex.split(argv[2]) if argv[:2] == ["/bin/sh", "-c"] else argv
    for index, word in enumerate(words[:-2]):
        if PYTHON.fullmatch(word) and words[index + 1] == "-c":
            return words[index + 2]
    return ""


def imported_modules(code: str) -> set[str]:
    """Return the top-level modules Python ``code`` imports (SyntaxError if it is not Python)."""
    names = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


class _StandInApi(BaseHTTPRequestHandler):
    """Answers each health route with the status the server holds, anything else with 404."""

    def do_GET(self) -> None:
        statuses: dict[str, int] = self.server.statuses  # type: ignore[attr-defined]
        status = statuses.get(self.path.split("?")[0], 404)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"status": "ok"}' if status == 200 else b"{}")

    def log_message(self, format: str, *args: Any) -> None:  # keep the notebook quiet
        return


@contextmanager
def stand_in_api(status: int, *, health: int | None = None) -> Iterator[int]:
    """Serve the health routes on a free loopback port; yield the port.

    Every route of :data:`HEALTH_ROUTES` answers ``status``, except /health when ``health``
    is given: ``stand_in_api(503, health=200)`` is an API whose process is up while its
    model loads.
    """
    server = ThreadingHTTPServer(("127.0.0.1", 0), _StandInApi)
    statuses = dict.fromkeys(HEALTH_ROUTES, status)
    if health is not None:
        statuses["/health"] = health
    server.statuses = statuses  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def closed_port() -> int:
    """A loopback port nothing listens on (any more): an API that is down."""
    with stand_in_api(200) as port:
        pass
    return port


def _run(argv: list[str], served: int, port: int, shims: Path) -> int | None:
    local = "|".join(re.escape(host) for host in sorted(LOCAL_HOSTS))
    address = re.compile(rf"(?:{local}):{served}(?!\d)")
    args = [address.sub(f"127.0.0.1:{port}", word) for word in argv]
    args = [str(shims / "python") if PYTHON.fullmatch(word) else word for word in args]
    if args[:2] == ["/bin/sh", "-c"]:  # the image's python is on the PATH: use the shim's
        args[2] = re.sub(r"(?<![\w/.-])/usr(?:/local)?/bin/(?=python)", "", args[2])
    env = {**os.environ, "PATH": f"{shims}{os.pathsep}{os.environ.get('PATH', '')}"}
    try:
        done = subprocess.run(
            args,
            env=env,
            capture_output=True,
            timeout=TIMEOUT_S,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        return None
    except OSError:
        return 127
    return done.returncode


def exit_codes(argv: list[str], served: int) -> dict[str, int | None]:
    """Run the health check ``argv`` three times and return its exit codes (None: timeout).

    ``served`` is the port the API listens on in the container: the check's local address
    on that port is pointed at a stand-in API that answers 200 (``"up"``), then 503
    (``"error"``), then at a closed port (``"down"``). ``python`` runs this interpreter.
    """
    with tempfile.TemporaryDirectory() as folder:
        shims = Path(folder)
        for name in ("python", "python3", "python3.11"):
            shim = shims / name
            shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
            shim.chmod(0o755)
        codes = {}
        for case, status in (("up", 200), ("error", 503)):
            with stand_in_api(status) as port:
                codes[case] = _run(argv, served, port, shims)
        codes["down"] = _run(argv, served, closed_port(), shims)
    return codes
