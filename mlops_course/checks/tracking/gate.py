"""Check of exercise 3 of notebook 02_experiment_tracking_mlflow: the validation gate.

Weighted F1 strictly above the threshold, on unbalanced held-out data.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping

from mlops_course.checks import call, expect, fail, require, success
from mlops_course.checks.tracking.fixtures import (
    WEAK_CONFIG,
    _scores,
    held_out_split,
)

#: Gates a learner may write instead of the right one, with the hint each one gets.
_WRONG_GATES: tuple[tuple[str, bool, str], ...] = (
    ("weighted", True, "un score égal au seuil ne passe pas : la règle est « F1 > seuil »."),
    ("macro", False, "votre porte compare le F1 macro : demandez average='weighted'."),
    ("macro", True, "votre porte compare le F1 macro : demandez average='weighted'."),
    ("accuracy", False, "votre porte compare l'accuracy : comparez le F1 pondéré."),
    ("accuracy", True, "votre porte compare l'accuracy : comparez le F1 pondéré."),
)


def _thresholds(scores: Mapping[str, float]) -> list[float]:
    """Thresholds that separate every pair of scores: each score and each midpoint."""
    values = sorted(set(scores.values()))
    middles = [(low + high) / 2 for low, high in itertools.pairwise(values)]
    return sorted({values[0] - 0.05, *values, *middles, min(values[-1] + 0.02, 0.999)})


def exercice_3(porte: Callable[..., bool]) -> None:
    """The learner writes the validation gate: weighted F1 on held-out data > threshold."""
    from mlops_course import training

    require(porte, "Exercice 3")
    split = held_out_split()
    weak = training.train(WEAK_CONFIG, split)
    # A stub fails here, before the second model is trained.
    call(porte, weak, split.X_test, split.y_test, 0.95, what="Exercice 3")
    good = training.train(training.CONFIGS[0], split)
    cases = []
    for model in (weak, good):
        scores = _scores(model, split.X_test, split.y_test)
        cases += [(model, scores, threshold) for threshold in _thresholds(scores)]
    answers = []
    for model, _, threshold in cases:
        got = call(porte, model, split.X_test, split.y_test, threshold, what="Exercice 3")
        expect(
            isinstance(got, bool) or type(got).__name__ == "bool_",
            f"porte doit renvoyer True ou False (une comparaison), pas {type(got).__name__}.",
        )
        answers.append(bool(got))
    expected = [scores["weighted"] > threshold for _, scores, threshold in cases]
    if answers != expected:
        for metric, or_equal, hint in _WRONG_GATES:
            pattern = [
                scores[metric] >= threshold if or_equal else scores[metric] > threshold
                for _, scores, threshold in cases
            ]
            if answers == pattern:
                raise fail(hint)
        raise fail(
            "votre porte se trompe sur certains cas : elle doit renvoyer True si et seulement "
            "si le F1 pondéré de modele sur (X, y) (les arguments reçus) est strictement "
            "supérieur à seuil."
        )
    success(
        f"Votre porte décide juste dans les {len(cases)} cas (données déséquilibrées, "
        "seuils entre accuracy, F1 macro et F1 pondéré)."
    )
