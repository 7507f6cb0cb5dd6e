"""``mlops-course lab``: what ``make lab`` does, in pure Python (Linux, macOS, Windows).

1. copy the exercises the learner has not started yet into ``mon-travail/``;
2. write the project's JupyterLab settings into the project's own environment (the
   ``overrides.d`` folder of ``.venv``'s JupyterLab, never the user's global settings):
   French interface (``jupyterlab-language-pack-fr-fr``), no news pop-up, no update check;
3. start JupyterLab on 127.0.0.1 (a free port if the asked one is taken), quiet, with a
   token of our own, and print one French line with its address and where to start.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from mlops_course.cli import ArgumentParser
from mlops_course.config import project_root
from mlops_course.courseware import commands
from mlops_course.courseware import notebooks as nbio

DEFAULT_PORT = 8888
HOST = "127.0.0.1"
#: File name of the course's settings among JupyterLab's ``overrides.d`` files.
OVERRIDES_NAME = "mlops-course.json"
#: Settings JupyterLab gives the course (plugin id -> settings): French UI, and neither the
#: "official Jupyter news" pop-up nor the update check (both would go online).
SETTINGS: dict[str, dict[str, Any]] = {
    "@jupyterlab/translation-extension:plugin": {"locale": "fr_FR"},
    "@jupyterlab/apputils-extension:notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}
#: Server options that keep JupyterLab quiet and offline (no news feed, no version check).
SERVER_OPTIONS = (
    "--Application.log_level=WARN",
    "--ServerApp.port_retries=0",
    "--LabApp.news_url=None",
    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
)


def app_settings_dir() -> Path:
    """Return the settings folder of this environment's JupyterLab (``<prefix>/.../settings``)."""
    from jupyterlab.commands import get_app_dir

    return Path(get_app_dir()) / "settings"


def configure(settings_dir: Path | None = None) -> Path:
    """Write the course's JupyterLab settings; return the file written.

    They go to ``overrides.d/`` of this environment's JupyterLab: defaults for this
    environment only, which the learner can still change in the settings editor.
    """
    target = (settings_dir or app_settings_dir()) / "overrides.d" / OVERRIDES_NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(SETTINGS, indent=2, ensure_ascii=False) + "\n"
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
    return target


def port_is_free(port: int, host: str = HOST) -> bool:
    """Return whether ``port`` can be listened on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = HOST) -> int:
    """Return a port that is free on ``host`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def has_browser() -> bool:
    """Whether a browser can be opened here (not on a headless server, a container, CI).

    Without one, JupyterLab would only log an English warning: the URL printed is enough.
    """
    import webbrowser

    try:
        webbrowser.get()
    except webbrowser.Error:
        return False
    return True


def server_command(port: int, token: str, *, root: Path, browser: bool) -> list[str]:
    """Return the command that starts JupyterLab for the course."""
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={root}"]
    command += [f"--ServerApp.ip={HOST}", f"--ServerApp.port={port}", *SERVER_OPTIONS]
    command += [f"--IdentityProvider.token={token}"]
    if not browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers (devcontainer, CI) often run as root
    if os.environ.get("CODESPACES") == "true":
        # Codespaces forwards the port under its own host name: let JupyterLab accept it.
        command.append("--ServerApp.allow_remote_access=True")
    return command


def wait_until_ready(
    base: str, token: str, process: subprocess.Popen[bytes], timeout: float = 180.0
) -> bool:
    """Poll JupyterLab's ``/api/status`` until it answers; False if the process died."""
    request = urllib.request.Request(
        f"{base}/api/status", headers={"Authorization": f"token {token}"}
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.25)
    return False


def welcome(url: str, root: Path, workspace: str = commands.WORKSPACE) -> str:
    """Return the French lines printed once JupyterLab answers."""
    first = nbio.discover("notebooks", root)
    start = f"`notebooks/{first[0].name}`" if first else "le dossier `notebooks/`"
    return (
        f"JupyterLab est prêt : {url}\n"
        f"Commencez par {start}, vos exercices sont dans `{workspace.rstrip('/')}/` "
        "(Ctrl+C pour arrêter)."
    )


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _stop_on_termination() -> None:
    """Turn SIGTERM/SIGHUP (a closed terminal, ``kill``) into Ctrl+C, so JupyterLab is
    stopped with us instead of running on, orphaned."""
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _interrupt)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def cli(argv: list[str]) -> int:
    """Prepare ``mon-travail/`` and the settings, start JupyterLab, say where to begin."""
    parser = ArgumentParser(
        prog="mlops-course lab",
        description="Ouvre le cours dans JupyterLab (ce que fait `make lab`).",
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help="port (défaut : 8888, sinon un port libre)"
    )
    parser.add_argument("--no-browser", action="store_true", help="ne pas ouvrir de navigateur")
    parser.add_argument(
        "--workspace", default=commands.WORKSPACE, help="dossier de vos copies d'exercices"
    )
    parser.add_argument(
        "--configure-only",
        action="store_true",
        help="préparer seulement mon-travail/ et les réglages de JupyterLab (postBuild de Binder)",
    )
    args, extra = parser.parse_known_args(argv)
    root = project_root()
    commands.workspace(["--dir", args.workspace])
    configure()
    if args.configure_only:
        print("JupyterLab : interface en français, sans fenêtre d'actualités.")
        return 0
    port = args.port
    if not port_is_free(port):
        port = free_port()
        print(f"Le port {args.port} est occupé : JupyterLab utilisera le port {port}.")
    token = secrets.token_hex(24)
    browser = not args.no_browser and has_browser()
    command = [*server_command(port, token, root=root, browser=browser), *extra]
    env = {**os.environ}
    env.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    print("Démarrage de JupyterLab…", flush=True)
    _stop_on_termination()
    process = subprocess.Popen(command, cwd=root, env=env)
    base = f"http://{HOST}:{port}"
    try:
        if wait_until_ready(base, token, process):
            print(welcome(f"{base}/lab?token={token}", root, args.workspace), flush=True)
        else:
            _stop(process)
            print(
                f"JupyterLab n'a pas démarré (code {process.returncode}) : "
                "voyez les messages ci-dessus.",
                file=sys.stderr,
            )
            return 1
        return process.wait()
    except KeyboardInterrupt:
        print("\nArrêt de JupyterLab…", flush=True)
        return 0
    finally:
        _stop(process)
