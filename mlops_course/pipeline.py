"""The former name of :mod:`mlops_course.capstone` (notebook 09 imports ``pipeline``).

Taught in notebook 09_capstone_pipeline. Everything lives in :mod:`mlops_course.capstone`;
this module only re-exports it so that ``from mlops_course import pipeline`` keeps working.
"""

from __future__ import annotations

from mlops_course.capstone import (
    DRIFT_ALERT,
    DRIFT_SHIFT,
    GRID_EXPERIMENT,
    RETRAIN_EXPERIMENT,
    CapstoneError,
    CapstoneResult,
    Step,
    cli,
    production_stream,
    run,
)

__all__ = [
    "DRIFT_ALERT",
    "DRIFT_SHIFT",
    "GRID_EXPERIMENT",
    "RETRAIN_EXPERIMENT",
    "CapstoneError",
    "CapstoneResult",
    "Step",
    "cli",
    "production_stream",
    "run",
]
