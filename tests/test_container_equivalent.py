"""The API image, smoke-tested: for real where a Docker engine runs, else its equivalent.

Without an engine, the image's environment is rebuilt from the Dockerfile itself (its
``uv export`` selection, into a fresh virtual environment, from uv's cache), its ``CMD``
is started with a freshly built ONNX model, and its own ``HEALTHCHECK`` command decides
when the server is ready; then ``/health`` and ``/predict`` must answer.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from mlops_course import containers, serialization

pytestmark = pytest.mark.slow

HAS_DOCKER = containers.docker_available()


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The model files the image bakes in (ONNX + manifest), out of what `make model` writes."""
    made = tmp_path_factory.mktemp("made")
    serialization.build_model_files(made)
    baked = containers.baked_files(containers.read_dockerfile())
    folder = tmp_path_factory.mktemp("model")
    for name in baked:
        (folder / Path(name).name).write_bytes((made / Path(name).name).read_bytes())
    assert sorted(p.name for p in folder.iterdir()) == [
        "pipeline_v1.manifest.json",
        "pipeline_v1.onnx",
    ]
    return folder


def _modules_present(python: Path, names: list[str]) -> list[str]:
    probe = (
        "import importlib.util as u, json, sys; "
        "print(json.dumps([m for m in sys.argv[1:] if u.find_spec(m)]))"
    )
    done = subprocess.run(
        [str(python), "-c", probe, *names], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


@pytest.mark.skipif(HAS_DOCKER, reason="a Docker engine runs: the real image is tested instead")
def test_image_environment_serves_predictions_like_the_image(
    model_dir: Path, tmp_path: Path
) -> None:
    """One test (one environment build): serving, health check, contents, missing model."""
    python = containers.build_serving_env(tmp_path / "image")

    # The image's CMD answers /health and /predict once its own HEALTHCHECK passes...
    with containers.serve(python, model_dir=model_dir, home=tmp_path / "run") as server:
        server.wait_healthy(timeout=60)
        result = containers.check_serving(server.url)
        # The image fails closed: no token configured, so the admin route is refused.
        closed = httpx.post(f"{server.url}/admin/reload", timeout=10)
        server.process.terminate()  # the lines still lingering in the sink worker are written
        server.process.wait(timeout=10)
        log = server.log(200)
        down = server.healthy()
    assert result.health["status"] == "healthy" and result.health["model_loaded"] is True
    assert result.prediction["label"] == "setosa" and result.prediction["prediction"] == 0
    assert '"prediction_id"' in log, "one JSON log line per prediction, as in the container"
    assert closed.status_code == 403 and "MLOPS_COURSE_ADMIN_TOKEN" in closed.json()["detail"]
    assert down is False, "the HEALTHCHECK must fail when nothing answers"

    # ... from an environment without the course's tooling ...
    wanted = ["fastapi", "uvicorn", "onnxruntime", "mlops_course"]
    tooling = ["sklearn", "mlflow", "pandas", "scipy", "jupyterlab", "skl2onnx", "pytest"]
    assert _modules_present(python, wanted + tooling) == wanted

    # ... and, without a model, it says how to get one instead of training (no sklearn).
    empty = tmp_path / "no-model"
    empty.mkdir()
    with containers.serve(python, model_dir=empty, home=tmp_path / "empty") as server:
        deadline = time.monotonic() + 30
        while "make model" not in server.log(200) and time.monotonic() < deadline:
            time.sleep(0.2)
        log = server.log(200)
        healthy = server.healthy()
    assert "make model" in log and healthy is False


@pytest.mark.skipif(not HAS_DOCKER, reason="no Docker engine (docker info failed)")
def test_docker_image_becomes_healthy_and_predicts(model_dir: Path, tmp_path: Path) -> None:
    context = containers.copy_context(tmp_path / "context")
    (context / "model").mkdir(exist_ok=True)
    for path in model_dir.iterdir():
        (context / "model" / path.name).write_bytes(path.read_bytes())
    tag = "mlops-course-api:test"
    containers.build_image(tag, context=context)
    try:
        result = containers.smoke_test_image(tag)
    finally:
        subprocess.run(["docker", "image", "rm", "--force", tag], capture_output=True, check=False)
    assert result.prediction["label"] == "setosa"
