"""Chapter 06 (notebook ``06_ci_cd``, §6.2): the release workflow, the pipeline's "CD" half.

:func:`review_release` says what a reviewer would flag on a workflow that publishes the API
image: it must start from a version tag only (``v*``), run the tests first (``needs:``),
give ``packages: write`` to the publishing job alone, log in to ghcr.io with the built-in
``GITHUB_TOKEN`` (no other secret), build ``docker/Dockerfile`` from the checked-out folder
once the served model exists, and tag the image with the version. The everyday CI is
reviewed by :func:`mlops_course.workflows.review_workflow`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from mlops_course.workflows import (
    grants_write,
    hygiene,
    job_steps,
    load_workflow,
    review_make_calls,
    step_action,
    step_inputs,
    triggers,
)

#: The registry the release workflow pushes to (GitHub's container registry).
REGISTRY = "ghcr.io"
#: The Dockerfile of the API image (chapter 05).
DOCKERFILE = "docker/Dockerfile"


_TESTS = re.compile(r"(?:^|[;&|(\s])(?:make\s+(?:check|test)\b|pytest\b)")
_MODEL = re.compile(r"(?:^|[;&|(\s])(?:make\s+(?:[\w-]+\s+)*model\b|mlops-course\s+model\b)")
_BUILD_PUSH = "docker/build-push-action"
_VERSION_REFS = ("github.ref_name", "GITHUB_REF_NAME", "env.", "steps.")


def review_release(text: str, *, makefile_text: str | None = None) -> list[str]:
    """Return the problems a reviewer would raise on the release workflow ``text``.

    The workflow publishes the API image: triggered by a version tag only (``v*``); a job
    that runs the tests; a publishing job that ``needs`` it, alone holds
    ``packages: write`` (with ``contents: read``), checks out the repository, builds the
    served model (``make model``: it is not in git), logs in to ghcr.io with the built-in
    ``GITHUB_TOKEN`` (no other secret), and builds ``docker/Dockerfile`` from the
    checked-out folder with ``push: true`` and a tag taken from the git tag. Plus what any
    workflow of the course must get right (pinned actions, timeouts, Python 3.11, uv
    ``--locked``; with ``makefile_text``, ``make`` targets that exist).
    """
    try:
        workflow = load_workflow(text)
    except Exception as error:  # YAML errors: report them as a problem
        return [f"YAML illisible : {error}"]
    problems = _review_release_trigger(workflow)
    permissions = workflow.get("permissions")
    if permissions is None:
        problems.append(
            "pas de `permissions:` en tête : tous les jobs auraient les droits par défaut du "
            "jeton ; en tête, seulement la lecture du dépôt"
        )
    elif grants_write(permissions):
        problems.append(
            "permissions en écriture en tête du workflow : elles valent pour tous les jobs, "
            "tests compris ; donnez `packages: write` au seul job qui publie"
        )
    secrets = sorted(set(re.findall(r"secrets\.(\w+)", text)) - {"GITHUB_TOKEN"})
    if secrets:
        problems.append(
            f"secret personnel {', '.join(secrets)} : pour ghcr.io, le jeton intégré "
            "GITHUB_TOKEN suffit (avec `packages: write`), sans secret à créer ni à faire fuir"
        )
    jobs = {job_id: job or {} for job_id, job in (workflow.get("jobs") or {}).items()}
    publishers = [
        job_id for job_id, job in jobs.items() if any(_pushes(step) for step in job_steps(job))
    ]
    if not publishers:
        builds = [
            s for job in jobs.values() for s in job_steps(job) if step_action(s) == _BUILD_PUSH
        ]
        problems.append(
            "l'image est construite mais jamais poussée (push: true)"
            if builds
            else "aucun job ne construit et ne pousse l'image (docker/build-push-action)"
        )
    for job_id in publishers:
        env = {**(workflow.get("env") or {}), **(jobs[job_id].get("env") or {})}
        problems += _review_publisher(job_id, jobs, env)
    problems += hygiene(workflow)
    if makefile_text is not None:
        problems += review_make_calls(workflow, makefile_text, whole_check=False)
    return problems


def _review_release_trigger(workflow: Mapping[str, Any]) -> list[str]:
    events = triggers(workflow)
    on = workflow.get("on")
    problems = []
    others = sorted(events - {"push"})
    if others:
        problems.append(
            f"déclencheurs en trop ({', '.join(others)}) : une publication ne part que d'un "
            "tag de version poussé"
        )
    push = on.get("push") if isinstance(on, Mapping) else None
    if "push" not in events:
        problems.append("le workflow doit se déclencher au push d'un tag de version (on: push)")
        return problems
    push = push if isinstance(push, Mapping) else {}
    tags = push.get("tags")
    tags = [tags] if isinstance(tags, str) else list(tags or [])
    if push.get("branches") or push.get("branches-ignore"):
        problems.append(
            "déclenché par des push sur des branches : chaque commit publierait une image ; "
            "seul un tag de version doit publier"
        )
    elif not tags:
        problems.append(
            "déclenché à chaque push : chaque commit publierait une image ; filtrez sur les "
            "tags de version (v…)"
        )
    for pattern in tags:
        if not str(pattern).startswith("v"):
            problems.append(
                f"le motif de tag {pattern!r} publierait pour n'importe quel tag : limitez-le "
                "aux tags de version (v…)"
            )
    return problems


def _pushes(step: Mapping[str, Any]) -> bool:
    return step_action(step) == _BUILD_PUSH and step_inputs(step).get("push") in (True, "true")


def _needed(job_id: str, jobs: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The jobs ``job_id`` waits for, directly or not."""
    seen: list[str] = []
    todo = [job_id]
    while todo:
        needs = jobs.get(todo.pop(), {}).get("needs") or []
        for other in [needs] if isinstance(needs, str) else needs:
            if other not in seen:
                seen.append(str(other))
                todo.append(str(other))
    return seen


def _review_publisher(
    job_id: str, jobs: Mapping[str, Mapping[str, Any]], env: Mapping[str, Any]
) -> list[str]:
    job = jobs[job_id]
    in_order = job_steps(job)
    problems = []
    permissions = job.get("permissions")
    if not (isinstance(permissions, Mapping) and permissions.get("packages") == "write"):
        problems.append(
            f"le job {job_id} pousse l'image sans `packages: write` : ghcr.io refuserait le "
            "GITHUB_TOKEN"
        )
    elif permissions.get("contents") not in ("read", "write"):
        problems.append(
            f"le job {job_id} déclare ses permissions sans `contents: read` : les permissions "
            "d'un job remplacent celles du haut, et checkout ne pourrait plus lire le dépôt"
        )
    needed = _needed(job_id, jobs)
    if not needed:
        problems.append(
            f"le job {job_id} ne dépend d'aucun job de tests (needs:) : il publierait même si "
            "les tests échouent"
        )
    elif not any(
        _TESTS.search(str(s.get("run", ""))) for n in needed for s in job_steps(jobs.get(n))
    ):
        problems.append(
            f"le job {job_id} attend {needed}, qui ne lance pas les tests (make check, "
            "make test ou pytest)"
        )
    actions = [step_action(step) for step in in_order]
    first_build = (
        next(i for i, a in enumerate(actions) if a == _BUILD_PUSH)
        if _BUILD_PUSH in actions
        else len(actions)
    )
    if "actions/checkout" not in actions[:first_build]:
        problems.append(
            f"le job {job_id} ne récupère pas le dépôt (actions/checkout) avant le build : ni "
            "docker/Dockerfile ni le code ne seraient là"
        )
    if not any(_MODEL.search(str(s.get("run", ""))) for s in in_order[:first_build]):
        problems.append(
            f"le job {job_id} ne produit pas le modèle avant le build : l'image copie "
            "model/pipeline_v1.onnx, qui n'est pas dans git (make model)"
        )
    problems += _review_login(job_id, in_order, env)
    for step in in_order:
        if step_action(step) == _BUILD_PUSH:
            problems += _review_build(job_id, step, in_order, env)
    return problems


def _review_login(
    job_id: str, in_order: Sequence[Mapping[str, Any]], env: Mapping[str, Any]
) -> list[str]:
    logins = [(i, s) for i, s in enumerate(in_order) if step_action(s) == "docker/login-action"]
    if not logins:
        return [
            f"le job {job_id} ne se connecte pas au registre (docker/login-action) : le push "
            "serait refusé"
        ]
    index, login = logins[0]
    options = step_inputs(login, env)
    problems = []
    registry = str(options.get("registry", "docker.io"))
    if registry != REGISTRY:
        problems.append(
            f"connexion à {registry} : le registre de GitHub est {REGISTRY}, celui où "
            "GITHUB_TOKEN peut publier"
        )
    password = str(options.get("password", ""))
    if not re.search(r"\b(secrets\.GITHUB_TOKEN|github\.token)\b", password):
        problems.append(
            "la connexion doit utiliser le jeton intégré du workflow (GITHUB_TOKEN), pas "
            f"{password or 'un mot de passe vide'}"
        )
    pushed = [i for i, s in enumerate(in_order) if _pushes(s)]
    if pushed and pushed[0] < index:
        problems.append("la connexion au registre vient après le push : elle doit le précéder")
    return problems


def _review_build(
    job_id: str,
    step: Mapping[str, Any],
    in_order: Sequence[Mapping[str, Any]],
    env: Mapping[str, Any],
) -> list[str]:
    options = step_inputs(step, env)
    problems = []
    if str(options.get("file", "")).removeprefix("./") != DOCKERFILE:
        problems.append(
            f"le build du job {job_id} doit utiliser {DOCKERFILE} (file:) : sans lui, l'action "
            "cherche un Dockerfile à la racine, qui n'existe pas"
        )
    if str(options.get("context", "")).rstrip("/") not in (".", "${{ github.workspace }}"):
        problems.append(
            f"le build du job {job_id} doit partir du dossier récupéré (context:) : le contexte "
            "Git par défaut ignore les fichiers produits dans le job (le modèle) et le "
            ".dockerignore"
        )
    if not _pushes(step):
        return problems
    tags = [t.strip() for t in re.split(r"[\n,]", str(options.get("tags", ""))) if t.strip()]
    if not tags:
        return [*problems, f"le job {job_id} pousse une image sans tag (tags:)"]
    metadata = _metadata_for(tags, in_order)
    if metadata is not None:
        images = str(step_inputs(metadata, env).get("images", ""))
        spec = str(step_inputs(metadata).get("tags", ""))
        if not images.strip().startswith(f"{REGISTRY}/"):
            problems.append(f"l'image doit être publiée sur {REGISTRY} (images: {REGISTRY}/…)")
        if spec and not re.search(r"type=(semver|ref,\s*event=tag)|github\.ref_name", spec):
            problems.append(_tag_problem(spec))
        return problems
    if not all(tag.startswith(f"{REGISTRY}/") for tag in tags):
        problems.append(
            f"chaque tag de l'image doit commencer par {REGISTRY}/ (le registre de GitHub)"
        )
    if not any(_names_a_version(tag) for tag in tags):
        problems.append(_tag_problem(" ".join(tags)))
    return problems


def _names_a_version(tag: str) -> bool:
    """True when the tag part of an image reference comes from the git tag."""
    name = re.sub(r"\$\{\{.*?\}\}", lambda m: m[0].replace(":", " "), tag)
    version = name.rpartition(":")[2] if ":" in name else name
    return any(ref in version for ref in _VERSION_REFS)


def _metadata_for(
    tags: Sequence[str], in_order: Sequence[Mapping[str, Any]]
) -> Mapping[str, Any] | None:
    """The docker/metadata-action step whose ``outputs.tags`` the build uses, if any."""
    for tag in tags:
        match = re.search(r"steps\.([\w-]+)\.outputs\.tags", tag)
        if match:
            for step in in_order:
                if step.get("id") == match[1] and step_action(step) == "docker/metadata-action":
                    return step
    return None


def _tag_problem(tags: str) -> str:
    if "latest" in tags and "sha" not in tags:
        return (
            "`latest` comme seul tag : on ne saurait plus quelle version tourne, ni revenir à "
            "la précédente ; nommez l'image d'après le tag de version"
        )
    return (
        "les tags de l'image ne viennent pas du tag de version (v1.2.0) : un SHA ou `latest` "
        "ne disent pas quelle version est publiée"
    )
