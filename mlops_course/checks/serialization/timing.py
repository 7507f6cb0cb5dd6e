"""Checks of notebook 03_sauvegarde_versioning_onnx, exercise 3: ``mediane_par_appel``, the
median time of a call (on a fake clock), and the one-row speed-up of ONNX.
"""

from __future__ import annotations

import numbers
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from mlops_course.checks import call, expect, require, success
from mlops_course.checks.serialization.fixtures import _fr

#: The clocks a learner may read to time a call; :class:`_FakeClock` stands in for all.
_CLOCKS = ("perf_counter", "perf_counter_ns", "monotonic", "monotonic_ns", "time", "time_ns")


class _FakeClock:
    """A clock that moves only when the timed function "runs" (or by 1 µs per reading).

    Exercise 3 is about the statistics of timings, not about this machine's load: with a
    real clock, a shared CPU stretches 3 ms calls to tens of milliseconds and no bound
    holds. While installed, every clock of :mod:`time` (and ``timeit.default_timer``, and
    any of them the learner imported by name) reads this one.
    """

    def __init__(self) -> None:
        self.now = 1000.0
        self.readings = 0

    def read(self) -> float:
        self.readings += 1
        self.now += 1e-6
        return self.now

    def read_ns(self) -> int:
        return int(self.read() * 1e9)

    def advance(self, seconds: float) -> None:
        self.now += seconds

    @contextmanager
    def installed(self, function: Any) -> Iterator[_FakeClock]:
        import timeit

        real = {name: getattr(time, name) for name in _CLOCKS}
        fake = {name: self.read_ns if name.endswith("_ns") else self.read for name in _CLOCKS}
        namespace = getattr(function, "__globals__", {})
        aliases = {
            key: value
            for key, value in namespace.items()
            if any(value is clock for clock in real.values())
        }
        default_timer = timeit.default_timer
        try:
            for name in _CLOCKS:
                setattr(time, name, fake[name])
            timeit.default_timer = self.read
            for key, value in aliases.items():
                name = next(n for n, clock in real.items() if clock is value)
                namespace[key] = fake[name]
            yield self
        finally:
            for name, clock in real.items():
                setattr(time, name, clock)
            timeit.default_timer = default_timer
            namespace.update(aliases)


def exercice_3(mediane_par_appel: Callable[..., float], acceleration: Any) -> None:
    """The learner writes ``mediane_par_appel(fonction, X, repetitions)`` and measures a ratio.

    The timed function "lasts" 3 ms per call on a :class:`_FakeClock`, except its second
    call (0.1 ms) and its fourth (50 ms, a busy moment of a shared machine): over 11 calls,
    with or without a warm-up call, the median is 3 ms, the minimum 0.1 ms, the mean 7 ms
    and the total 77 ms, so each statistic is told apart whatever the machine's load.
    """
    what = "Exercice 3"
    require(mediane_par_appel, what)
    calls: list[int] = []

    def counted(X: Any) -> None:
        calls.append(len(calls))

    call(mediane_par_appel, counted, [[0.0]], 15, what=what)
    expect(
        len(calls) >= 15,
        f"votre fonction a appelé `fonction` {len(calls)} fois au lieu de `repetitions` (15) : "
        "chaque répétition est un appel chronométré.",
    )
    clock = _FakeClock()
    durations = {2: 0.0001, 4: 0.050}

    def uneven(X: Any) -> None:
        calls.append(len(calls))
        clock.advance(durations.get(len(calls), 0.003))

    calls.clear()
    with clock.installed(mediane_par_appel):
        seconds = call(mediane_par_appel, uneven, [[0.0]], 11, what=what)
    expect(
        clock.readings > 0,
        "votre fonction n'a lu aucune horloge de `time` : chronométrez chaque appel avec "
        "time.perf_counter() (avant et après l'appel).",
    )
    expect(
        isinstance(seconds, numbers.Real) and not isinstance(seconds, bool),
        f"votre fonction doit renvoyer un nombre de secondes, pas {type(seconds).__name__}.",
    )
    expect(
        seconds < 1,
        f"votre fonction renvoie {_fr(seconds, '.3g')} pour des appels de quelques "
        "millisecondes : le résultat doit être en secondes (time.perf_counter), pas en "
        "millisecondes.",
    )
    expect(
        seconds < 0.06,  # the longest call lasts 50 ms
        f"votre fonction renvoie {_fr(seconds * 1e3, '.0f')} ms, plus qu'aucun appel n'a "
        "duré : renvoyez la durée d'un appel, pas le total des répétitions.",
    )
    expect(
        seconds >= 0.0029,
        f"votre fonction renvoie {_fr(seconds * 1e3, '.2f')} ms alors que la plupart des "
        "appels durent plus longtemps : un seul appel très rapide ne doit pas décider du "
        "résultat. Prenez la médiane (statistics.median), pas le minimum.",
    )
    expect(
        seconds <= 0.0035,
        f"votre fonction renvoie {_fr(seconds * 1e3, '.1f')} ms : un seul appel lent (un "
        "à-coup de la machine) fausse le résultat. Prenez la médiane (statistics.median), pas "
        "la moyenne.",
    )
    acceleration = require(acceleration, f"{what} (acceleration)")
    expect(
        isinstance(acceleration, numbers.Real) and acceleration > 0,
        f"`acceleration` doit être un nombre positif, reçu {acceleration!r}.",
    )
    expect(
        acceleration > 1,
        f"acceleration = {_fr(acceleration, '.3g')} < 1 : sur une ligne ONNX est bien plus rapide. "
        "Calculez temps scikit-learn / temps ONNX (pas l'inverse).",
    )
    expect(
        acceleration > 20,
        f"acceleration = {_fr(acceleration, '.3g')} : c'est l'ordre de grandeur d'un lot. "
        "Mesurez les deux modèles sur une seule ligne (`une_ligne`), comme une requête d'API.",
    )
    success(f"Mesure juste : sur une ligne, ONNX est ×{_fr(acceleration, '.0f')} plus rapide ici.")
