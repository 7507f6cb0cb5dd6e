"""Check of exercise 4 of notebook 02_experiment_tracking_mlflow: roll the champion back.

Two registry histories, so that no fixed version number passes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from mlops_course import tracking
from mlops_course.checks import call, expect, require, success
from mlops_course.checks.tracking.fixtures import (
    ROLLBACK_MODELS,
    _fresh_model,
)

#: Two registry histories, one version per row: (gate status, previous champion, rolled back
#: to). A: v1 champion, v2 replaced it, v3 replaced v2 and was rolled back to v2, v4 refused,
#: v5 replaced v2 (→ 2). B: v1 champion, v2 refused, v3 replaced v1 (→ 1). The last version
#: is the champion; the expected rollback target is its previous champion.
_HISTORIES: tuple[tuple[tuple[str, str | None, str | None], ...], ...] = (
    (
        (tracking.PASSED, None, None),
        (tracking.PASSED, "1", None),
        (tracking.PASSED, "2", "2"),
        (tracking.REJECTED, None, None),
        (tracking.PASSED, "2", None),
    ),
    ((tracking.PASSED, None, None), (tracking.REJECTED, None, None), (tracking.PASSED, "1", None)),
)


def _rollback_scenario(
    name: str, history: Sequence[tuple[str, str | None, str | None]]
) -> tuple[str, str]:
    """Rebuild registered model ``name`` from ``history``; return (expected, champion).

    Only registry metadata is written (versions, aliases, tags), as :func:`tracking.promote`
    and :func:`tracking.rollback` would; the versions point at the chapter's logged models.
    """
    mlflow_client = tracking.client()
    ranked = tracking.compare_runs()
    column = f"metrics.{tracking.METRIC}"
    passing = list(ranked[ranked[column] > tracking.THRESHOLD]["run_id"])
    failing = list(ranked[ranked[column] <= tracking.THRESHOLD]["run_id"])
    expect(
        bool(passing) and bool(failing),
        "il faut les runs du chapitre dans le store : exécutez d'abord la cellule "
        "`tracking.run_grid(...)` en haut du notebook.",
    )
    _fresh_model(name)
    mlflow_client.create_registered_model(name)
    for status, previous, rolled_back_to in history:
        run_id = (passing if status == tracking.PASSED else failing)[0]
        source = tracking.run_model_uri(run_id)
        version = str(mlflow_client.create_model_version(name, source, run_id=run_id).version)
        tags = {
            tracking.TAG_STATUS: status,
            tracking.TAG_PREVIOUS: previous,
            tracking.TAG_ROLLED_BACK: rolled_back_to,
        }
        for key, value in tags.items():
            if value is not None:
                mlflow_client.set_model_version_tag(name, version, key, value)
    champion = str(len(history))
    mlflow_client.set_registered_model_alias(name, tracking.CHAMPION, champion)
    expected = history[-1][1]
    if expected is None:  # pragma: no cover - the histories end with a replacing champion
        raise ValueError("a history must end with a champion that replaced another")
    return expected, champion


def exercice_4(revenir_en_arriere: Callable[[str], str]) -> None:
    """The learner rolls ``champion`` back to the version it replaced, in two histories."""
    require(revenir_en_arriere, "Exercice 4")
    outcomes = []
    for name, history in zip(ROLLBACK_MODELS, _HISTORIES, strict=True):
        expected, current = _rollback_scenario(name, history)
        got = call(revenir_en_arriere, name, what="Exercice 4")
        champion = tracking.aliases(name=name).get(tracking.CHAMPION)
        outcomes.append((name, expected, current, got, champion))
    for *_, current, _, champion in outcomes:
        expect(
            champion != current,
            "l'alias champion n'a pas bougé : déplacez-le avec "
            "client.set_registered_model_alias(nom, 'champion', version).",
        )
    champions = {champion for *_, champion in outcomes}
    expect(
        len(champions) > 1 or all(champion == expected for _, expected, *_, champion in outcomes),
        "votre fonction pose champion sur le même numéro de version quel que soit le modèle : "
        "lisez la version à restaurer dans le tag previous_champion du champion actuel.",
    )
    for name, expected, current, _, champion in outcomes:
        status = tracking.get_version(champion, name=name).tags.get(tracking.TAG_STATUS)
        expect(
            status == tracking.PASSED,
            f"dans {name}, champion pointe sur une version refusée par la porte : "
            "la version précédente n'est pas forcément celle d'avant (numéro - 1).",
        )
        expect(
            champion == expected,
            f"dans {name}, champion ne pointe pas sur la version que v{current} avait "
            f"remplacée : lisez le tag {tracking.TAG_PREVIOUS!r} de la version championne.",
        )
    for *_, got, champion in outcomes:
        expect(
            str(got) == champion,
            "la fonction doit renvoyer le numéro de la version devenue champion.",
        )
    success("champion est revenu sur la version qu'il avait remplacée, dans les deux historiques.")
