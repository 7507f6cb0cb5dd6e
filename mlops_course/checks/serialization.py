"""Checks for notebook 03 (saving, verifying and exporting models)."""

from __future__ import annotations

import numbers
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mlops_course import serialization
from mlops_course.checks import call, expect, require, success

#: Largest probability gap an ONNX export of the chapter's pipeline should show.
MAX_GAP = 1e-5


def exercice_1(predicteur: Any, rapport: Any) -> None:
    """The learner exports the pipeline, loads it verified, and measures parity on X_test."""
    from mlops_course.onnx_predictor import OnnxPredictor

    predicteur = require(predicteur, "Exercice 1 (predicteur)")
    rapport = require(rapport, "Exercice 1 (rapport)")
    expect(
        isinstance(predicteur, OnnxPredictor),
        f"`predicteur` doit être un OnnxPredictor (reçu {type(predicteur).__name__}) : "
        "chargez le fichier exporté avec serialization.OnnxPredictor.from_file(chemin).",
    )
    expect(
        predicteur.manifest is not None,
        "le prédicteur a été chargé sans vérifier son hash : gardez verify=True (par défaut) "
        "et exportez avec serialization.export_onnx, qui écrit le manifeste.",
    )
    expect(
        isinstance(rapport, serialization.ParityReport),
        f"`rapport` doit être le résultat de serialization.parity(pipeline, predicteur, X) "
        f"(reçu {type(rapport).__name__}).",
    )
    expect(
        rapport.n_rows == 30,
        f"le rapport porte sur {rapport.n_rows} lignes : mesurez la parité sur le jeu de "
        "test du chapitre (split.X_test, 30 lignes).",
    )
    expect(
        rapport.labels_equal,
        f"{rapport.n_label_mismatches} étiquette(s) diffèrent entre scikit-learn et ONNX : "
        "l'export n'est pas fidèle. Exportez le pipeline entier avec serialization.export_onnx.",
    )
    expect(
        rapport.max_proba_gap < MAX_GAP,
        f"écart de probabilité de {rapport.max_proba_gap:.2g} (attendu < {MAX_GAP:g}) : un "
        "export en float32 (FloatTensorType) décale les lignes situées pile sur un seuil. "
        "serialization.export_onnx garde l'entrée et le StandardScaler en float64.",
    )
    success(f"Export ONNX fidèle. {rapport.summary()}.")


def _flip_one_byte_of(path: Path, needle: bytes) -> None:
    content = bytearray(path.read_bytes())
    index = content.index(needle)
    content[index] ^= 0x01
    path.write_bytes(bytes(content))


def exercice_2(est_intact: Callable[[Path], bool]) -> None:
    """The learner writes ``est_intact(chemin)``: compare the file's sha256 with its manifest.

    The file given is a booby-trapped pickle whose only effect, if it is ever unpickled, is a
    marker file in a temporary folder: a right answer never sets it off.
    """
    what = "Exercice 2"
    require(est_intact, what)
    with tempfile.TemporaryDirectory(prefix="exercice-2-") as folder:
        folder_path = Path(folder)
        marker = folder_path / "piege-declenche.txt"
        model = folder_path / "modele.pkl"
        text = "Le modele a ete charge : le code du fichier a tourne.\n"
        model.write_bytes(serialization.unsafe_pickle_payload(marker, text))
        manifest = serialization.Manifest(
            name="exercice",
            version="1",
            sklearn_version="-",
            feature_names=[],
            labels=[],
        ).with_file(model.name, serialization.sha256_of(model))
        manifest.save(serialization.manifest_path(model))

        def answer(case: str) -> bool:
            result = call(est_intact, model, what=what)
            expect(
                not marker.exists(),
                "votre fonction a chargé (désérialisé) le fichier : le piège s'est déclenché ! "
                "Calculez le hash des octets du fichier sans jamais le charger.",
            )
            expect(
                isinstance(result, bool) or type(result).__name__ == "bool_",
                f"votre fonction doit renvoyer True ou False, pas {type(result).__name__} "
                f"({case}).",
            )
            return bool(result)

        expect(
            answer("fichier intact") is True,
            "le fichier n'a pas été modifié mais votre fonction renvoie False : comparez "
            "hashlib.sha256(octets).hexdigest() à manifeste.files[chemin.name].",
        )
        _flip_one_byte_of(model, text[:12].encode())
        expect(
            answer("fichier modifié") is False,
            "un octet du fichier a changé (sa taille, non) et votre fonction renvoie encore "
            "True : comparez l'empreinte sha256 du contenu, pas la taille ni la date.",
        )
    success("Votre fonction détecte un fichier modifié d'un seul octet, sans le charger.")


def _busy(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def exercice_3(mediane_par_appel: Callable[..., float], acceleration: Any) -> None:
    """The learner writes ``mediane_par_appel(fonction, X, repetitions)`` and measures a ratio."""
    what = "Exercice 3"
    require(mediane_par_appel, what)
    calls: list[float] = []

    def counted(X: Any) -> None:
        calls.append(time.perf_counter())

    call(mediane_par_appel, counted, [[0.0]], 15, what=what)
    expect(
        len(calls) >= 15,
        f"votre fonction a appelé `fonction` {len(calls)} fois au lieu de `repetitions` (15) : "
        "chaque répétition est un appel chronométré.",
    )

    def three_ms(X: Any) -> None:
        _busy(0.003)

    seconds = call(mediane_par_appel, three_ms, [[0.0]], 7, what=what)
    expect(
        isinstance(seconds, numbers.Real),
        f"votre fonction doit renvoyer un nombre de secondes, pas {type(seconds).__name__}.",
    )
    expect(
        0.0025 <= seconds <= 0.1,
        f"pour une fonction qui dure 3 ms, votre fonction renvoie {seconds!r} : le résultat "
        "doit être en secondes (time.perf_counter) et par appel (pas le total).",
    )
    state = {"first": True}

    def slow_first_call(X: Any) -> None:
        if state["first"]:
            state["first"] = False
            _busy(0.05)

    seconds = call(mediane_par_appel, slow_first_call, [[0.0]], 11, what=what)
    expect(
        seconds < 0.002,
        f"un seul appel lent (50 ms, comme un premier appel qui remplit des caches) donne "
        f"{seconds * 1e3:.1f} ms : prenez la médiane (statistics.median), pas la moyenne.",
    )
    acceleration = require(acceleration, f"{what} (acceleration)")
    expect(
        isinstance(acceleration, numbers.Real) and acceleration > 0,
        f"`acceleration` doit être un nombre positif, reçu {acceleration!r}.",
    )
    expect(
        acceleration > 1,
        f"acceleration = {acceleration:.3g} < 1 : sur une ligne ONNX est bien plus rapide. "
        "Calculez temps scikit-learn / temps ONNX (pas l'inverse).",
    )
    success(f"Mesure juste : sur une ligne, ONNX est ×{acceleration:.0f} plus rapide ici.")
