"""The API as a learner runs it: a real uvicorn process, called over HTTP with httpx."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest

from mlops_course import serialization
from mlops_course.api.server import run_in_background

pytestmark = pytest.mark.slow

CURL_BODY = '{"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}'


@pytest.fixture(scope="module")
def model_files(tmp_path_factory: pytest.TempPathFactory) -> serialization.ModelFiles:
    return serialization.build_model_files(tmp_path_factory.mktemp("model"), n_estimators=10)


def test_the_chapters_client_sequence_works_against_a_real_server(
    model_files: serialization.ModelFiles,
) -> None:
    with run_in_background(model_files.onnx) as server:
        assert server.url.startswith("http://127.0.0.1:")
        # §4.4: the curl command, as curl sends it
        curl = httpx.post(
            f"{server.url}/predict",
            content=CURL_BODY,
            headers={"Content-Type": "application/json"},
        )
        assert curl.status_code == 200 and curl.json()["label"] == "setosa"
        # §4.5: health, one prediction, a batch of three
        response = httpx.get(f"{server.url}/health")
        assert response.json()["status"] == "healthy"
        data = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
        result = httpx.post(f"{server.url}/predict", json=data).json()
        assert result["label"] == "setosa" and max(result["probabilites"]) > 0.5
        batch_data = {
            "instances": [
                {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2},
                {"sepal_length": 6.7, "sepal_width": 3.0, "petal_length": 5.2, "petal_width": 2.3},
                {"sepal_length": 5.9, "sepal_width": 3.0, "petal_length": 4.2, "petal_width": 1.5},
            ]
        }
        response = httpx.post(f"{server.url}/predict/batch", json=batch_data)
        assert [r["label"] for r in response.json()] == ["setosa", "virginica", "versicolor"]
        # `curl -d` without the header sends a form: a clear 415, not a 500
        form_type = {"Content-Type": "application/x-www-form-urlencoded"}
        form = httpx.post(f"{server.url}/predict", content=CURL_BODY, headers=form_type)
        assert form.status_code == 415
        logged = [json.loads(line) for line in server.logs().splitlines() if line.startswith("{")]
        assert curl.json()["prediction_id"] in {r["prediction_id"] for r in logged}
    assert not server.running


def test_a_background_server_stops_when_its_parent_dies(
    model_files: serialization.ModelFiles, tmp_path: Path
) -> None:
    pid_file = tmp_path / "pid"
    script = textwrap.dedent(
        f"""
        import os
        from mlops_course.api.server import run_in_background
        server = run_in_background({str(model_files.onnx)!r})
        open({str(pid_file)!r}, "w").write(f"{{server.pid}} {{server.log_path.parent}}")
        os._exit(0)  # no clean-up at all, as when a kernel is killed
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)
    pid_text, folder = pid_file.read_text().split(" ", 1)
    pid = int(pid_text)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            # it also removed the temporary folder its parent can no longer clean
            assert not Path(folder).exists(), f"{folder} left behind"
            return
        time.sleep(0.1)
    os.kill(pid, 9)
    pytest.fail("the orphaned server was still running 15 s after its parent died")


def test_the_onnx_path_imports_neither_sklearn_nor_mlflow_nor_pandas(
    model_files: serialization.ModelFiles,
) -> None:
    script = textwrap.dedent(
        """
        import sys
        from mlops_course.api import app
        model = app.state.model.load()
        heavy = [m for m in ("sklearn", "mlflow", "pandas", "skl2onnx", "scipy")
                 if m in sys.modules]
        print(model.backend, heavy)
        """
    )
    env = {**os.environ, "MLOPS_COURSE_MODEL": str(model_files.onnx)}
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "onnx []"


def test_serve_command_documents_its_options(capsys: pytest.CaptureFixture[str]) -> None:
    from mlops_course.api.server import cli

    with pytest.raises(SystemExit) as exit_info:
        cli(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for option in ("--host", "--port", "--model", "--backend"):
        assert option in text
