"""Chapter 05 checks: 'pas encore fait' on the stub, a hint on a wrong answer, ✅ when right."""

from __future__ import annotations

import re

import pytest

from mlops_course import containers
from mlops_course.checks import docker as checks
from mlops_course.config import project_root

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
TIMING = {"interval": "30s", "timeout": "5s", "retries": 3, "start_period": "30s"}
READY = "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/ready', timeout=4)"
HEALTH = READY.replace("/ready", "/health")
CHAPTER_DOCKERIGNORE = ".git\n.env\nnotebooks/\ndata/raw/\n*.ipynb\n.venv/\nmlruns/\n__pycache__\n"


@pytest.mark.parametrize(
    ("check", "wrong", "right", "hint"),
    [
        (checks.exercice_1, containers.CHAPTER_DOCKERFILE, FIXED_DOCKERFILE, "encore"),
        (
            checks.exercice_2,
            {"test": ["CMD", "python", "-c", HEALTH], **TIMING},
            {"test": ["CMD", "python", "-c", READY], **TIMING},
            "/ready",
        ),
        (
            checks.exercice_3,
            CHAPTER_DOCKERIGNORE,
            (project_root() / ".dockerignore").read_text(),
            "build/executed",
        ),
    ],
    ids=["exercice_1", "exercice_2", "exercice_3"],
)
def test_check_says_not_done_then_hints_then_passes(
    check, wrong, right, hint: str, check_contract
) -> None:
    check_contract(check, stub=..., wrong=wrong, right=right, hint=hint)


def test_dockerfile_check_names_the_apps_module() -> None:
    with pytest.raises(AssertionError, match=re.escape("mlops_course.api:app")):
        checks.exercice_1(FIXED_DOCKERFILE.replace("mlops_course.api:app", "app.main:app"))


def test_health_check_with_curl_is_refused_by_the_review() -> None:
    with pytest.raises(AssertionError, match="curl"):
        checks.exercice_2({"test": ["CMD", "curl", "-f", "http://localhost:8000/ready"], **TIMING})


def test_health_check_that_always_succeeds_is_refused() -> None:
    with pytest.raises(AssertionError, match="503"):
        checks.exercice_2({"test": ["CMD", "python", "-c", "pass"], **TIMING})


def test_dockerignore_that_drops_the_model_is_refused() -> None:
    with pytest.raises(AssertionError, match=re.escape("model/pipeline_v1.onnx")):
        checks.exercice_3(
            "*\n!pyproject.toml\n!uv.lock\n!README.md\n!mlops_course/\n**/__pycache__\n"
        )
