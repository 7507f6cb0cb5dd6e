"""The course's review of the API's Deployment: what a Kubernetes schema cannot see.

:func:`review_deployment` checks probes on the right routes and on the container's port, a
start-up probe that covers the model load, a pinned image, resources, a non-root read-only
container with a volume where the API writes, rolling updates that keep every ready pod, and
no admin token in clear. What the image serves (port, start-up time, state folder) is read
from ``docker/Dockerfile``: one source. Messages in French, for learners (notebook 05).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mlops_course.config import project_root
from mlops_course.containers.dockerfile import (
    healthcheck_command,
    image_command,
    image_env,
    read_dockerfile,
)
from mlops_course.containers.files import CONTAINER_PORT, DOCKERFILE
from mlops_course.containers.review import image_unpinned

#: The API's routes: readiness (model loaded and warmed up) and liveness (process answers).
READY_PATH = "/ready"
HEALTH_PATH = "/health"
#: Settings the cluster must set (``mlops_course.api.settings``).
FAIL_CLOSED = "MLOPS_COURSE_ADMIN_FAIL_CLOSED"
ADMIN_TOKEN_VARIABLE = "MLOPS_COURSE_ADMIN_TOKEN"
HOME = "MLOPS_COURSE_HOME"

# --------------------------------------------------------------------------------------
# What the image serves (read from the Dockerfile: one source)


def served_port(root: Path | None = None) -> int:
    """Return the port the image's ``CMD`` serves on (its ``--port``), 8000 by default."""
    command = image_command(read_dockerfile((root or project_root()) / DOCKERFILE))
    for index, word in enumerate(command):
        if word == "--port" and index + 1 < len(command):
            return int(command[index + 1])
        if word.startswith("--port="):
            return int(word.split("=", 1)[1])
    return CONTAINER_PORT


def start_period(root: Path | None = None) -> int:
    """Return the seconds the image's ``HEALTHCHECK`` leaves for start-up (``--start-period``)."""
    instructions = read_dockerfile((root or project_root()) / DOCKERFILE)
    if healthcheck_command(instructions) is None:
        return 30
    check = next(i for i in reversed(instructions) if i.keyword == "HEALTHCHECK")
    found = re.search(r"--start-period=(\d+)s", check.arguments)
    return int(found.group(1)) if found else 30


def image_home(root: Path | None = None) -> str:
    """Return the image's ``MLOPS_COURSE_HOME`` (where the API writes its logs)."""
    return image_env(read_dockerfile((root or project_root()) / DOCKERFILE)).get(
        HOME, "/var/lib/mlops-course"
    )


# --------------------------------------------------------------------------------------
# Review of a Deployment


def _seconds(probe: Mapping[str, Any], key: str, default: int) -> int:
    value = probe.get(key, default)
    return int(value) if isinstance(value, int) else default


def port_number(port: Any, ports: Mapping[str, int]) -> int | None:
    """The number a probe's port means (a name resolves through the container's ports)."""
    if isinstance(port, int):
        return port
    if isinstance(port, str) and port.isdigit():
        return int(port)
    return ports.get(str(port))


def _review_probe(
    kind: str, probe: Any, wanted: str, ports: Mapping[str, int], served: int
) -> list[str]:
    if not isinstance(probe, Mapping):
        return []
    get = probe.get("httpGet")
    if not isinstance(get, Mapping):
        return [
            f"la {kind} n'interroge pas l'API en HTTP (httpGet) : seule une requête sur une "
            "route de l'API dit si le modèle est prêt ou si le processus répond"
        ]
    problems = []
    port = get.get("port")
    number = port_number(port, ports)
    if number is None:
        problems.append(
            f"la {kind} vise le port nommé {port!r}, qu'aucun ports[].name du conteneur ne "
            "déclare : la sonde échouerait toujours"
        )
    elif number not in ports.values():
        problems.append(
            f"la {kind} interroge le port {number}, qui n'est pas un containerPort du "
            "conteneur : personne n'y écoute, la sonde échouerait toujours (visez le port "
            "déclaré dans ports, de préférence par son nom)"
        )
    elif number != served:
        problems.append(
            f"la {kind} interroge le port {number}, mais l'image sert l'API sur un autre port "
            "(le --port du CMD de docker/Dockerfile)"
        )
    path = str(get.get("path", "/")).split("?")[0]
    if path != wanted:
        problems.append(_WRONG_PATH[kind].format(path=path))
    return problems


_WRONG_PATH = {
    "readinessProbe": (
        "la readinessProbe interroge {path} ; elle doit dire « ce pod peut prédire » : /health "
        "répond 200 dès que le processus tourne, modèle chargé ou non, et le Service enverrait "
        "des prédictions à un pod qui répond 503. Choisissez la route qui attend le modèle"
    ),
    "livenessProbe": (
        "la livenessProbe interroge {path} ; elle doit seulement dire « le processus répond » : "
        "liée au modèle (/ready), elle échouerait pendant un chargement et Kubernetes "
        "redémarrerait le pod en boucle. Choisissez la route qui ne dépend pas du modèle"
    ),
    "startupProbe": (
        "la startupProbe interroge {path} ; elle doit couvrir le chargement du modèle : "
        "choisissez la route qui ne répond 200 qu'une fois le modèle chargé"
    ),
}


def containers_of(deployment: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The containers of a Deployment's pod template (the API's comes first)."""
    spec = ((deployment.get("spec") or {}).get("template") or {}).get("spec") or {}
    return [c for c in spec.get("containers") or [] if isinstance(c, Mapping)]


def env_value(
    container: Mapping[str, Any], name: str, configmaps: Mapping[str, Mapping[str, Any]]
) -> Any:
    """A variable's value in the container: ``env`` wins over ``envFrom`` ConfigMaps."""
    for item in container.get("env") or []:
        if item.get("name") == name:
            return item.get("value", item.get("valueFrom"))
    for source in container.get("envFrom") or []:
        ref = (source.get("configMapRef") or {}).get("name")
        data = (configmaps.get(ref) or {}).get("data") or {}
        if name in data:
            return data[name]
    return None


def review_deployment(
    deployment: Mapping[str, Any],
    *,
    configmaps: Mapping[str, Mapping[str, Any]] | None = None,
    min_replicas: int | None = None,
    root: Path | None = None,
) -> list[str]:
    """Return what a reviewer would flag on the API's Deployment (empty: nothing).

    ``configmaps`` (name -> ConfigMap) resolves ``envFrom``; ``min_replicas`` is the HPA's,
    if one manages the Deployment. The served port, start-up budget and state folder are
    read from ``docker/Dockerfile``.
    """
    configmaps = configmaps or {}
    problems: list[str] = []
    spec = deployment.get("spec") or {}
    replicas = spec.get("replicas", 1)
    if max(int(replicas), min_replicas or 0) < 2:
        problems.append(
            f"{replicas} réplique : quand ce pod redémarre ou change de nœud, plus rien ne "
            "sert ; il en faut au moins deux"
        )
    strategy = spec.get("strategy") or {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        problems.append(
            f"stratégie {strategy.get('type')} : tous les pods s'arrêtent avant que les "
            "nouveaux démarrent ; utilisez RollingUpdate"
        )
    elif str((strategy.get("rollingUpdate") or {}).get("maxUnavailable", "25%")) not in {"0", "0%"}:
        problems.append(
            "rollingUpdate.maxUnavailable n'est pas 0 : pendant un déploiement, Kubernetes peut "
            "retirer un pod prêt avant que son remplaçant le soit ; fixez-le à 0 (et maxSurge "
            "à 1 : un nouveau pod d'abord)"
        )
    template = spec.get("template") or {}
    labels = (template.get("metadata") or {}).get("labels") or {}
    selector = (spec.get("selector") or {}).get("matchLabels") or {}
    if not selector or any(labels.get(k) != v for k, v in selector.items()):
        problems.append(
            "spec.selector.matchLabels ne correspond pas aux labels du template : le "
            "Deployment ne retrouverait pas ses pods"
        )
    pod = template.get("spec") or {}
    containers = containers_of(deployment)
    if not containers:
        return [*problems, "aucun conteneur dans spec.template.spec.containers"]
    container = containers[0]
    served = served_port(root)
    problems += _review_image(container)
    ports = {
        str(p.get("name", p.get("containerPort"))): int(p["containerPort"])
        for p in container.get("ports") or []
        if isinstance(p.get("containerPort"), int)
    }
    if not ports:
        problems.append("le conteneur ne déclare aucun port (ports[].containerPort)")
    elif served not in ports.values():
        problems.append(
            f"le conteneur déclare les ports {sorted(ports.values())}, mais l'image sert l'API "
            "sur un autre port (le --port du CMD de docker/Dockerfile)"
        )
    for kind, wanted, missing in (
        ("startupProbe", READY_PATH, _NO_STARTUP),
        ("readinessProbe", READY_PATH, _NO_READINESS),
        ("livenessProbe", HEALTH_PATH, _NO_LIVENESS),
    ):
        probe = container.get(kind)
        if probe is None:
            problems.append(missing)
        else:
            problems += _review_probe(kind, probe, wanted, ports, served)
    startup = container.get("startupProbe")
    if isinstance(startup, Mapping):
        budget = _seconds(startup, "failureThreshold", 3) * _seconds(startup, "periodSeconds", 10)
        budget += _seconds(startup, "initialDelaySeconds", 0)
        needed = start_period(root)
        if budget < needed:
            problems.append(
                f"la startupProbe ne laisse que {budget} s au démarrage (initialDelaySeconds + "
                f"failureThreshold × periodSeconds) ; le HEALTHCHECK de l'image en laisse "
                f"{needed} : un chargement de modèle un peu lent ferait redémarrer le pod"
            )
    problems += _review_resources(container)
    problems += _review_security(pod, container)
    problems += _review_writable(pod, container, configmaps, root)
    token = env_value(container, ADMIN_TOKEN_VARIABLE, configmaps)
    if isinstance(token, str):
        problems.append(
            f"{ADMIN_TOKEN_VARIABLE} est écrit en clair dans le manifeste : lisez-le d'un Secret "
            "(valueFrom.secretKeyRef), créé avec kubectl et jamais committé"
        )
    return problems


_NO_STARTUP = (
    "pas de startupProbe : la livenessProbe commence dès le lancement du conteneur ; "
    "ajoutez une sonde de démarrage qui attend le modèle et laisse le temps de le charger"
)
_NO_READINESS = (
    "pas de readinessProbe : le Service enverrait des requêtes au pod dès son démarrage, "
    "avant que le modèle soit chargé"
)
_NO_LIVENESS = (
    "pas de livenessProbe : un processus bloqué qui ne répond plus ne serait jamais redémarré"
)


def _review_image(container: Mapping[str, Any]) -> list[str]:
    image = str(container.get("image") or "")
    if not image:
        return ["le conteneur n'a pas d'image"]
    if image_unpinned(image):
        return [
            f"image {image} : sans tag ou avec latest, deux pods du même Deployment peuvent "
            "exécuter deux versions différentes et un rollback ne revient à rien de précis ; "
            "donnez un tag de version fixe (ou un digest)"
        ]
    return []


def _review_resources(container: Mapping[str, Any]) -> list[str]:
    resources = container.get("resources") or {}
    problems = []
    for part, why in (
        ("requests", "ce que le scheduler réserve, et la base des 70 % du HPA"),
        ("limits", "au-delà, le conteneur est bridé (CPU) ou tué (mémoire), pas le nœud"),
    ):
        values = resources.get(part) or {}
        missing = [r for r in ("cpu", "memory") if r not in values]
        if missing:
            problems.append(f"resources.{part} sans {' ni '.join(missing)} ({why})")
    return problems


def _review_security(pod: Mapping[str, Any], container: Mapping[str, Any]) -> list[str]:
    pod_security = pod.get("securityContext") or {}
    security = container.get("securityContext") or {}
    problems = []
    non_root = security.get("runAsNonRoot", pod_security.get("runAsNonRoot"))
    user = security.get("runAsUser", pod_security.get("runAsUser"))
    if non_root is not True or user == 0:
        problems.append(
            "runAsNonRoot n'est pas à true (ou runAsUser vaut 0) : rien n'empêcherait le "
            "conteneur de tourner en root"
        )
    if security.get("readOnlyRootFilesystem") is not True:
        problems.append(
            "readOnlyRootFilesystem n'est pas à true : une faille pourrait modifier le code ou "
            "le modèle du conteneur ; n'ouvrez en écriture que des volumes"
        )
    if security.get("allowPrivilegeEscalation") is not False:
        problems.append("allowPrivilegeEscalation n'est pas à false")
    return problems


def _review_writable(
    pod: Mapping[str, Any],
    container: Mapping[str, Any],
    configmaps: Mapping[str, Mapping[str, Any]],
    root: Path | None,
) -> list[str]:
    if (container.get("securityContext") or {}).get("readOnlyRootFilesystem") is not True:
        return []
    home = env_value(container, HOME, configmaps)
    home = home if isinstance(home, str) else image_home(root)
    volumes = {v.get("name") for v in pod.get("volumes") or []}
    mounts = [
        str(m.get("mountPath", "")).rstrip("/")
        for m in container.get("volumeMounts") or []
        if m.get("name") in volumes and not m.get("readOnly")
    ]
    if not any(home == m or home.startswith(m + "/") for m in mounts if m):
        return [
            f"le système de fichiers est en lecture seule, mais l'API écrit ses journaux dans "
            f"{home}/logs ({HOME}) : montez-y un volume (emptyDir)"
        ]
    return []
