"""Checks of notebook 07_monitoring_drift, exercise 4: tune ``ModelMonitor``'s hysteresis so
that a dip gives one alert and an isolated glitch none.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from mlops_course.checks import expect, require, success

#: Predictions per window in exercise 4, and the window of its isolated glitch.
EXERCISE_4_WINDOW = 50
EXERCISE_4_GLITCH = 8


def flux_exercice_4() -> list[float]:
    """Mean confidence of each window of the stream of exercise 4 (50 predictions each)."""
    normal, glitch = 0.93, 0.6
    dip = [0.55, 0.58, 0.9, 0.52, 0.5, 0.56, 0.6]
    return [normal] * EXERCISE_4_GLITCH + [glitch] + [normal] * 6 + dip + [normal] * 8


def _run_stream(alert_after: int, resolve_after: int) -> list[dict[str, Any]]:
    from mlops_course.monitoring import LOW_CONFIDENCE, ModelMonitor

    monitor = ModelMonitor(
        window_size=EXERCISE_4_WINDOW,
        alert_after=alert_after,
        resolve_after=resolve_after,
        log_events=False,
    )
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for index, confidence in enumerate(flux_exercice_4()):
        monitor.record_many(
            {
                "prediction_id": f"w{index}-{i}",
                "timestamp": (start + timedelta(minutes=index, seconds=i)).isoformat(),
                "prediction": 0,
                "label": "setosa",
                "confidence": confidence,
            }
            for i in range(EXERCISE_4_WINDOW)
        )
    return [e for e in monitor.alerts() if e["type"] == LOW_CONFIDENCE]


def exercice_4(fenetres_pour_alerter: Any, fenetres_pour_resoudre: Any) -> None:
    """The learner tunes the alert so that the dip gives one alert, resolved at the end."""
    alert_after = require(fenetres_pour_alerter, "Exercice 4 (fenetres_pour_alerter)")
    resolve_after = require(fenetres_pour_resoudre, "Exercice 4 (fenetres_pour_resoudre)")
    for name, value in (
        ("fenetres_pour_alerter", alert_after),
        ("fenetres_pour_resoudre", resolve_after),
    ):
        expect(
            isinstance(value, int) and not isinstance(value, bool) and value >= 1,
            f"{name} doit être un entier >= 1, reçu {value!r}.",
        )
    events = _run_stream(alert_after, resolve_after)
    firing = [e for e in events if e["etat"] == "firing"]
    resolved = [e for e in events if e["etat"] == "resolved"]
    glitch = EXERCISE_4_GLITCH
    expect(
        not any(e["fenetre"] == glitch for e in firing),
        f"le pic isolé (fenêtre {glitch}) déclenche une alerte : une seule fenêtre basse ne "
        "doit pas suffire, augmentez fenetres_pour_alerter.",
    )
    expect(
        len(firing) >= 1,
        "le creux ne déclenche aucune alerte : avec autant de fenêtres exigées, la vraie baisse "
        "passe inaperçue. Diminuez fenetres_pour_alerter.",
    )
    expect(
        len(firing) == 1,
        f"le creux donne {len(firing)} alertes (fenêtres {[e['fenetre'] for e in firing]}) : "
        "l'alerte se résout sur la fenêtre normale au milieu du creux, puis repart. "
        "Augmentez fenetres_pour_resoudre.",
    )
    expect(
        len(resolved) == 1,
        "l'alerte ne se résout jamais : le flux finit par 8 fenêtres normales, "
        "fenetres_pour_resoudre doit être au plus 8.",
    )
    success(
        f"Une alerte (fenêtre {firing[0]['fenetre']}), résolue à la fenêtre "
        f"{resolved[0]['fenetre']} : le pic isolé est ignoré."
    )
