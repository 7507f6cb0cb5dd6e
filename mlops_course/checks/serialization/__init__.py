"""Checks for notebook 03_sauvegarde_versioning_onnx (saving, verifying, exporting models).

1. ``sauvegarder(pipeline, chemin)``: ``joblib.dump`` of the whole pipeline, and its sha256;
2. ``est_intact(chemin)``: compare a file's sha256 with its manifest, without loading it;
3. ``mediane_par_appel(fonction, X, repetitions)`` and the one-row speed-up;
4. ``exporter_onnx(pipeline, X_exemple, chemin)``: the ONNX conversion, written by hand;
5. ``verifier_parite(pipeline, chemin, X)``: the parity check against scikit-learn.

Checks 1, 4 and 5 build their own pipeline (the chapter's: StandardScaler + 100-tree
RandomForest on the chapter's split) and their own ONNX files, so a ✅ does not depend on
what the learner's notebook holds. Iris is measured to the millimetre: many split
thresholds fall exactly on data values, which is what makes a float32 export (or a float64
one whose forest does not compare in float32) drift by several points of probability.

Where each part lives: :mod:`.fixtures` (the pipeline, the Iris rows, the ONNX session),
then one module per exercise: :mod:`.saving`, :mod:`.integrity`, :mod:`.timing`,
:mod:`.export` and :mod:`.parity`.
"""

from __future__ import annotations

from mlops_course.checks.serialization.export import exercice_4
from mlops_course.checks.serialization.fixtures import MAX_GAP
from mlops_course.checks.serialization.integrity import exercice_2
from mlops_course.checks.serialization.parity import exercice_5
from mlops_course.checks.serialization.saving import exercice_1
from mlops_course.checks.serialization.timing import exercice_3

__all__ = ["MAX_GAP", "exercice_1", "exercice_2", "exercice_3", "exercice_4", "exercice_5"]
