"""Chapter 04 checks: 'pas encore fait' on the stub, a hint per typical mistake, ✅ when right.

No ``from __future__ import annotations`` here: FastAPI must see the real schema classes of
the apps built below, as it does in a notebook.
"""

import shutil
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from mlops_course import config, serialization
from mlops_course.api.schemas import PredictionInput
from mlops_course.checks import WrongAnswerError
from mlops_course.checks import serving as checks


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    files = serialization.build_model_files(tmp_path_factory.mktemp("model"), n_estimators=5)
    return files.onnx.parent


@pytest.fixture
def model_in_home(trained: Path, isolated_home: Path) -> None:
    """The notebook has trained its model into model_dir() before the exercises."""
    shutil.copytree(trained, config.model_dir())


def _stub(*args: Any) -> Any:
    """What the generated exercise holds: a body of `...`."""
    ...


# --- exercise 1: a validated field --------------------------------------------------------

PATTERN = r"^[a-z0-9-]{3,32}$"


class RightInput(PredictionInput):
    client_id: str = Field(..., pattern=PATTERN)


class CapitalsAllowed(PredictionInput):
    client_id: str = Field(..., pattern=r"^[a-zA-Z0-9-]{3,32}$")


class WordCharacters(PredictionInput):
    client_id: str = Field(..., pattern=r"^[\w-]{3,32}$")


class NoAnchors(PredictionInput):
    client_id: str = Field(..., pattern=r"[a-z0-9-]{3,32}")


class OptionalClient(PredictionInput):
    client_id: str | None = Field(default=None, pattern=PATTERN)


class LengthOnly(PredictionInput):
    client_id: str = Field(..., min_length=3, max_length=32)


class ClientOnly(BaseModel):
    client_id: str = Field(..., pattern=PATTERN)


def test_exercise_1_refuses_capitals_loose_patterns_and_optional_fields(
    check_contract: Callable[..., None],
) -> None:
    check_contract(
        checks.exercice_1,
        stub=...,
        right=RightInput,
        wrongs=[
            (CapitalsAllowed, r"'Boutique-42' doit être refusé.*minuscules"),
            (WordCharacters, "doit être refusé"),
            (NoAnchors, r"doit être refusé.*avant ou après"),
            (OptionalClient, "obligatoire"),
            (LengthOnly, "'Boutique-42' doit être refusé"),
            (ClientOnly, "héritez de PredictionInput"),
        ],
    )


# --- exercise 2: an endpoint that reads the served model ----------------------------------


def right_route(app: FastAPI) -> FastAPI:
    @app.get("/especes")
    async def especes(request: Request) -> dict[str, Any]:
        model = request.app.state.model.require()
        return {"especes": list(model.labels), "model_version": model.version}

    return app


def hardcoded_species_and_version(app: FastAPI) -> FastAPI:
    @app.get("/especes")
    async def especes() -> dict[str, Any]:
        return {"especes": ["setosa", "versicolor", "virginica"], "model_version": "1"}

    return app


def hardcoded_version(app: FastAPI) -> FastAPI:
    @app.get("/especes")
    async def especes(request: Request) -> dict[str, Any]:
        model = request.app.state.model.require()
        return {"especes": list(model.labels), "model_version": "1"}

    return app


def class_codes(app: FastAPI) -> FastAPI:
    @app.get("/especes")
    async def especes(request: Request) -> dict[str, Any]:
        model = request.app.state.model.require()
        return {"especes": model.classes.tolist(), "model_version": model.version}

    return app


def declared_as_post(app: FastAPI) -> FastAPI:
    @app.post("/especes")
    async def especes(request: Request) -> dict[str, Any]:
        model = request.app.state.model.require()
        return {"especes": list(model.labels), "model_version": model.version}

    return app


def forgets_to_return(app: FastAPI) -> None:
    right_route(app)


@pytest.mark.usefixtures("model_in_home")
def test_exercise_2_refuses_species_or_version_written_down(
    check_contract: Callable[..., None],
) -> None:
    check_contract(
        checks.exercice_2,
        stub=_stub,
        right=right_route,
        wrongs=[
            (hardcoded_species_and_version, "lisez-les sur le modèle servi"),
            (hardcoded_version, "'model_version' vaut '1'"),
            (class_codes, "des chaînes"),
            (declared_as_post, "405"),
            (forgets_to_return, "return app"),
        ],
    )


@pytest.mark.usefixtures("model_in_home")
@pytest.mark.parametrize("answer", [hardcoded_species_and_version, hardcoded_version])
def test_exercise_2_hints_do_not_print_the_served_labels_or_version(answer: Any) -> None:
    with pytest.raises(WrongAnswerError) as refused:
        checks.exercice_2(answer)
    message = str(refused.value)
    assert not [label for label in checks.SERVED_LABELS if label in message]
    assert repr(checks.SERVED_VERSION) not in message


# --- exercise 3: loop vs batch ------------------------------------------------------------


def _timed(loop: Callable[[], object], batch: Callable[[], object]) -> tuple[float, float]:
    """Seconds taken by ``loop()``, then by ``batch()``: the timing every answer below shares."""
    start = time.perf_counter()
    loop()
    looped = time.perf_counter() - start
    start = time.perf_counter()
    batch()
    return looped, time.perf_counter() - start


def right_comparison(client: Any, instances: list[dict[str, float]]) -> tuple[float, float]:
    return _timed(
        lambda: [client.post("/predict", json=row) for row in instances],
        lambda: client.post("/predict/batch", json={"instances": instances}),
    )


def batch_in_pieces(client: Any, instances: list[dict[str, float]]) -> tuple[float, float]:
    return _timed(
        lambda: [client.post("/predict", json=row) for row in instances],
        lambda: [
            client.post("/predict/batch", json={"instances": instances[i : i + 10]})
            for i in range(0, len(instances), 10)
        ],
    )


def sent_as_form(client: Any, instances: list[dict[str, float]]) -> tuple[float, float]:
    """`data=` instead of `json=`: every request gets a 4xx, and the timing means nothing."""
    return _timed(
        lambda: [client.post("/predict", data=row) for row in instances],
        lambda: client.post("/predict/batch", data={"instances": instances}),
    )


def batch_as_bare_list(client: Any, instances: list[dict[str, float]]) -> tuple[float, float]:
    return _timed(
        lambda: [client.post("/predict", json=row) for row in instances],
        lambda: client.post("/predict/batch", json=instances),
    )


def in_milliseconds(client: Any, instances: list[dict[str, float]]) -> tuple[float, float]:
    loop, batch = right_comparison(client, instances)
    return loop * 1000, batch * 1000


def swapped(client: Any, instances: list[dict[str, float]]) -> tuple[float, float]:
    loop, batch = right_comparison(client, instances)
    return batch, loop


@pytest.mark.usefixtures("model_in_home")
def test_exercise_3_refuses_refused_requests_bare_lists_and_milliseconds(
    check_contract: Callable[..., None],
) -> None:
    check_contract(
        checks.exercice_3,
        stub=_stub,
        right=right_comparison,
        wrongs=[
            (sent_as_form, r"requêtes POST /predict sur 40 ont été refusées"),
            (batch_as_bare_list, r"pas une liste nue"),
            (in_milliseconds, r"pas des millisecondes"),
            (batch_in_pieces, r"un seul POST"),
            (swapped, r"dans l'ordre"),
        ],
    )


@pytest.mark.usefixtures("model_in_home")
def test_checks_on_the_course_api_leave_no_log_line_and_no_file_behind(
    capfd: pytest.CaptureFixture[str],
) -> None:
    models = sorted(p.name for p in config.model_dir().iterdir())
    checks.exercice_2(right_route)
    checks.exercice_3(right_comparison)
    out, err = capfd.readouterr()
    assert out.count("✅") == 2 and err == ""
    assert not config.log_dir().exists() or not any(config.log_dir().iterdir())
    assert sorted(p.name for p in config.model_dir().iterdir()) == models


# --- exercise 4: the learner's own FastAPI app --------------------------------------------


class Fleur(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sepal_length: float = Field(ge=0, le=10)
    sepal_width: float = Field(ge=0, le=10)
    petal_length: float = Field(ge=0, le=10)
    petal_width: float = Field(ge=0, le=10)


class Lot(BaseModel):
    model_config = ConfigDict(extra="forbid")

    instances: list[Fleur] = Field(min_length=1, max_length=1000)


class FleurSansForbid(BaseModel):
    sepal_length: float = Field(ge=0, le=10)
    sepal_width: float = Field(ge=0, le=10)
    petal_length: float = Field(ge=0, le=10)
    petal_width: float = Field(ge=0, le=10)


class FleurSansBornes(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sepal_length: float
    sepal_width: float
    petal_length: float
    petal_width: float


class FleurAvecDefauts(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sepal_length: float = Field(5.0, ge=0, le=10)
    sepal_width: float = Field(3.0, ge=0, le=10)
    petal_length: float = Field(4.0, ge=0, le=10)
    petal_width: float = Field(1.0, ge=0, le=10)


IRIS = ["setosa", "versicolor", "virginica"]


def make_app(
    charger_modele: Callable[[], Any],
    *,
    schema: type[BaseModel] = Fleur,
    load_at_creation: bool = False,
    ready_always: bool = False,
    health_needs_model: bool = False,
    predict_method: str = "post",
    batch_loop: bool = False,
    hardcoded_labels: bool = False,
    probabilities_as_dict: bool = False,
    sorted_columns: bool = False,
    epoch_timestamp: bool = False,
    on_event: bool = False,
    pydantic_v1: bool = False,
) -> FastAPI:
    """The right app, or the same app with one typical learner mistake switched on."""

    class Batch(BaseModel):
        model_config = ConfigDict(extra="forbid")

        instances: list[schema]  # type: ignore[valid-type]

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.modele = charger_modele()
        yield

    if on_event:
        app = FastAPI()

        @app.on_event("startup")
        def load() -> None:
            app.state.modele = charger_modele()
    else:
        app = FastAPI(lifespan=None if load_at_creation else lifespan)
    app.state.modele = charger_modele() if load_at_creation else None

    @app.get("/health")
    def health() -> dict[str, str]:
        if health_needs_model and app.state.modele is None:
            raise HTTPException(503, "model not loaded")
        return {"status": "healthy"}

    @app.get("/ready")
    def ready() -> JSONResponse:
        if app.state.modele is None and not ready_always:
            return JSONResponse({"status": "loading"}, status_code=503)
        return JSONResponse({"status": "ready"})

    def predict_rows(rows: list[BaseModel]) -> list[dict[str, Any]]:
        modele = app.state.modele
        names = sorted(schema.model_fields) if sorted_columns else list(schema.model_fields)
        if pydantic_v1:  # .dict() is Pydantic v1's spelling of .model_dump()
            X = np.array([[r.dict()[n] for n in names] for r in rows], dtype=float)
        else:
            X = np.array([[getattr(r, n) for n in names] for r in rows], dtype=float)
        if batch_loop:
            probas = np.vstack([modele.predict_proba(x.reshape(1, -1)) for x in X])
        else:
            probas = modele.predict_proba(X)
        labels = IRIS if hardcoded_labels else list(modele.labels)
        now = time.time() if epoch_timestamp else datetime.now(UTC).isoformat()
        out = []
        for p in probas:
            code = int(p.argmax())
            probabilites = [round(float(x), 4) for x in p]
            out.append(
                {
                    "prediction": code,
                    "label": labels[code],
                    "probabilites": dict(zip(labels, probabilites, strict=True))
                    if probabilities_as_dict
                    else probabilites,
                    "timestamp": now,
                }
            )
        return out

    def predict(fleur: schema) -> dict[str, Any]:  # type: ignore[valid-type]
        return predict_rows([fleur])[0]

    def predict_batch(lot: Batch) -> list[dict[str, Any]]:
        return predict_rows(lot.instances)

    app.add_api_route("/predict", predict, methods=[predict_method.upper()])
    app.add_api_route("/predict/batch", predict_batch, methods=["POST"])
    return app


def wrong(**mistake: Any) -> Callable[[Callable[[], Any]], FastAPI]:
    def creer_app(charger_modele: Callable[[], Any]) -> FastAPI:
        return make_app(charger_modele, **mistake)

    return creer_app


def test_exercise_4_accepts_the_right_app_and_refuses_each_typical_mistake(
    check_contract: Callable[..., None],
) -> None:
    check_contract(
        checks.exercice_4,
        stub=_stub,
        right=wrong(),
        wrongs=[
            (wrong(predict_method="get"), r"POST /predict répond 405.*@app\.post"),
            (wrong(load_at_creation=True), r"en créant l'application.*lifespan"),
            (wrong(ready_always=True), r"/ready répond 200 alors que le lifespan"),
            (wrong(health_needs_model=True), r"GET /health répond 503"),
            (wrong(batch_loop=True), r"5 fleurs a fait 5 appels au modèle"),
            (wrong(schema=FleurSansForbid), r"champ inconnu.*422"),
            (wrong(schema=FleurSansBornes), r"longueur négative.*422.*bornez"),
            (wrong(schema=FleurAvecDefauts), r"champ manquant.*422"),
            (wrong(hardcoded_labels=True), r"label vaut 'versicolor'.*écrivez pas en dur"),
            (wrong(probabilities_as_dict=True), r"probabilites doit être la liste"),
            (wrong(sorted_columns=True), r"ordre du chapitre"),
            (wrong(epoch_timestamp=True), r"ISO 8601"),
            (wrong(on_event=True), r"on_event est déprécié"),
            (wrong(pydantic_v1=True), r"API dépréciée.*model_dump"),
        ],
    )


def test_exercise_4_turns_an_exception_in_a_route_into_a_hint() -> None:
    def creer_app(charger_modele: Callable[[], Any]) -> FastAPI:
        app = FastAPI()

        @app.get("/health")
        def health() -> dict[str, str]:
            return {"status": "healthy"}

        @app.get("/ready")
        def ready() -> dict[str, bool]:
            return {"ready": app.state.modele is not None}  # no initial value: AttributeError

        return app

    with pytest.raises(WrongAnswerError, match=r"GET /ready a levé AttributeError.*initiale"):
        checks.exercice_4(creer_app)


def test_stand_in_model_is_not_iris_and_its_batch_rows_are_out_of_order() -> None:
    modele = checks.ModeleDeVerification()
    assert not set(modele.labels) & set(IRIS)
    X = np.array([[row[n] for n in checks.FEATURES] for row in checks._BATCH])
    codes = modele.predict_proba(X).argmax(axis=1).tolist()
    assert codes != sorted(codes) and codes != codes[::-1] and len(set(codes)) == 3
    assert codes[checks._BATCH.index(checks.SETOSA)] != 0  # class 0 is not setosa
    assert modele.appels == [len(X)]
