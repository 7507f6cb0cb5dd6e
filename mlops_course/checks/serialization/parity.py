"""Checks of notebook 03_sauvegarde_versioning_onnx, exercise 5: ``verifier_parite``, the
parity check of an ONNX file against scikit-learn, on a faithful and two drifting files.
"""

from __future__ import annotations

import copy
import numbers
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mlops_course.checks import WrongAnswerError, call, expect, fail, require, success
from mlops_course.checks.serialization.fixtures import (
    MAX_GAP,
    _fitted_chapter_pipeline,
    _fr,
    _iris,
    _session,
)


def _reference_onnx(pipeline: Any, *, faithful: bool) -> bytes:
    """Convert ``pipeline`` (float64 input, no ZipMap); ``faithful``: float32 cast before the
    forest, as scikit-learn does. Without it the probabilities drift on threshold rows."""
    import numpy as np
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import DoubleTensorType
    from skl2onnx.sklapi import CastTransformer
    from sklearn.pipeline import Pipeline

    *preparation, (name, forest) = pipeline.steps
    cast = [("float32", CastTransformer(dtype=np.float32))] if faithful else []
    model = convert_sklearn(
        Pipeline([*preparation, *cast, (name, forest)]),
        initial_types=[("input", DoubleTensorType([None, pipeline.n_features_in_]))],
        options={id(forest): {"zipmap": False}},
    )
    return model.SerializeToString()


def _true_parity(pipeline: Any, source: Path | bytes, X: Any) -> tuple[int, float, float]:
    """(label mismatches, max and mean absolute probability gap) of an ONNX file on ``X``."""
    import numpy as np

    session = _session(source)
    labels, proba = session.run(None, {session.get_inputs()[0].name: X.to_numpy(np.float64)})
    gaps = np.abs(np.asarray(proba, dtype=np.float64) - pipeline.predict_proba(X))
    return int((labels != pipeline.predict(X)).sum()), float(gaps.max()), float(gaps.mean())


def _cause(error: WrongAnswerError) -> str:
    return str(error.__cause__ or "")


def _parity_answer(
    verifier_parite: Callable[..., Any], pipeline: Any, path: Path, X: Any, what: str
) -> tuple[bool, float]:
    """Call the learner's function and validate the shape of its answer."""
    try:
        result = call(verifier_parite, pipeline, path, X, what=what)
    except WrongAnswerError as error:
        if "tensor(double)" in _cause(error):
            raise fail(
                "la session refuse vos données : le fichier attend du float64 (son entrée est "
                "DoubleTensorType). Passez X.to_numpy(dtype=np.float64), pas du float32."
            ) from error
        raise
    expect(
        isinstance(result, tuple | list) and len(result) == 2,
        f"votre fonction doit renvoyer deux valeurs (etiquettes_identiques, ecart_max), "
        f"pas {type(result).__name__}.",
    )
    same, gap = result
    expect(
        isinstance(same, bool) or type(same).__name__ == "bool_",
        f"`etiquettes_identiques` doit être un seul booléen pour toutes les lignes, pas "
        f"{type(same).__name__} : résumez la comparaison ligne à ligne avec .all().",
    )
    expect(
        isinstance(gap, numbers.Real) and not isinstance(gap, bool) and gap >= 0,
        f"`ecart_max` doit être un nombre positif ou nul (un écart absolu), reçu {gap!r}.",
    )
    return bool(same), float(gap)


def exercice_5(verifier_parite: Callable[..., Any]) -> None:
    """The learner writes ``verifier_parite(pipeline, chemin, X)`` with onnxruntime.

    Three files are given with the same pipeline and all 150 Iris rows: a faithful export;
    an export whose forest compares in float64 (same labels, but probabilities off by up to
    0.15 on a few threshold rows, none on the first row); an export of another model (other
    labels on some rows, not the first). Only a session run on ``chemin``, on every row,
    with the max of the absolute gaps, gets every case right.
    """
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    from mlops_course import data

    what = "Exercice 5"
    require(verifier_parite, what)
    pipeline = _fitted_chapter_pipeline()
    X = _iris()
    split = data.split()
    other = Pipeline(
        [
            ("scaler", StandardScaler()),
            ("model", RandomForestClassifier(n_estimators=10, max_depth=2, random_state=1)),
        ]
    ).fit(split.X_train, split.y_train)
    with tempfile.TemporaryDirectory(prefix="exercice-5-") as folder:
        faithful = Path(folder) / "fidele.onnx"
        faithful.write_bytes(_reference_onnx(pipeline, faithful=True))
        drifting = Path(folder) / "arbres-en-float64.onnx"
        drifting.write_bytes(_reference_onnx(pipeline, faithful=False))
        foreign = Path(folder) / "autre-modele.onnx"
        foreign.write_bytes(_reference_onnx(other, faithful=True))

        def answer(path: Path) -> tuple[bool, float]:
            return _parity_answer(verifier_parite, copy.deepcopy(pipeline), path, X, what)

        same, gap = answer(faithful)
        expect(
            same,
            "sur un export fidèle, votre fonction dit que les étiquettes diffèrent : comparez "
            "les étiquettes de la session (première sortie) à pipeline.predict(X), ligne à "
            "ligne, sur les mêmes lignes.",
        )
        expect(
            gap < MAX_GAP,
            f"sur un export fidèle, votre fonction trouve un écart de {_fr(gap, '.2g')} : "
            "comparez les probabilités de la session (seconde sortie) à "
            "pipeline.predict_proba(X), colonne par colonne, en valeur absolue.",
        )
        _, true_gap, mean_gap = _true_parity(pipeline, drifting, X)
        same, gap = answer(drifting)
        expect(
            same,
            "ce fichier donne les mêmes étiquettes que scikit-learn, mais votre fonction dit "
            "le contraire : comparez pipeline.predict(X) aux étiquettes de la session.",
        )
        if abs(gap - true_gap) > 1e-6 + 1e-3 * true_gap:
            if gap < MAX_GAP:
                hint = (
                    "ce fichier s'écarte de scikit-learn de plusieurs points de probabilité sur "
                    "quelques lignes, et votre fonction ne voit presque rien : ouvrez la session "
                    "sur le fichier `chemin`, exécutez-la sur TOUTES les lignes de X et "
                    "comparez les probabilités, pas seulement les étiquettes."
                )
            elif abs(gap - mean_gap) <= 0.2 * mean_gap:
                hint = (
                    "votre écart ressemble à une moyenne : quelques lignes seulement s'écartent, "
                    "et une moyenne les noie. Renvoyez le plus grand écart absolu (max)."
                )
            else:
                hint = (
                    f"votre fonction renvoie un écart de {_fr(gap, '.3g')}, qui n'est pas le "
                    "plus grand écart absolu |p_onnx - p_sklearn| sur toutes les lignes et "
                    "toutes les classes de X."
                )
            raise fail(hint)
        same, gap = answer(foreign)
        expect(
            not same,
            "ce fichier est l'export d'un autre modèle : ses étiquettes diffèrent sur "
            "quelques lignes (pas la première), et votre fonction dit qu'elles sont "
            "identiques. Exécutez la session ouverte sur `chemin` sur toutes les lignes de X.",
        )
    success(
        "Votre vérification distingue un export fidèle, un export qui s'écarte sur quelques "
        "lignes et l'export d'un autre modèle."
    )
