"""Checks for notebook 01 (introduction to MLOps).

The hints name what is wrong in the learner's answer (an unknown name, the first misplaced
stage, a practice too many) and the rule to apply, never the expected order or set.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Set
from typing import Any

from mlops_course import lifecycle
from mlops_course.checks import call, expect, fail, require, success


def _names(value: Any, what: str) -> list[str]:
    """The learner's collection of names, refusing a single string or a non-collection."""
    if isinstance(value, str):
        raise fail(f"{what} : on attend une collection de noms, pas une seule chaîne ({value!r}).")
    expect(
        isinstance(value, Collection),
        f"{what} : on attend une collection de noms, pas un {type(value).__name__}.",
    )
    return list(value)


def exercice_1(ordre: Any) -> None:
    """The learner orders the eight lifecycle stages."""
    ordre = require(ordre, "Exercice 1")
    expect(
        not isinstance(ordre, Set),
        "un ensemble {…} n'a pas d'ordre : écrivez une liste [...] pour ranger les étapes.",
    )
    ordre = _names(ordre, "Exercice 1")
    unknown = [name for name in ordre if name not in lifecycle.LIFECYCLE]
    expect(
        not unknown,
        f"noms inconnus : {unknown}. Utilisez les noms affichés au-dessus de l'exercice, tels "
        "quels (minuscules, sans accents), pas les libellés du schéma.",
    )
    repeated = sorted({name for name in ordre if ordre.count(name) > 1})
    expect(not repeated, f"chaque étape n'apparaît qu'une fois ; en double : {repeated}.")
    expect(
        len(ordre) == len(lifecycle.LIFECYCLE),
        f"il manque {len(lifecycle.LIFECYCLE) - len(ordre)} étape(s) : le cycle en compte "
        f"{len(lifecycle.LIFECYCLE)}.",
    )
    for position, (got, want) in enumerate(zip(ordre, lifecycle.LIFECYCLE, strict=True), 1):
        expect(
            got == want,
            f"l'étape n°{position} n'est pas la bonne ({got!r}). Relisez le schéma du §1.3 : "
            "on cadre d'abord, on évalue avant de déployer, on sert ce qui est déployé, et on "
            "monitore avant de réentraîner.",
        )
    success("Le cycle de vie est dans le bon ordre.")


def _assess(pratiques: Any, what: str) -> lifecycle.Assessment:
    names = _names(pratiques, what)
    try:
        return lifecycle.assess(names)
    except (ValueError, TypeError) as error:
        raise fail(f"{what} : {error}") from error


def exercice_2(pratiques: Any) -> None:
    """The learner describes a project that sits exactly at level 2."""
    pratiques = require(pratiques, "Exercice 2")
    result = _assess(pratiques, "Exercice 2")
    if result.level < 2:
        only_higher = all(lifecycle.PRACTICES[name][0] >= 2 for name in result.practices)
        expect(
            not (result.practices and only_higher),
            f"ce projet n'est qu'au niveau {result.name} : les niveaux sont cumulatifs, un "
            "projet de niveau 2 a aussi toutes les pratiques du niveau 1.",
        )
        raise fail(
            f"ce projet n'est qu'au niveau {result.name} : il lui manque des pratiques "
            "(consultez la colonne « requise au niveau » de lifecycle.PRACTICES ; les niveaux "
            "sont cumulatifs)."
        )
    expect(
        result.level == 2,
        f"ce projet atteint déjà le niveau {result.name} : pour être exactement au niveau 2, "
        "il ne doit pas avoir toutes les pratiques du niveau 3.",
    )
    success(f"Projet au niveau {result.name}, comme demandé.")


#: Projects where the usual shortcuts give a different answer than the rule.
_CASES: tuple[frozenset[str], ...] = (
    frozenset(),
    frozenset({"code_versionne", "experiment_tracking"}),
    # Level 0 by the rule, although it has level-2 practices: the next level is still 1.
    frozenset({"monitoring", "ci_cd", "code_versionne"}),
    lifecycle.required_for(1) | {"monitoring"},
    lifecycle.required_for(2) | {"ab_testing"},
)


def exercice_3(manquantes: Callable[[set[str]], Collection[str]]) -> None:
    """The learner writes ``manquantes(pratiques)``: what the next level still needs."""
    require(manquantes, "Exercice 3")
    names = getattr(getattr(manquantes, "__code__", None), "co_names", ())
    expect(
        "missing_for_next" not in names,
        "votre fonction lit missing_for_next : c'est précisément ce que l'exercice vous demande "
        "de recalculer, avec lifecycle.assess(...).level et lifecycle.required_for(...).",
    )
    for pratiques in _CASES:
        given = set(pratiques)
        got = call(manquantes, given, what="Exercice 3")
        expect(
            given == pratiques,
            "votre fonction modifie l'ensemble de pratiques qu'elle reçoit : calculez un "
            "nouvel ensemble (a - b) au lieu de modifier l'argument.",
        )
        got = set(_names(got, "Exercice 3"))
        want = set(lifecycle.assess(pratiques).missing_for_next)
        shown = sorted(pratiques) or "aucune pratique"
        extra, short = sorted(got - want), len(want - got)
        expect(
            not (extra and got & pratiques),
            f"pour {shown}, votre fonction renvoie des pratiques que le projet a déjà "
            f"({sorted(got & pratiques)}) : retirez-les.",
        )
        expect(
            not extra,
            f"pour {shown} (niveau {lifecycle.assess(pratiques).name}), votre fonction renvoie "
            f"{extra}, qui ne sont pas requises pour le niveau suivant. Les niveaux se comptent "
            "avec lifecycle.assess : un projet est au niveau n seulement s'il a tout ce que "
            "demandent les niveaux 1 à n.",
        )
        expect(
            not short,
            f"pour {shown}, il manque {short} pratique(s) à votre réponse. Partez de "
            "lifecycle.required_for(niveau + 1) : les niveaux sont cumulatifs.",
        )
    try:
        top = manquantes(set(lifecycle.PRACTICES))
    except Exception as error:  # the learner's code: name what it raised
        raise fail(
            f"pour un projet qui a toutes les pratiques, votre fonction lève "
            f"{type(error).__name__} : au niveau le plus haut il n'y a pas de niveau suivant, "
            "renvoyez un ensemble vide."
        ) from error
    expect(
        top is not None and not isinstance(top, str) and len(top) == 0,
        f"pour un projet qui a toutes les pratiques, votre fonction renvoie {top!r} : il n'y "
        "a plus rien à ajouter, renvoyez un ensemble vide.",
    )
    success("Votre fonction trouve ce qui manque pour le niveau suivant.")
