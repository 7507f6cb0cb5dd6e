"""Run the API: ``mlops-course serve`` and :func:`run_in_background` for notebooks and tests.

``mlops-course serve --port 8000 --model model/pipeline_v1.onnx`` is the same as
``uvicorn mlops_course.api:app`` with the settings given as options (one worker).

:func:`run_in_background` starts the server in a child process on a free port and waits
until ``/ready`` answers 200. The returned :class:`BackgroundServer` has ``.url`` and
``.stop()``; it is also a context manager, it stops the child when the Python process that
started it exits (a notebook kernel that is shut down, even after a failed cell), and the
child stops by itself if that process disappears without cleaning up (``--exit-with-parent``).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from pathlib import Path
from typing import Any

from mlops_course.cli import ArgumentParser

#: Seconds :func:`run_in_background` waits for ``/ready`` (training a missing model included).
READY_TIMEOUT = 120.0


def _parser() -> argparse.ArgumentParser:
    parser = ArgumentParser(
        prog="mlops-course serve",
        description="Lance l'API de prédiction (uvicorn, un worker). Les réglages absents ici "
        "sont lus dans les variables d'environnement MLOPS_COURSE_*.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface (défaut : 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port ; 0 = un port libre")
    parser.add_argument(
        "--model",
        default=None,
        help="source du modèle : un fichier .onnx/.joblib ou models:/nom@alias "
        "(défaut : MLOPS_COURSE_MODEL, sinon model/pipeline_v1.*)",
    )
    parser.add_argument(
        "--backend",
        choices=("onnx", "sklearn"),
        default=None,
        help="moteur d'inférence (défaut : onnx)",
    )
    parser.add_argument(
        "--log-level", default="info", help="niveau de log d'uvicorn (défaut : info)"
    )
    parser.add_argument(
        "--no-access-log", action="store_true", help="pas de ligne de log par requête HTTP"
    )
    parser.add_argument("--port-file", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--exit-with-parent", type=int, default=None, help=argparse.SUPPRESS)
    return parser


def _watch_parent(pid: int, folder: Path | None = None) -> None:
    """Stop this server (SIGTERM to itself) once process ``pid`` is gone; remove ``folder``."""
    import signal

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != pid:
                if folder is not None:
                    shutil.rmtree(folder, ignore_errors=True)
                os.kill(os.getpid(), signal.SIGTERM)
                return

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def cli(argv: list[str] | None = None) -> int:
    """``mlops-course serve``: run the API with uvicorn until interrupted."""
    import uvicorn

    from mlops_course.api.application import create_app
    from mlops_course.api.settings import Settings

    args = _parser().parse_args(argv)
    if not 0 <= args.port <= 65535:
        raise SystemExit(f"--port must be in 0..65535, got {args.port}")
    overrides: dict[str, Any] = {}
    if args.model is not None:
        overrides["model"] = args.model
    if args.backend is not None:
        overrides["backend"] = args.backend
    app = create_app(Settings(**overrides))
    config = uvicorn.Config(
        app,
        host=args.host,
        port=args.port,
        workers=1,
        log_level=args.log_level,
        access_log=not args.no_access_log,
    )
    if args.exit_with_parent is not None:
        # Orphaned, it also removes its parent's temporary folder (port file, log): nobody
        # else knows about it any more.
        _watch_parent(args.exit_with_parent, args.port_file.parent if args.port_file else None)
    server = _server(config, args.port_file)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C: uvicorn already shut down cleanly
        server.run()
    return 0 if server.started else 1


def _server(config: Any, port_file: Path | None) -> Any:
    """Return a uvicorn server that writes the port it bound in ``port_file`` once started."""
    import uvicorn

    class PortReportingServer(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets=sockets)
            if port_file is not None and self.started and self.servers:
                port = self.servers[0].sockets[0].getsockname()[1]
                tmp = port_file.with_suffix(".tmp")
                tmp.write_text(str(port), encoding="utf-8")
                os.replace(tmp, port_file)

    return PortReportingServer(config)


def _terminate(process: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """SIGTERM (uvicorn shuts down gracefully), then SIGKILL after ``timeout`` seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout)


def _cleanup(process: subprocess.Popen[bytes], folder: Path) -> None:
    try:
        _terminate(process)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


class BackgroundServer:
    """A running API server in a child process. Use ``.url``; call ``.stop()`` when done."""

    def __init__(self, process: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
        self.process = process
        self.url = url
        self.log_path = log_path
        self._final_log: str | None = None
        # Runs on stop(), on garbage collection, and when this Python process exits.
        self._finalizer = weakref.finalize(self, _cleanup, process, log_path.parent)

    @property
    def pid(self) -> int:
        """Process id of the server."""
        return self.process.pid

    @property
    def running(self) -> bool:
        """True while the server process is alive."""
        return self.process.poll() is None

    def logs(self, last: int | None = None) -> str:
        """Return what the server wrote (uvicorn lines and the JSON prediction log)."""
        if self._final_log is not None:
            text = self._final_log
        else:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-last:]) if last else text

    def stop(self, timeout: float = 10.0) -> int | None:
        """Stop the server (SIGTERM, then SIGKILL after ``timeout`` s); return its exit code."""
        if self._finalizer.alive:
            self._finalizer.detach()
            try:
                _terminate(self.process, timeout)
            finally:
                self._final_log = self.log_path.read_text(encoding="utf-8", errors="replace")
                shutil.rmtree(self.log_path.parent, ignore_errors=True)
        return self.process.returncode

    def __enter__(self) -> BackgroundServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else f"stopped ({self.process.returncode})"
        return f"BackgroundServer({self.url}, pid={self.pid}, {state})"


def run_in_background(
    model: str | os.PathLike[str] | None = None,
    *,
    backend: str | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    env: dict[str, str] | None = None,
    timeout: float = READY_TIMEOUT,
) -> BackgroundServer:
    """Start the API in a child process (``port=0``: a free port) and wait until it is ready.

    ``env`` adds environment variables for the child (on top of this process's). Raises
    ``RuntimeError`` with the end of the server's log if it exits or is not ready in time.
    """
    import httpx

    folder = Path(tempfile.mkdtemp(prefix="mlops-course-api-"))
    port_file, log_path = folder / "port", folder / "server.log"
    command = [sys.executable, "-m", "mlops_course.api.server", "--host", host, "--port", str(port)]
    command += ["--port-file", str(port_file), "--exit-with-parent", str(os.getpid())]
    command += ["--no-access-log"]
    if model is not None:
        command += ["--model", str(model)]
    if backend is not None:
        command += ["--backend", backend]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"},
        )
    server = BackgroundServer(process, url="", log_path=log_path)
    deadline = time.monotonic() + timeout

    def fail(why: str) -> RuntimeError:
        server.stop()
        return RuntimeError(f"le serveur de l'API {why} ; fin de son log :\n{server.logs(last=20)}")

    while not port_file.is_file():
        if not server.running:
            raise fail(f"s'est arrêté (code {process.returncode}) avant d'écouter")
        if time.monotonic() > deadline:
            raise fail(f"n'écoutait toujours pas après {timeout:.0f} s")
        time.sleep(0.05)
    server.url = f"http://{host}:{int(port_file.read_text(encoding='utf-8'))}"
    with httpx.Client(base_url=server.url, timeout=5.0) as client:
        while True:
            if not server.running:
                raise fail(f"s'est arrêté (code {process.returncode}) en chargeant le modèle")
            try:
                response = client.get("/ready")
            except httpx.TransportError:
                response = None
            if response is not None and response.status_code == 200:
                return server
            if response is not None and response.json().get("status") == "failed":
                raise fail("n'a pas pu charger son modèle")
            if time.monotonic() > deadline:
                raise fail(f"n'était pas prêt après {timeout:.0f} s")
            time.sleep(0.1)


if __name__ == "__main__":  # pragma: no cover - `python -m mlops_course.api.server`
    raise SystemExit(cli())
