"""Checks of notebook 02: "pas encore fait" on a stub, a hint when wrong, ✅ when right."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mlops_course import tracking, training
from mlops_course.checks import NotDoneError
from mlops_course.checks import tracking as checks

pytestmark = [
    # SQLAlchemy 2.1 deprecates a loader strategy MLflow 3.17's store uses (third-party).
    pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy is deprecated"),
    pytest.mark.slow,
]


@pytest.fixture(scope="module")
def runs_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A store with three small runs: two pass the gate (F1 0.9666), one does not (0.9333)."""
    database = tmp_path_factory.mktemp("checks-store") / "mlflow.db"
    uri = f"sqlite:///{database}"
    small = [
        {"n_estimators": 10, "max_depth": 3, "min_samples_split": 2},
        {"n_estimators": 10, "max_depth": None, "min_samples_split": 2},
        {"n_estimators": 5, "max_depth": 3, "min_samples_split": 2},
    ]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLFLOW_TRACKING_URI", uri)
        runs = tracking.run_grid(small)
    assert [round(r.metrics["f1_weighted"], 4) for r in runs] == [0.9666, 0.9666, 0.9333]
    yield uri


@pytest.fixture
def store(runs_store: str, isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", runs_store)
    tracking.use_store()
    return runs_store


def _wrong(check, *args) -> str:
    """Run a check that must refuse a wrong answer with a hint; return the hint."""
    with pytest.raises(AssertionError) as refused:
        check(*args)
    assert not isinstance(refused.value, NotDoneError)
    return str(refused.value)


# --------------------------------------------------------------------------- exercise 1


def _rank_of(run_id: str) -> int:
    ranked = tracking.compare_runs()
    return int(ranked.index[ranked["run_id"] == run_id][0])


def test_exercise_1_stub_is_not_done(store: str) -> None:
    with pytest.raises(NotDoneError):
        checks.exercice_1(..., ..., ...)


def test_exercise_1_refuses_a_configuration_of_the_chapter(store: str) -> None:
    hint = _wrong(checks.exercice_1, dict(training.CONFIGS[0]), "run-id", 1)
    assert "quatre du chapitre" in hint


def test_exercise_1_refuses_a_wrong_rank_and_accepts_the_right_one(
    store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = {"n_estimators": 7, "max_depth": 2, "min_samples_split": 2}
    run = tracking.log_run(config)
    rank = _rank_of(run.run_id)

    hint = _wrong(checks.exercice_1, config, run, rank + 1)
    checks.exercice_1(config, run, rank)

    assert f"votre run est n°{rank}" in hint
    assert "✅" in capsys.readouterr().out


def test_exercise_1_refuses_params_that_were_not_logged(store: str) -> None:
    run = tracking.log_run({"n_estimators": 8, "max_depth": 2})
    claimed = {"n_estimators": 9, "max_depth": 2}

    hint = _wrong(checks.exercice_1, claimed, run, _rank_of(run.run_id))

    assert "n_estimators=9" in hint


# --------------------------------------------------------------------------- exercise 2


def _log_extras_right(run_id, modele, split) -> float:
    import mlflow
    from sklearn.metrics import classification_report, f1_score

    predictions = modele.predict(split.X_test)
    value = f1_score(split.y_test, predictions, average="macro")
    with mlflow.start_run(run_id=run_id):
        mlflow.log_metric("f1_macro", value)
        mlflow.log_text(classification_report(split.y_test, predictions), "rapport.txt")
    return value


def test_exercise_2_stub_is_not_done(store: str) -> None:
    def loguer_extras(run_id, modele, split): ...

    with pytest.raises(NotDoneError):
        checks.exercice_2(loguer_extras)


def test_exercise_2_refuses_a_metric_logged_in_a_new_run(store: str) -> None:
    import mlflow

    def loguer_extras(run_id, modele, split):
        experiment = tracking.ensure_experiment(checks.VERIFICATION_EXPERIMENT)
        with mlflow.start_run(experiment_id=experiment):  # a new run, not run_id
            mlflow.log_metric("f1_macro", 0.9)
        return 0.9

    assert "absente du run reçu" in _wrong(checks.exercice_2, loguer_extras)


def test_exercise_2_refuses_a_missing_report(store: str) -> None:
    import mlflow
    from sklearn.metrics import f1_score

    def loguer_extras(run_id, modele, split):
        value = f1_score(split.y_test, modele.predict(split.X_test), average="macro")
        with mlflow.start_run(run_id=run_id):
            mlflow.log_metric("f1_macro", value)
        return value

    assert "rapport.txt manque" in _wrong(checks.exercice_2, loguer_extras)


def test_exercise_2_accepts_metric_and_report_in_the_given_run(
    store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    checks.exercice_2(_log_extras_right)
    assert "✅" in capsys.readouterr().out


# --------------------------------------------------------------------------- exercise 3


def test_exercise_3_stub_is_not_done() -> None:
    def porte(modele, X, y, seuil): ...

    with pytest.raises(NotDoneError):
        checks.exercice_3(porte)


def test_exercise_3_refuses_a_gate_on_accuracy() -> None:
    from sklearn.metrics import accuracy_score

    def porte(modele, X, y, seuil):
        return accuracy_score(y, modele.predict(X)) > seuil

    assert "pas l'accuracy" in _wrong(checks.exercice_3, porte)


def test_exercise_3_refuses_a_gate_that_lets_equality_pass() -> None:
    from sklearn.metrics import f1_score

    def porte(modele, X, y, seuil):
        return f1_score(y, modele.predict(X), average="weighted") >= seuil

    assert "F1 > seuil" in _wrong(checks.exercice_3, porte)


def test_exercise_3_accepts_weighted_f1_strictly_above_threshold(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from sklearn.metrics import f1_score

    def porte(modele, X, y, seuil):
        return f1_score(y, modele.predict(X), average="weighted") > seuil

    checks.exercice_3(porte)
    assert "✅" in capsys.readouterr().out


# --------------------------------------------------------------------------- exercise 4


def test_exercise_4_stub_is_not_done(store: str) -> None:
    def revenir_en_arriere(nom): ...

    with pytest.raises(NotDoneError):
        checks.exercice_4(revenir_en_arriere)


def test_exercise_4_refuses_going_back_to_the_version_just_before(store: str) -> None:
    from mlflow import MlflowClient

    def revenir_en_arriere(nom):
        client = MlflowClient()
        champion = client.get_model_version_by_alias(nom, "champion")
        before = str(int(champion.version) - 1)
        client.set_registered_model_alias(nom, "champion", before)
        return before

    assert "refusée par la porte" in _wrong(checks.exercice_4, revenir_en_arriere)


def test_exercise_4_accepts_the_previous_champion_and_can_be_checked_again(
    store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from mlflow import MlflowClient

    def revenir_en_arriere(nom):
        client = MlflowClient()
        champion = client.get_model_version_by_alias(nom, "champion")
        previous = champion.tags["previous_champion"]
        client.set_registered_model_alias(nom, "champion", previous)
        return previous

    checks.exercice_4(revenir_en_arriere)
    checks.exercice_4(revenir_en_arriere)  # the check rebuilds its scenario each time

    assert capsys.readouterr().out.count("✅") == 2
    assert tracking.aliases(name=checks.ROLLBACK_MODEL) == {tracking.CHAMPION: "1"}
