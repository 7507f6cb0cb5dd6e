"""POST /admin/reload fails closed outside the local lab.

The image, Compose and the Kubernetes manifests set ``MLOPS_COURSE_ADMIN_FAIL_CLOSED``:
without a token the route answers 403 and says what to set; with one, the right header
is required. ``make serve`` on localhost stays open, and its start-up log says so.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from mlops_course import containers, serialization
from mlops_course.api import Settings, create_app
from mlops_course.config import project_root

pytestmark = pytest.mark.filterwarnings(
    "ignore:Using `httpx` with `starlette.testclient` is deprecated:UserWarning"
)

ROOT = project_root()
FAIL_CLOSED = "MLOPS_COURSE_ADMIN_FAIL_CLOSED"

#: A token made up for each run (a literal one would look like a committed secret).
TOKEN = secrets.token_urlsafe(12)


@pytest.fixture(scope="module")
def model_files(tmp_path_factory: pytest.TempPathFactory) -> serialization.ModelFiles:
    return serialization.build_model_files(tmp_path_factory.mktemp("model"), n_estimators=5)


@pytest.fixture
def client(model_files: serialization.ModelFiles) -> Iterator[Any]:
    """Build a started test client for the given settings (closed after the test)."""
    from fastapi.testclient import TestClient

    opened: list[Any] = []

    def make(**settings: Any) -> Any:
        app = create_app(Settings(model=str(model_files.onnx), train_if_missing=False, **settings))
        test_client = TestClient(app, raise_server_exceptions=False)
        test_client.__enter__()
        app.state.model.wait(60)
        opened.append(test_client)
        return test_client

    yield make
    for test_client in opened:
        test_client.__exit__(None, None, None)


def test_fail_closed_without_a_token_refuses_with_403_naming_the_setting(client) -> None:
    response = client(admin_fail_closed=True).post("/admin/reload")
    assert response.status_code == 403
    body = response.json()
    assert body["error"] == "forbidden"
    assert "MLOPS_COURSE_ADMIN_TOKEN" in body["detail"] and "X-Admin-Token" in body["detail"]
    assert body["detail"].startswith("route d'administration fermée")


def test_fail_closed_refuses_a_blank_token_too(client) -> None:
    assert (
        client(admin_fail_closed=True, admin_token="   ").post("/admin/reload").status_code == 403
    )


def test_fail_closed_with_a_token_requires_the_right_header(client) -> None:
    api = client(admin_fail_closed=True, admin_token=TOKEN)
    assert api.post("/admin/reload").status_code == 401
    assert api.post("/admin/reload", headers={"X-Admin-Token": "wrong"}).status_code == 401
    answer = api.post("/admin/reload", headers={"X-Admin-Token": TOKEN})
    assert answer.status_code == 200 and answer.json()["changed"] is False


def test_the_local_lab_stays_open_and_its_start_up_log_says_so(client, caplog) -> None:
    with caplog.at_level(logging.INFO, logger="mlops_course.api"):
        api = client()
    assert api.post("/admin/reload").status_code == 200
    (warning,) = [r for r in caplog.records if "/admin/reload" in r.getMessage()]
    assert warning.levelno == logging.WARNING
    assert "ouvert à quiconque" in warning.getMessage() and FAIL_CLOSED in warning.getMessage()


def test_start_up_log_says_when_the_route_is_closed_or_guarded(client, caplog) -> None:
    with caplog.at_level(logging.INFO, logger="mlops_course.api"):
        client(admin_fail_closed=True)
        client(admin_fail_closed=True, admin_token=TOKEN)
    said = [r.getMessage() for r in caplog.records if "/admin/reload" in r.getMessage()]
    assert said[0].startswith("POST /admin/reload est fermé (403)")
    assert said[1] == "POST /admin/reload exige l'en-tête X-Admin-Token."


def test_setting_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FAIL_CLOSED, "true")
    assert Settings().admin_fail_closed is True
    monkeypatch.delenv(FAIL_CLOSED)
    assert Settings().admin_fail_closed is False


# --- where it is set ----------------------------------------------------------------------


def test_the_image_fails_closed_and_bakes_no_token() -> None:
    env = containers.image_env(containers.read_dockerfile())
    assert env[FAIL_CLOSED] == "true"
    assert not any("ADMIN_TOKEN" in name for name in env)


def test_compose_fails_closed_and_reads_the_token_from_a_git_ignored_env_file() -> None:
    compose = yaml.safe_load((ROOT / containers.COMPOSE_FILE).read_text())
    api = compose["services"]["api"]
    assert api["environment"][FAIL_CLOSED] == "true"
    assert "MLOPS_COURSE_ADMIN_TOKEN" not in api["environment"]
    assert api["env_file"] == [{"path": ".env", "required": False}]
    example = (ROOT / "docker" / ".env.example").read_text()
    assert re.search(r"^MLOPS_COURSE_ADMIN_TOKEN=$", example, re.MULTILINE)
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert ".env" in ignored, "docker/.env (the real token) must never be committed"


def test_kubernetes_fails_closed_with_the_token_from_a_secret() -> None:
    docs = containers.load_manifests()
    configmap = next(d for d in docs if d["kind"] == "ConfigMap")
    assert configmap["data"][FAIL_CLOSED] == "true"
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    env = deployment["spec"]["template"]["spec"]["containers"][0]["env"]
    (token,) = [e for e in env if e["name"] == "MLOPS_COURSE_ADMIN_TOKEN"]
    assert "secretKeyRef" in token["valueFrom"]


def test_make_serve_stays_on_localhost() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^HOST \?= 127\.0\.0\.1$", makefile, re.MULTILINE)
    assert FAIL_CLOSED not in makefile.split("serve:", 1)[1].split("\n\n", 1)[0]
