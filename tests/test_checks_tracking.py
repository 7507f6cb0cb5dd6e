"""Checks of notebook 02: ⏳ on a stub, a French hint on each typical mistake, ✅ when right."""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import pytest

from mlops_course import tracking, training
from mlops_course.checks import NotDoneError, WrongAnswerError
from mlops_course.checks import tracking as checks

pytestmark = [
    # SQLAlchemy 2.1 deprecates a loader strategy MLflow 3.17's store uses (third-party).
    pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy is deprecated"),
    pytest.mark.slow,
]


@pytest.fixture(scope="module")
def runs_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A store with three small runs of the chapter: two pass the gate, one does not."""
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
    """The module's store, with no active experiment (as in a fresh kernel)."""
    import mlflow.tracking.fluent

    monkeypatch.setenv("MLFLOW_TRACKING_URI", runs_store)
    monkeypatch.setattr(mlflow.tracking.fluent, "_active_experiment_id", None)
    tracking.use_store()
    return runs_store


# --------------------------------------------------------------------------- the check's data


def test_held_out_data_separate_accuracy_macro_and_weighted_f1() -> None:
    split = checks.held_out_split()
    scores = checks._scores(training.train(checks.WEAK_CONFIG, split), split.X_test, split.y_test)

    assert split.y_test.value_counts().sort_index().tolist() == [8, 20, 20]
    assert len({round(value, 6) for value in scores.values()}) == 3


def test_exercise_5_scenario_puts_the_best_version_neither_first_nor_last() -> None:
    split = checks.held_out_split()
    f1s = [
        checks._scores(training.train(params, split), split.X_test, split.y_test)["weighted"]
        for params in checks.CONFIGS_5
    ]
    assert len(set(f1s)) == len(f1s)
    best_positions = {order.index(f1s.index(max(f1s))) + 1 for order in checks.ORDERS_5}
    worst_positions = {order.index(f1s.index(min(f1s))) + 1 for order in checks.ORDERS_5}
    assert best_positions == {2, 3}  # not 1, not the last (4), and not the same twice
    assert worst_positions == {3, 2}


# --------------------------------------------------------------------------- exercise 1


def _best_run_right(experience, metrique):
    import mlflow

    runs = mlflow.search_runs(
        experiment_names=[experience],
        filter_string="attributes.status = 'FINISHED'",
        order_by=[f"metrics.{metrique} DESC"],
    )
    return runs.iloc[0]["run_id"]


def test_exercise_1_best_run_with_search_runs(store: str, check_contract) -> None:
    import mlflow

    def stub(experience, metrique): ...

    def ascending(experience, metrique):
        runs = mlflow.search_runs(
            experiment_names=[experience],
            filter_string="attributes.status = 'FINISHED'",
            order_by=[f"metrics.{metrique} ASC"],
        )
        return runs.iloc[0]["run_id"]

    def always_f1(experience, metrique):
        return _best_run_right(experience, "f1_weighted")

    def failed_runs_too(experience, metrique):
        runs = mlflow.search_runs(
            experiment_names=[experience], order_by=[f"metrics.{metrique} DESC"]
        )
        return runs.iloc[0]["run_id"]

    def the_row(experience, metrique):
        runs = mlflow.search_runs(
            experiment_names=[experience],
            filter_string="attributes.status = 'FINISHED'",
            order_by=[f"metrics.{metrique} DESC"],
        )
        return runs.iloc[0]

    def every_experiment(experience, metrique):
        runs = mlflow.search_runs(
            search_all_experiments=True,
            filter_string="attributes.status = 'FINISHED'",
            order_by=[f"metrics.{metrique} DESC"],
        )
        return runs.iloc[0]["run_id"]

    check_contract(
        checks.exercice_1,
        stub=stub,
        right=_best_run_right,
        wrongs=[
            (ascending, "moins bon run"),
            (always_f1, "quelle que soit la métrique"),
            (failed_runs_too, "FAILED"),
            (the_row, "identifiant du run"),
            (every_experiment, "autre expérience"),
        ],
    )


# --------------------------------------------------------------------------- exercise 2


def _extras(average="macro", *, data_part="test", report="test", as_param=False, how="client"):
    """A learner's ``logger_extras``, right by default, with one mistake when asked.

    ``how``: "client" logs with ``MlflowClient(run_id, ...)``, "reopen" reopens the run with
    ``mlflow.start_run(run_id=...)``, "new-run" logs into a new run (a mistake).
    """

    def logger_extras(run_id, modele, split):
        import mlflow
        from sklearn.metrics import classification_report, f1_score

        X, y = (
            (split.X_test, split.y_test) if data_part == "test" else (split.X_train, split.y_train)
        )
        value = f1_score(y, modele.predict(X), average=average)
        texts = {
            "test": classification_report(split.y_test, modele.predict(split.X_test)),
            "train": classification_report(split.y_train, modele.predict(split.X_train)),
        }
        if how == "client":
            client = mlflow.MlflowClient()
            log = client.log_param if as_param else client.log_metric
            log(run_id, "f1_macro", value)
            if report:
                client.log_text(run_id, texts[report], "rapport.txt")
            return value
        if how == "new-run":
            context = mlflow.start_run(
                experiment_id=tracking.ensure_experiment(checks.EXPERIMENT_2)
            )
        else:
            context = mlflow.start_run(run_id=run_id)
        with context:
            (mlflow.log_param if as_param else mlflow.log_metric)("f1_macro", value)
            if report:
                mlflow.log_text(texts[report], "rapport.txt")
        return value

    return logger_extras


def test_exercise_2_metric_and_report_in_the_given_run(store: str, check_contract) -> None:
    def stub(run_id, modele, split): ...

    check_contract(
        checks.exercice_2,
        stub=stub,
        right=_extras(),
        wrongs=[
            (_extras("weighted"), "F1 pondéré"),
            (_extras(data_part="train"), "données d'entraînement"),
            (_extras(as_param=True), "comme paramètre"),
            (_extras(how="new-run"), "absente du run reçu"),
            (_extras(report=None), "rapport.txt manque"),
            (_extras(report="train"), "d'autres données que le jeu de test"),
        ],
    )


def test_exercise_2_reopening_the_run_works_until_another_experiment_is_active(
    store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import mlflow

    checks.exercice_2(_extras(how="reopen"))
    assert capsys.readouterr().out.startswith("✅")

    mlflow.set_experiment(tracking.EXPERIMENT)  # e.g. the learner's exercise 5
    with pytest.raises(WrongAnswerError, match="une autre expérience est active"):
        checks.exercice_2(_extras(how="reopen"))
    checks.exercice_2(_extras(how="client"))
    assert capsys.readouterr().out.startswith("✅")


# --------------------------------------------------------------------------- exercise 3


def _gate(metric="weighted", *, or_equal=False, fixed=None, score_only=False):
    def porte(modele, X, y, seuil):
        from sklearn.metrics import accuracy_score, f1_score

        predicted = modele.predict(X)
        if metric == "accuracy":
            value = accuracy_score(y, predicted)
        else:
            value = f1_score(y, predicted, average=metric)
        if score_only:
            return value
        limit = seuil if fixed is None else fixed
        return value >= limit if or_equal else value > limit

    return porte


def test_exercise_3_gate_on_weighted_f1(check_contract) -> None:
    def stub(modele, X, y, seuil): ...

    check_contract(
        checks.exercice_3,
        stub=stub,
        right=_gate(),
        wrongs=[
            (_gate("accuracy"), "l'accuracy"),
            (_gate("macro"), "F1 macro"),
            (_gate(or_equal=True), "F1 > seuil"),
            (_gate(fixed=0.95), "se trompe sur certains cas"),
            (_gate(score_only=True), "True ou False"),
        ],
    )


# --------------------------------------------------------------------------- exercise 4


def _rollback_right(nom):
    from mlflow import MlflowClient

    client = MlflowClient()
    previous = client.get_model_version_by_alias(nom, "champion").tags["previous_champion"]
    client.set_registered_model_alias(nom, "champion", previous)
    return previous


def test_exercise_4_rollback_follows_previous_champion(store: str, check_contract) -> None:
    from mlflow import MlflowClient

    def stub(nom): ...

    def one_before(nom):
        client = MlflowClient()
        before = str(int(client.get_model_version_by_alias(nom, "champion").version) - 1)
        client.set_registered_model_alias(nom, "champion", before)
        return before

    def always_one(nom):
        MlflowClient().set_registered_model_alias(nom, "champion", "1")
        return "1"

    def latest_passed_before(nom):
        client = MlflowClient()
        champion = int(client.get_model_version_by_alias(nom, "champion").version)
        passed = [
            int(v.version)
            for v in client.search_model_versions(f"name = '{nom}'")
            if v.tags.get("validation_status") == "passed" and int(v.version) < champion
        ]
        target = str(max(passed))
        client.set_registered_model_alias(nom, "champion", target)
        return target

    def only_returns(nom):
        return MlflowClient().get_model_version_by_alias(nom, "champion").tags["previous_champion"]

    check_contract(
        checks.exercice_4,
        stub=stub,
        right=_rollback_right,
        wrongs=[
            (one_before, "refusée par la porte"),
            (always_one, "même numéro de version"),
            (latest_passed_before, "previous_champion"),
            (only_returns, "n'a pas bougé"),
        ],
    )


def test_exercise_4_can_be_checked_again(store: str, capsys: pytest.CaptureFixture[str]) -> None:
    checks.exercice_4(_rollback_right)
    checks.exercice_4(_rollback_right)  # the check rebuilds its histories each time

    assert capsys.readouterr().out.count("✅") == 2
    assert tracking.aliases(name=checks.ROLLBACK_MODELS[0]) == {tracking.CHAMPION: "2"}
    assert tracking.aliases(name=checks.ROLLBACK_MODELS[1]) == {tracking.CHAMPION: "1"}


# --------------------------------------------------------------------------- exercise 5

REQUIREMENTS = [f"{p}=={version(p)}" for p in ("scikit-learn", "skops", "numpy", "scipy", "pandas")]


def _logger(*, experiment=None, signature="dataframe", metrics_as_params=False, average="weighted"):
    """A learner's ``logger_run``, right by default, with one mistake when asked."""

    def logger_run(experience, params, split):
        import mlflow
        from mlflow.models import infer_signature
        from sklearn.metrics import f1_score

        mlflow.set_experiment(experiment or experience)
        with mlflow.start_run():
            mlflow.log_params(params)
            modele = training.make_pipeline(params).fit(split.X_train, split.y_train)
            y_pred = modele.predict(split.X_test)
            score = {"f1_weighted": f1_score(split.y_test, y_pred, average=average)}
            if metrics_as_params:
                mlflow.log_params(score)
            else:
                mlflow.log_metrics(score)
            options = {}
            if signature == "dataframe":
                options = {
                    "signature": infer_signature(split.X_test, y_pred),
                    "input_example": split.X_test.head(3),
                }
            elif signature == "numpy":
                options = {"signature": infer_signature(split.X_test.to_numpy(), y_pred)}
            return mlflow.sklearn.log_model(
                sk_model=modele,
                name="model",
                skops_trusted_types=["sklearn.tree._tree.Tree"],
                pip_requirements=REQUIREMENTS,
                **options,
            )

    return logger_run


def _crown(choose="best"):
    """A learner's ``enregistrer_champion``, right by default, or with a wrong choice."""

    def enregistrer_champion(nom_modele, infos):
        from mlflow import MlflowClient

        client = MlflowClient()
        if not client.search_registered_models(filter_string=f"name = '{nom_modele}'"):
            client.create_registered_model(nom_modele)
        scores = {}
        for info in infos:
            created = client.create_model_version(nom_modele, info.model_uri, run_id=info.run_id)
            scores[str(created.version)] = client.get_run(info.run_id).data.metrics["f1_weighted"]
        champion = {
            "best": lambda: max(scores, key=scores.get),
            "worst": lambda: min(scores, key=scores.get),
            "last": lambda: str(len(scores)),
        }.get(choose, lambda: choose)()
        client.set_registered_model_alias(nom_modele, "champion", champion)
        return champion

    return enregistrer_champion


def test_exercise_5_run_registry_and_champion_by_metric(store: str, check_contract) -> None:
    def stub_logger(experience, params, split): ...

    def stub_crown(nom_modele, infos): ...

    right = _logger()
    check_contract(
        checks.exercice_5,
        stub=(stub_logger, stub_crown),
        right=(right, _crown()),
        wrongs=[
            ((right, _crown("1")), "version 1"),
            ((right, _crown("2")), "même numéro de version"),
            ((right, _crown("last")), "dernière version"),
            ((right, _crown("worst")), "la plus faible"),
            ((_logger(signature=None), _crown()), "sans signature"),
            ((_logger(signature="numpy"), _crown()), "colonnes d'entrée"),
            ((_logger(metrics_as_params=True), _crown()), "comme paramètre"),
            ((_logger(average="macro"), _crown()), "F1 macro"),
            ((_logger(experiment=tracking.EXPERIMENT), _crown()), "pas dans celle reçue"),
        ],
    )


def test_exercise_5_second_part_still_a_stub_is_not_done(store: str) -> None:
    def stub_crown(nom_modele, infos): ...

    with pytest.raises(NotDoneError, match="enregistrer_champion"):
        checks.exercice_5(_logger(), stub_crown)


def test_hints_name_no_expected_run_or_version(store: str) -> None:
    import mlflow

    def ascending(experience, metrique):
        runs = mlflow.search_runs(
            experiment_names=[experience], order_by=[f"metrics.{metrique} ASC"]
        )
        return runs.iloc[0]["run_id"]

    with pytest.raises(WrongAnswerError) as refused:
        checks.exercice_1(ascending)
    expected = _best_run_right(checks.EXPERIMENT_1, "f1_weighted")
    assert expected not in str(refused.value)

    with pytest.raises(WrongAnswerError) as refused:
        checks.exercice_5(_logger(), _crown("worst"))
    assert re.search(r"\b[0-9]\b", str(refused.value)) is None  # no version number
