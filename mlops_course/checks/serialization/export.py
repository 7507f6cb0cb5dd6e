"""Checks of notebook 03_sauvegarde_versioning_onnx, exercise 4: ``exporter_onnx``, the ONNX
conversion written by hand with skl2onnx, opened and run here on every Iris row.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mlops_course.checks import WrongAnswerError, call, expect, fail, require, success
from mlops_course.checks.serialization.fixtures import (
    MAX_GAP,
    _chapter_pipeline,
    _fr,
    _iris,
    _session,
)


def exercice_4(exporter_onnx: Callable[..., Any]) -> None:
    """The learner writes ``exporter_onnx(pipeline, X_exemple, chemin)`` with skl2onnx.

    The file written is opened and run here on all 150 Iris rows in float64: one float64
    input, probabilities as a plain tensor (no ZipMap), the same labels as scikit-learn and
    probabilities within :data:`MAX_GAP`. A second pipeline, on two columns, catches an input
    width written by hand.
    """
    import numpy as np

    what = "Exercice 4"
    require(exporter_onnx, what)
    pipeline = _chapter_pipeline()
    steps_before = [name for name, _ in pipeline.steps]
    X = _iris()
    with tempfile.TemporaryDirectory(prefix="exercice-4-") as folder:
        chemin = Path(folder) / "modele.onnx"
        result = call(exporter_onnx, pipeline, X.head(5), chemin, what=what)
        expect(
            [name for name, _ in pipeline.steps] == steps_before,
            "votre fonction a modifié le `pipeline` reçu (ses étapes ont changé) : construisez "
            "un nouveau Pipeline pour la conversion, sans toucher à celui de l'appelant.",
        )
        expect(
            chemin.is_file() and chemin.stat().st_size > 0,
            "aucun fichier n'a été écrit à `chemin` : écrivez-y les octets du modèle converti "
            "(modele.SerializeToString()).",
        )
        expect(
            isinstance(result, str | os.PathLike) and Path(result) == chemin,
            f"votre fonction renvoie {type(result).__name__} : renvoyez `chemin`, le fichier "
            "écrit (l'appelant l'ouvre ensuite avec onnxruntime).",
        )
        try:
            session = _session(chemin)
        except Exception as error:
            raise fail(
                f"onnxruntime ne sait pas ouvrir le fichier écrit ({type(error).__name__}) : "
                "écrivez le modèle ONNX converti par convert_sklearn (SerializeToString()), "
                "pas le pipeline scikit-learn (joblib, pickle) ni du texte."
            ) from error
        inputs, outputs = session.get_inputs(), session.get_outputs()
        expect(
            len(inputs) == 1,
            f"le graphe a {len(inputs)} entrées : déclarez une seule entrée (initial_types), "
            "une matrice de toutes les colonnes.",
        )
        expect(
            inputs[0].type != "tensor(float)",
            "l'entrée du graphe est en float32 (FloatTensorType) : le StandardScaler calcule "
            "alors en float32 et, sur les fleurs posées pile sur un seuil, des probabilités "
            "s'écartent de plusieurs points. Déclarez une entrée float64 (DoubleTensorType).",
        )
        expect(
            inputs[0].type == "tensor(double)",
            f"l'entrée du graphe est de type {inputs[0].type} : déclarez une matrice de "
            "nombres en float64 (DoubleTensorType).",
        )
        expect(
            len(outputs) == 2 and outputs[1].type.startswith("tensor("),
            "les probabilités sortent en liste de dictionnaires (opérateur ZipMap) : passez "
            "options={id(foret): {'zipmap': False}} à convert_sklearn pour obtenir un tableau.",
        )
        labels, proba = session.run(None, {inputs[0].name: X.to_numpy(np.float64)})
        mismatches = int((np.asarray(labels) != pipeline.predict(X)).sum())
        expect(
            mismatches == 0,
            f"{mismatches} étiquette(s) sur {len(X)} diffèrent de scikit-learn : convertissez "
            "le pipeline entier (le StandardScaler puis la forêt), pas la forêt seule.",
        )
        gap = float(np.abs(np.asarray(proba, dtype=np.float64) - pipeline.predict_proba(X)).max())
        expect(
            gap < MAX_GAP,
            f"entrée float64, mais des probabilités s'écartent encore de {_fr(gap, '.2g')} de "
            "scikit-learn (tolérance : 1e-5). Les arbres de scikit-learn comparent des "
            "float32 : ajoutez une conversion en float32 (CastTransformer) juste avant la "
            "forêt dans le pipeline à convertir.",
        )
        columns = ("petal_length", "petal_width")
        narrow = _chapter_pipeline(columns, n_estimators=10)
        narrow_path = Path(folder) / "deux-colonnes.onnx"
        width_hint = (
            "sur un pipeline entraîné sur 2 colonnes, votre export ne marche pas : la largeur "
            "de l'entrée doit venir de X_exemple.shape[1], pas d'un 4 écrit en dur."
        )
        try:
            call(exporter_onnx, narrow, _iris(columns).head(5), narrow_path, what=what)
        except WrongAnswerError as error:
            raise fail(width_hint) from error
        expect(_session(narrow_path).get_inputs()[0].shape[1:] == [2], width_hint)
    success(
        f"Export ONNX fidèle : entrée float64, probabilités en tableau, mêmes étiquettes que "
        f"scikit-learn sur les {len(X)} fleurs d'Iris, écart max {_fr(gap, '.1e')}."
    )
