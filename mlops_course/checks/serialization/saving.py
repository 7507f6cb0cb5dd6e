"""Checks of notebook 03_sauvegarde_versioning_onnx, exercise 1: ``sauvegarder(pipeline,
chemin)``, ``joblib.dump`` of the whole pipeline and the sha256 of the file written.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mlops_course.checks import call, expect, require, success
from mlops_course.checks.serialization.fixtures import _chapter_pipeline, _iris


def exercice_1(sauvegarder: Callable[..., Any]) -> None:
    """The learner writes ``sauvegarder(pipeline, chemin)``: ``joblib.dump`` the whole pipeline
    to ``chemin`` and return the sha256 (hex) of the bytes written, the fingerprint to note."""
    import hashlib

    import joblib
    import numpy as np

    what = "Exercice 1"
    require(sauvegarder, what)
    pipeline = _chapter_pipeline()
    X = _iris()
    with tempfile.TemporaryDirectory(prefix="exercice-1-") as folder:
        chemin = Path(folder) / "pipeline.joblib"
        empreinte = call(sauvegarder, pipeline, chemin, what=what)
        expect(
            chemin.is_file() and chemin.stat().st_size > 0,
            "aucun fichier n'a été écrit à `chemin` : sauvegardez le pipeline dans ce fichier-là "
            "(joblib.dump(pipeline, chemin)).",
        )
        expect(
            isinstance(empreinte, str),
            f"votre fonction renvoie {type(empreinte).__name__} : renvoyez l'empreinte en texte "
            "hexadécimal (.hexdigest(), pas .digest()).",
        )
        expect(
            empreinte == hashlib.sha256(chemin.read_bytes()).hexdigest(),
            "l'empreinte renvoyée n'est pas le sha256 des octets du fichier écrit : calculez-la "
            "sur le contenu du fichier (après l'avoir écrit), pas sur son nom ni sur l'objet "
            "Python.",
        )
        recharge = joblib.load(chemin)  # the learner's own file, written just now
        expect(
            hasattr(recharge, "predict_proba") and hasattr(recharge, "steps"),
            f"le fichier contient un {type(recharge).__name__} : sauvegardez le pipeline entier "
            "(normalisation comprise), pas seulement la forêt.",
        )
        expect(
            np.array_equal(recharge.predict_proba(X), pipeline.predict_proba(X)),
            "le pipeline rechargé ne prédit pas comme celui reçu : sauvegardez `pipeline` tel "
            "quel, déjà entraîné, sans le modifier ni le réentraîner.",
        )
    success("Pipeline entier sauvegardé avec joblib, empreinte sha256 du fichier notée.")
