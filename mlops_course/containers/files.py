"""What the container chapter works on: the repository's files and the chapter's versions.

Taught in notebook 05_docker.
"""

from __future__ import annotations

from pathlib import Path

#: Where the container files live, relative to the repository root.
DOCKERFILE = Path("docker") / "Dockerfile"
COMPOSE_FILE = Path("docker") / "docker-compose.yml"
DOCKERIGNORE = Path(".dockerignore")
#: The Kubernetes manifests of the API (``kubectl apply -k deploy/k8s``).
KUBERNETES_DIR = Path("deploy") / "k8s"
#: The monitoring profile's configuration (Prometheus rules, Grafana provisioning).
MONITORING_DIR = Path("docker") / "monitoring"
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
