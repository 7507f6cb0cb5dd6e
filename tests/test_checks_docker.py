"""Chapter 05 checks: 'pas encore fait' on the stub, a hint on each typical mistake, ✅ when right.

Each exercise is tried with the mistakes a learner makes (issue 15): a Dockerfile that
installs or copies nothing, forgets the model, checks /health, binds uvicorn to 127.0.0.1;
a health check on the wrong route or port; a .dockerignore that leaks or drops files; a
Deployment whose probes are wrong.
"""

from __future__ import annotations

import pytest

from mlops_course import containers
from mlops_course.checks import docker as checks
from mlops_course.config import project_root
from mlops_course.containers.kubernetes import BROKEN_DEPLOYMENT

FIXED_DOCKERFILE = """\
FROM python:3.11-slim-trixie
COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /uvx /bin/
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy PATH="/app/.venv/bin:$PATH"
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --locked --no-dev --no-install-project
COPY mlops_course ./mlops_course
RUN uv sync --locked --no-dev --no-editable
COPY model/pipeline_v1.onnx model/pipeline_v1.manifest.json ./model/
RUN useradd --system --uid 10001 --no-create-home api
USER 10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \\
    CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/ready')"]
CMD ["uvicorn", "mlops_course.api:app", "--host", "0.0.0.0", "--port", "8000"]
"""
MODEL_LINE = "COPY model/pipeline_v1.onnx model/pipeline_v1.manifest.json ./model/\n"
SERVE = '"--host", "0.0.0.0", '


def _edited(text: str, *edits: tuple[str, str]) -> str:
    """``text`` with each ``(old, new)`` replaced (each ``old`` must be there)."""
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    return text


def _dockerfile(*edits: tuple[str, str]) -> str:
    return _edited(FIXED_DOCKERFILE, *edits)


#: Installs and copies nothing: only the base image, the user and the command.
NOTHING_INSTALLED = "".join(
    line + "\n"
    for line in FIXED_DOCKERFILE.splitlines()
    if not line.startswith(("COPY pyproject", "RUN uv sync", "COPY mlops_course", "COPY model"))
)


def test_exercise_1_dockerfile(check_contract) -> None:
    check_contract(
        checks.exercice_1,
        stub=...,
        right=FIXED_DOCKERFILE,
        wrongs=[
            (containers.CHAPTER_DOCKERFILE, "encore le Dockerfile du chapitre"),
            (NOTHING_INSTALLED, "n'installe aucune dépendance"),
            (
                _dockerfile((MODEL_LINE, "ENV MLOPS_COURSE_BACKEND=onnx\n")),
                "modèle dans /app/model/",
            ),
            (_dockerfile((" model/pipeline_v1.manifest.json ./model/", " ./model/")), "manifeste"),
            (_dockerfile(("/ready", "/health")), r"dit « healthy ».*attend le modèle"),
            (_dockerfile((SERVE, '"--host", "127.0.0.1", ')), "écoutera sur 127.0.0.1 :"),
            (_dockerfile((SERVE, "")), "sa valeur par défaut, sans --host"),
            (_dockerfile(("127.0.0.1:8000/ready", "127.0.0.1/ready")), "port où uvicorn écoute"),
            (_dockerfile((' PATH="/app/.venv/bin:$PATH"', "")), "n'est pas dans le PATH"),
            (_dockerfile(("COPY mlops_course ./mlops_course", "COPY app/ ./app/")), "COPY app/"),
            (_dockerfile(("mlops_course.api:app", "app.main:app")), "mlops_course.api:app"),
            (_dockerfile(("EXPOSE 8000", "EXPOSE 80")), "EXPOSE annonce 80"),
            # a USER that is never created: hadolint already refuses a name it cannot resolve
            (
                _dockerfile(
                    ("RUN useradd --system --uid 10001 --no-create-home api\n", "")
                ).replace("USER 10001", "USER api"),
                "DL3066",
            ),
        ],
    )


def test_exercise_1_accepts_the_repositorys_two_stage_dockerfile() -> None:
    checks.exercice_1((project_root() / containers.DOCKERFILE).read_text())


def test_exercise_1_refuses_a_named_user_nobody_creates() -> None:
    from mlops_course.checks import WrongAnswerError
    from mlops_course.containers.image import simulate_image

    text = _dockerfile(("RUN useradd --system --uid 10001 --no-create-home api\n", ""))
    image = simulate_image(text.replace("USER 10001", "USER api"), checks._context())
    assert image.user == "api" and "api" not in image.users
    with pytest.raises(WrongAnswerError):
        checks.exercice_1(text.replace("USER 10001", "USER api"))


TIMING = {"interval": "30s", "timeout": "5s", "retries": 3, "start_period": "30s"}
READY = "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/ready', timeout=4)"


def _check(code: str, **timing: object) -> dict[str, object]:
    return {"test": ["CMD", "python", "-c", code], **{**TIMING, **timing}}


def test_exercise_2_compose_health_check(check_contract) -> None:
    check_contract(
        checks.exercice_2,
        stub=...,
        right=_check(READY),
        wrongs=[
            (_check(READY.replace("/ready", "/health")), r"dit « healthy ».*/health"),
            (_check(READY.replace(":8000", "")), "port où uvicorn écoute"),
            (_check("pass"), "503"),
            ({"test": ["CMD", "curl", "-f", "http://localhost:8000/ready"], **TIMING}, "curl"),
            ({"test": ["CMD", "python", "-c", READY]}, "il manque la clé 'interval'"),
            ({"test": f'python -c "{READY}"', **TIMING}, r'commence par "CMD"'),
        ],
    )


CHAPTER_DOCKERIGNORE = ".git\n.env\nnotebooks/\ndata/raw/\n*.ipynb\n.venv/\nmlruns/\n__pycache__\n"
ALLOW_LIST = "*\n!pyproject.toml\n!uv.lock\n!README.md\n!mlops_course/\n**/__pycache__\n"


def test_exercise_3_dockerignore(check_contract) -> None:
    check_contract(
        checks.exercice_3,
        stub=...,
        right=(project_root() / ".dockerignore").read_text(),
        wrongs=[
            (CHAPTER_DOCKERIGNORE, "build/executed"),
            (ALLOW_LIST, r"model/pipeline_v1\.onnx"),
            (ALLOW_LIST.replace("**/__pycache__", "__pycache__"), r"__pycache__/config"),
            # a deny-list that forgets the secrets file
            (".git\n.venv/\nnotebooks/\ndata/\nmlruns/\nbuild/\n**/__pycache__\n", r"'\.env'"),
            ("", "aucun motif"),
        ],
    )


#: The start-up probe the starting Deployment lacks (the model takes seconds to load).
STARTUP_PROBE = """\
          startupProbe:
            httpGet: {path: /ready, port: http}
            periodSeconds: 2
            failureThreshold: 30
"""
READINESS = "          readinessProbe:\n            httpGet: {path: "

#: The exercise's answer: the starting Deployment with each of its mistakes fixed.
FIXED_DEPLOYMENT = _edited(
    BROKEN_DEPLOYMENT,
    (":latest", ":0.1.0"),  # a version tag
    ("port: 80}", "port: http}"),  # the probes aim at the port the container listens on
    # a start-up probe, then readiness on /ready: traffic waits for the model
    (f"{READINESS}/health", f"{STARTUP_PROBE}{READINESS}/ready"),
)


def _deployment(*edits: tuple[str, str]) -> str:
    return _edited(FIXED_DEPLOYMENT, *edits)


def test_exercise_4_kubernetes_probes(check_contract) -> None:
    check_contract(
        checks.exercice_4,
        stub=...,
        right=FIXED_DEPLOYMENT,
        wrongs=[
            (BROKEN_DEPLOYMENT, "encore le Deployment de départ"),
            # only the tag fixed: the probes are still wrong
            (
                BROKEN_DEPLOYMENT.replace(":latest", ":0.1.0"),
                r"(?s)pas de startupProbe.*port 80.*readinessProbe interroge /health",
            ),
            # routes fixed, but the probes still aim at port 80
            (_deployment(("port: http}", "port: 80}")), "port 80, qui n'est pas un containerPort"),
            # readiness and liveness both on /ready: a reload would restart the pods
            (
                _deployment(("{path: /health, port: http}", "{path: /ready, port: http}")),
                r"livenessProbe interroge /ready.*redémarrerait le pod en boucle",
            ),
            # no start-up probe
            (_deployment((STARTUP_PROBE, "")), "pas de startupProbe"),
            # a start-up probe too short for the model load
            (_deployment(("failureThreshold: 30", "failureThreshold: 3")), "ne laisse que 6 s"),
            (_deployment((":0.1.0", ":latest")), "avec latest"),
            # a misspelt field: Kubernetes itself refuses the manifest
            (_deployment(("readinessProbe:", "readinesProbe:")), "'readinesProbe' was unexpected"),
            ("kind: Deployment\n  metadata: x\n bad", "YAML illisible"),
        ],
    )
