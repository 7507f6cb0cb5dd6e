"""Checks for notebook 05 (Docker for ML)."""

from __future__ import annotations

import copy
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from mlops_course import containers
from mlops_course.checks import expect, fail, require, success
from mlops_course.config import project_root

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


def exercice_1(dockerfile_corrige: str) -> None:
    """The learner fixes the chapter's Dockerfile until hadolint and the review are silent."""
    text = require(dockerfile_corrige, "Exercice 1")
    expect(isinstance(text, str), "on attend le texte du Dockerfile (une chaîne).")
    expect(
        text.strip() != containers.CHAPTER_DOCKERFILE.strip(),
        "c'est encore le Dockerfile du chapitre.",
    )
    try:
        instructions = containers.parse_dockerfile(text)
    except ValueError as error:
        raise fail(f"Dockerfile illisible : {error}") from error
    findings = containers.hadolint_text(text)
    expect(
        not findings,
        "hadolint signale encore :\n  " + "\n  ".join(str(f) for f in findings),
    )
    problems = containers.review_dockerfile(text)
    expect(not problems, "la revue signale encore :\n  - " + "\n  - ".join(problems))
    command = containers.image_command(instructions)
    expect(
        "mlops_course.api:app" in command,
        f"le CMD lance {command} : l'API de ce dépôt est `mlops_course.api:app` "
        "(le chapitre disait app.main:app).",
    )
    check = " ".join(containers.healthcheck_command(instructions) or [])
    expect(
        ":8000/" in check,
        "le HEALTHCHECK doit interroger l'API sur le port 8000 du conteneur.",
    )
    success("hadolint et la revue n'ont plus rien à dire : ce Dockerfile est bon pour la CI.")


class _FakeApi(BaseHTTPRequestHandler):
    """Answers /health with 200 and /ready with the status the server holds."""

    def do_GET(self) -> None:
        ready: int = self.server.ready_status  # type: ignore[attr-defined]
        status = {"/health": 200, "/ready": ready}.get(self.path.split("?")[0], 404)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: Any) -> None:  # keep the notebook quiet
        return


@contextmanager
def _fake_api(ready_status: int) -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeApi)
    server.ready_status = ready_status  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def _argv(test: Any, port: int) -> list[str]:
    if isinstance(test, str):
        argv = ["/bin/sh", "-c", test]
    elif test and test[0] == "CMD-SHELL":
        argv = ["/bin/sh", "-c", " ".join(str(t) for t in test[1:])]
    else:
        argv = [str(t) for t in test[1:]]
    argv = [a.replace(":8000", f":{port}") for a in argv]
    if argv and argv[0] in {"python", "python3"}:
        argv[0] = sys.executable
    return argv


def _exit_code(test: Any, port: int) -> int:
    try:
        done = subprocess.run(_argv(test, port), capture_output=True, timeout=15, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return 1
    return done.returncode


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
    with _fake_api(200) as port:
        ok = _exit_code(test, port)
    expect(ok == 0, f"contre une API prête, votre commande sort avec le code {ok} au lieu de 0.")
    with _fake_api(503) as port:
        loading = _exit_code(test, port)
    expect(
        loading != 0,
        "pendant le chargement du modèle (/ready répond 503), votre commande dit « healthy » : "
        "/health répond 200 dès que le processus tourne ; interrogez /ready.",
    )
    with _fake_api(200) as port:
        pass
    down = _exit_code(test, port)  # the port is closed now: nothing answers
    expect(down != 0, "quand rien ne répond, votre commande doit échouer (code non nul).")
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
