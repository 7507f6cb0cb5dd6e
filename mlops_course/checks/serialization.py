"""Checks for notebook 03 (saving, verifying and exporting models).

1. ``sauvegarder(pipeline, chemin)``: ``joblib.dump`` of the whole pipeline, and its sha256;
2. ``est_intact(chemin)``: compare a file's sha256 with its manifest, without loading it;
3. ``mediane_par_appel(fonction, X, repetitions)`` and the one-row speed-up;
4. ``exporter_onnx(pipeline, X_exemple, chemin)``: the ONNX conversion, written by hand;
5. ``verifier_parite(pipeline, chemin, X)``: the parity check against scikit-learn.

Checks 1, 4 and 5 build their own pipeline (the chapter's: StandardScaler + 100-tree
RandomForest on the chapter's split) and their own ONNX files, so a ✅ does not depend on
what the learner's notebook holds. Iris is measured to the millimetre: many split
thresholds fall exactly on data values, which is what makes a float32 export (or a float64
one whose forest does not compare in float32) drift by several points of probability.
"""

from __future__ import annotations

import copy
import functools
import numbers
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mlops_course import serialization
from mlops_course.checks import WrongAnswerError, call, expect, fail, require, success

#: Largest probability gap a faithful ONNX export of the chapter's pipeline may show (the
#: float32 sum of the trees' votes stays below 1e-6; a float32 export is off by 0.02–0.15).
MAX_GAP = 1e-5


def _fr(value: float, spec: str) -> str:
    """Format a number for a French sentence: decimal comma (``0,15``, ``4,2e-07``)."""
    return format(value, spec).replace(".", ",")


# --------------------------------------------------------------------------- exercise 1


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


# --------------------------------------------------------------------------- exercise 2


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
                "Calculez l'empreinte des octets du fichier sans jamais le charger.",
            )
            expect(
                isinstance(result, bool) or type(result).__name__ == "bool_",
                f"votre fonction doit renvoyer True ou False, pas {type(result).__name__} "
                f"({case}) : comparez les deux empreintes avec ==.",
            )
            return bool(result)

        expect(
            answer("fichier intact") is True,
            "le fichier n'a pas été modifié mais votre fonction renvoie False : l'empreinte "
            "attendue est hashlib.sha256(octets du fichier).hexdigest(), comparée à "
            "manifeste.files[chemin.name] (le nom du fichier, pas son chemin complet).",
        )
        _flip_one_byte_of(model, text[:12].encode())
        expect(
            answer("fichier modifié") is False,
            "un octet du fichier a changé (sa taille, non) et votre fonction renvoie encore "
            "True : comparez l'empreinte sha256 du contenu, pas la taille ni la date.",
        )
    success("Votre fonction détecte un fichier modifié d'un seul octet, sans le charger.")


# --------------------------------------------------------------------------- exercise 3


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


# --------------------------------------------------------------------------- exercises 4–5


@functools.cache
def _fitted_chapter_pipeline(
    columns: tuple[str, ...] | None = None, n_estimators: int = 100
) -> Any:
    """The chapter's pipeline fitted on the chapter's split (``columns``: a subset)."""
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    from mlops_course import data

    split = data.split()
    X_train = split.X_train if columns is None else split.X_train[list(columns)]
    pipeline = Pipeline(
        [
            ("scaler", StandardScaler()),
            ("model", RandomForestClassifier(n_estimators=n_estimators, random_state=42)),
        ]
    )
    return pipeline.fit(X_train, split.y_train)


def _chapter_pipeline(columns: tuple[str, ...] | None = None, n_estimators: int = 100) -> Any:
    """A private copy of the fitted pipeline: the learner's code may modify what it gets."""
    return copy.deepcopy(_fitted_chapter_pipeline(columns, n_estimators))


def _iris(columns: tuple[str, ...] | None = None) -> Any:
    """All 150 Iris rows (float64 DataFrame): many sit exactly on a split threshold."""
    from mlops_course import data

    X, _ = data.load_iris_frame()
    return X if columns is None else X[list(columns)]


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


def _session(source: Path | bytes) -> Any:
    import onnxruntime as ort

    return ort.InferenceSession(source, providers=["CPUExecutionProvider"])


def _true_parity(pipeline: Any, source: Path | bytes, X: Any) -> tuple[int, float, float]:
    """(label mismatches, max and mean absolute probability gap) of an ONNX file on ``X``."""
    import numpy as np

    session = _session(source)
    labels, proba = session.run(None, {session.get_inputs()[0].name: X.to_numpy(np.float64)})
    gaps = np.abs(np.asarray(proba, dtype=np.float64) - pipeline.predict_proba(X))
    return int((labels != pipeline.predict(X)).sum()), float(gaps.max()), float(gaps.mean())


def _cause(error: WrongAnswerError) -> str:
    return str(error.__cause__ or "")


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
