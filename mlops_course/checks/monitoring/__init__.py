"""Checks for notebook 07_monitoring_drift (drift detection and monitoring), and their data.

Five exercises, from guided to writing the artefact:

1. name the column that really drifts (with ``DriftDetector``);
2. write the Chi-2 test of homogeneity on counts;
3. write ``detecter_drift``: KS + Chi-2 on counts + Holm + effect size, checked on scenarios
   the learner does not see (50 columns without drift over several seeds, real shifts, a
   negligible shift on a million rows, missing values, a categorical shift);
4. tune ``ModelMonitor``'s hysteresis so that a dip gives one alert;
5. write a windowed monitor with hysteresis, checked on streams with a spike, a dip, a
   flicker and a recovery.

Where each part lives: :mod:`.drifting_column` (1), :mod:`.chi2_counts` (2),
:mod:`.drift_scenarios`, :mod:`.drift_verdicts` and :mod:`.drift_detector` (3),
:mod:`.alert_tuning` (4), :mod:`.windowed_monitor` (5).
"""

from __future__ import annotations

from mlops_course.checks.monitoring.alert_tuning import (
    EXERCISE_4_GLITCH,
    EXERCISE_4_WINDOW,
    exercice_4,
    flux_exercice_4,
)
from mlops_course.checks.monitoring.chi2_counts import exercice_2
from mlops_course.checks.monitoring.drift_detector import exercice_3
from mlops_course.checks.monitoring.drift_scenarios import (
    NULL_SEEDS,
    REAL_DRIFTS,
    scenario_derive_reelle,
    scenario_million_de_lignes,
    scenario_sans_drift,
    scenario_valeurs_manquantes,
)
from mlops_course.checks.monitoring.drift_verdicts import RESULT_FIELDS, SEUIL_JS
from mlops_course.checks.monitoring.drift_verdicts import _as_table as _as_table  # for tests
from mlops_course.checks.monitoring.drifting_column import (
    EXERCISE_1_DRIFT,
    EXERCISE_1_TRAP,
    donnees_exercice_1,
    exercice_1,
)
from mlops_course.checks.monitoring.windowed_monitor import (
    DECLENCHEE,
    RESOLUE,
    evenements_attendus,
    exercice_5,
    flux_confiances,
)

__all__ = [
    "DECLENCHEE",
    "EXERCISE_1_DRIFT",
    "EXERCISE_1_TRAP",
    "EXERCISE_4_GLITCH",
    "EXERCISE_4_WINDOW",
    "NULL_SEEDS",
    "REAL_DRIFTS",
    "RESOLUE",
    "RESULT_FIELDS",
    "SEUIL_JS",
    "donnees_exercice_1",
    "evenements_attendus",
    "exercice_1",
    "exercice_2",
    "exercice_3",
    "exercice_4",
    "exercice_5",
    "flux_confiances",
    "flux_exercice_4",
    "scenario_derive_reelle",
    "scenario_million_de_lignes",
    "scenario_sans_drift",
    "scenario_valeurs_manquantes",
]
