"""Property-based fuzzing of the API from its own OpenAPI schema (schemathesis + hypothesis).

Every operation gets valid (positive) and invalid (negative) generated requests; no answer
may be a 5xx, use an undocumented status code or content type, or break its documented
schema. Bounded: a few dozen examples per operation and mode, no shrinking database.
"""

from __future__ import annotations

from typing import Any

import pytest

from mlops_course import serialization
from mlops_course.api import Settings, create_app

pytestmark = pytest.mark.slow
EXAMPLES = 30


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    files = serialization.build_model_files(tmp_path_factory.mktemp("model"), n_estimators=5)
    app = create_app(Settings(model=str(files.onnx), train_if_missing=False))
    app.state.model.load()
    return app


@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_generated_requests_get_no_5xx_and_answers_follow_the_schema(app: Any, mode: str) -> None:
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.generation import GenerationMode
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    tried: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if mode == "negative" and not len(operation.body):
            continue  # nothing to make invalid (GET /health, /ready, /model)
        strategy = operation.as_strategy(generation_mode=GenerationMode(mode))

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def fuzz(case: Any) -> None:
            case.call_and_validate(checks=checks)

        fuzz()
        tried.append(operation.label)
    assert "POST /predict" in tried and "POST /predict/batch" in tried
