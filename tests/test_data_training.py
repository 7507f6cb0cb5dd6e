"""The chapter's data and model: feature names, split, configurations and metrics."""

from __future__ import annotations

import numpy as np
import pytest

from mlops_course import data, training


def test_iris_has_the_api_feature_names_and_three_labels() -> None:
    X, y = data.load_iris_frame()
    assert list(X.columns) == list(data.FEATURES)
    assert sorted(y.unique()) == [0, 1, 2]
    assert [data.label_of(code) for code in range(3)] == ["setosa", "versicolor", "virginica"]


def test_the_split_is_the_chapters_stratified_and_reproducible() -> None:
    first, second = data.split(), data.split()
    assert len(first.X_test) == 30 and len(first.X_train) == 120
    assert first.y_test.value_counts().tolist() == [10, 10, 10]
    assert first.X_test.index.equals(second.X_test.index)


def test_bad_arguments_name_the_argument() -> None:
    with pytest.raises(ValueError, match="test_size"):
        data.split(test_size=1.5)
    with pytest.raises(ValueError, match="code de classe"):
        data.label_of(3)
    with pytest.raises(ValueError, match="réglages de RandomForest inconnus"):
        training.make_pipeline({"n_estimator": 10})


def test_three_of_the_four_configurations_pass_the_chapters_f1_gate() -> None:
    split = data.split()
    f1 = [
        training.evaluate(training.train(c, split), split.X_test, split.y_test)["f1_weighted"]
        for c in training.CONFIGS
    ]
    assert sum(score > 0.95 for score in f1) == 3
    assert f1[3] < 0.95  # max_depth=None overfits this split


def test_jittered_rows_stay_non_negative_and_reproducible() -> None:
    X, _ = data.load_iris_frame()
    a, b = data.jittered(X, 500, seed=1), data.jittered(X, 500, seed=1)
    assert a.shape == (500, 4) and (a.to_numpy() >= 0).all()
    assert a.equals(b)


def test_retraining_with_the_same_seed_gives_the_same_model() -> None:
    split = data.split()
    rows = data.jittered(split.X_test, 500)
    first = training.train(training.DEFAULT_PARAMS, split)
    again = training.train(training.DEFAULT_PARAMS, split)
    np.testing.assert_array_equal(first.predict_proba(rows), again.predict_proba(rows))
    other_seed = training.train(training.DEFAULT_PARAMS, split, random_state=7)
    assert not np.array_equal(first.predict_proba(rows), other_seed.predict_proba(rows))
