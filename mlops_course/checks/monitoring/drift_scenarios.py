"""Checks of notebook 07_monitoring_drift, exercise 3: the data ``detecter_drift`` is run on
(real shifts, missing values, 50 columns without drift, a million rows).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

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
