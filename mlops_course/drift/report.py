"""A drift verdict, data first: one :class:`ColumnDrift` per column, a :class:`DriftReport`.

Taught in notebook 07_monitoring_drift (§7.2): ``as_dict()``-style data (``to_dict``,
``to_frame``) with a picture on top (``plot``), as Evidently's reports. Statuses are stable
codes (``drift``, ``missing_drift``...); ``status_label`` carries their French label.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

#: Statuses that count as drift (the others: ``insufficient_data``, ``error``, ``ok``).
DRIFT_STATUSES: frozenset[str] = frozenset(
    {"missing_column", "drift", "new_category", "missing_drift"}
)
#: French label of each status code, for people (frames, summaries, the picture's legend).
STATUS_LABELS: dict[str, str] = {
    "ok": "pas de drift",
    "drift": "drift",
    "missing_column": "colonne absente",
    "new_category": "catégorie nouvelle",
    "missing_drift": "manquants en hausse",
    "insufficient_data": "données insuffisantes",
    "error": "erreur d'analyse",
}
#: The colour of each status in the report's picture.
STATUS_COLORS: dict[str, str] = {
    "drift": "tab:red",
    "missing_column": "tab:red",
    "new_category": "tab:purple",
    "missing_drift": "tab:orange",
    "insufficient_data": "tab:gray",
    "error": "black",
    "ok": "tab:green",
}


@dataclass(frozen=True)
class ColumnDrift:
    """The verdict for one column.

    ``drift`` is True when ``status`` is one of :data:`DRIFT_STATUSES`. ``p_value`` is the
    raw p-value of ``test``; ``p_adjusted`` the one after the multiple-testing correction.
    ``effect`` is the Wasserstein distance over the reference standard deviation (numeric)
    or the Jensen–Shannon distance (categorical), compared with ``threshold``.
    """

    column: str
    kind: str
    status: str
    drift: bool
    test: str
    statistic: float | None = None
    p_value: float | None = None
    p_adjusted: float | None = None
    effect: float | None = None
    effect_name: str | None = None
    threshold: float | None = None
    psi: float | None = None
    n_reference: int = 0
    n_current: int = 0
    missing_reference: float | None = None
    missing_current: float | None = None
    missing_p_value: float | None = None
    missing_p_adjusted: float | None = None
    reference_mean: float | None = None
    current_mean: float | None = None
    new_categories: tuple[str, ...] = ()
    new_category_share: float | None = None
    critical: bool = False
    message: str = ""

    @property
    def status_label(self) -> str:
        """The status in French (``"manquants en hausse"`` for ``missing_drift``)."""
        return STATUS_LABELS.get(self.status, self.status)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (NaN becomes None), with ``status_label`` after ``status``."""
        out = asdict(self)
        out["new_categories"] = list(self.new_categories)
        ordered: dict[str, Any] = {}
        for key, value in out.items():
            ordered[key] = json_safe(value)
            if key == "status":
                ordered["status_label"] = self.status_label
        return ordered


@dataclass(frozen=True)
class DriftReport:
    """The verdict for a batch: one :class:`ColumnDrift` per column, plus a summary.

    ``drift_detected`` is True when at least one column drifts; ``action_required`` follows
    the chapter's rule (more than ``drift_share`` of the tested columns drift) and also
    fires when a critical column drifts.
    """

    columns: dict[str, ColumnDrift]
    n_rows: int
    n_reference: int
    alpha: float
    correction: str
    drift_share: float
    extra_columns: tuple[str, ...] = ()
    critical_columns: tuple[str, ...] = ()

    @property
    def drifted_columns(self) -> list[str]:
        """Names of the columns that drift, in column order."""
        return [name for name, result in self.columns.items() if result.drift]

    @property
    def drift_detected(self) -> bool:
        """True when at least one column drifts."""
        return bool(self.drifted_columns)

    @property
    def n_tested(self) -> int:
        """Columns that got a verdict (not ``insufficient_data`` nor ``error``)."""
        return sum(r.status not in {"insufficient_data", "error"} for r in self.columns.values())

    @property
    def share_drifted(self) -> float:
        """Share of the tested columns that drift (0 when none could be tested)."""
        return len(self.drifted_columns) / self.n_tested if self.n_tested else 0.0

    @property
    def critical_drifted(self) -> list[str]:
        """Critical columns that drift."""
        return [name for name in self.critical_columns if name in self.drifted_columns]

    @property
    def action_required(self) -> bool:
        """The chapter's rule (share of drifted columns > ``drift_share``) or a critical drift."""
        return self.share_drifted > self.drift_share or bool(self.critical_drifted)

    @property
    def status(self) -> str:
        """``"drift"``, ``"ok"``, or ``"insufficient_data"`` when no column could be judged."""
        if self.drift_detected:
            return "drift"
        if self.n_tested == 0:
            return "insufficient_data"
        return "ok"

    @property
    def errors(self) -> dict[str, str]:
        """Columns whose analysis failed, with the error message."""
        return {n: r.message for n, r in self.columns.items() if r.status == "error"}

    @property
    def status_label(self) -> str:
        """The batch's status in French."""
        return STATUS_LABELS.get(self.status, self.status)

    def summary(self) -> dict[str, Any]:
        """The dataset-level figures (the chapter's ``resume``)."""
        return {
            "status": self.status,
            "status_label": self.status_label,
            "drift_detected": self.drift_detected,
            "action_required": self.action_required,
            "n_rows": self.n_rows,
            "n_reference": self.n_reference,
            "n_columns": len(self.columns),
            "n_tested": self.n_tested,
            "n_drifted": len(self.drifted_columns),
            "share_drifted": round(self.share_drifted, 4),
            "drifted_columns": self.drifted_columns,
            "critical_drifted": self.critical_drifted,
            "extra_columns": list(self.extra_columns),
            "alpha": self.alpha,
            "correction": self.correction,
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: ``{"summary": ..., "columns": {name: ...}}``."""
        return {
            "summary": self.summary(),
            "columns": {name: result.to_dict() for name, result in self.columns.items()},
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per column, indexed by column name (``status_label``: the status in French)."""
        rows = [result.to_dict() for result in self.columns.values()]
        names = list(ColumnDrift.__dataclass_fields__)
        names.insert(names.index("status") + 1, "status_label")
        return pd.DataFrame(rows, columns=names).set_index("column")

    def plot(self, ax: Axes | None = None) -> Axes:
        """Bar chart of each column's effect relative to its threshold, coloured by status."""
        import matplotlib.pyplot as plt
        from matplotlib.patches import Patch

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 0.35 * max(len(self.columns), 3) + 1))
        names = list(self.columns)
        ratios = []
        for result in self.columns.values():
            if result.effect is None or not result.threshold:
                ratios.append(0.0)
            else:
                ratios.append(min(result.effect / result.threshold, 10.0))
        colors = [STATUS_COLORS[result.status] for result in self.columns.values()]
        ax.barh(names, ratios, color=colors)
        ax.axvline(1.0, color="black", linestyle="--", linewidth=1)
        ax.invert_yaxis()
        ax.set_xlabel(
            "taille d'effet / seuil (sans unité ; au-delà de 1 : assez grand pour compter)"
        )
        ax.set_ylabel("colonne")
        ax.set_title(f"Drift : {len(self.drifted_columns)} colonne(s) sur {len(names)}")
        shown = dict.fromkeys(result.status for result in self.columns.values())
        ax.legend(
            handles=[Patch(color=STATUS_COLORS[s], label=STATUS_LABELS[s]) for s in shown],
            loc="lower right",
            fontsize="small",
        )
        return ax


def json_safe(value: Any) -> Any:
    """``value`` as plain JSON data: NaN and infinities become None, numpy scalars Python ones."""
    if isinstance(value, float | np.floating):
        return None if not math.isfinite(float(value)) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, tuple):
        return list(value)
    return value
