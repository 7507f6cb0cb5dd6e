"""Alerts that do not repeat: one state machine per rule, events only on transitions (§7.4).

Taught in notebook 07_monitoring_drift. An alert goes *pending* on a bad window, *firing*
after ``alert_after`` bad windows in a row, and *resolved* after ``resolve_after`` good
ones: one dip in confidence gives one alert, not one per prediction.

The states are codes (``ok``, ``pending``, ``firing``, ``resolved``: Prometheus's words),
stable for JSON and Prometheus consumers; :data:`STATE_LABELS` gives their French labels,
used by every message a person reads.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger("mlops_course.monitoring")

#: Alert names (the chapter's ``CONFIANCE_BASSE`` and two more).
LOW_CONFIDENCE = "CONFIANCE_BASSE"
CLASS_SHIFT = "DISTRIBUTION_CLASSES"
DATA_DRIFT = "DATA_DRIFT"
ALERTS: tuple[str, ...] = (LOW_CONFIDENCE, CLASS_SHIFT, DATA_DRIFT)

#: French label of each state code (``etat`` of an event, ``etats`` of ``/monitoring/sante``).
STATE_LABELS: dict[str, str] = {
    "ok": "normale",
    "pending": "en attente",
    "firing": "déclenchée",
    "resolved": "résolue",
}


@dataclass
class AlertRule:
    """The state machine of one alert: ok → pending → firing → (resolved) ok.

    ``update(bad)`` takes the verdict of one window (None: no verdict, nothing changes)
    and returns ``"firing"`` or ``"resolved"`` on those transitions, else None.
    """

    name: str
    alert_after: int = 3
    resolve_after: int = 3
    state: str = "ok"
    bad_streak: int = 0
    good_streak: int = 0

    def update(self, bad: bool | None) -> str | None:
        """Advance the machine by one window; return the event, if any."""
        if bad is None:
            return None
        if self.state == "firing":
            self.good_streak = 0 if bad else self.good_streak + 1
            if self.good_streak >= self.resolve_after:
                self.state, self.bad_streak, self.good_streak = "ok", 0, 0
                return "resolved"
            return None
        if not bad:
            self.state, self.bad_streak = "ok", 0
            return None
        self.bad_streak += 1
        if self.bad_streak >= self.alert_after:
            self.state, self.good_streak = "firing", 0
            return "firing"
        self.state = "pending"
        return None


#: What an event reports about its window: (value, threshold, a French description).
Describe = Callable[[str], tuple[Any, Any, str]]


class AlertBook:
    """Every alert's :class:`AlertRule`, and the recent events of their transitions."""

    def __init__(
        self, *, alert_after: int, resolve_after: int, max_events: int, log_events: bool
    ) -> None:
        self.alert_after = alert_after
        self.resolve_after = resolve_after
        self.log_events = log_events
        self.rules = {name: AlertRule(name, alert_after, resolve_after) for name in ALERTS}
        self.events: deque[dict[str, Any]] = deque(maxlen=max_events)
        self._n_events = 0

    def update(
        self,
        verdicts: dict[str, bool | None],
        *,
        window: int,
        timestamp: str | None,
        describe: Describe,
    ) -> None:
        """Advance every rule by one window's verdict; record an event per transition."""
        for name, rule in self.rules.items():
            event = rule.update(verdicts[name])
            if event is None:
                continue
            value, threshold, what = describe(name)
            if event == "firing":
                message = f"{name} déclenchée : {what}, {self.alert_after} fenêtre(s) de suite"
            else:
                message = f"{name} résolue : {self.resolve_after} fenêtre(s) normale(s) de suite"
            self._n_events += 1
            self.events.append(
                {
                    "id": self._n_events,
                    "type": name,
                    "etat": event,
                    "etat_libelle": STATE_LABELS[event],
                    "timestamp": timestamp,
                    "fenetre": window,
                    "valeur": value,
                    "seuil": threshold,
                    "message": message,
                }
            )
            if self.log_events:
                log = logger.warning if event == "firing" else logger.info
                log("ALERTE %s", message)

    def states(self) -> dict[str, str]:
        """Current state of each alert: ``ok``, ``pending`` or ``firing``."""
        return {name: rule.state for name, rule in self.rules.items()}
