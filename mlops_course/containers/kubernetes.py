"""From one container to a cluster: the API's Kubernetes manifests, checked without a cluster.

- :func:`load_manifests` reads ``deploy/k8s/`` (the files its ``kustomization.yaml`` lists)
  or YAML text;
- :func:`schema_errors` validates them against the Kubernetes API schemas bundled in
  ``kubernetes-validate`` (strict: an unknown field is an error), offline;
- :func:`review_manifests` checks what the schemas cannot, with the course's rules
  (messages in French, for learners): the Deployment through
  :func:`~mlops_course.containers.deployment_review.review_deployment` (probes, image,
  resources, security), a Service and an HPA on CPU that reach it, the ConfigMaps it reads,
  an admin route that fails closed and no Secret committed.

Taught in notebook 05 (section "Du conteneur au cluster").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from mlops_course.config import project_root
from mlops_course.containers.deployment_review import (  # noqa: F401  (public here too)
    ADMIN_TOKEN_VARIABLE,
    FAIL_CLOSED,
    HEALTH_PATH,
    HOME,
    READY_PATH,
    containers_of,
    env_value,
    image_home,
    port_number,
    review_deployment,
    served_port,
    start_period,
)
from mlops_course.containers.files import KUBERNETES_DIR

#: Oldest Kubernetes the manifests target (``preStop.sleep`` is there from 1.30); they are
#: also validated against the newest version ``kubernetes-validate`` knows.
MIN_KUBERNETES = "1.30.0"

#: A Deployment as a first attempt often looks (notebook 05, exercise 4): it runs, but its
#: probes are wrong (readiness on /health, a port nobody listens on, no start-up probe) and
#: its image is ``latest``. Everything else is right.
BROKEN_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: mlops-course-api
spec:
  replicas: 2
  selector:
    matchLabels:
      app: mlops-course-api
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
  template:
    metadata:
      labels:
        app: mlops-course-api
    spec:
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
      containers:
        - name: api
          image: mlops-course-api:latest
          ports:
            - name: http
              containerPort: 8000
          resources:
            requests: {cpu: 250m, memory: 128Mi}
            limits: {cpu: "1", memory: 256Mi}
          readinessProbe:
            httpGet: {path: /health, port: 80}
            periodSeconds: 5
          livenessProbe:
            httpGet: {path: /health, port: 80}
            periodSeconds: 10
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
          volumeMounts:
            - {name: state, mountPath: /var/lib/mlops-course}
      volumes:
        - {name: state, emptyDir: {}}
"""

# --------------------------------------------------------------------------------------
# Reading


def load_manifests(source: str | Path | None = None) -> list[dict[str, Any]]:
    """Return the Kubernetes objects of ``source``: a folder, a YAML file, or YAML text.

    A folder is read through its ``kustomization.yaml`` (the files it lists, in order);
    default: the repository's ``deploy/k8s/``. Empty YAML documents are skipped.
    """
    import yaml

    if source is None:
        source = project_root() / KUBERNETES_DIR
    if isinstance(source, Path):
        if source.is_dir():
            kustomization = yaml.safe_load((source / "kustomization.yaml").read_text())
            files = [source / name for name in kustomization.get("resources", [])]
        else:
            files = [source]
        text = "\n---\n".join(path.read_text() for path in files)
    else:
        text = source
    documents = [doc for doc in yaml.safe_load_all(text) if doc is not None]
    for doc in documents:
        if not isinstance(doc, Mapping):
            raise ValueError(f"a Kubernetes object is a mapping, got {type(doc).__name__}")
    return documents


def _name(doc: Mapping[str, Any]) -> str:
    return f"{doc.get('kind', '?')}/{(doc.get('metadata') or {}).get('name', '?')}"


def schema_errors(
    documents: Iterable[Mapping[str, Any]], versions: Sequence[str] | None = None
) -> list[str]:
    """Validate each object against the Kubernetes schemas (strict), offline.

    ``versions`` defaults to :data:`MIN_KUBERNETES` and the newest bundled version. Returns
    one line per error (empty: valid). An unknown ``apiVersion``/``kind`` is an error here,
    where the ``kubernetes-validate`` command only warns.
    """
    from kubernetes_validate import utils

    versions = list(versions or (MIN_KUBERNETES, utils.latest_version()))
    errors: list[str] = []
    for doc in documents:
        if not doc.get("apiVersion") or not doc.get("kind"):
            errors.append(f"{_name(doc)} : il manque apiVersion ou kind")
            continue
        for version in versions:
            try:
                utils.validate(dict(doc), version, strict=True)
            except utils.ValidationError as error:
                path = ".".join(str(part) for part in error.path) or "(racine)"
                errors.append(
                    f"{_name(doc)} (Kubernetes {error.version}) : {path} : {error.message}"
                )
                break
            except utils.SchemaNotFoundError:
                errors.append(
                    f"{_name(doc)} : {doc['apiVersion']} {doc['kind']} n'existe pas dans "
                    f"Kubernetes {version} (apiVersion ou kind mal écrit ?)"
                )
                break
    return errors


# --------------------------------------------------------------------------------------
# Review of the whole set


def review_manifests(documents: Sequence[Mapping[str, Any]]) -> list[str]:
    """Return what a reviewer would flag on the API's manifests as a whole (empty: nothing).

    One Deployment (reviewed by :func:`review_deployment`), a Service that reaches its pods on
    the container's port, an HPA (autoscaling/v2, CPU) on that Deployment, the ConfigMaps it
    reads, the admin route failing closed, and no Secret committed with its value.
    """
    by_kind: dict[str, list[Mapping[str, Any]]] = {}
    for doc in documents:
        by_kind.setdefault(str(doc.get("kind")), []).append(doc)
    problems: list[str] = []
    deployments = by_kind.get("Deployment", [])
    if len(deployments) != 1:
        return [f"il faut exactement un Deployment pour l'API, il y en a {len(deployments)}"]
    deployment = deployments[0]
    name = (deployment.get("metadata") or {}).get("name")
    configmaps = {(c.get("metadata") or {}).get("name"): c for c in by_kind.get("ConfigMap", [])}
    hpas = by_kind.get("HorizontalPodAutoscaler", [])
    min_replicas = None
    if not hpas:
        problems.append("pas de HorizontalPodAutoscaler : le nombre de pods ne suit pas la charge")
    for hpa in hpas:
        problems += _review_hpa(hpa, name)
        min_replicas = (hpa.get("spec") or {}).get("minReplicas", 1)
        if min_replicas < 2:
            problems.append(
                f"HPA : minReplicas vaut {min_replicas} ; à faible charge il ne resterait qu'un pod"
            )
    problems += review_deployment(deployment, configmaps=configmaps, min_replicas=min_replicas)
    container = (containers_of(deployment) or [{}])[0]
    for source in container.get("envFrom") or []:
        ref = (source.get("configMapRef") or {}).get("name")
        if ref and ref not in configmaps and not (source.get("configMapRef") or {}).get("optional"):
            problems.append(f"le conteneur lit la ConfigMap {ref!r}, absente des manifestes")
    if str(env_value(container, FAIL_CLOSED, configmaps)).lower() != "true":
        problems.append(
            f'{FAIL_CLOSED} n\'est pas à "true" : sans jeton, POST /admin/reload serait ouvert à '
            "tout ce qui atteint le Service"
        )
    problems += _review_services(by_kind.get("Service", []), deployment)
    for secret in by_kind.get("Secret", []):
        if secret.get("data") or secret.get("stringData"):
            problems.append(
                f"{_name(secret)} est committé avec sa valeur : un secret ne va pas dans git ; "
                "créez-le avec kubectl create secret"
            )
    return problems


def _review_hpa(hpa: Mapping[str, Any], deployment: str | None) -> list[str]:
    problems = []
    if hpa.get("apiVersion") != "autoscaling/v2":
        problems.append(f"HPA en {hpa.get('apiVersion')} : utilisez autoscaling/v2")
    spec = hpa.get("spec") or {}
    target = spec.get("scaleTargetRef") or {}
    if target.get("kind") != "Deployment" or target.get("name") != deployment:
        problems.append(
            f"le HPA vise {target.get('kind')}/{target.get('name')}, pas le Deployment de l'API"
        )
    cpu = [
        m
        for m in spec.get("metrics") or []
        if m.get("type") == "Resource" and (m.get("resource") or {}).get("name") == "cpu"
    ]
    if not cpu:
        problems.append("le HPA ne suit pas l'utilisation CPU (metrics: type Resource, name cpu)")
    return problems


def _review_services(
    services: Sequence[Mapping[str, Any]], deployment: Mapping[str, Any]
) -> list[str]:
    if not services:
        return ["pas de Service : les pods n'ont pas d'adresse stable"]
    template = (deployment.get("spec") or {}).get("template") or {}
    labels = (template.get("metadata") or {}).get("labels") or {}
    container = (containers_of(deployment) or [{}])[0]
    ports = {
        str(p.get("name", p.get("containerPort"))): p.get("containerPort")
        for p in container.get("ports") or []
    }
    problems = []
    for service in services:
        spec = service.get("spec") or {}
        selector = spec.get("selector") or {}
        if not selector or any(labels.get(k) != v for k, v in selector.items()):
            problems.append(
                f"{_name(service)} : son selector ne correspond pas aux labels des pods de l'API"
            )
        for port in spec.get("ports") or []:
            target = port.get("targetPort", port.get("port"))
            if port_number(target, ports) not in ports.values():
                problems.append(
                    f"{_name(service)} : targetPort {target!r} n'est pas un port du conteneur"
                )
    return problems
