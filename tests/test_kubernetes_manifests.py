"""deploy/k8s/: the API's Kubernetes manifests, validated offline and reviewed by the course.

The schemas are the Kubernetes API's own (bundled in kubernetes-validate, strict mode: an
unknown field is an error); the review checks what a schema cannot (probes on the right
routes and port, a pinned image, limits, a non-root read-only container...). Each rule is
shown refusing a broken variant of the real manifests, so a rule that stops working fails.
"""

from __future__ import annotations

import copy
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from mlops_course import containers
from mlops_course.config import project_root
from mlops_course.containers import kubernetes as k8s

ROOT = project_root()
FOLDER = ROOT / containers.KUBERNETES_DIR


@pytest.fixture(scope="module")
def manifests() -> list[dict[str, Any]]:
    return k8s.load_manifests()


def _kind(docs: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    return next(d for d in docs if d["kind"] == kind)


def _container(docs: list[dict[str, Any]]) -> dict[str, Any]:
    return _kind(docs, "Deployment")["spec"]["template"]["spec"]["containers"][0]


# --- validation --------------------------------------------------------------------------


def test_kustomization_lists_every_manifest_of_the_folder() -> None:
    listed = yaml.safe_load((FOLDER / "kustomization.yaml").read_text())["resources"]
    present = sorted(p.name for p in FOLDER.glob("*.yaml") if p.name != "kustomization.yaml")
    assert sorted(listed) == present


def test_manifests_pass_kubernetes_validate_strict_on_the_command_line() -> None:
    files = sorted(str(p) for p in FOLDER.glob("*.yaml") if p.name != "kustomization.yaml")
    binary = Path(sys.executable).parent / "kubernetes-validate"
    # The command a learner would type (newest Kubernetes it knows); the library call below
    # covers the oldest version the manifests target too.
    done = subprocess.run(
        [str(binary), "--strict", *files], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "WARN" not in done.stdout and "ERROR" not in done.stdout, done.stdout
    assert done.stdout.count("passed") == len(files)


def test_manifests_have_no_schema_error_in_the_oldest_and_newest_kubernetes(manifests) -> None:
    assert k8s.schema_errors(manifests) == []


def test_schema_check_refuses_a_misspelt_field_and_an_unknown_api_version(manifests) -> None:
    broken = copy.deepcopy(manifests)
    container = _container(broken)
    container["readinesProbe"] = container.pop("readinessProbe")
    _kind(broken, "HorizontalPodAutoscaler")["apiVersion"] = "autoscaling/v3"
    errors = " | ".join(k8s.schema_errors(broken))
    assert "'readinesProbe' was unexpected" in errors
    assert "autoscaling/v3 HorizontalPodAutoscaler n'existe pas" in errors


# --- the course's review ------------------------------------------------------------------


def test_review_finds_nothing_to_fix_in_the_manifests(manifests) -> None:
    assert k8s.review_manifests(manifests) == []


def _set(path: str, value: Any) -> Callable[[list[dict[str, Any]]], None]:
    """A mutation: set ``kind:dotted.path`` (list indexes as numbers) to ``value``."""
    kind, _, dotted = path.partition(":")

    def mutate(docs: list[dict[str, Any]]) -> None:
        *parents, last = dotted.split(".")
        node: Any = _kind(docs, kind)
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if value is _DELETE:
            del node[int(last) if isinstance(node, list) else last]
        else:
            node[int(last) if isinstance(node, list) else last] = value

    return mutate


_DELETE = object()
CONTAINER = "Deployment:spec.template.spec.containers.0"
POD = "Deployment:spec.template.spec"


def _drop_secret_ref(docs: list[dict[str, Any]]) -> None:
    env = _container(docs)["env"]
    env[0] = {"name": "MLOPS_COURSE_ADMIN_TOKEN", "value": "s3cret"}


def _commit_a_secret(docs: list[dict[str, Any]]) -> None:
    docs.append(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "mlops-course-api-admin"},
            "stringData": {"token": "changez-moi"},
        }
    )


BROKEN = {
    "readiness_on_health": (
        _set(f"{CONTAINER}.readinessProbe.httpGet.path", "/health"),
        r"readinessProbe interroge /health.*modèle chargé ou non",
    ),
    "liveness_on_ready": (
        _set(f"{CONTAINER}.livenessProbe.httpGet.path", "/ready"),
        r"livenessProbe interroge /ready.*redémarrerait le pod en boucle",
    ),
    "startup_on_health": (
        _set(f"{CONTAINER}.startupProbe.httpGet.path", "/health"),
        r"startupProbe interroge /health.*chargement du modèle",
    ),
    "probe_on_a_port_nobody_listens_on": (
        _set(f"{CONTAINER}.readinessProbe.httpGet.port", 80),
        r"readinessProbe interroge le port 80, qui n'est pas un containerPort",
    ),
    "probe_on_an_unknown_port_name": (
        _set(f"{CONTAINER}.livenessProbe.httpGet.port", "web"),
        r"livenessProbe vise le port nommé 'web'",
    ),
    "container_port_not_the_served_one": (
        _set(f"{CONTAINER}.ports.0.containerPort", 80),
        r"l'image sert l'API sur un autre port",
    ),
    "no_startup_probe": (_set(f"{CONTAINER}.startupProbe", _DELETE), r"pas de startupProbe"),
    "startup_probe_too_short": (
        _set(f"{CONTAINER}.startupProbe.failureThreshold", 3),
        r"startupProbe ne laisse que 6 s",
    ),
    "no_readiness_probe": (_set(f"{CONTAINER}.readinessProbe", _DELETE), r"pas de readinessProbe"),
    "tcp_liveness_probe": (
        _set(f"{CONTAINER}.livenessProbe", {"tcpSocket": {"port": "http"}}),
        r"livenessProbe n'interroge pas l'API en HTTP",
    ),
    "latest_tag": (_set(f"{CONTAINER}.image", "mlops-course-api:latest"), r"avec latest"),
    "no_tag": (_set(f"{CONTAINER}.image", "mlops-course-api"), r"sans tag"),
    "no_limits": (_set(f"{CONTAINER}.resources.limits", _DELETE), r"resources\.limits sans cpu"),
    "no_cpu_request": (
        _set(f"{CONTAINER}.resources.requests.cpu", _DELETE),
        r"resources\.requests sans cpu.*HPA",
    ),
    "may_run_as_root": (
        _set(f"{POD}.securityContext.runAsNonRoot", _DELETE),
        r"runAsNonRoot n'est pas à true",
    ),
    "runs_as_uid_0": (_set(f"{POD}.securityContext.runAsUser", 0), r"runAsUser vaut 0"),
    "writable_root_filesystem": (
        _set(f"{CONTAINER}.securityContext.readOnlyRootFilesystem", False),
        r"readOnlyRootFilesystem n'est pas à true",
    ),
    "no_volume_where_the_api_writes": (
        _set(f"{CONTAINER}.volumeMounts.0.mountPath", "/data"),
        r"lecture seule, mais l'API écrit ses journaux dans /var/lib/mlops-course/logs",
    ),
    "max_unavailable_left_at_its_default": (
        _set("Deployment:spec.strategy", {"type": "RollingUpdate"}),
        r"maxUnavailable n'est pas 0",
    ),
    "recreate_strategy": (_set("Deployment:spec.strategy", {"type": "Recreate"}), r"Recreate"),
    "one_replica_and_hpa_down_to_one": (
        lambda docs: (
            _set("Deployment:spec.replicas", 1)(docs),
            _set("HorizontalPodAutoscaler:spec.minReplicas", 1)(docs),
        ),
        r"1 réplique",
    ),
    "selector_not_matching_the_pods": (
        _set("Deployment:spec.selector.matchLabels", {"app": "autre"}),
        r"selector\.matchLabels ne correspond pas",
    ),
    "service_to_the_wrong_port": (
        _set("Service:spec.ports.0.targetPort", 8080),
        r"targetPort 8080 n'est pas un port du conteneur",
    ),
    "service_selecting_nothing": (
        _set("Service:spec.selector", {"app": "api"}),
        r"Service/mlops-course-api : son selector",
    ),
    "hpa_on_another_target": (
        _set("HorizontalPodAutoscaler:spec.scaleTargetRef.name", "api"),
        r"le HPA vise Deployment/api",
    ),
    "hpa_on_memory": (
        _set("HorizontalPodAutoscaler:spec.metrics.0.resource.name", "memory"),
        r"ne suit pas l'utilisation CPU",
    ),
    "admin_route_left_open": (
        _set("ConfigMap:data.MLOPS_COURSE_ADMIN_FAIL_CLOSED", "false"),
        r"MLOPS_COURSE_ADMIN_FAIL_CLOSED n'est pas à \"true\"",
    ),
    "admin_token_in_clear": (_drop_secret_ref, r"MLOPS_COURSE_ADMIN_TOKEN est écrit en clair"),
    "secret_committed": (_commit_a_secret, r"Secret/mlops-course-api-admin est committé"),
    "configmap_missing": (
        lambda docs: docs.remove(_kind(docs, "ConfigMap")),
        r"lit la ConfigMap 'mlops-course-api', absente",
    ),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_review_refuses_each_broken_variant(name: str, manifests) -> None:
    mutate, expected = BROKEN[name]
    broken = copy.deepcopy(manifests)
    mutate(broken)
    problems = " | ".join(k8s.review_manifests(broken))
    assert re.search(expected, problems), problems


# --- the manifests agree with the image ---------------------------------------------------


def test_configmap_repeats_the_images_settings_and_fails_closed(manifests) -> None:
    image_env = containers.image_env(containers.read_dockerfile())
    data = _kind(manifests, "ConfigMap")["data"]
    for name in (
        "MLOPS_COURSE_HOME",
        "MLOPS_COURSE_MODEL_DIR",
        "MLOPS_COURSE_BACKEND",
        "MLOPS_COURSE_TRAIN_IF_MISSING",
        "MLOPS_COURSE_ADMIN_FAIL_CLOSED",
    ):
        assert data[name] == image_env[name], name
    assert data["MLOPS_COURSE_ADMIN_FAIL_CLOSED"] == "true"
    assert "MLOPS_COURSE_ADMIN_TOKEN" not in data


def test_admin_token_comes_from_an_optional_secret(manifests) -> None:
    (token,) = [e for e in _container(manifests)["env"] if e["name"] == "MLOPS_COURSE_ADMIN_TOKEN"]
    ref = token["valueFrom"]["secretKeyRef"]
    assert ref["optional"] is True, "without the Secret the pods must still start (and refuse)"
    assert not any(d["kind"] == "Secret" for d in manifests)
    assert f"create secret generic {ref['name']}" in (FOLDER / "kustomization.yaml").read_text()


def test_pods_run_as_the_images_user_with_the_image_of_compose_and_make(manifests) -> None:
    users = [
        i.arguments
        for i in containers.read_dockerfile()
        if i.keyword == "USER" and i.stage == max(j.stage for j in containers.read_dockerfile())
    ]
    pod = _kind(manifests, "Deployment")["spec"]["template"]["spec"]
    assert str(pod["securityContext"]["runAsUser"]) == users[-1].split(":")[0]
    compose = yaml.safe_load((ROOT / containers.COMPOSE_FILE).read_text())
    makefile = (ROOT / "Makefile").read_text()
    image = _container(manifests)["image"]
    assert image == compose["services"]["api"]["image"]
    assert f"IMAGE ?= {image}" in makefile


def test_probes_use_the_served_port_by_name(manifests) -> None:
    container = _container(manifests)
    assert container["ports"] == [{"name": "http", "containerPort": k8s.served_port()}]
    for kind in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[kind]["httpGet"]["port"] == "http"
