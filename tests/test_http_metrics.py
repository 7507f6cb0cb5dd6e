"""HTTP metrics: every request counted by route template and status, and timed."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from mlops_course.api.http_metrics import UNMATCHED, HttpMetrics, RequestMetrics, install

pytestmark = pytest.mark.filterwarnings(
    "ignore:Using `httpx` with `starlette.testclient` is deprecated:UserWarning"
)


@pytest.fixture
def app_and_registry() -> tuple[FastAPI, CollectorRegistry]:
    app = FastAPI()

    @app.get("/items/{item}")
    async def item(item: int) -> dict[str, int]:
        return {"item": item}

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("the model crashed")

    registry = CollectorRegistry()
    app.add_middleware(HttpMetrics, metrics=RequestMetrics(registry))
    return app, registry


def _count(registry: CollectorRegistry, route: str, status: str) -> Any:
    return registry.get_sample_value(
        "mlops_http_requests_total", {"route": route, "status": status}
    )


def test_requests_are_counted_by_route_template_not_by_raw_path(app_and_registry) -> None:
    from fastapi.testclient import TestClient

    app, registry = app_and_registry
    with TestClient(app) as client:
        for n in range(3):
            client.get(f"/items/{n}")
        client.get("/items/not-a-number")
    assert _count(registry, "/items/{item}", "200") == 3
    assert _count(registry, "/items/{item}", "422") == 1
    timed = {"route": "/items/{item}"}
    assert registry.get_sample_value("mlops_http_request_duration_seconds_count", timed) == 4


def test_unknown_paths_share_one_label_value(app_and_registry) -> None:
    from fastapi.testclient import TestClient

    app, registry = app_and_registry
    with TestClient(app) as client:
        for path in ("/a", "/b/c", "/" + "x" * 500):
            assert client.get(path).status_code == 404
    assert _count(registry, UNMATCHED, "404") == 3


def test_an_exception_is_counted_as_a_500(app_and_registry) -> None:
    from fastapi.testclient import TestClient

    app, registry = app_and_registry
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/boom").status_code == 500
    assert _count(registry, "/boom", "500") == 1


def test_install_needs_the_monitoring_registry_first() -> None:
    with pytest.raises(RuntimeError, match="le registre Prometheus"):
        install(FastAPI())
