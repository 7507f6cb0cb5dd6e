"""The prediction API through FastAPI's test client: every endpoint and every error path."""

from __future__ import annotations

import json
import logging
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mlops_course import serialization
from mlops_course.api import Settings, create_app, service
from mlops_course.api.schemas import SETOSA, VERSICOLOR, VIRGINICA

# Starlette 1.10's TestClient prefers the `httpx2` package and warns when it finds httpx.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Using `httpx` with `starlette.testclient` is deprecated:UserWarning"
)

JSON = {"Content-Type": "application/json"}
CHAPTER_BATCH = {"instances": [SETOSA, VIRGINICA, VERSICOLOR]}


@pytest.fixture(scope="session")
def model_files(tmp_path_factory: pytest.TempPathFactory) -> serialization.ModelFiles:
    """The chapter's model files, trained once per session (10 trees: enough for the API)."""
    return serialization.build_model_files(tmp_path_factory.mktemp("model"), n_estimators=10)


@pytest.fixture
def model_copy(model_files: serialization.ModelFiles, tmp_path: Path) -> Path:
    """A private copy of the model folder, which a test may modify."""
    folder = tmp_path / "model"
    shutil.copytree(model_files.onnx.parent, folder)
    return folder


def open_client(app: Any, *, wait: bool = True) -> Any:
    from fastapi.testclient import TestClient

    client = TestClient(app, raise_server_exceptions=False)
    client.__enter__()
    if wait:
        app.state.model.wait(60)
    return client


@pytest.fixture
def make_client() -> Iterator[Any]:
    """Build a started test client for the given settings; closed after the test."""
    opened: list[Any] = []

    def make(*, wait: bool = True, **settings: Any) -> Any:
        settings.setdefault("train_if_missing", False)
        client = open_client(create_app(Settings(**settings)), wait=wait)
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Any, model_files: serialization.ModelFiles) -> Any:
    return make_client(model=str(model_files.onnx))


# --- the chapter's contract ----------------------------------------------------------------


def test_predict_keeps_the_chapters_fields_and_adds_an_id_and_the_model_version(
    client: Any,
) -> None:
    response = client.post("/predict", json=SETOSA)
    assert response.status_code == 200
    body = response.json()
    assert body["prediction"] == 0 and body["label"] == "setosa"
    assert len(body["probabilites"]) == 3 and abs(sum(body["probabilites"]) - 1) < 1e-3
    assert body["confidence"] == max(body["probabilites"])
    assert body["timestamp"].endswith("+00:00")
    assert len(body["prediction_id"]) == 32 and body["model_version"] == "1"


def test_batch_answers_in_order_with_one_model_call(client: Any) -> None:
    predictor = client.app.state.model.current.predictor
    calls: list[int] = []
    original = predictor.predict_proba

    def counting(X: Any) -> Any:
        calls.append(len(X))
        return original(X)

    predictor.predict_proba = counting
    response = client.post("/predict/batch", json=CHAPTER_BATCH)
    assert response.status_code == 200
    assert [r["label"] for r in response.json()] == ["setosa", "virginica", "versicolor"]
    assert calls == [3]
    assert len({r["prediction_id"] for r in response.json()}) == 3


def test_batch_gives_the_same_answers_as_single_predictions(client: Any) -> None:
    rows = [SETOSA, VIRGINICA, VERSICOLOR, {**SETOSA, "petal_length": 4.9, "petal_width": 1.6}]
    batch = client.post("/predict/batch", json={"instances": rows}).json()
    singles = [client.post("/predict", json=row).json() for row in rows]
    assert [b["probabilites"] for b in batch] == [s["probabilites"] for s in singles]


def test_health_is_liveness_and_ready_says_the_model_is_loaded(client: Any) -> None:
    health = client.get("/health")
    assert health.status_code == 200
    assert health.json()["status"] == "healthy" and health.json()["model_loaded"] is True
    ready = client.get("/ready")
    assert ready.status_code == 200 and ready.json()["model_version"] == "1"


def test_model_endpoint_describes_what_is_served(
    client: Any, model_files: serialization.ModelFiles
) -> None:
    info = client.get("/model").json()
    manifest = serialization.Manifest.load(model_files.manifest)
    assert info["backend"] == "onnx" and info["name"] == "iris-classifier"
    assert info["sha256"] == manifest.files["pipeline_v1.onnx"]
    assert info["feature_names"] == ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    assert info["labels"] == ["setosa", "versicolor", "virginica"]
    assert info["metrics"]["accuracy"] == pytest.approx(manifest.metrics["accuracy"])


def test_docs_and_schema_show_examples(client: Any) -> None:
    assert client.get("/docs").status_code == 200
    schema = client.get("/openapi.json").json()
    examples = schema["paths"]["/predict"]["post"]["requestBody"]["content"]["application/json"]
    assert examples["examples"]["setosa"]["value"] == SETOSA
    assert {"/health", "/ready", "/model", "/predict", "/predict/batch", "/admin/reload"} <= set(
        schema["paths"]
    )


_ENGLISH = re.compile(
    r"\b(the|is|are|not|and|of|with|without|yet|while|when|must|should|successful|response|"
    r"body|error|input|output|loaded|failed)\b",
    re.IGNORECASE,
)


def _texts(node: Any, path: str = "") -> list[tuple[str, str]]:
    """Every summary, description and title of an OpenAPI document, with where it is."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in {"summary", "description", "title"} and isinstance(value, str):
                found.append((f"{path}/{key}", value))
            elif key not in {"examples", "example", "enum", "default", "const"}:
                found += _texts(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _texts(value, f"{path}[{index}]")
    return found


def test_docs_speak_french_and_keep_the_chapters_field_names(client: Any) -> None:
    schema = client.get("/openapi.json").json()
    english = [
        (where, text)
        for where, text in _texts(schema)
        if _ENGLISH.search(re.sub(r"`[^`]*`", "", text))  # code spans are codes, not prose
    ]
    assert english == []
    fields = schema["components"]["schemas"]["PredictionInput"]["properties"]
    assert list(fields) == list(SETOSA)  # the contract's names, unchanged
    assert fields["sepal_length"]["title"] == "Longueur du sépale"
    output = schema["components"]["schemas"]["PredictionOutput"]["properties"]
    assert {"prediction", "label", "probabilites", "timestamp"} <= set(output)
    assert output["probabilites"]["title"] == "Probabilités"
    predict = schema["paths"]["/predict"]["post"]
    assert predict["summary"] == "Prédire une fleur"
    assert predict["responses"]["422"]["description"] == "Un champ enfreint une règle"


# --- bad input: always a 4xx that names the field and the rule ------------------------------

VALID = dict(SETOSA)
BAD_BODIES = [
    pytest.param(
        {k: v for k, v in VALID.items() if k != "petal_width"},
        "petal_width",
        "missing",
        id="missing",
    ),
    pytest.param({**VALID, "color": "blue"}, "color", "extra_forbidden", id="extra-field"),
    pytest.param({**VALID, "sepal_length": "5.1"}, "sepal_length", "float_type", id="string"),
    pytest.param({**VALID, "sepal_width": True}, "sepal_width", "float_type", id="boolean"),
    pytest.param({**VALID, "sepal_width": None}, "sepal_width", "float_type", id="null"),
    pytest.param(
        {**VALID, "petal_length": -1}, "petal_length", "greater_than_equal", id="negative"
    ),
    pytest.param(
        {**VALID, "petal_length": 10.5}, "petal_length", "less_than_equal", id="too-large"
    ),
    pytest.param([VALID], "body", "model_attributes_type", id="list-not-object"),
]


@pytest.mark.parametrize(("body", "field", "rule"), BAD_BODIES)
def test_invalid_input_gets_422_naming_field_and_rule(
    client: Any, body: Any, field: str, rule: str
) -> None:
    response = client.post("/predict", json=body)
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert response.json()["error"] == "validation_error"
    assert (field, rule) in {(e["field"], e["type"]) for e in errors}, errors


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_non_finite_numbers_get_422(client: Any, literal: str) -> None:
    text = json.dumps(VALID).replace("5.1", literal)
    response = client.post("/predict", content=text, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["detail"][0] == {
        "field": "sepal_length",
        "type": "finite_number",
        "msg": "doit être un nombre fini (ni NaN ni infini)",
        "loc": ["body", "sepal_length"],
    }


def test_422_messages_are_french_and_name_the_bound(client: Any) -> None:
    response = client.post("/predict", json={**VALID, "petal_length": 10.5, "couleur": "bleu"})
    messages = {e["field"]: e["msg"] for e in response.json()["detail"]}
    assert messages == {
        "petal_length": "doit être inférieur ou égal à 10",
        "couleur": "champ inconnu : le contrat n'accepte que les champs documentés",
    }


def test_broken_json_gets_422_saying_where(client: Any) -> None:
    response = client.post(
        "/predict", content=b'{"sepal_length": 5.1,', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["type"] == "json_invalid" and "pas du JSON valide" in error["msg"]


def test_a_body_that_is_not_utf8_gets_400(client: Any) -> None:
    response = client.post(
        "/predict",
        content=b'{"sepal_length": "\xff"}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": "bad_request",
        "detail": "le corps est illisible : envoyez du JSON encodé en UTF-8",
    }


@pytest.mark.parametrize(
    "headers",
    [{"Content-Type": "application/x-www-form-urlencoded"}, {"Content-Type": "text/plain"}, {}],
    ids=["form", "text", "none"],
)
def test_a_body_not_sent_as_json_gets_415(client: Any, headers: dict[str, str]) -> None:
    response = client.post("/predict", content=json.dumps(VALID).encode(), headers=headers)
    assert response.status_code == 415
    assert response.json()["error"] == "unsupported_media_type"
    assert "application/json" in response.json()["detail"]


@pytest.mark.parametrize(
    ("instances", "rule"), [([], "too_short"), ([VALID] * 1001, "too_long")], ids=["empty", "1001"]
)
def test_batch_size_is_checked(client: Any, instances: list[Any], rule: str) -> None:
    response = client.post("/predict/batch", json={"instances": instances})
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == rule


def test_batch_names_the_bad_instance(client: Any) -> None:
    response = client.post(
        "/predict/batch", json={"instances": [VALID, {**VALID, "petal_width": -0.1}]}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "instances.1.petal_width"


def test_thousand_instances_are_accepted(client: Any) -> None:
    response = client.post("/predict/batch", json={"instances": [VALID] * 1000})
    assert response.status_code == 200 and len(response.json()) == 1000


def test_too_large_body_gets_413(make_client: Any, model_files: serialization.ModelFiles) -> None:
    client = make_client(model=str(model_files.onnx), max_body_bytes=2048)
    big = json.dumps({"instances": [VALID] * 100})
    response = client.post(
        "/predict/batch", content=big, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json() == {
        "error": "payload_too_large",
        "detail": "le corps de la requête dépasse 2048 octets",
    }


def test_too_large_chunked_body_gets_413(
    make_client: Any, model_files: serialization.ModelFiles
) -> None:
    client = make_client(model=str(model_files.onnx), max_body_bytes=2048)

    def chunks() -> Iterator[bytes]:
        yield b'{"instances": ['
        for _ in range(100):
            yield json.dumps(VALID).encode() + b","
        yield json.dumps(VALID).encode() + b"]}"

    response = client.post(
        "/predict/batch", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413


def test_unknown_path_and_wrong_method_get_json_errors(client: Any) -> None:
    assert client.get("/nope").json()["error"] == "not_found"
    response = client.get("/predict")
    assert response.status_code == 405 and response.json()["error"] == "method_not_allowed"


# --- model failures: 5xx, stable message, logged -------------------------------------------


def test_model_failure_gives_a_stable_500_without_internals(
    client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(X: Any) -> Any:
        raise RuntimeError("secret internal detail /srv/model")

    client.app.state.model.current.predictor.predict_proba = broken
    with caplog.at_level(logging.ERROR, logger="mlops_course.api"):
        response = client.post("/predict", json=VALID)
    assert response.status_code == 500
    assert response.json() == {
        "error": "prediction_failed",
        "detail": "le modèle n'a pas pu faire cette prédiction ; l'erreur est dans le log du "
        "serveur",
    }
    assert "secret" not in response.text
    assert "secret internal detail" in caplog.text


def test_while_loading_health_answers_and_predictions_get_503(
    make_client: Any, model_files: serialization.ModelFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    real_load = service.load_model

    def slow_load(settings: Settings) -> service.LoadedModel:
        release.wait(30)
        return real_load(settings)

    monkeypatch.setattr(service, "load_model", slow_load)
    client = make_client(model=str(model_files.onnx), wait=False)
    assert client.get("/health").json()["model_loaded"] is False
    ready = client.get("/ready")
    assert ready.status_code == 503 and ready.json()["status"] == "loading"
    assert client.post("/predict", json=VALID).status_code == 503
    assert client.get("/model").json()["error"] == "model_not_ready"
    release.set()
    assert client.app.state.model.wait(30)
    assert client.get("/ready").status_code == 200


def test_a_model_that_cannot_be_loaded_leaves_the_api_alive_but_not_ready(
    make_client: Any, tmp_path: Path
) -> None:
    client = make_client(model=str(tmp_path / "absent.onnx"))
    assert client.get("/health").status_code == 200
    ready = client.get("/ready")
    assert ready.status_code == 503 and ready.json()["status"] == "failed"
    assert client.post("/predict", json=VALID).json()["error"] == "model_not_ready"


def test_ready_waits_for_the_start_up_warm_ups_and_a_failing_one_is_only_logged(
    model_files: serialization.ModelFiles, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(Settings(model=str(model_files.onnx), train_if_missing=False))
    gate = threading.Event()
    done: list[str] = []

    def broken() -> None:
        raise OSError("reference file missing")

    app.state.model.warm_ups.extend([lambda: gate.wait(10), broken, lambda: done.append("x")])
    client = open_client(app, wait=False)
    try:
        for _ in range(200):  # the model loads, then the first warm-up holds the start-up
            if app.state.model.current is not None:
                break
            threading.Event().wait(0.05)
        assert app.state.model.version == "1"  # the model serves, the warm-up holds /ready
        ready = client.get("/ready")
        assert ready.status_code == 503 and ready.json()["status"] == "loading"
        assert client.post("/predict", json=VALID).status_code == 200  # the model serves
        gate.set()
        assert app.state.model.wait(10)
        assert client.get("/ready").json()["status"] == "ready"
        assert done == ["x"] and "reference file missing" in caplog.text
    finally:
        client.__exit__(None, None, None)


def test_a_tampered_onnx_file_is_refused(make_client: Any, model_copy: Path) -> None:
    onnx = model_copy / "pipeline_v1.onnx"
    onnx.write_bytes(onnx.read_bytes() + b"\0")
    client = make_client(model=str(onnx))
    assert client.get("/ready").json()["status"] == "failed"
    with pytest.raises(serialization.IntegrityError, match="sha256"):
        service.load_model(Settings(model=str(onnx)))


def test_a_joblib_file_without_manifest_is_never_unpickled(model_copy: Path) -> None:
    (model_copy / "pipeline_v1.manifest.json").unlink()
    with pytest.raises(serialization.IntegrityError, match="pas de manifeste"):
        service.load_model(Settings(model=str(model_copy / "pipeline_v1.joblib")))


# --- logs and sinks -----------------------------------------------------------------------


def test_each_prediction_is_one_json_log_line(
    client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="mlops_course.predictions"):
        answers = client.post("/predict/batch", json=CHAPTER_BATCH).json()
        client.app.state.sinks.flush()  # records are delivered off the request path
    lines = [
        line
        for record in caplog.records
        if record.name == "mlops_course.predictions"
        for line in record.getMessage().splitlines()
    ]
    records = [json.loads(line) for line in lines]
    assert [r["prediction_id"] for r in records] == [a["prediction_id"] for a in answers]
    assert records[0]["inputs"] == SETOSA
    assert {"model_version", "latency_ms", "label", "confidence", "timestamp"} <= set(records[0])


def test_log_predictions_off_silences_the_log_line_but_keeps_the_prediction_log(
    make_client: Any,
    model_files: serialization.ModelFiles,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("MLOPS_COURSE_LOG_DIR", str(tmp_path / "logs"))
    quiet = make_client(model=str(model_files.onnx), log_predictions=False)
    with caplog.at_level(logging.INFO, logger="mlops_course.predictions"):
        answers = quiet.post("/predict/batch", json=CHAPTER_BATCH).json()
        quiet.app.state.sinks.flush()
    assert not [r for r in caplog.records if r.name == "mlops_course.predictions"]
    logged = quiet.app.state.monitoring.prediction_log.read()
    assert [r["prediction_id"] for r in logged] == [a["prediction_id"] for a in answers]
    assert (tmp_path / "logs" / "predictions.jsonl").is_file()


def test_prediction_sinks_get_the_records_of_each_request(client: Any) -> None:
    received: list[list[dict[str, Any]]] = []

    def failing(records: list[dict[str, Any]]) -> None:
        raise OSError("disk full")

    client.app.state.prediction_sinks.extend([received.append, failing])
    single = client.post("/predict", json=SETOSA)
    batch = client.post("/predict/batch", json=CHAPTER_BATCH)
    assert single.status_code == batch.status_code == 200
    client.app.state.sinks.flush()  # records are delivered off the request path
    # Delivered in order; requests close in time may share one delivery.
    delivered = [record for call in received for record in call]
    assert len(delivered) == 4
    assert delivered[0]["prediction_id"] == single.json()["prediction_id"]
    assert [r["prediction_id"] for r in delivered[1:]] == [a["prediction_id"] for a in batch.json()]
    assert delivered[3]["label"] == "versicolor"
    assert set(delivered[0]) == {
        "prediction_id", "timestamp", "model_version", "inputs", "prediction", "label",
        "probabilites", "confidence", "latency_ms",
    }  # fmt: skip


# --- reload -------------------------------------------------------------------------------


def _write_version_2(folder: Path) -> None:
    from mlops_course import training

    pipeline = training.train({"n_estimators": 5, "max_depth": 3, "min_samples_split": 2})
    serialization.save_joblib(pipeline, folder / "pipeline_v1.joblib", version="2")
    serialization.export_onnx(pipeline, folder / "pipeline_v1.onnx", version="2")


def test_reload_picks_up_a_new_model_without_restart(make_client: Any, model_copy: Path) -> None:
    client = make_client(model=str(model_copy / "pipeline_v1.onnx"))
    same = client.post("/admin/reload").json()
    assert same["changed"] is False and same["version"] == "1"
    _write_version_2(model_copy)
    reloaded = client.post("/admin/reload")
    assert reloaded.status_code == 200
    assert reloaded.json()["previous_version"] == "1" and reloaded.json()["version"] == "2"
    assert reloaded.json()["changed"] is True
    assert client.post("/predict", json=VALID).json()["model_version"] == "2"


def test_a_failed_reload_keeps_the_old_model_serving(make_client: Any, model_copy: Path) -> None:
    client = make_client(model=str(model_copy / "pipeline_v1.onnx"))
    (model_copy / "pipeline_v1.onnx").write_bytes(b"not a model")
    response = client.post("/admin/reload")
    assert response.status_code == 503
    assert response.json()["detail"] == (
        "échec du rechargement (IntegrityError) ; la version 1 reste servie"
    )
    assert client.post("/predict", json=VALID).json()["model_version"] == "1"
    assert client.get("/ready").status_code == 200


def test_requests_keep_the_old_model_until_the_new_one_is_fully_loaded(
    model_files: serialization.ModelFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    models = service.ModelService(Settings(model=str(model_files.onnx)))
    old = models.load()
    started, release = threading.Event(), threading.Event()
    real_load = service.load_model

    def slow_load(settings: Settings) -> service.LoadedModel:
        new = real_load(settings)  # fully loaded and warmed up...
        started.set()
        release.wait(30)  # ...but not swapped in yet
        return new

    monkeypatch.setattr(service, "load_model", slow_load)
    thread = threading.Thread(target=models.reload)
    thread.start()
    assert started.wait(30)
    assert models.current is old  # requests still get the complete old model
    release.set()
    thread.join(30)
    assert models.current is not old and models.current.version == old.version


def test_reload_needs_the_admin_token_when_one_is_set(
    make_client: Any, model_files: serialization.ModelFiles
) -> None:
    client = make_client(model=str(model_files.onnx), admin_token="s3cret")
    assert client.post("/admin/reload").status_code == 401
    assert client.post("/admin/reload", headers={"X-Admin-Token": "wrong"}).status_code == 401
    assert client.post("/admin/reload", headers={"X-Admin-Token": "s3cret"}).status_code == 200


# --- model sources ------------------------------------------------------------------------


def test_sklearn_backend_serves_the_joblib_file_with_the_same_labels(
    make_client: Any, model_files: serialization.ModelFiles
) -> None:
    sk = make_client(model=str(model_files.joblib))
    onnx = make_client(model=str(model_files.onnx))
    assert sk.get("/model").json()["backend"] == "sklearn"
    rows = {"instances": [SETOSA, VIRGINICA, VERSICOLOR] * 5}
    sk_answers = sk.post("/predict/batch", json=rows).json()
    onnx_answers = onnx.post("/predict/batch", json=rows).json()
    assert [a["label"] for a in sk_answers] == [a["label"] for a in onnx_answers]
    assert sk.post("/predict", json=SETOSA).json()["label"] == "setosa"


def test_with_nothing_configured_the_default_files_are_used(
    make_client: Any, model_files: serialization.ModelFiles, isolated_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    shutil.copytree(model_files.onnx.parent, isolated_home / "model")
    monkeypatch.setattr(serialization, "build_model_files", pytest.fail)
    client = make_client()
    assert client.get("/model").json()["source"] == str(
        isolated_home / "model" / "pipeline_v1.onnx"
    )


def test_on_a_fresh_clone_the_default_model_is_trained_once_with_a_warning(
    make_client: Any, model_files: serialization.ModelFiles, isolated_home: Path,
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    built: list[Path] = []

    def fake_build(directory: Path) -> serialization.ModelFiles:
        built.append(Path(directory))
        for path in model_files.onnx.parent.iterdir():
            shutil.copy(path, directory)
        return serialization.ModelFiles(
            *(
                Path(directory) / p.name
                for p in (model_files.joblib, model_files.onnx, model_files.manifest)
            )
        )

    monkeypatch.setattr(serialization, "build_model_files", fake_build)
    with caplog.at_level(logging.WARNING, logger="mlops_course.api"):
        client = make_client(train_if_missing=True)
    assert client.get("/ready").status_code == 200
    assert len(built) == 1
    assert sorted(p.name for p in (isolated_home / "model").iterdir()) == [
        "pipeline_v1.joblib", "pipeline_v1.manifest.json", "pipeline_v1.onnx",
    ]  # fmt: skip
    assert "entraînement du modèle par défaut, une fois" in caplog.text


def test_without_training_a_missing_default_model_says_what_to_run(isolated_home: Path) -> None:
    with pytest.raises(FileNotFoundError, match="make model"):
        service.load_model(Settings(train_if_missing=False))


@pytest.mark.parametrize(
    ("raw", "kind", "backend"),
    [
        ("models:/iris-classifier@champion", "registry", "onnx"),
        ("models:/iris-classifier/3", "registry", "onnx"),
        ("/tmp/m.onnx", "onnx", "onnx"),
        ("/tmp/m.joblib", "joblib", "sklearn"),
    ],
)
def test_model_source_is_read_from_the_setting(raw: str, kind: str, backend: str) -> None:
    source = service.resolve_source(Settings(model=raw))
    assert (source.kind, source.backend) == (kind, backend)


@pytest.mark.parametrize("raw", ["model.pkl", "model.txt", "http://example.com/model"])
def test_unsupported_model_sources_are_refused_with_the_value(raw: str) -> None:
    with pytest.raises(ValueError, match=r"MLOPS_COURSE_MODEL doit être .*reçu '" + raw):
        service.resolve_source(Settings(model=raw))


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLOPS_COURSE_MODEL", "models:/iris-classifier@champion")
    monkeypatch.setenv("MLOPS_COURSE_BACKEND", "sklearn")
    monkeypatch.setenv("MLOPS_COURSE_MAX_BODY_BYTES", "4096")
    settings = Settings()
    assert (settings.model, settings.backend, settings.max_body_bytes) == (
        "models:/iris-classifier@champion", "sklearn", 4096,
    )  # fmt: skip
    monkeypatch.setenv("MLOPS_COURSE_BACKEND", "tensorflow")
    with pytest.raises(ValueError, match="backend"):
        Settings()


def test_importing_the_app_loads_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MLOPS_COURSE_MODEL", str(tmp_path / "absent.onnx"))
    app = create_app()  # would fail if it tried to load the model
    assert app.state.model.current is None and len(app.state.prediction_sinks) == 3
