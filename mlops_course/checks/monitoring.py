"""Checks for notebook 07 (drift detection and monitoring), and the exercises' data.

Five exercises, from guided to writing the artefact:

1. name the column that really drifts (with ``DriftDetector``);
2. write the Chi-2 test of homogeneity on counts;
3. write ``detecter_drift``: KS + Chi-2 on counts + Holm + effect size, checked on scenarios
   the learner does not see (50 columns without drift over several seeds, real shifts, a
   negligible shift on a million rows, missing values, a categorical shift);
4. tune ``ModelMonitor``'s hysteresis so that a dip gives one alert;
5. write a windowed monitor with hysteresis, checked on streams with a spike, a dip, a
   flicker and a recovery.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from mlops_course.checks import call, expect, fail, require, success

#: Columns of exercise 1; only ``canal`` really drifts.
EXERCISE_1_DRIFT = "canal"
#: Significant with 50,000 rows, but a shift of 0.03 standard deviation: not a drift.
EXERCISE_1_TRAP = "panier_moyen"
#: Predictions per window in exercise 4, and the window of its isolated glitch.
EXERCISE_4_WINDOW = 50
EXERCISE_4_GLITCH = 8
#: Exercise 3: the effect threshold of a categorical column (Jensen–Shannon distance, base 2).
SEUIL_JS = 0.05
#: Exercise 5: the two events of an alert.
DECLENCHEE = "déclenchée"
RESOLUE = "résolue"


# --------------------------------------------------------------------------- exercise 1


def donnees_exercice_1() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Reference and production data of exercise 1 (50,000 clients each, fixed seed)."""
    rng = np.random.default_rng(2026)
    n = 50_000

    def clients(canal: list[float], panier_shift: float) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "age": rng.normal(40, 12, n).round(),
                "revenu": rng.lognormal(10.6, 0.4, n).round(-1),
                "nb_achats": rng.poisson(5, n),
                "panier_moyen": rng.normal(60 + panier_shift * 15, 15, n),
                "anciennete": rng.exponential(3.0, n),
                "canal": rng.choice(["web", "magasin", "telephone"], n, p=canal),
                "region": rng.choice(["nord", "sud", "est", "ouest"], n),
            }
        )

    reference = clients([0.5, 0.3, 0.2], 0.0)
    production = clients([0.38, 0.34, 0.28], 0.03)
    return reference, production


def exercice_1(colonne: Any) -> None:
    """The learner names the column that drifts for real."""
    colonne = require(colonne, "Exercice 1")
    reference, _ = donnees_exercice_1()
    if not isinstance(colonne, str) and isinstance(colonne, Iterable):
        names = sorted(str(c) for c in colonne)
        expect(
            len(names) == 1,
            f"une seule colonne dérive vraiment, vous en proposez {len(names)} : {names}. "
            "Une p-value basse ne suffit pas : ne gardez que les colonnes dont "
            "rapport.columns[nom].drift est vrai (rapport.drifted_columns).",
        )
        colonne = names[0]
    expect(
        isinstance(colonne, str) and colonne in reference.columns,
        f"{colonne!r} n'est pas un nom de colonne ; les colonnes sont {list(reference.columns)}.",
    )
    expect(
        colonne != EXERCISE_1_TRAP,
        f"{EXERCISE_1_TRAP!r} a une p-value minuscule (50 000 lignes !), mais son effet "
        "(Wasserstein / écart-type) est bien sous le seuil de 0,1 : "
        "significatif n'est pas important. Regardez la colonne `effect` de rapport.to_frame().",
    )
    expect(
        colonne == EXERCISE_1_DRIFT,
        f"{colonne!r} ne dérive pas. Ajustez DriftDetector sur la référence, comparez la "
        "production, et lisez rapport.drifted_columns (pensez aux colonnes catégorielles).",
    )
    success(f"C'est bien {EXERCISE_1_DRIFT!r} qui dérive : le canal de vente a changé.")


# --------------------------------------------------------------------------- exercise 2


def _binary_flip() -> tuple[pd.Series, pd.Series]:
    return pd.Series(["oui", "non"] * 500), pd.Series(["oui"] * 400)


def _channels(
    seed: int, sizes: tuple[int, int], shares: tuple[list[float], list[float]]
) -> tuple[pd.Series, pd.Series]:
    """Sales channels of a reference and a current batch, drawn with the given shares."""
    rng = np.random.default_rng(seed)
    values = ["web", "magasin", "telephone"]
    return tuple(  # type: ignore[return-value]
        pd.Series(rng.choice(values, size, p=p)) for size, p in zip(sizes, shares, strict=True)
    )


def _same_distribution() -> tuple[pd.Series, pd.Series]:
    return _channels(7, (2000, 500), ([0.5, 0.3, 0.2], [0.5, 0.3, 0.2]))


def _moderate_shift() -> tuple[pd.Series, pd.Series]:
    return _channels(8, (5000, 2000), ([0.5, 0.3, 0.2], [0.38, 0.34, 0.28]))


def _reversed_shares() -> tuple[pd.Series, pd.Series]:
    """The most frequent channel becomes the rarest: counts must be aligned by category."""
    return _channels(10, (3000, 1000), ([0.5, 0.3, 0.2], [0.2, 0.3, 0.5]))


def _new_category() -> tuple[pd.Series, pd.Series]:
    rng = np.random.default_rng(9)
    values = ["FR", "BE", "CH"]
    return (
        pd.Series(rng.choice(values, 3000)),
        pd.Series(list(rng.choice(values, 450)) + ["CA"] * 50),
    )


def exercice_2(test_chi2: Callable[[pd.Series, pd.Series], float]) -> None:
    """The learner writes a Chi-2 test of homogeneity on counts; returns the p-value."""
    cases = [
        ("50/50 → 0/100", _binary_flip, "low"),
        ("même distribution", _same_distribution, "high"),
        ("50/30/20 → 38/34/28", _moderate_shift, "low"),
        ("50/30/20 → 20/30/50", _reversed_shares, "low"),
        ("catégorie nouvelle", _new_category, "low"),
    ]
    for name, make, expected in cases:
        reference, production = make()
        p_value = call(test_chi2, reference, production, what="Exercice 2")
        expect(
            isinstance(p_value, float | int | np.floating) and 0.0 <= float(p_value) <= 1.0,
            f"cas « {name} » : on attend une p-value (un nombre entre 0 et 1), reçu {p_value!r}. "
            "chi2_contingency renvoie un résultat dont la p-value est l'attribut `.pvalue`.",
        )
        p_value = float(p_value)
        if expected == "low":
            expect(
                not math.isnan(p_value) and p_value < 1e-4,
                f"cas « {name} » : p = {p_value:.3g}, le drift n'est pas vu. Testez-vous des "
                "proportions, ou des effectifs mal alignés ? Le Chi-2 se calcule sur des "
                "effectifs : un tableau 2 × K (référence, production) de value_counts() sans "
                "normalize, aligné catégorie par catégorie (concat ou reindex, 0 pour une "
                "catégorie absente), passé à scipy.stats.chi2_contingency.",
            )
        else:
            expect(
                p_value > 0.01,
                f"cas « {name} » : p = {p_value:.3g} alors que les deux échantillons viennent de "
                "la même distribution. Comparez-vous bien des effectifs alignés catégorie par "
                "catégorie ?",
            )
    success("Votre Chi-2 sur les effectifs voit les drifts que la version naïve manquait.")


# --------------------------------------------------------------------------- exercise 3

#: What ``detecter_drift`` returns: one row per column, these fields.
RESULT_FIELDS = ("test", "manquants", "p_value", "p_corrigee", "effet", "drift")
#: Scenario "50 columns without drift": one batch per seed, all must stay quiet. Seeds chosen
#: so that a right answer keeps a margin (smallest Holm p-value >= 0.35 in each batch) and an
#: uncorrected one raises at least two false alarms in each (tests/test_checks_monitoring.py).
NULL_SEEDS = (11, 12, 17, 20, 23, 26)
_CHANNELS = ["web", "magasin", "telephone"]
_REGIONS = ["nord", "sud", "est", "ouest"]


def _clients(
    rng: np.random.Generator,
    n: int,
    *,
    shift: float = 0.0,
    spread: float = 1.0,
    canal: tuple[float, ...] = (0.5, 0.3, 0.2),
) -> pd.DataFrame:
    """Clients of an online shop; ``shift`` (in standard deviations) moves age and click rate,
    ``spread`` widens the price gap, ``canal`` gives the channel shares."""
    return pd.DataFrame(
        {
            "age": rng.normal(40 + 12 * shift, 12, n).round(),  # years
            "revenu": rng.lognormal(10.66, 0.32, n).round(-1),  # euros a year, never negative
            "taux_clic": rng.normal(0.05 + 0.01 * shift, 0.01, n),  # a rate: tiny units
            "ecart_prix": rng.normal(0.0, 5.0 * spread, n),  # % from competitors' price
            "nb_achats": rng.poisson(5, n),
            "canal": rng.choice(_CHANNELS, n, p=list(canal)),
            "region": rng.choice(_REGIONS, n),
        }
    )


def scenario_derive_reelle() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Real drifts: age and click rate shifted by 0.5 sd, price gap 1.6x wider, channels moved."""
    rng = np.random.default_rng(301)
    reference = _clients(rng, 5000)
    production = _clients(rng, 1000, shift=0.5, spread=1.6, canal=(0.3, 0.3, 0.4))
    return reference, production


#: Columns that drift in :func:`scenario_derive_reelle`.
REAL_DRIFTS = ("age", "taux_clic", "ecart_prix", "canal")


def scenario_valeurs_manquantes() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Missing values on both sides; income drops by 15 % (about half a standard deviation)."""
    rng = np.random.default_rng(302)
    reference = _clients(rng, 3000)
    production = _clients(rng, 800)
    production["revenu"] = (production["revenu"] * 0.85).round(-1)
    reference.loc[rng.random(len(reference)) < 0.02, ["age", "revenu"]] = np.nan
    production.loc[rng.random(len(production)) < 0.10, "age"] = np.nan
    production.loc[rng.random(len(production)) < 0.10, "revenu"] = np.nan
    production["canal"] = production["canal"].where(rng.random(len(production)) > 0.05, None)
    return reference, production


def scenario_sans_drift(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """50 columns (40 numeric, 10 categorical) drawn from the same distributions."""
    rng = np.random.default_rng(seed)
    loc = np.linspace(-50, 50, 40)
    scale = np.geomspace(0.01, 1000, 40)

    def batch(n: int) -> pd.DataFrame:
        numbers = rng.normal(loc, scale, size=(n, 40))
        columns: dict[str, Any] = {f"x{j}": numbers[:, j] for j in range(40)}
        for j in range(10):
            values = [f"v{i}" for i in range(3 + j % 3)]
            columns[f"c{j}"] = rng.choice(values, n)
        return pd.DataFrame(columns)

    return batch(1000), batch(100)


@lru_cache(maxsize=1)
def _million_rows() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(303)
    n = 1_000_000
    reference = pd.DataFrame({"panier_moyen": rng.normal(60.0, 15.0, n)})
    production = pd.DataFrame({"panier_moyen": rng.normal(60.0 + 0.02 * 15.0, 15.0, n)})
    return reference, production


def scenario_million_de_lignes() -> tuple[pd.DataFrame, pd.DataFrame]:
    """A million rows on each side; the mean basket moves by 0.02 standard deviation."""
    reference, production = _million_rows()
    return reference.copy(), production.copy()


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


def exercice_3(detecter_drift: Callable[..., Any]) -> None:
    """The learner writes detecter_drift (KS + Chi-2 on counts + Holm + effect size).

    Scenarios, in order: real drifts (effects, correction, verdicts), missing values, 50
    columns without drift over several seeds, a negligible shift on a million rows, and the
    real drifts again with another ``effet_min`` (a threshold written in the code).
    """
    reference, production = scenario_derive_reelle()
    scenario = "scénario « dérives réelles »"
    table = _run_detector(detecter_drift, reference, production, scenario)
    _check_structure(table, reference, production, scenario)
    missed = [c for c in REAL_DRIFTS if not table.at[c, "drift"]]
    if "canal" in missed:
        raise fail(
            f"Exercice 3, {scenario} : le canal de vente a vraiment changé et votre fonction ne "
            "le voit pas. Le Chi-2 se calcule sur des effectifs alignés (chi2_contingency sur un "
            "tableau 2 × K), pas sur des proportions (chisquare sur des proportions ne se "
            "déclenche jamais)."
        )
    _check_rule(table, reference, 0.05, 0.1, scenario)
    expect(
        not missed,
        f"Exercice 3, {scenario} : des colonnes qui dérivent vraiment ne sont pas vues : "
        f"{missed}. Relisez le test et l'effet de ces colonnes.",
    )
    wrong = [c for c in reference.columns if c not in REAL_DRIFTS and table.at[c, "drift"]]
    expect(not wrong, f"Exercice 3, {scenario} : fausse alerte sur {wrong}.")

    reference, production = scenario_valeurs_manquantes()
    scenario = "scénario « valeurs manquantes »"
    table = _run_detector(detecter_drift, reference, production, scenario)
    _check_structure(table, reference, production, scenario)
    _check_rule(table, reference, 0.05, 0.1, scenario)
    expect(
        bool(table.at["revenu", "drift"]) and not table["drift"].drop("revenu").any(),
        f"Exercice 3, {scenario} : le revenu baisse de 15 % (seule vraie dérive) ; vos "
        f"verdicts : {table['drift'].to_dict()}. Les tests portent sur les valeurs présentes.",
    )

    for seed in NULL_SEEDS:
        reference, production = scenario_sans_drift(seed)
        scenario = f"scénario « 50 colonnes sans drift » (lot {seed})"
        table = _run_detector(detecter_drift, reference, production, scenario)
        if table["drift"].any():
            flagged = table.index[table["drift"]].tolist()
            raise fail(
                f"Exercice 3, {scenario} : aucune colonne ne dérive, et votre fonction signale "
                f"{flagged[:5]}. Sur 50 colonnes, « p < 0,05 » sans correction sonne presque à "
                "chaque lot : décidez avec la p-value corrigée (Holm) de tout le lot."
            )

    reference, production = scenario_million_de_lignes()
    scenario = "scénario « un million de lignes »"
    table = _run_detector(detecter_drift, reference, production, scenario)
    expect(
        not bool(table.at["panier_moyen", "drift"]),
        f"Exercice 3, {scenario} : le panier moyen bouge de 0,02 écart-type, ce qui ne compte "
        "pour personne ; sur un million de lignes, KS le trouve pourtant significatif. "
        "Significatif n'est pas important : exigez aussi un effet ≥ effet_min "
        "(Wasserstein / écart-type de la référence).",
    )

    reference, production = scenario_derive_reelle()
    scenario = "scénario « dérives réelles » avec effet_min=0.8"
    table = _run_detector(detecter_drift, reference, production, scenario, effet_min=0.8)
    _check_rule(
        table,
        reference,
        0.05,
        0.8,
        scenario,
        note=" Lisez le seuil dans le paramètre effet_min, pas une valeur écrite en dur.",
    )
    success(
        "Votre detecter_drift voit les vraies dérives (nombres, catégories, avec des manquants) "
        f"et reste muet sur {len(NULL_SEEDS)} lots de 50 colonnes sans drift et sur un décalage "
        "négligeable d'un million de lignes."
    )


# --------------------------------------------------------------------------- exercise 4


def flux_exercice_4() -> list[float]:
    """Mean confidence of each window of the stream of exercise 4 (50 predictions each)."""
    normal, glitch = 0.93, 0.6
    dip = [0.55, 0.58, 0.9, 0.52, 0.5, 0.56, 0.6]
    return [normal] * EXERCISE_4_GLITCH + [glitch] + [normal] * 6 + dip + [normal] * 8


def _run_stream(alert_after: int, resolve_after: int) -> list[dict[str, Any]]:
    from mlops_course.monitoring import LOW_CONFIDENCE, ModelMonitor

    monitor = ModelMonitor(
        window_size=EXERCISE_4_WINDOW,
        alert_after=alert_after,
        resolve_after=resolve_after,
        log_events=False,
    )
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for index, confidence in enumerate(flux_exercice_4()):
        monitor.record_many(
            {
                "prediction_id": f"w{index}-{i}",
                "timestamp": (start + timedelta(minutes=index, seconds=i)).isoformat(),
                "prediction": 0,
                "label": "setosa",
                "confidence": confidence,
            }
            for i in range(EXERCISE_4_WINDOW)
        )
    return [e for e in monitor.alerts() if e["type"] == LOW_CONFIDENCE]


def exercice_4(fenetres_pour_alerter: Any, fenetres_pour_resoudre: Any) -> None:
    """The learner tunes the alert so that the dip gives one alert, resolved at the end."""
    alert_after = require(fenetres_pour_alerter, "Exercice 4 (fenetres_pour_alerter)")
    resolve_after = require(fenetres_pour_resoudre, "Exercice 4 (fenetres_pour_resoudre)")
    for name, value in (
        ("fenetres_pour_alerter", alert_after),
        ("fenetres_pour_resoudre", resolve_after),
    ):
        expect(
            isinstance(value, int) and not isinstance(value, bool) and value >= 1,
            f"{name} doit être un entier >= 1, reçu {value!r}.",
        )
    events = _run_stream(alert_after, resolve_after)
    firing = [e for e in events if e["etat"] == "firing"]
    resolved = [e for e in events if e["etat"] == "resolved"]
    glitch = EXERCISE_4_GLITCH
    expect(
        not any(e["fenetre"] == glitch for e in firing),
        f"le pic isolé (fenêtre {glitch}) déclenche une alerte : une seule fenêtre basse ne "
        "doit pas suffire, augmentez fenetres_pour_alerter.",
    )
    expect(
        len(firing) >= 1,
        "le creux ne déclenche aucune alerte : avec autant de fenêtres exigées, la vraie baisse "
        "passe inaperçue. Diminuez fenetres_pour_alerter.",
    )
    expect(
        len(firing) == 1,
        f"le creux donne {len(firing)} alertes (fenêtres {[e['fenetre'] for e in firing]}) : "
        "l'alerte se résout sur la fenêtre normale au milieu du creux, puis repart. "
        "Augmentez fenetres_pour_resoudre.",
    )
    expect(
        len(resolved) == 1,
        "l'alerte ne se résout jamais : le flux finit par 8 fenêtres normales, "
        "fenetres_pour_resoudre doit être au plus 8.",
    )
    success(
        f"Une alerte (fenêtre {firing[0]['fenetre']}), résolue à la fenêtre "
        f"{resolved[0]['fenetre']} : le pic isolé est ignoré."
    )


# --------------------------------------------------------------------------- exercise 5


def _window(mean: float, size: int) -> list[float]:
    """``size`` confidences whose mean is ``mean``.

    A good window (mean 0.9) holds a burst of hard cases (a few predictions at 0.45 in a
    row): judging predictions one by one instead of windows raises false alerts.
    """
    if mean >= 0.7:
        burst = max(size // 10, 1)
        high = (mean * size - 0.45 * burst) / (size - burst)
        return [high] * (size // 2 - burst) + [0.45] * burst + [high] * (size - size // 2)
    return [mean - 0.1, mean + 0.1] * (size // 2) + [mean] * (size % 2)


def flux_confiances(means: Iterable[float], size: int, tail: int = 0) -> list[float]:
    """A stream of confidences, ``size`` predictions per window of the given ``means``;
    ``tail`` more predictions (very low) form an incomplete last window."""
    stream = [c for mean in means for c in _window(mean, size)]
    return stream + [0.2] * tail


def evenements_attendus(
    confiances: list[float],
    taille_fenetre: int,
    seuil: float,
    alerter_apres: int,
    resoudre_apres: int,
) -> list[tuple[int, str]]:
    """The reference monitor (same rule as ``mlops_course.monitoring.AlertRule``)."""
    from mlops_course.monitoring import AlertRule

    rule = AlertRule("confiance", alert_after=alerter_apres, resolve_after=resoudre_apres)
    events = []
    for index in range(len(confiances) // taille_fenetre):
        window = confiances[index * taille_fenetre : (index + 1) * taille_fenetre]
        event = rule.update(bool(np.mean(window) < seuil))
        if event is not None:
            events.append((index, DECLENCHEE if event == "firing" else RESOLUE))
    return events


def _plain(text: Any) -> str:
    decomposed = unicodedata.normalize("NFKD", str(text).strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _as_events(result: Any, what: str) -> list[tuple[int, str]]:
    expect(
        isinstance(result, list | tuple),
        f"{what} : on attend une liste d'événements (fenêtre, état), reçu {type(result).__name__}.",
    )
    events = []
    for item in result:
        ok = (
            isinstance(item, list | tuple)
            and len(item) == 2
            and isinstance(item[0], int | np.integer)
            and _plain(item[1]) in {_plain(DECLENCHEE), _plain(RESOLUE)}
        )
        expect(
            ok,
            f"{what} : chaque événement est un tuple (numéro de fenêtre, DECLENCHEE ou "
            f"RESOLUE), reçu {item!r}.",
        )
        state = DECLENCHEE if _plain(item[1]) == _plain(DECLENCHEE) else RESOLUE
        events.append((int(item[0]), state))
    return events


#: Exercise 5's streams: name, window means, incomplete tail, settings, hint on a mismatch.
_STREAMS: tuple[tuple[str, list[float], int, dict[str, Any], str], ...] = (
    (
        "flux calme",
        [0.9] * 12,
        0,
        {},
        "aucune fenêtre n'a une confiance moyenne sous le seuil, et pourtant votre moniteur "
        "émet des événements. Jugez chaque fenêtre de taille_fenetre prédictions par sa "
        "moyenne, pas chaque prédiction une à une (une rafale de cas difficiles ne fait pas "
        "une mauvaise fenêtre).",
    ),
    (
        "pic isolé",
        [0.9] * 6 + [0.5] + [0.9] * 6,
        0,
        {},
        "une seule fenêtre basse (un pic) suffit à déclencher une alerte. N'alertez qu'après "
        "alerter_apres fenêtres mauvaises de suite.",
    ),
    (
        "mauvaises fenêtres non consécutives",
        [0.9] * 3 + [0.5, 0.5, 0.9, 0.5, 0.5, 0.9, 0.5, 0.5] + [0.9] * 3,
        0,
        {},
        "des paires de fenêtres basses séparées par une bonne déclenchent une alerte : une "
        "fenêtre bonne remet le compteur de mauvaises fenêtres à zéro (de suite = consécutives).",
    ),
    (
        "creux puis rétablissement",
        [0.9] * 5 + [0.5] * 6 + [0.9] * 6,
        0,
        {},
        "un creux de plusieurs fenêtres doit donner exactement un événement DECLENCHEE (à la "
        "fenêtre qui complète la série de mauvaises), puis un RESOLUE après resoudre_apres "
        "bonnes fenêtres de suite — ni un événement par mauvaise fenêtre, ni une résolution "
        "dès la première bonne.",
    ),
    (
        "creux avec une bonne fenêtre au milieu",
        [0.9] * 4 + [0.5] * 4 + [0.9] + [0.5] * 3 + [0.9] * 5,
        0,
        {},
        "pendant l'alerte, une seule bonne fenêtre ne doit ni la résoudre ni la relancer "
        "ensuite : le compteur de bonnes fenêtres repart de zéro à chaque mauvaise.",
    ),
    (
        "fenêtre incomplète à la fin",
        [0.9] * 4 + [0.5] * 2,
        23,
        {},
        "les dernières prédictions ne remplissent pas une fenêtre : elle n'est pas encore "
        "fermée, ne la jugez pas (seulement len(confiances) // taille_fenetre fenêtres).",
    ),
    (
        "autres réglages",
        [0.9] * 3 + [0.75] * 3 + [0.9] * 2 + [0.75] + [0.9] * 5,
        0,
        {"taille_fenetre": 20, "seuil": 0.8, "alerter_apres": 2, "resoudre_apres": 4},
        "avec taille_fenetre=20, seuil=0.8, alerter_apres=2 et resoudre_apres=4, les "
        "événements ne suivent pas ces réglages : utilisez les paramètres de la fonction, pas "
        "des valeurs écrites en dur.",
    ),
)
_DEFAULTS = {"taille_fenetre": 50, "seuil": 0.7, "alerter_apres": 3, "resoudre_apres": 3}


def exercice_5(surveiller: Callable[..., Any]) -> None:
    """The learner writes a windowed monitor with hysteresis (one event per transition)."""
    for name, means, tail, settings, hint in _STREAMS:
        options = {**_DEFAULTS, **settings}
        stream = flux_confiances(means, options["taille_fenetre"], tail)
        expected = evenements_attendus(stream, **options)
        what = f"Exercice 5, {name}"
        kwargs = settings or {}
        got = _as_events(call(surveiller, list(stream), what=what, **kwargs), what)
        if got != expected:
            raise fail(f"{what} : {hint} Vos événements : {got}.")
    success(
        "Votre moniteur ignore les pics, n'alerte qu'une fois par creux, attend plusieurs "
        "bonnes fenêtres pour résoudre et suit ses réglages."
    )
