"""Checks of notebook 07_monitoring_drift, exercise 5: a windowed monitor with hysteresis,
written by the learner, run on streams with a spike, a dip, a flicker and a recovery.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from mlops_course.checks import call, expect, fail, success

#: Exercise 5: the two events of an alert.
DECLENCHEE = "déclenchée"
RESOLUE = "résolue"


def _window(mean: float, size: int) -> list[float]:
    """``size`` confidences whose mean is ``mean``.

    A good window (mean 0.9) holds a burst of hard cases (a few predictions at 0.45 in a
    row): judging predictions one by one instead of windows raises false alerts.
    """
    if mean >= 0.7:
        burst = max(size // 10, 1)
        high = (mean * size - 0.45 * burst) / (size - burst)
        return [high] * (size // 2 - burst) + [0.45] * burst + [high] * (size - size // 2)
    return [mean - 0.1, mean + 0.1] * (size // 2) + [mean] * (size % 2)


def flux_confiances(means: Iterable[float], size: int, tail: int = 0) -> list[float]:
    """A stream of confidences, ``size`` predictions per window of the given ``means``;
    ``tail`` more predictions (very low) form an incomplete last window."""
    stream = [c for mean in means for c in _window(mean, size)]
    return stream + [0.2] * tail


def evenements_attendus(
    confiances: list[float],
    taille_fenetre: int,
    seuil: float,
    alerter_apres: int,
    resoudre_apres: int,
) -> list[tuple[int, str]]:
    """The reference monitor (same rule as ``mlops_course.monitoring.AlertRule``)."""
    from mlops_course.monitoring import AlertRule

    rule = AlertRule("confiance", alert_after=alerter_apres, resolve_after=resoudre_apres)
    events = []
    for index in range(len(confiances) // taille_fenetre):
        window = confiances[index * taille_fenetre : (index + 1) * taille_fenetre]
        event = rule.update(bool(np.mean(window) < seuil))
        if event is not None:
            events.append((index, DECLENCHEE if event == "firing" else RESOLUE))
    return events


def _plain(text: Any) -> str:
    decomposed = unicodedata.normalize("NFKD", str(text).strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _as_events(result: Any, what: str) -> list[tuple[int, str]]:
    expect(
        isinstance(result, list | tuple),
        f"{what} : on attend une liste d'événements (fenêtre, état), reçu {type(result).__name__}.",
    )
    events = []
    for item in result:
        ok = (
            isinstance(item, list | tuple)
            and len(item) == 2
            and isinstance(item[0], int | np.integer)
            and _plain(item[1]) in {_plain(DECLENCHEE), _plain(RESOLUE)}
        )
        expect(
            ok,
            f"{what} : chaque événement est un tuple (numéro de fenêtre, DECLENCHEE ou "
            f"RESOLUE), reçu {item!r}.",
        )
        state = DECLENCHEE if _plain(item[1]) == _plain(DECLENCHEE) else RESOLUE
        events.append((int(item[0]), state))
    return events


#: Exercise 5's streams: name, window means, incomplete tail, settings, hint on a mismatch.
_STREAMS: tuple[tuple[str, list[float], int, dict[str, Any], str], ...] = (
    (
        "flux calme",
        [0.9] * 12,
        0,
        {},
        "aucune fenêtre n'a une confiance moyenne sous le seuil, et pourtant votre moniteur "
        "émet des événements. Jugez chaque fenêtre de taille_fenetre prédictions par sa "
        "moyenne, pas chaque prédiction une à une (une rafale de cas difficiles ne fait pas "
        "une mauvaise fenêtre).",
    ),
    (
        "pic isolé",
        [0.9] * 6 + [0.5] + [0.9] * 6,
        0,
        {},
        "une seule fenêtre basse (un pic) suffit à déclencher une alerte. N'alertez qu'après "
        "alerter_apres fenêtres mauvaises de suite.",
    ),
    (
        "mauvaises fenêtres non consécutives",
        [0.9] * 3 + [0.5, 0.5, 0.9, 0.5, 0.5, 0.9, 0.5, 0.5] + [0.9] * 3,
        0,
        {},
        "des paires de fenêtres basses séparées par une bonne déclenchent une alerte : une "
        "fenêtre bonne remet le compteur de mauvaises fenêtres à zéro (de suite = consécutives).",
    ),
    (
        "creux puis rétablissement",
        [0.9] * 5 + [0.5] * 6 + [0.9] * 6,
        0,
        {},
        "un creux de plusieurs fenêtres doit donner exactement un événement DECLENCHEE (à la "
        "fenêtre qui complète la série de mauvaises), puis un RESOLUE après resoudre_apres "
        "bonnes fenêtres de suite — ni un événement par mauvaise fenêtre, ni une résolution "
        "dès la première bonne.",
    ),
    (
        "creux avec une bonne fenêtre au milieu",
        [0.9] * 4 + [0.5] * 4 + [0.9] + [0.5] * 3 + [0.9] * 5,
        0,
        {},
        "pendant l'alerte, une seule bonne fenêtre ne doit ni la résoudre ni la relancer "
        "ensuite : le compteur de bonnes fenêtres repart de zéro à chaque mauvaise.",
    ),
    (
        "fenêtre incomplète à la fin",
        [0.9] * 4 + [0.5] * 2,
        23,
        {},
        "les dernières prédictions ne remplissent pas une fenêtre : elle n'est pas encore "
        "fermée, ne la jugez pas (seulement len(confiances) // taille_fenetre fenêtres).",
    ),
    (
        "autres réglages",
        [0.9] * 3 + [0.75] * 3 + [0.9] * 2 + [0.75] + [0.9] * 5,
        0,
        {"taille_fenetre": 20, "seuil": 0.8, "alerter_apres": 2, "resoudre_apres": 4},
        "avec taille_fenetre=20, seuil=0.8, alerter_apres=2 et resoudre_apres=4, les "
        "événements ne suivent pas ces réglages : utilisez les paramètres de la fonction, pas "
        "des valeurs écrites en dur.",
    ),
)
_DEFAULTS = {"taille_fenetre": 50, "seuil": 0.7, "alerter_apres": 3, "resoudre_apres": 3}


def exercice_5(surveiller: Callable[..., Any]) -> None:
    """The learner writes a windowed monitor with hysteresis (one event per transition)."""
    for name, means, tail, settings, hint in _STREAMS:
        options = {**_DEFAULTS, **settings}
        stream = flux_confiances(means, options["taille_fenetre"], tail)
        expected = evenements_attendus(stream, **options)
        what = f"Exercice 5, {name}"
        kwargs = settings or {}
        got = _as_events(call(surveiller, list(stream), what=what, **kwargs), what)
        if got != expected:
            raise fail(f"{what} : {hint} Vos événements : {got}.")
    success(
        "Votre moniteur ignore les pics, n'alerte qu'une fois par creux, attend plusieurs "
        "bonnes fenêtres pour résoudre et suit ses réglages."
    )
