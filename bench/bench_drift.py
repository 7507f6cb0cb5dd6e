"""Benchmark: the chapter's DataDriftDetector vs mlops_course.drift.DriftDetector, side by side.

Run: ``uv run python bench/bench_drift.py [--rows 1000000] [--jobs 2]``. Not a test: it
prints times, peak memory and verdicts measured in one process, on the same data.

Data: ``--rows`` rows x 50 columns (40 numeric, 10 categorical) for the reference and as
many for the production batch, in which a few drifts are planted:

- ``x0`` shifted by 0.2 standard deviation, ``x1`` 1.5 times wider (real drifts);
- ``x2`` shifted by 0.01 standard deviation (significant at this size, matters to nobody);
- ``x3`` with 20 % missing values (the values themselves do not move);
- ``c0`` with its category shares moved by about 5 points, ``c1`` with 3 % of a new category.

"fit" is what each detector does once with the reference (the chapter's stores it; ours
builds its sketch), "compare" what it does for each production batch. Peak memory is the
largest extra memory allocated during the step (tracemalloc, numpy buffers included).
Evidently 0.7.23, for the record, does not import with pandas 3; with pandas 2.3 its default
``DataDriftPreset`` took 196 s and a 3.7 GB peak on 1e6 rows x 50 columns, against 1.02 s
for ours, measured side by side (FIELD-NOTES, November 2026).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from naive_drift import DataDriftDetector

from mlops_course.drift import DriftDetector

#: Planted drifts: column -> (what, should a detector call it drift?)
PLANTED: dict[str, tuple[str, bool]] = {
    "x0": ("décalage de 0,2 écart-type", True),
    "x1": ("écart-type x 1,5", True),
    "x2": ("décalage de 0,01 écart-type", False),
    "x3": ("20 % de valeurs manquantes", True),
    "c0": ("parts des catégories ±5 points", True),
    "c1": ("3 % d'une catégorie nouvelle", True),
}


def make_data(
    rows: int, n_numeric: int = 40, n_categorical: int = 10, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Reference and production frames; production carries the :data:`PLANTED` drifts."""
    rng = np.random.default_rng(seed)

    def frame(production: bool) -> pd.DataFrame:
        numbers = rng.normal(size=(rows, n_numeric))
        if production:
            numbers[:, 0] += 0.2
            numbers[:, 1] *= 1.5
            numbers[:, 2] += 0.01
            numbers[rng.random(rows) < 0.2, 3] = np.nan
        columns: dict[str, Any] = {f"x{j}": numbers[:, j] for j in range(n_numeric)}
        for j in range(n_categorical):
            k = 3 + j
            shares = np.arange(1, k + 1, dtype=float)
            shares /= shares.sum()
            names = [f"v{i}" for i in range(k)]
            if production and j == 0:
                shares = shares + np.linspace(0.05, -0.05, k)
            if production and j == 1:
                shares = np.append(shares * 0.97, 0.03)
                names.append("nouveau")
            codes = np.searchsorted(np.cumsum(shares), rng.random(rows) * shares.sum())
            columns[f"c{j}"] = pd.Categorical.from_codes(codes.astype(np.int16), names)
        return pd.DataFrame(columns)

    return frame(False), frame(True)


def measure(step: Callable[[], Any]) -> tuple[Any, float, float]:
    """Run ``step``; return its result, seconds and peak extra memory (MB)."""
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    start = time.perf_counter()
    result = step()
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return result, seconds, peak / 1e6


def naive_verdicts(report: dict[str, Any]) -> dict[str, bool]:
    merged = {**report["drift_numerique"], **report["drift_categoriel"]}
    return {name: bool(result["drift"]) for name, result in merged.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows per frame")
    parser.add_argument("--jobs", type=int, default=2, help="threads for our detector")
    args = parser.parse_args(argv)

    print(f"données : 2 x {args.rows:,} lignes x 50 colonnes (40 numériques, 10 catégorielles)")
    start = time.perf_counter()
    reference, production = make_data(args.rows)
    print(f"  générées en {time.perf_counter() - start:.1f} s\n")

    rows: list[tuple[str, float, float, float, float]] = []
    naive, naive_fit_s, naive_fit_mb = measure(lambda: DataDriftDetector(reference))
    naive_report, naive_s, naive_mb = measure(lambda: naive.rapport_complet(production))
    rows.append(("chapitre (DataDriftDetector)", naive_fit_s, naive_fit_mb, naive_s, naive_mb))
    reports = {}
    for jobs in sorted({1, args.jobs}):
        ours, fit_s, fit_mb = measure(lambda jobs=jobs: DriftDetector(n_jobs=jobs).fit(reference))
        report, compare_s, compare_mb = measure(lambda ours=ours: ours.compare(production))
        reports[jobs] = (report, compare_s)
        rows.append((f"DriftDetector, {jobs} thread(s)", fit_s, fit_mb, compare_s, compare_mb))

    print(f"{'':32} {'fit':>8} {'pic fit':>9} {'compare':>9} {'pic compare':>12}")
    for name, fit_s, fit_mb, compare_s, compare_mb in rows:
        print(f"{name:32} {fit_s:7.2f}s {fit_mb:7.0f}MB {compare_s:8.2f}s {compare_mb:10.0f}MB")
    best_jobs = min(reports, key=lambda j: reports[j][1])
    report, best_s = reports[best_jobs]
    print(
        f"\ncompare : {naive_s / reports[1][1]:.1f}x plus rapide sur 1 thread, "
        f"{naive_s / best_s:.1f}x sur {best_jobs} ; fit + compare : "
        f"{(naive_fit_s + naive_s) / (rows[-1][1] + best_s):.1f}x"
    )

    naive_drift = naive_verdicts(naive_report)
    print(f"\n{'colonne':8} {'drift planté':32} {'attendu':>8} {'chapitre':>9} {'nous':>6}")
    for name, (what, expected) in PLANTED.items():
        ours_status = report.columns[name].status
        print(
            f"{name:8} {what:32} {'drift' if expected else 'non':>8} "
            f"{'drift' if naive_drift[name] else 'non':>9} {ours_status:>6}"
        )
    null = [c for c in report.columns if c not in PLANTED]
    false_naive = sum(naive_drift[c] for c in null)
    false_ours = sum(report.columns[c].drift for c in null)
    print(
        f"fausses alertes sur les {len(null)} colonnes sans drift : "
        f"chapitre {false_naive}, nous {false_ours}"
    )
    correct_naive = sum(naive_drift[c] == PLANTED[c][1] for c in PLANTED)
    correct_ours = sum(report.columns[c].drift == PLANTED[c][1] for c in PLANTED)
    print(f"verdicts justes (drifts plantés) : chapitre {correct_naive}/6, nous {correct_ours}/6")
    print(
        f"action requise (règle des 30 %) : chapitre {naive_report['resume']['action_requise']}, "
        f"nous {report.action_required} (part en drift {report.share_drifted:.0%})"
    )
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nmémoire max du processus (données comprises) : {peak_rss:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
