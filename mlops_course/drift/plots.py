"""The picture on top of the data: one column's reference against a production batch.

Taught in notebook 07_monitoring_drift (§7.2). The reference is drawn from its profile
(quantiles or counts), since the detector does not keep the reference data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from mlops_course.drift.profile import CategoricalProfile, Profile, category_counts, numeric_values

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes


def plot_column(
    profile: Profile, current: pd.Series, ax: Axes | None = None, *, unit: str | None = None
) -> Axes:
    """Plot the reference distribution of a column (from its profile) against ``current``.

    ``unit`` (``"cm"``, ``"€"``...) labels the x axis of a numeric column and its density
    (in 1/``unit``); without it the axes name the column's own unit.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    if isinstance(profile, CategoricalProfile):
        counts, _ = category_counts(current)
        categories = list(profile.counts) + sorted(c for c in counts if c not in profile.counts)
        ref = np.array([profile.counts.get(c, 0) for c in categories], dtype=float)
        cur = np.array([counts.get(c, 0) for c in categories], dtype=float)
        positions = np.arange(len(categories))
        ax.bar(positions - 0.2, ref / max(ref.sum(), 1), width=0.4, label="référence")
        ax.bar(positions + 0.2, cur / max(cur.sum(), 1), width=0.4, label="production")
        ax.set_xticks(positions, categories)
        ax.set_xlabel(f"{current.name} (catégorie)")
        ax.set_ylabel("part des lignes (de 0 à 1)")
    else:
        raw = numeric_values(current)
        x = raw[np.isfinite(raw)]
        low = min(profile.quantile(np.array([0.005]))[0], x.min(initial=np.inf))
        high = max(profile.quantile(np.array([0.995]))[0], x.max(initial=-np.inf))
        edges = np.linspace(low, high, 41)
        widths = np.diff(edges)
        ref_density = np.diff(profile.cdf_at(edges)) / widths
        ax.stairs(ref_density, edges, fill=True, alpha=0.4, label="référence")
        if x.size:
            ax.hist(x, bins=edges, density=True, histtype="step", linewidth=2, label="production")
        where = f"{current.name} ({unit})" if unit else f"{current.name} (unité de la colonne)"
        ax.set_xlabel(where)
        ax.set_ylabel(f"densité (1/{unit})" if unit else "densité (1/unité de la colonne)")
    ax.set_title(str(current.name))
    ax.legend()
    return ax
