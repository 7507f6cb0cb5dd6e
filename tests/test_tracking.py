"""Chapter 02: tracking, comparison, registry, gate, promotion, rollback, load by alias.

The chapter's grid is logged once per module into a temporary SQLite store (it is the
slow part); each test that changes the registry uses its own registered-model name, and
each test that logs extra runs uses its own experiment, so tests do not see each other.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from mlops_course import config, data, tracking, training

pytestmark = [
    # SQLAlchemy 2.1 deprecates a loader strategy MLflow 3.17's store uses (third-party).
    pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy is deprecated"),
    pytest.mark.slow,
]


@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty MLflow database: copying it takes 0.2 s, creating one 2 to 10 s."""
    path = tmp_path_factory.mktemp("template") / "mlflow.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{path}")
        tracking.client().search_experiments(max_results=1)
    return path


@pytest.fixture(scope="module")
def grid_store(
    template_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, list]]:
    """A store holding the chapter's four runs: (tracking URI, LoggedRuns)."""
    database = tmp_path_factory.mktemp("grid-store") / "mlflow.db"
    shutil.copyfile(template_db, database)
    uri = f"sqlite:///{database}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLFLOW_TRACKING_URI", uri)
        runs = tracking.run_grid()
    yield uri, runs


@pytest.fixture
def store(grid_store: tuple[str, list], isolated_home: Path, monkeypatch) -> list:
    """Point this test at the module's store; return the chapter's LoggedRuns."""
    uri, runs = grid_store
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    tracking.use_store()
    return runs


def _by_name(runs: list) -> dict:
    return {run.run_name: run for run in runs}


def test_importing_tracking_does_not_import_mlflow() -> None:
    code = "import sys, mlops_course.tracking; print('mlflow' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_default_store_lives_under_home_whatever_the_working_directory(
    template_db: Path, isolated_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (isolated_home / "mlruns").mkdir()
    shutil.copyfile(template_db, isolated_home / "mlruns" / "mlflow.db")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)

    uri = tracking.use_store()
    run = tracking.log_run({"n_estimators": 5, "max_depth": 2, "min_samples_split": 2})

    assert uri == f"sqlite:///{isolated_home / 'mlruns' / 'mlflow.db'}"
    assert (isolated_home / "mlruns" / "mlflow.db").is_file()
    artifact_uri = tracking.client().get_run(run.run_id).info.artifact_uri
    assert artifact_uri.startswith(config.artifact_root().as_uri())
    assert list(elsewhere.iterdir()) == []  # nothing written relative to the working directory


def test_tracking_uri_variable_overrides_the_default_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mlflow

    database = tmp_path / "other" / "store.db"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{database}")

    assert tracking.use_store() == f"sqlite:///{database}"
    assert mlflow.get_tracking_uri() == f"sqlite:///{database}"
    assert database.parent.is_dir()
    location = tracking.artifact_location(tracking.EXPERIMENT)
    assert location == (database.parent / "artifacts" / tracking.EXPERIMENT).as_uri()


def test_grid_logs_one_run_per_configuration_with_params_metrics_and_tags(store: list) -> None:
    mlflow_client = tracking.client()
    experiment = mlflow_client.get_experiment_by_name(tracking.EXPERIMENT)
    logged = mlflow_client.search_runs([experiment.experiment_id])

    assert sorted(r.info.run_name for r in logged) == sorted(
        training.run_name(c) for c in training.CONFIGS
    )
    for config_params, run in zip(training.CONFIGS, store, strict=True):
        stored = mlflow_client.get_run(run.run_id).data
        assert stored.params == {
            **{key: str(value) for key, value in config_params.items()},
            "random_state": "42",
            "test_size": "0.2",
        }
        assert set(stored.metrics) == set(training.METRICS)
        assert stored.metrics == pytest.approx(run.metrics)
        assert {k: stored.tags[k] for k in tracking.RUN_TAGS} == dict(tracking.RUN_TAGS)
        artifacts = [a.path for a in mlflow_client.list_artifacts(run.run_id)]
        assert tracking.CONFUSION_MATRIX in artifacts


def test_grid_reproduces_the_chapter_scores(store: list) -> None:
    f1 = {name: round(run.metrics["f1_weighted"], 4) for name, run in _by_name(store).items()}

    assert f1 == {
        "rf_depth3_est50": 0.9666,
        "rf_depth5_est100": 0.9666,
        "rf_depth10_est200": 0.9666,
        "rf_depthNone_est100": 0.8997,
    }


def test_logged_model_is_skops_with_reviewed_types_signature_and_pinned_requirements(
    store: list,
) -> None:
    import mlflow

    run = store[0]
    info = mlflow.models.get_model_info(run.model_uri)
    requirements = Path(mlflow.pyfunc.get_model_dependencies(run.model_uri)).read_text()

    assert run.model_uri.startswith("models:/m-")
    assert info.flavors["sklearn"]["serialization_format"] == "skops"
    assert info.flavors["sklearn"]["skops_trusted_types"] == list(tracking.TRUSTED_TYPES)
    assert info.signature.inputs.input_names() == list(data.FEATURES)
    example = mlflow.models.Model.load(run.model_uri).load_input_example()
    np.testing.assert_array_equal(example.to_numpy(), data.split().X_train.head(5).to_numpy())
    assert list(example.columns) == list(data.FEATURES)
    for pinned in tracking.pip_requirements():
        assert pinned in requirements.splitlines()


def test_model_holding_an_unreviewed_type_is_refused(store: list) -> None:
    import mlflow
    from mlflow.exceptions import MlflowException

    split = data.split()
    model = training.train({"n_estimators": 3, "max_depth": 2}, split)
    experiment_id = tracking.ensure_experiment("t-untrusted")

    assert tracking.untrusted_types(model) == ["sklearn.tree._tree.Tree"]
    with (
        mlflow.start_run(experiment_id=experiment_id),
        pytest.raises(MlflowException, match="untrusted types"),
    ):
        tracking.log_sklearn_model(model, input_example=split.X_train.head(2), trusted_types=())


def test_comparison_ranks_by_f1_then_fewer_trees(store: list) -> None:
    ranked = tracking.compare_runs()

    assert list(ranked["tags.mlflow.runName"]) == [
        "rf_depth3_est50",
        "rf_depth5_est100",
        "rf_depth10_est200",
        "rf_depthNone_est100",
    ]
    assert list(ranked.index) == [1, 2, 3, 4]
    assert tracking.best_run()["run_id"] == _by_name(store)["rf_depth3_est50"].run_id


def test_best_run_keeps_the_first_of_equal_runs_when_a_config_is_logged_again(
    store: list,
) -> None:
    experiment, small = "tie-break", {"n_estimators": 5, "max_depth": 2}
    first = tracking.log_run(small, experiment=experiment)
    again = tracking.log_run(small, experiment=experiment)

    ranked = tracking.compare_runs(experiment)

    assert list(ranked["run_id"]) == [first.run_id, again.run_id]
    assert tracking.best_run(experiment)["run_id"] == first.run_id


def test_registering_the_same_run_twice_reuses_its_version(store: list) -> None:
    best = tracking.best_run()

    first = tracking.register(best["run_id"], name="t-register")
    second = tracking.register(best["run_id"], name="t-register")

    assert first.version == second.version == "1"
    assert first.run_name == "rf_depth3_est50"
    assert tracking.aliases(name="t-register") == {tracking.CHALLENGER: "1"}


def test_gate_refuses_a_model_under_the_threshold_and_leaves_champion_untouched(
    store: list,
) -> None:
    name = "t-gate"
    runs = _by_name(store)
    good = tracking.register(runs["rf_depth3_est50"].run_id, name=name)
    assert tracking.promote(name=name).passed
    weak = tracking.register(runs["rf_depthNone_est100"].run_id, name=name)

    decision = tracking.promote(name=name)

    assert not decision.passed and not decision.promoted
    assert decision.value == pytest.approx(0.8997, abs=1e-4)
    assert tracking.aliases(name=name) == {
        tracking.CHAMPION: good.version,
        tracking.CHALLENGER: weak.version,
    }
    tags = tracking.get_version(weak.version, name=name).tags
    assert tags[tracking.TAG_STATUS] == tracking.REJECTED
    assert tags[tracking.TAG_THRESHOLD] == "0.95"
    assert "champion inchangé" in decision.summary()


def test_gate_requires_the_metric_strictly_above_the_threshold(store: list) -> None:
    name = "t-strict"
    version = tracking.register(tracking.best_run()["run_id"], name=name).version
    f1 = tracking.best_run()["metrics.f1_weighted"]

    decision = tracking.promote(version, name=name, threshold=f1)

    assert not decision.passed
    assert tracking.CHAMPION not in tracking.aliases(name=name)


def test_gate_rejects_a_threshold_outside_zero_one_naming_it() -> None:
    with pytest.raises(ValueError, match=r"threshold doit être dans \]0, 1\[, reçu 1.5"):
        tracking.validate("1", threshold=1.5)


def test_promotion_then_rollback_move_the_champion_alias(store: list) -> None:
    name = "t-rollback"
    runs = _by_name(store)
    first = tracking.register(runs["rf_depth3_est50"].run_id, name=name)
    tracking.promote(name=name)
    refused = tracking.register(runs["rf_depthNone_est100"].run_id, name=name)
    tracking.promote(name=name)
    second = tracking.register(runs["rf_depth5_est100"].run_id, name=name)

    promoted = tracking.promote(name=name)
    assert promoted.promoted and promoted.champion_before == first.version
    assert tracking.aliases(name=name) == {tracking.CHAMPION: second.version}
    assert (
        tracking.get_version(second.version, name=name).tags["previous_champion"] == first.version
    )

    restored = tracking.rollback(name=name)

    assert restored.version == first.version
    assert tracking.version_by_alias(name=name).version == first.version
    assert tracking.get_version(second.version, name=name).tags["rolled_back_to"] == first.version
    with pytest.raises(LookupError, match="previous_champion"):
        tracking.rollback(name=name)  # v1 replaced nobody
    with pytest.raises(ValueError, match="franchi la porte"):
        tracking.rollback(refused.version, name=name)


def test_promote_without_a_challenger_says_what_to_do(store: list) -> None:
    with pytest.raises(LookupError, match="pas d'alias 'challenger'"):
        tracking.promote(name="t-nothing-registered")
    assert tracking.version_by_alias(name="t-nothing-registered") is None


def test_model_loaded_by_alias_predicts_exactly_as_the_logged_model(store: list) -> None:
    import mlflow

    split = data.split()
    model = training.train({"n_estimators": 10, "max_depth": 4}, split)
    with mlflow.start_run(experiment_id=tracking.ensure_experiment("t-load")) as run:
        tracking.log_sklearn_model(model, input_example=split.X_train.head(3))
    tracking.register(run.info.run_id, name="t-load", alias=tracking.CHAMPION)
    rows = data.jittered(split.X_test, 200, seed=3)

    loaded = tracking.load_by_alias(name="t-load")

    np.testing.assert_array_equal(loaded.predict(rows), model.predict(rows))
    np.testing.assert_array_equal(loaded.predict_proba(rows), model.predict_proba(rows))
