"""Le script d'entraînement : entraîner, évaluer, tracer dans MLflow, sauvegarder.

À écrire (notebooks 02_experiment_tracking_mlflow et 03_sauvegarde_versioning_onnx du
cours). Lancez-le avec ``uv run python -m src.train`` : il écrit ``model/model.joblib``
et ``model/metrics.json``, que sert l'API, et enregistre une version dans MLflow.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from sklearn.pipeline import Pipeline

from src import data

#: Le nom du modèle dans le registry MLflow, et l'expérience de ses runs.
MODEL_NAME = "vin-classifier"
EXPERIMENT = "projet-vins"
#: Les réglages du modèle (choisissez-les, puis justifiez-les dans le README).
PARAMS: dict[str, Any] = {"n_estimators": 100, "max_depth": 5}
MODEL_FILE = "model.joblib"
METRICS_FILE = "metrics.json"


def build_pipeline(params: dict[str, Any], random_state: int = data.RANDOM_STATE) -> Pipeline:
    """Le pipeline complet, préparation des données comprise : ce qui est servi en production."""
    # TODO : un Pipeline scikit-learn avec au moins deux étapes, la préparation (par
    #        exemple StandardScaler) puis un classifieur réglé par `params` et `random_state`.
    raise NotImplementedError("TODO : écrivez build_pipeline (src/train.py)")


def evaluate(model: Pipeline, X: Any, y: Any) -> dict[str, float]:
    """Les métriques du modèle sur ``(X, y)`` : ``accuracy`` et ``f1_weighted`` au moins."""
    # TODO : accuracy et F1 pondéré (sklearn.metrics), en float.
    raise NotImplementedError("TODO : écrivez evaluate (src/train.py)")


def train(params: dict[str, Any] | None = None) -> tuple[Pipeline, dict[str, float]]:
    """Entraîner sur le découpage du projet ; renvoie le modèle et ses métriques de test."""
    split = data.split()
    model = build_pipeline(params or PARAMS).fit(split.X_train, split.y_train)
    return model, evaluate(model, split.X_test, split.y_test)


def save(model: Pipeline, metrics: dict[str, float], folder: Path) -> Path:
    """Sauvegarder le modèle et renvoyer le chemin du fichier ``.joblib``.

    ``folder/model.joblib`` (joblib) et ``folder/metrics.json`` : les métriques, et le
    ``sha256`` du fichier du modèle, que l'API vérifie avant de le charger.
    """
    # TODO : joblib.dump, puis metrics.json avec les métriques et la clé "sha256"
    #        (hashlib.sha256 des octets du fichier .joblib).
    raise NotImplementedError("TODO : écrivez save (src/train.py)")


def log_to_mlflow(model: Pipeline, metrics: dict[str, float], params: dict[str, Any]) -> str:
    """Tracer l'entraînement dans un run MLflow et enregistrer le modèle ; renvoie la version.

    L'URI du store vient de ``MLFLOW_TRACKING_URI`` (voir ``.env.example``).
    """
    # TODO : un run de l'expérience EXPERIMENT avec les paramètres (graine et taille du
    #        test comprises), les métriques et le modèle (mlflow.sklearn.log_model, name=,
    #        signature, pip_requirements explicites) ; puis une nouvelle version de
    #        MODEL_NAME dans le registry. Renvoyez son numéro.
    raise NotImplementedError("TODO : écrivez log_to_mlflow (src/train.py)")


def main(argv: list[str] | None = None) -> int:
    """``python -m src.train [--out model]`` : entraîner, tracer, sauvegarder."""
    parser = argparse.ArgumentParser(description="Entraîne le classifieur de vins.")
    parser.add_argument("--out", type=Path, default=Path(os.environ.get("MODEL_DIR", "model")))
    args = parser.parse_args(argv)
    model, metrics = train()
    version = log_to_mlflow(model, metrics, PARAMS)
    path = save(model, metrics, args.out)
    print(f"F1 pondéré (test) : {metrics['f1_weighted']:.3f} ; {MODEL_NAME} v{version} ; {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
