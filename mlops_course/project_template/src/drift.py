"""Le contrôle de dérive des données : la production ressemble-t-elle à l'entraînement ?

À écrire (notebook 07_monitoring_drift du cours).
"""

from __future__ import annotations

import pandas as pd


def detect_drift(
    reference: pd.DataFrame, current: pd.DataFrame, alpha: float = 0.05
) -> dict[str, bool]:
    """Pour chaque colonne de ``reference`` : True si ``current`` a dérivé sur cette colonne.

    Un test de Kolmogorov-Smirnov à deux échantillons par colonne (scipy.stats), et une
    correction de Holm sur l'ensemble des colonnes au seuil ``alpha`` : sans elle, avec
    13 colonnes, un lot sur deux sans dérive déclencherait une alerte.

    Raises:
        ValueError: une colonne de ``reference`` manque dans ``current`` (le message la nomme).
    """
    # TODO : les p-values par colonne, puis la correction de Holm (triez-les ; la k-ième
    #        plus petite est comparée à alpha / (m - k) ; on s'arrête au premier échec).
    raise NotImplementedError("TODO : écrivez detect_drift (src/drift.py)")
