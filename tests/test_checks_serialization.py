"""Chapter 03 checks: 'pas encore fait' on the stub, a hint on each typical mistake, ✅ when right.

The right answers below are the learner's (written again here: they are what the checks
must accept); the wrong ones are the mistakes a learner makes, each refused with its hint.
"""

from __future__ import annotations

import hashlib
import pickle
import statistics
import time
import timeit
from pathlib import Path
from time import perf_counter

import joblib
import numpy as np
import pytest
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType
from skl2onnx.sklapi import CastTransformer
from sklearn.pipeline import Pipeline

from mlops_course import serialization
from mlops_course.checks import NotDoneError, WrongAnswerError
from mlops_course.checks import serialization as checks

# --------------------------------------------------------------------------- exercise 1


def _stub_save(pipeline, chemin): ...


def _right_save(pipeline, chemin):
    joblib.dump(pipeline, chemin)
    return hashlib.sha256(Path(chemin).read_bytes()).hexdigest()


def _forest_only_saved(pipeline, chemin):
    joblib.dump(pipeline.named_steps["model"], chemin)
    return hashlib.sha256(Path(chemin).read_bytes()).hexdigest()


def _hash_of_the_object(pipeline, chemin):
    joblib.dump(pipeline, chemin)
    return hashlib.sha256(pickle.dumps(pipeline)).hexdigest()


def _raw_digest(pipeline, chemin):
    joblib.dump(pipeline, chemin)
    return hashlib.sha256(Path(chemin).read_bytes()).digest()


def _hash_of_the_name(pipeline, chemin):
    joblib.dump(pipeline, chemin)
    return hashlib.sha256(str(chemin).encode()).hexdigest()


def _saved_elsewhere(pipeline, chemin):
    autre = Path(chemin).with_name("pipeline_v1.joblib")
    joblib.dump(pipeline, autre)
    return hashlib.sha256(autre.read_bytes()).hexdigest()


def test_exercise_1_wants_the_whole_pipeline_dumped_and_the_file_hash(check_contract) -> None:
    check_contract(
        checks.exercice_1,
        stub=(_stub_save,),
        right=(_right_save,),
        wrongs=[
            (_forest_only_saved, "pipeline entier"),
            (_hash_of_the_object, "octets du fichier écrit"),
            (_raw_digest, "hexdigest"),
            (_hash_of_the_name, "octets du fichier écrit"),
            (_saved_elsewhere, "aucun fichier"),
        ],
    )


# --------------------------------------------------------------------------- exercise 2


def _stub_intact(chemin: Path) -> bool: ...


def _manifest_of(chemin: Path) -> serialization.Manifest:
    return serialization.Manifest.load(serialization.manifest_path(chemin))


def _right_intact(chemin: Path) -> bool:
    empreinte = hashlib.sha256(Path(chemin).read_bytes()).hexdigest()
    return empreinte == _manifest_of(chemin).files.get(Path(chemin).name)


def _same_size(chemin: Path) -> bool:
    return chemin.stat().st_size > 0 and chemin.name in _manifest_of(chemin).files


def _loads_it(chemin: Path) -> bool:
    pickle.loads(chemin.read_bytes())  # "let's see if it loads"
    return _right_intact(chemin)


def _hashes_the_path(chemin: Path) -> bool:
    empreinte = hashlib.sha256(str(chemin).encode()).hexdigest()
    return empreinte == _manifest_of(chemin).files.get(chemin.name)


def _returns_the_digest(chemin: Path) -> str:
    return hashlib.sha256(chemin.read_bytes()).hexdigest()


def _full_path_as_key(chemin: Path) -> bool:
    empreinte = hashlib.sha256(chemin.read_bytes()).hexdigest()
    return empreinte == _manifest_of(chemin).files.get(str(chemin))


def test_exercise_2_wants_a_hash_comparison_without_loading(check_contract) -> None:
    check_contract(
        checks.exercice_2,
        stub=(_stub_intact,),
        right=(_right_intact,),
        wrongs=[
            (_same_size, "pas la taille"),
            (_loads_it, "piège s'est déclenché"),
            (_hashes_the_path, "octets du fichier"),
            (_returns_the_digest, "True ou False"),
            (_full_path_as_key, "pas son chemin complet"),
        ],
    )


# --------------------------------------------------------------------------- exercise 3


def _stub_median(fonction, X, repetitions): ...


def _timings(fonction, X, repetitions, warmup=0):
    for _ in range(warmup):
        fonction(X)
    times = []
    for _ in range(repetitions):
        start = time.perf_counter()
        fonction(X)
        times.append(time.perf_counter() - start)
    return times


def _median(fonction, X, repetitions):
    return statistics.median(_timings(fonction, X, repetitions))


def _median_after_warmup(fonction, X, repetitions):
    return statistics.median(_timings(fonction, X, repetitions, warmup=1))


def _mean(fonction, X, repetitions):
    return statistics.fmean(_timings(fonction, X, repetitions))


def _mean_after_warmup(fonction, X, repetitions):
    return statistics.fmean(_timings(fonction, X, repetitions, warmup=1))


def _minimum(fonction, X, repetitions):
    return min(_timings(fonction, X, repetitions))


def _total(fonction, X, repetitions):
    return sum(_timings(fonction, X, repetitions))


def _milliseconds(fonction, X, repetitions):
    return _median(fonction, X, repetitions) * 1e3


def _ten_calls(fonction, X, repetitions):
    return _median(fonction, X, 10)


def _timeit_total_over_n(fonction, X, repetitions):
    """timeit's loop: a mean, with a clock bound when timeit was imported."""
    return timeit.timeit(lambda: fonction(X), number=repetitions) / repetitions


def _median_with_perf_counter_imported_by_name(fonction, X, repetitions):
    durees = []
    for _ in range(repetitions):
        debut = perf_counter()
        fonction(X)
        durees.append(perf_counter() - debut)
    return statistics.median(durees)


def test_exercise_3_wants_a_median_per_call_in_seconds_and_a_one_row_speedup(
    check_contract,
) -> None:
    check_contract(
        checks.exercice_3,
        stub=(_stub_median, ...),
        right=(_median, 300.0),
        wrongs=[
            ((_mean, 300.0), "pas la moyenne"),
            ((_mean_after_warmup, 300.0), "pas la moyenne"),
            ((_minimum, 300.0), "pas le minimum"),
            ((_total, 300.0), "pas le total"),
            ((_milliseconds, 300.0), "en secondes"),
            ((_ten_calls, 300.0), "repetitions"),
            ((_timeit_total_over_n, 300.0), "time.perf_counter\\(\\)"),
            ((_median, 1 / 300), "pas l'inverse"),
            ((_median, 4.0), "une seule ligne"),
        ],
    )
    checks.exercice_3(_median_after_warmup, 300.0)  # a warm-up call is fine
    checks.exercice_3(_median_with_perf_counter_imported_by_name, 300.0)
    assert time.perf_counter is perf_counter  # the check put the real clock back
    with pytest.raises(NotDoneError):
        checks.exercice_3(_median, ...)


# --------------------------------------------------------------------------- exercises 4–5


def _convert(pipeline, width, *, input_type=DoubleTensorType, cast=True, zipmap=False):
    *preparation, (name, forest) = pipeline.steps
    steps = [*preparation, *([("float32", CastTransformer(dtype=np.float32))] if cast else [])]
    options = {} if zipmap else {id(forest): {"zipmap": False}}
    return convert_sklearn(
        Pipeline([*steps, (name, forest)]),
        initial_types=[("input", input_type([None, width]))],
        options=options,
    )


def _stub_export(pipeline, X_exemple, chemin): ...


def _right_export(pipeline, X_exemple, chemin):
    modele = _convert(pipeline, X_exemple.shape[1])
    Path(chemin).write_bytes(modele.SerializeToString())
    return chemin


def _export_with(**how):
    def export(pipeline, X_exemple, chemin):
        Path(chemin).write_bytes(_convert(pipeline, X_exemple.shape[1], **how).SerializeToString())
        return chemin

    return export


def _forest_only(pipeline, X_exemple, chemin):
    forest = pipeline.named_steps["model"]
    modele = convert_sklearn(
        forest,
        initial_types=[("input", DoubleTensorType([None, X_exemple.shape[1]]))],
        options={id(forest): {"zipmap": False}},
    )
    Path(chemin).write_bytes(modele.SerializeToString())
    return chemin


def _width_four(pipeline, X_exemple, chemin):
    Path(chemin).write_bytes(_convert(pipeline, 4).SerializeToString())
    return chemin


def _inserts_the_cast_in_place(pipeline, X_exemple, chemin):
    pipeline.steps.insert(len(pipeline.steps) - 1, ("float32", CastTransformer(dtype=np.float32)))
    forest = pipeline.steps[-1][1]
    modele = convert_sklearn(
        pipeline,
        initial_types=[("input", DoubleTensorType([None, X_exemple.shape[1]]))],
        options={id(forest): {"zipmap": False}},
    )
    Path(chemin).write_bytes(modele.SerializeToString())
    return chemin


def _returns_the_model(pipeline, X_exemple, chemin):
    return _convert(pipeline, X_exemple.shape[1])


def _dumps_the_pipeline(pipeline, X_exemple, chemin):
    joblib.dump(pipeline, chemin)
    return chemin


def test_exercise_4_wants_a_float64_export_without_zipmap_and_exact_parity(check_contract) -> None:
    check_contract(
        checks.exercice_4,
        stub=(_stub_export,),
        right=(_right_export,),
        wrongs=[
            (_export_with(input_type=FloatTensorType, cast=False), "float32 \\(FloatTensorType\\)"),
            (_export_with(zipmap=True), "ZipMap"),
            (_export_with(cast=False), "CastTransformer"),
            (_forest_only, "pipeline entier"),
            (_width_four, "X_exemple.shape\\[1\\]"),
            (_inserts_the_cast_in_place, "a modifié le `pipeline`"),
            (_returns_the_model, "aucun fichier"),
            (_dumps_the_pipeline, "ne sait pas ouvrir"),
        ],
    )


def _stub_parity(pipeline, chemin, X): ...


def _run(chemin, X, dtype=np.float64):
    import onnxruntime as ort

    session = ort.InferenceSession(chemin, providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: X.to_numpy(dtype=dtype)})


def _right_parity(pipeline, chemin, X):
    etiquettes, probas = _run(chemin, X)
    identiques = bool((etiquettes == pipeline.predict(X)).all())
    return identiques, float(np.abs(probas - pipeline.predict_proba(X)).max())


def _labels_only(pipeline, chemin, X):
    etiquettes, _ = _run(chemin, X)
    return bool((etiquettes == pipeline.predict(X)).all()), 0.0


def _first_row_only(pipeline, chemin, X):
    return _right_parity(pipeline, chemin, X.head(1))


def _mean_gap(pipeline, chemin, X):
    etiquettes, probas = _run(chemin, X)
    identiques = bool((etiquettes == pipeline.predict(X)).all())
    return identiques, float(np.abs(probas - pipeline.predict_proba(X)).mean())


def _own_conversion(pipeline, chemin, X):
    """Never opens `chemin`: converts the pipeline again and checks that instead."""
    import onnxruntime as ort

    session = ort.InferenceSession(
        _convert(pipeline, X.shape[1]).SerializeToString(), providers=["CPUExecutionProvider"]
    )
    etiquettes, probas = session.run(None, {"input": X.to_numpy(dtype=np.float64)})
    identiques = bool((etiquettes == pipeline.predict(X)).all())
    return identiques, float(np.abs(probas - pipeline.predict_proba(X)).max())


def _float32_data(pipeline, chemin, X):
    etiquettes, probas = _run(chemin, X, dtype=np.float32)
    return bool((etiquettes == pipeline.predict(X)).all()), float(np.abs(probas).max())


def _row_by_row_labels(pipeline, chemin, X):
    etiquettes, probas = _run(chemin, X)
    return etiquettes == pipeline.predict(X), float(
        np.abs(probas - pipeline.predict_proba(X)).max()
    )


def test_exercise_5_wants_labels_and_the_max_gap_on_every_row_of_the_file(check_contract) -> None:
    check_contract(
        checks.exercice_5,
        stub=(_stub_parity,),
        right=(_right_parity,),
        wrongs=[
            (_labels_only, "pas seulement les étiquettes"),
            (_first_row_only, "TOUTES les lignes"),
            (_mean_gap, "ressemble à une moyenne"),
            (_own_conversion, "fichier `chemin`"),
            (_float32_data, "pas du float32"),
            (_row_by_row_labels, "un seul booléen"),
        ],
    )


def test_exercise_5_refuses_a_function_that_never_compares_labels() -> None:
    def always_same(pipeline, chemin, X):
        _, gap = _right_parity(pipeline, chemin, X)
        return True, gap

    with pytest.raises(WrongAnswerError, match="autre modèle"):
        checks.exercice_5(always_same)
