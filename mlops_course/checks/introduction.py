"""Checks for notebook 01 (introduction to MLOps)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from mlops_course import lifecycle
from mlops_course.checks import call, expect, fail, require, success


def exercice_1(ordre: Sequence[str]) -> None:
    """The learner orders the eight lifecycle stages."""
    ordre = require(ordre, "Exercice 1")
    ordre = list(ordre)
    expect(
        sorted(ordre) == sorted(lifecycle.LIFECYCLE),
        f"il faut les {len(lifecycle.LIFECYCLE)} étapes, chacune une fois : "
        f"{sorted(lifecycle.LIFECYCLE)}",
    )
    for position, (got, want) in enumerate(zip(ordre, lifecycle.LIFECYCLE, strict=True), 1):
        expect(
            got == want,
            f"l'étape n°{position} n'est pas la bonne ({got!r}). Relisez le schéma du §1.3 : "
            "on évalue avant de déployer, et on monitore avant de réentraîner.",
        )
    success("Le cycle de vie est dans le bon ordre.")


def exercice_2(pratiques: set[str]) -> None:
    """The learner describes a project that sits exactly at level 2."""
    pratiques = require(pratiques, "Exercice 2")
    try:
        result = lifecycle.assess(pratiques)
    except (ValueError, TypeError) as error:
        raise fail(f"{error}") from error
    expect(
        result.level == 2,
        f"ce projet est au niveau {result.name}, pas au niveau 2. {result.summary()}",
    )
    success(f"Projet au niveau {result.name}, comme demandé.")


def exercice_3(manquantes: Callable[[set[str]], set[str]]) -> None:
    """The learner writes ``manquantes(pratiques)``: what the next level still needs."""
    cases = [
        set(),
        {"code_versionne", "experiment_tracking"},
        lifecycle.required_for(1) | {"monitoring"},
        set(lifecycle.required_for(2)),
    ]
    for pratiques in cases:
        got = call(manquantes, set(pratiques), what="Exercice 3")
        want = set(lifecycle.assess(pratiques).missing_for_next)
        expect(
            set(got) == want,
            f"pour {sorted(pratiques) or 'aucune pratique'}, votre fonction renvoie "
            f"{sorted(got)} au lieu de {sorted(want)}. Indice : partez de "
            "lifecycle.required_for(niveau + 1) (les niveaux sont cumulatifs) et retirez "
            "les pratiques que le projet a déjà.",
        )
    got = call(manquantes, set(lifecycle.PRACTICES), what="Exercice 3")
    expect(set(got) == set(), "un projet qui a toutes les pratiques n'a plus rien à ajouter.")
    success("Votre fonction trouve ce qui manque pour le niveau suivant.")
