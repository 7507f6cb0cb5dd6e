"""Chapter 04 checks: 'pas encore fait' on the stub, a hint on a wrong answer, ✅ when right."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, Request
from pydantic import Field

from mlops_course import config, serialization
from mlops_course.api.schemas import PredictionInput
from mlops_course.checks import NotDoneError
from mlops_course.checks import serving as checks

pytestmark = pytest.mark.filterwarnings(
    "ignore:Using `httpx` with `starlette.testclient` is deprecated:UserWarning"
)


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    files = serialization.build_model_files(tmp_path_factory.mktemp("model"), n_estimators=5)
    return files.onnx.parent


@pytest.fixture(autouse=True)
def model_in_home(trained: Path, isolated_home: Path) -> None:
    """The notebook has trained its model into model_dir() before the exercises."""
    shutil.copytree(trained, config.model_dir())


# --- exercise 1: a validated field --------------------------------------------------------


class RightInput(PredictionInput):
    client_id: str = Field(..., pattern=r"^[a-z0-9-]{3,32}$")


class OptionalClient(PredictionInput):
    client_id: str | None = Field(default=None, pattern=r"^[a-z0-9-]{3,32}$")


class AnyClient(PredictionInput):
    client_id: str


# --- exercise 2: an endpoint --------------------------------------------------------------


def right_route(app: FastAPI) -> FastAPI:
    @app.get("/especes")
    async def especes(request: Request) -> dict[str, Any]:
        model = request.app.state.model.require()
        return {"especes": list(model.labels), "model_version": model.version}

    return app


def route_with_hardcoded_labels(app: FastAPI) -> FastAPI:
    @app.get("/especes")
    async def especes() -> dict[str, Any]:
        return {"especes": ["iris"], "model_version": "1"}

    return app


def forgets_to_return(app: FastAPI) -> None:
    right_route(app)


# --- exercise 3: loop vs batch ------------------------------------------------------------


def right_comparison(client: Any, instances: list[dict[str, float]]) -> tuple[float, float]:
    start = time.perf_counter()
    for row in instances:
        client.post("/predict", json=row)
    loop = time.perf_counter() - start
    start = time.perf_counter()
    client.post("/predict/batch", json={"instances": instances})
    return loop, time.perf_counter() - start


def batch_in_pieces(client: Any, instances: list[dict[str, float]]) -> tuple[float, float]:
    start = time.perf_counter()
    for row in instances:
        client.post("/predict", json=row)
    loop = time.perf_counter() - start
    start = time.perf_counter()
    for i in range(0, len(instances), 10):
        client.post("/predict/batch", json={"instances": instances[i : i + 10]})
    return loop, time.perf_counter() - start


def _stub(*args: Any) -> Any:
    """What the generated exercise holds: a body of `...`."""
    ...


@pytest.mark.parametrize(
    ("check", "stub", "wrong", "right", "hint"),
    [
        (checks.exercice_1, ..., OptionalClient, RightInput, "obligatoire"),
        (checks.exercice_1, ..., AnyClient, RightInput, "doit être refusé"),
        (checks.exercice_2, _stub, route_with_hardcoded_labels, right_route, "especes"),
        (checks.exercice_2, _stub, forgets_to_return, right_route, "return app"),
        (checks.exercice_3, _stub, batch_in_pieces, right_comparison, "un seul POST"),
    ],
    ids=["ex1-optional", "ex1-unchecked", "ex2-hardcoded", "ex2-no-return", "ex3-pieces"],
)
def test_check_refuses_stub_hints_wrong_and_accepts_right(
    check: Any, stub: Any, wrong: Any, right: Any, hint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(NotDoneError):
        check(stub)
    with pytest.raises(AssertionError, match=hint):
        check(wrong)
    check(right)
    assert capsys.readouterr().out.startswith("✅")
