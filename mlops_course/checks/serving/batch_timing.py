"""Checks of notebook 04_serving_fastapi, exercise 3: a loop of ``POST /predict`` against
one ``POST /predict/batch``, timed by the learner through the course's test client.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from mlops_course.checks import call, expect, require, success
from mlops_course.checks.serving.fixtures import _api, course_client


def exercice_3(comparer: Callable[[Any, list[dict[str, float]]], tuple[float, float]]) -> None:
    """The learner times n calls to /predict against one call to /predict/batch."""
    from mlops_course import data

    require(comparer, "Exercice 3")
    rows = data.jittered(data.load_iris_frame()[0], 40, seed=4).round(1).to_dict("records")
    calls: dict[str, int] = {}
    refused: dict[str, list[int]] = {}

    def count(request: Any) -> None:
        key = f"{request.method} {request.url.path}"
        calls[key] = calls.get(key, 0) + 1

    def status(response: Any) -> None:
        if response.status_code >= 400:
            key = f"{response.request.method} {response.request.url.path}"
            refused.setdefault(key, []).append(response.status_code)

    with course_client(_api()) as client:
        client.event_hooks = {"request": [count], "response": [status]}
        start = time.perf_counter()
        result = call(comparer, client, rows, what="Exercice 3")
        elapsed = time.perf_counter() - start
    expect(
        isinstance(result, tuple) and len(result) == 2,
        f"on attend un tuple (secondes_boucle, secondes_lot), reçu {result!r}",
    )
    loop, batch = result
    expect(
        all(isinstance(x, float) and x > 0 for x in (loop, batch)),
        f"les deux durées doivent être des secondes (float > 0), reçu {result!r} : "
        "utilisez time.perf_counter().",
    )
    singles, batches = calls.get("POST /predict", 0), calls.get("POST /predict/batch", 0)
    expect(
        singles == len(rows),
        f"la boucle doit envoyer un POST /predict par fleur ({len(rows)}), elle en a envoyé "
        f"{singles}.",
    )
    expect(batches == 1, f"le lot doit tenir en un seul POST /predict/batch, reçu {batches}.")
    bad_singles = refused.get("POST /predict", [])
    expect(
        not bad_singles,
        f"{len(bad_singles)} requêtes POST /predict sur {singles} ont été refusées (codes "
        f"{sorted(set(bad_singles))}) : envoyez chaque fleur comme corps JSON (json=...). "
        "Une requête refusée ne mesure rien.",
    )
    bad_batch = refused.get("POST /predict/batch", [])
    expect(
        not bad_batch,
        f"POST /predict/batch a été refusé (code {bad_batch[0] if bad_batch else ''}) : le "
        "corps du lot est un objet JSON qui range les fleurs sous la clé instances, pas une "
        "liste nue. Une requête refusée ne mesure rien.",
    )
    expect(
        loop + batch <= elapsed * 1.05 + 0.01,
        f"vos durées ({loop:.4g} et {batch:.4g}) dépassent le temps réellement écoulé pendant "
        "l'appel : renvoyez des secondes, telles que time.perf_counter() les donne (pas des "
        "millisecondes).",
    )
    expect(
        loop > batch,
        f"la boucle ({loop:.4f} s) devrait être plus lente que le lot ({batch:.4f} s) : "
        "mesurez-vous bien chaque partie séparément, et les renvoyez-vous dans l'ordre "
        "(boucle, lot) ?",
    )
    success(f"{len(rows)} appels : la boucle prend {loop / batch:.0f}× le temps d'un seul lot.")
