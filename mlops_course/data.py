"""The chapter's data: Iris with the API's feature names, and the chapter's split (§2.3).

Used from notebook 02_experiment_tracking_mlflow on. Everything is loaded from
scikit-learn's bundled copy: nothing is downloaded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlops_course.constants import FEATURES, LABELS

#: Name of the target column.
TARGET = "species"
#: The chapter's split (§2.3): 20 % test, seed 42, stratified.
TEST_SIZE = 0.2
RANDOM_STATE = 42


@dataclass(frozen=True)
class Split:
    """A train/test split of features and targets."""

    X_train: pd.DataFrame
    X_test: pd.DataFrame
    y_train: pd.Series
    y_test: pd.Series


def load_iris_frame() -> tuple[pd.DataFrame, pd.Series]:
    """Return Iris as ``(X, y)``: X with :data:`FEATURES` columns, y the class codes 0–2."""
    from sklearn.datasets import load_iris

    iris = load_iris()
    X = pd.DataFrame(iris.data, columns=list(FEATURES))
    y = pd.Series(iris.target, name=TARGET)
    return X, y


def split(
    X: pd.DataFrame | None = None,
    y: pd.Series | None = None,
    *,
    test_size: float = TEST_SIZE,
    random_state: int = RANDOM_STATE,
) -> Split:
    """Split ``(X, y)`` (Iris by default) as the chapter does: stratified, seeded."""
    from sklearn.model_selection import train_test_split

    if not 0.0 < test_size < 1.0:
        raise ValueError(f"test_size doit être dans ]0, 1[, reçu {test_size!r}")
    if X is None or y is None:
        X, y = load_iris_frame()
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, random_state=random_state, stratify=y
    )
    return Split(X_train, X_test, y_train, y_test)


def label_of(code: int) -> str:
    """Return the label name of a class code (``0`` → ``"setosa"``)."""
    if not 0 <= int(code) < len(LABELS):
        raise ValueError(f"un code de classe doit être dans 0..{len(LABELS) - 1}, reçu {code!r}")
    return LABELS[int(code)]


def jittered(X: pd.DataFrame, n_rows: int, *, scale: float = 0.05, seed: int = 0) -> pd.DataFrame:
    """Return ``n_rows`` rows resampled from ``X`` with Gaussian noise, clipped at 0.

    ``scale`` is a fraction of each column's standard deviation. Used for parity tests,
    benchmarks and simulated production traffic.
    """
    if n_rows < 1:
        raise ValueError(f"n_rows doit être >= 1, reçu {n_rows}")
    rng = np.random.default_rng(seed)
    rows = X.iloc[rng.integers(0, len(X), size=n_rows)].to_numpy(dtype=float)
    noise = rng.normal(0.0, 1.0, size=rows.shape) * (X.std(ddof=0).to_numpy() * scale)
    return pd.DataFrame(np.clip(rows + noise, 0.0, None), columns=X.columns)
