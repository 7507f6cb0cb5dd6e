"""The chapter's ``DataDriftDetector`` (§7.2), reproduced as printed, for benchmarks only.

Kept verbatim (apart from formatting) so that ``bench/bench_drift.py`` can time it and show
its verdicts next to :class:`mlops_course.drift.DriftDetector`. Do not use it: it runs
``chisquare`` on proportions (it never fires), tests every column at ``p < 0.05`` without a
multiple-testing correction, has no effect size, ignores missing values, and re-sorts the
whole reference on every call.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats


class DataDriftDetector:
    """Détecteur de data drift basé sur des tests statistiques."""

    def __init__(self, reference_data: pd.DataFrame, seuil_pvalue: float = 0.05):
        self.reference = reference_data
        self.seuil = seuil_pvalue

    def test_drift_numerique(self, production_data: pd.DataFrame) -> dict[str, dict]:
        resultats = {}
        colonnes_num = self.reference.select_dtypes(include=[np.number]).columns
        for col in colonnes_num:
            statistic, p_value = stats.ks_2samp(
                self.reference[col].dropna(), production_data[col].dropna()
            )
            drift_detecte = p_value < self.seuil
            resultats[col] = {
                "statistic": round(statistic, 4),
                "p_value": round(p_value, 4),
                "drift": drift_detecte,
                "severite": "CRITIQUE" if p_value < 0.001 else "ALERTE" if drift_detecte else "OK",
                "ref_mean": round(self.reference[col].mean(), 4),
                "prod_mean": round(production_data[col].mean(), 4),
            }
        return resultats

    def test_drift_categoriel(self, production_data: pd.DataFrame) -> dict[str, dict]:
        resultats = {}
        colonnes_cat = self.reference.select_dtypes(include=["object", "category"]).columns
        for col in colonnes_cat:
            ref_counts = self.reference[col].value_counts(normalize=True)
            prod_counts = production_data[col].value_counts(normalize=True)
            toutes_categories = set(ref_counts.index) | set(prod_counts.index)
            ref_aligned = [ref_counts.get(c, 0) for c in toutes_categories]
            prod_aligned = [prod_counts.get(c, 0) for c in toutes_categories]
            statistic, p_value = stats.chisquare(prod_aligned, ref_aligned)
            resultats[col] = {
                "statistic": round(statistic, 4),
                "p_value": round(p_value, 4),
                "drift": p_value < self.seuil,
            }
        return resultats

    def rapport_complet(self, production_data: pd.DataFrame) -> dict:
        drift_num = self.test_drift_numerique(production_data)
        drift_cat = self.test_drift_categoriel(production_data)
        nb_drift_num = sum(1 for v in drift_num.values() if v["drift"])
        nb_drift_cat = sum(1 for v in drift_cat.values() if v["drift"])
        total_colonnes = len(drift_num) + len(drift_cat)
        total_drift = nb_drift_num + nb_drift_cat
        return {
            "resume": {
                "total_colonnes": total_colonnes,
                "colonnes_avec_drift": total_drift,
                "pourcentage_drift": round(total_drift / max(total_colonnes, 1) * 100, 1),
                "action_requise": total_drift > total_colonnes * 0.3,
            },
            "drift_numerique": drift_num,
            "drift_categoriel": drift_cat,
        }
