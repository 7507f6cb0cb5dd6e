"""Checks of notebook 07_monitoring_drift, exercise 3: the learner's result read as a table,
and its tests, effects, corrected p-values and verdicts held against the right ones.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from mlops_course.checks import call, expect, fail

#: Exercise 3: the effect threshold of a categorical column (Jensen–Shannon distance, base 2).
SEUIL_JS = 0.05
#: What ``detecter_drift`` returns: one row per column, these fields.
RESULT_FIELDS = ("test", "manquants", "p_value", "p_corrigee", "effet", "drift")


def _holm(p_values: np.ndarray) -> np.ndarray:
    from mlops_course.drift import adjust_pvalues

    return adjust_pvalues(p_values, "holm")


def _as_table(result: Any, columns: list[str], scenario: str) -> pd.DataFrame:
    """The learner's result as a DataFrame indexed by column name, fields validated."""
    if isinstance(result, Mapping) and not isinstance(result, pd.DataFrame):
        try:
            result = pd.DataFrame.from_dict(dict(result), orient="index")
        except (TypeError, ValueError) as error:
            raise fail(
                f"Exercice 3, {scenario} : un dict doit associer à chaque colonne un dict de "
                f"champs ({', '.join(RESULT_FIELDS)}) ; pandas n'a pas pu le lire ({error})."
            ) from None
    expect(
        isinstance(result, pd.DataFrame),
        f"Exercice 3, {scenario} : on attend un DataFrame (une ligne par colonne), reçu "
        f"{type(result).__name__}.",
    )
    table = result
    if "colonne" in table.columns and not set(columns) <= {str(i) for i in table.index}:
        table = table.set_index("colonne")
    if set(columns) <= {str(c) for c in table.columns} and not set(columns) <= {
        str(i) for i in table.index
    }:
        table = table.T  # one column per data column: accepted, read transposed
    table = table.rename(index=str)
    missing = [f for f in RESULT_FIELDS if f not in table.columns]
    expect(
        not missing,
        f"Exercice 3, {scenario} : il manque le(s) champ(s) {missing} dans le résultat "
        f"(champs attendus : {', '.join(RESULT_FIELDS)}).",
    )
    absent = [c for c in columns if c not in table.index]
    expect(
        not absent,
        f"Exercice 3, {scenario} : aucune ligne pour {absent[:5]} ; il faut une ligne par "
        "colonne des données, indexée par le nom de la colonne.",
    )
    table = table.loc[columns]
    for name in ("p_value", "p_corrigee", "effet"):
        values = pd.to_numeric(table[name], errors="coerce")
        broken = [c for c in columns if not np.isfinite(values[c])]
        if broken and name == "p_value":
            raise fail(
                f"Exercice 3, {scenario} : la p-value de {broken[:3]} vaut NaN. Un seul NaN "
                "suffit à faire rendre NaN à ks_2samp : retirez les valeurs manquantes "
                "(dropna) des deux côtés avant le test, et comptez celles de la production."
            )
        expect(
            not broken,
            f"Exercice 3, {scenario} : `{name}` n'est pas un nombre fini pour {broken[:3]}. "
            "Retirez les valeurs manquantes avant de calculer (dropna), des deux côtés.",
        )
        table[name] = values.astype(float)
    for column in columns:
        value = table.at[column, "drift"]
        expect(
            isinstance(value, bool | np.bool_),
            f"Exercice 3, {scenario} : `drift` doit être un booléen (True/False) ; pour "
            f"{column!r} reçu {value!r}.",
        )
    table["drift"] = table["drift"].astype(bool)
    return table


def _run_detector(
    detecter_drift: Callable[..., Any],
    reference: pd.DataFrame,
    production: pd.DataFrame,
    scenario: str,
    **settings: Any,
) -> pd.DataFrame:
    result = call(
        detecter_drift, reference.copy(), production.copy(), what="Exercice 3", **settings
    )
    return _as_table(result, list(reference.columns), scenario)


def _is_categorical(series: pd.Series) -> bool:
    return not pd.api.types.is_numeric_dtype(series.dtype)


def _expected_effect(reference: pd.Series, production: pd.Series) -> float:
    from scipy import stats
    from scipy.spatial.distance import jensenshannon

    ref, prod = reference.dropna(), production.dropna()
    if _is_categorical(reference):
        counts = pd.concat([ref.value_counts(), prod.value_counts()], axis=1).fillna(0)
        return float(jensenshannon(counts.iloc[:, 0], counts.iloc[:, 1], base=2))
    return float(stats.wasserstein_distance(ref, prod) / ref.std())


def _check_structure(
    table: pd.DataFrame, reference: pd.DataFrame, production: pd.DataFrame, scenario: str
) -> None:
    """Tests, missing counts, effects and the correction, column by column."""
    for column in reference.columns:
        kind = "chi2" if _is_categorical(reference[column]) else "ks"
        expect(
            str(table.at[column, "test"]).strip().lower() == kind,
            f"Exercice 3, {scenario} : la colonne {column!r} est "
            f"{'catégorielle' if kind == 'chi2' else 'numérique'}, son `test` doit être "
            f"« {kind} » (reçu {table.at[column, 'test']!r}).",
        )
        n_missing = int(production[column].isna().sum())
        expect(
            table.at[column, "manquants"] == n_missing,
            f"Exercice 3, {scenario} : `manquants` de {column!r} vaut "
            f"{table.at[column, 'manquants']!r}, ce n'est pas le nombre de valeurs manquantes "
            "de la production dans cette colonne (production[colonne].isna().sum()).",
        )
        effect = table.at[column, "effet"]
        expected = _expected_effect(reference[column], production[column])
        if kind == "ks":
            hint = (
                "l'effet d'une colonne numérique est la distance de Wasserstein divisée par "
                "l'écart-type de la référence : stats.wasserstein_distance(ref, prod) / "
                "ref.std(), en « écarts-types de décalage » (ni une différence de moyennes, "
                "qui ne voit pas une dispersion qui change, ni une distance en unités brutes)."
            )
        else:
            hint = (
                "l'effet d'une colonne catégorielle est la distance de Jensen-Shannon entre "
                "les deux distributions, en base 2 : jensenshannon(effectifs_ref, "
                "effectifs_prod, base=2), catégories alignées."
            )
        expect(
            abs(effect - expected) <= 0.02 * expected + 1e-3,
            f"Exercice 3, {scenario} : l'effet de {column!r} vaut {effect:.4g} ; {hint}",
        )
    p = table["p_value"].to_numpy()
    adjusted = table["p_corrigee"].to_numpy()
    expect(
        bool(np.all((p >= 0) & (p <= 1) & (adjusted >= 0) & (adjusted <= 1))),
        f"Exercice 3, {scenario} : p_value et p_corrigee doivent être entre 0 et 1 (une "
        "p-value corrigée se plafonne à 1).",
    )
    if len(p) > 1 and np.allclose(adjusted, p, rtol=1e-9, atol=0) and (p < 1).sum() > 1:
        raise fail(
            f"Exercice 3, {scenario} : p_corrigee est égale à p_value : aucune correction. Avec "
            f"{len(p)} colonnes testées, « p < 0,05 » sur chacune donne une fausse alerte "
            "presque à chaque lot. Appliquez la correction de Holm (ou de Bonferroni) à "
            "l'ensemble des p-values du lot."
        )
    holm = _holm(p)
    bonferroni = np.minimum(p * len(p), 1.0)
    expect(
        np.allclose(adjusted, holm, rtol=1e-6, atol=1e-12)
        or np.allclose(adjusted, bonferroni, rtol=1e-6, atol=1e-12),
        f"Exercice 3, {scenario} : p_corrigee n'est ni la correction de Holm ni celle de "
        "Bonferroni des p_value. Holm : trier les k p-values, multiplier celle de rang i "
        "(à partir de 0) par k − i, prendre le maximum cumulé (une p-value corrigée n'est "
        "jamais plus petite que celle du rang précédent), plafonner à 1, remettre dans "
        "l'ordre des colonnes.",
    )


def _check_rule(
    table: pd.DataFrame,
    reference: pd.DataFrame,
    alpha: float,
    effet_min: float,
    scenario: str,
    note: str = "",
) -> None:
    """drift = corrected p-value below alpha AND effect at least the threshold."""
    for column in reference.columns:
        p_adj, effect = table.at[column, "p_corrigee"], table.at[column, "effet"]
        threshold = SEUIL_JS if _is_categorical(reference[column]) else effet_min
        expected = bool(p_adj < alpha and effect >= threshold)
        if bool(table.at[column, "drift"]) == expected:
            continue
        if expected:
            raise fail(
                f"Exercice 3, {scenario} : {column!r} a p_corrigee < alpha et un effet au-dessus "
                "du seuil, mais drift est faux. La règle : drift = (p_corrigee < alpha) et "
                "(effet ≥ seuil), avec le seuil effet_min pour une colonne numérique et "
                "SEUIL_JS pour une catégorielle."
            )
        if p_adj >= alpha:
            raise fail(
                f"Exercice 3, {scenario} : {column!r} est déclarée en drift alors que sa p-value "
                "corrigée n'est pas sous alpha. Décidez avec p_corrigee, pas avec la p-value "
                "brute."
            )
        raise fail(
            f"Exercice 3, {scenario} : {column!r} est déclarée en drift alors que son effet est "
            "sous le seuil : significatif n'est pas important. Exigez aussi effet ≥ effet_min "
            "(le paramètre de la fonction) pour une colonne numérique, ≥ SEUIL_JS pour une "
            f"catégorielle.{note}"
        )
