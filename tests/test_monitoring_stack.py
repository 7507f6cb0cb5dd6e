"""The Compose profile "monitoring": its files cannot rot.

The real API runs (``run_in_background``, a uvicorn child process), gets some traffic, and
its ``GET /metrics`` is scraped; then every PromQL expression of the alerting rules and of
the Grafana dashboard must read series the API exposes, with labels (and label values)
that exist. The rules file, the dashboard and the Compose wiring are checked for the shape
Prometheus and Grafana load, since neither runs here.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import httpx
import pytest
import yaml

from mlops_course import containers, serialization
from mlops_course.api.schemas import SETOSA, VERSICOLOR, VIRGINICA
from mlops_course.api.server import run_in_background
from mlops_course.config import project_root
from mlops_course.containers import prometheus as pm
from mlops_course.monitoring import ALERTS

ROOT = project_root()
EXPRESSIONS = pm.all_expressions()


@pytest.fixture(scope="module")
def metrics_text(tmp_path_factory: pytest.TempPathFactory) -> str:
    """``GET /metrics`` of the real API after predictions, feedback, errors and probes."""
    home = tmp_path_factory.mktemp("api-home")
    files = serialization.build_model_files(home / "model", n_estimators=10)
    env = {"MLOPS_COURSE_HOME": str(home), "MLOPS_COURSE_ADMIN_FAIL_CLOSED": "true"}
    with (
        run_in_background(files.onnx, env=env) as server,
        httpx.Client(base_url=server.url, timeout=30) as client,
    ):
        answers = [client.post("/predict", json=row).json() for row in (SETOSA, VIRGINICA)]
        batch = client.post("/predict/batch", json={"instances": [VERSICOLOR] * 5})
        assert batch.status_code == 200
        right, wrong = answers[0], answers[1]
        for answer, label in ((right, right["label"]), (wrong, "setosa")):
            sent = client.post(
                "/feedback", json={"prediction_id": answer["prediction_id"], "true_label": label}
            )
            assert sent.status_code == 200
        assert client.post("/predict", json={}).status_code == 422
        assert client.get("/page-inconnue").status_code == 404
        assert client.post("/admin/reload").status_code == 403  # as in the image
        assert client.get("/health").status_code == 200
        return client.get("/metrics").text


@pytest.fixture(scope="module")
def series(metrics_text: str) -> dict[str, pm.Labels]:
    exposed = pm.exposed_series(metrics_text)
    return {**exposed, **pm.prometheus_series(pm.load_rules(), pm.load_prometheus_config())}


@pytest.fixture(scope="module")
def jobs() -> set[str]:
    return {j["job_name"] for j in pm.load_prometheus_config()["scrape_configs"]}


# --- every expression reads what the API exposes ------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(("where", "expr"), EXPRESSIONS, ids=[w for w, _ in EXPRESSIONS])
def test_expression_reads_series_the_api_exposes(where: str, expr: str, series, jobs) -> None:
    assert pm.expression_problems(expr, series, jobs=jobs) == []


@pytest.mark.slow
@pytest.mark.parametrize(
    ("expr", "problem"),
    [
        (
            "rate(mlops_prediction_total[5m])",
            r"métrique inconnue de l'API : mlops_prediction_total",
        ),
        ('mlops_predictions_total{classe="setosa"}', r"n'a pas de label 'classe'"),
        ('mlops_http_requests_total{route="/predit"}', r'route="/predit"\} : aucune série'),
        ('mlops_alert_firing{alert="CONFIANCE"}', r"vues : CONFIANCE_BASSE, DATA_DRIFT"),
        ("sum by (model) (rate(mlops_predictions_total[5m]))", r"regroupement par 'model'"),
        ('up{job="api"}', r'job="api"\} : aucune série'),
        ('ALERTS{alertname="DriftDesDonnees"}', r"aucune série n'a cette valeur"),
        ("histogram_quantile(0.9, rate(mlops_model_latency_seconds[5m]))", r"métrique inconnue"),
        ('mlops_http_requests_total{status=~"5(.."}', r"regex"),
        # no monitoring sink failed during the traffic: its labels cannot be checked yet
        ('mlops_sink_errors_total{sink="log"}', r"n'a encore aucun échantillon"),
    ],
)
def test_the_check_refuses_what_the_api_does_not_expose(expr: str, problem: str, series, jobs):
    assert re.search(problem, " | ".join(pm.expression_problems(expr, series, jobs=jobs)))


@pytest.mark.slow
def test_histograms_expose_buckets_counts_and_sums(series) -> None:
    for name in ("mlops_http_request_duration_seconds", "mlops_prediction_confidence"):
        assert {f"{name}_bucket", f"{name}_count", f"{name}_sum"} <= set(series)
        assert "le" in series[f"{name}_bucket"]
    assert series["mlops_http_requests_total"]["status"] >= {"200", "403", "404", "422"}
    assert series["mlops_http_requests_total"]["route"] >= {"/predict", "/admin/reload", "autre"}
    assert series["mlops_feedback_total"]["outcome"] == {"correct", "incorrect"}
    assert series["mlops_alert_firing"]["alert"] == set(ALERTS)


# --- what the rules and the dashboard say -------------------------------------------------


def test_rules_mirror_each_alert_of_the_course_monitor() -> None:
    mirrored = {
        m.value
        for _, expr in pm.rule_expressions(pm.load_rules())
        for s in pm.parse_promql(expr).selectors
        if s.name == "mlops_alert_firing"
        for m in s.matchers
        if m.label == "alert" and m.op == "="
    }
    assert mirrored == set(ALERTS)


def test_rules_alert_on_the_error_rate_and_on_low_confidence() -> None:
    exprs = dict(pm.rule_expressions(pm.load_rules()))
    errors = [e for e in exprs.values() if 'status=~"5.."' in e]
    assert errors and all("mlops_http_requests_total" in e for e in errors)
    assert any("mlops_prediction_confidence_sum" in e and "< 0.7" in e for e in exprs.values())
    assert any("mlops_feedback_total" in e for e in exprs.values())


def test_dashboard_shows_traffic_latency_percentiles_classes_and_alerts() -> None:
    (dashboard,) = pm.load_dashboards().values()
    exprs = " ".join(e for _, e in pm.dashboard_expressions(dashboard))
    assert "rate(mlops_http_requests_total" in exprs
    for quantile in ("0.5", "0.95", "0.99"):
        assert f"histogram_quantile({quantile}, sum by (le)" in exprs
    assert "sum by (label) (rate(mlops_predictions_total" in exprs
    assert "ALERTS{" in exprs and "mlops_alert_firing" in exprs


# --- shapes Prometheus and Grafana load ---------------------------------------------------


def test_rules_file_has_the_shape_prometheus_loads() -> None:
    assert pm.rules_problems(pm.load_rules()) == []


def _first_rule(rules: dict[str, Any]) -> dict[str, Any]:
    return rules["groups"][0]["rules"][0]


@pytest.mark.parametrize(
    ("mutate", "problem"),
    [
        (lambda r: _first_rule(r).pop("expr"), r"il manque expr"),
        (lambda r: _first_rule(r).update(record="x"), r"soit alert, soit record"),
        (lambda r: _first_rule(r).update(**{"for": "5 minutes"}), r"n'est pas une durée"),
        (lambda r: _first_rule(r).update(expression="up"), r"clé inconnue 'expression'"),
        (lambda r: _first_rule(r)["labels"].pop("severity"), r"label severity absent"),
        (lambda r: _first_rule(r)["annotations"].pop("summary"), r"annotation summary"),
        (lambda r: _first_rule(r).update(expr="sum(rate(x[5m])"), r"expr illisible"),
        (lambda r: r["groups"].append(copy.deepcopy(r["groups"][0])), r"en double"),
        (lambda r: r.update(rules=[]), r"seule clé groups"),
    ],
)
def test_rules_check_refuses_what_prometheus_would_not_load(mutate, problem: str) -> None:
    rules = copy.deepcopy(pm.load_rules())
    mutate(rules)
    assert re.search(problem, " | ".join(pm.rules_problems(rules)))


def test_dashboard_has_the_shape_grafana_loads_on_the_provisioned_datasource() -> None:
    uids = pm.datasource_uids()
    assert uids == {"prometheus"}
    for dashboard in pm.load_dashboards().values():
        assert pm.dashboard_problems(dashboard, uids) == []


def test_dashboard_check_refuses_overlaps_unknown_datasources_and_duplicate_ids() -> None:
    (dashboard,) = copy.deepcopy(list(pm.load_dashboards().values()))
    panels = dashboard["panels"]
    panels[1]["gridPos"] = dict(panels[0]["gridPos"])
    panels[2]["targets"][0]["datasource"] = {"type": "prometheus", "uid": "prom"}
    panels[3]["id"] = panels[4]["id"]
    problems = " | ".join(pm.dashboard_problems(dashboard, pm.datasource_uids()))
    assert "se chevauchent" in problems and "'prom' non provisionnée" in problems
    assert "en double" in problems


def test_compose_runs_prometheus_and_grafana_in_the_monitoring_profile_only() -> None:
    compose_path = ROOT / containers.COMPOSE_FILE
    compose = yaml.safe_load(compose_path.read_text())
    assert pm.review_monitoring(compose, compose_path.parent) == []
    assert not compose["services"]["api"].get("profiles")
    assert compose["services"]["prometheus"]["depends_on"]["api"]
    broken = copy.deepcopy(compose)
    broken["services"]["prometheus"]["volumes"] = broken["services"]["prometheus"]["volumes"][:1]
    broken["services"]["grafana"]["profiles"] = []
    problems = " | ".join(pm.review_monitoring(broken, compose_path.parent))
    assert "grafana doit être dans le seul profil monitoring" in problems
    broken["services"]["grafana"]["profiles"] = ["monitoring"]
    problems = " | ".join(pm.review_monitoring(broken, compose_path.parent))
    assert "/etc/prometheus/alerts.yml, qui n'est pas monté" in problems


def test_prometheus_scrapes_the_api_service_on_its_port() -> None:
    config = pm.load_prometheus_config()
    (job,) = config["scrape_configs"]
    assert job["static_configs"] == [{"targets": [f"api:{containers.CONTAINER_PORT}"]}]
    assert config["rule_files"] == ["/etc/prometheus/alerts.yml"]


def test_monitoring_files_are_the_ones_the_module_reads() -> None:
    for path in (pm.PROMETHEUS_CONFIG, pm.ALERT_RULES, pm.DASHBOARDS, pm.DATASOURCES):
        assert (ROOT / path).exists(), path
