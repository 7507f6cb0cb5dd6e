"""Les données du projet : les vins de scikit-learn, et leur découpage reproductible.

Fourni (rien à écrire ici), comme ``mlops_course.data`` dans le notebook 02 du cours.
Le jeu est embarqué dans scikit-learn : rien n'est téléchargé.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

#: Les 13 mesures d'un vin, dans l'ordre où le modèle les attend (noms utilisables en Python).
FEATURES: tuple[str, ...] = (
    "alcohol",
    "malic_acid",
    "ash",
    "alcalinity_of_ash",
    "magnesium",
    "total_phenols",
    "flavanoids",
    "nonflavanoid_phenols",
    "proanthocyanins",
    "color_intensity",
    "hue",
    "od280_od315",
    "proline",
)
#: Les trois cépages (classes 0, 1, 2).
LABELS: tuple[str, ...] = ("cultivar_0", "cultivar_1", "cultivar_2")
TARGET = "cultivar"
#: Le découpage : 20 % de test, graine 42, stratifié.
TEST_SIZE = 0.2
RANDOM_STATE = 42


@dataclass(frozen=True)
class Split:
    """Un découpage entraînement / test."""

    X_train: pd.DataFrame
    X_test: pd.DataFrame
    y_train: pd.Series
    y_test: pd.Series


def load_wine_frame() -> tuple[pd.DataFrame, pd.Series]:
    """Les vins : ``X`` (colonnes :data:`FEATURES`) et ``y`` (codes 0 à 2)."""
    from sklearn.datasets import load_wine

    wine = load_wine(as_frame=True)
    X = wine.data.rename(columns={"od280/od315_of_diluted_wines": "od280_od315"})
    return X[list(FEATURES)], wine.target.rename(TARGET)


def split(test_size: float = TEST_SIZE, random_state: int = RANDOM_STATE) -> Split:
    """Le découpage du projet : stratifié, avec une graine."""
    from sklearn.model_selection import train_test_split

    X, y = load_wine_frame()
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, random_state=random_state, stratify=y
    )
    return Split(X_train, X_test, y_train, y_test)
