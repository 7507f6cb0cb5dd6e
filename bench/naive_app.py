"""The chapter's §4.3 API, as printed, for comparison in ``bench/bench_api.py``. Do not serve it.

Kept faithful on purpose: scikit-learn, the model loaded at import (no model, no app),
``predict`` and ``predict_proba`` as two calls on a NumPy array, a per-row Python loop for
the batch. Two changes only: the model path comes from ``NAIVE_MODEL_PATH`` (the bench
points it at a temporary model) and ``model_config`` replaces the deprecated ``class Config``
(same behaviour, no warning).

    NAIVE_MODEL_PATH=model/pipeline_v1.joblib uvicorn naive_app:app --app-dir bench
"""

import logging
import os
from datetime import datetime

import joblib
import numpy as np
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, ConfigDict, Field

# Configuration du logging
logging.basicConfig(level=logging.INFO)
logger = logging.getLogger(__name__)

# Charger le modèle au démarrage de l'API
MODEL_PATH = os.environ.get("NAIVE_MODEL_PATH", "model/pipeline_v1.joblib")
try:
    model = joblib.load(MODEL_PATH)
    logger.info(f"Modèle chargé depuis {MODEL_PATH}")
except FileNotFoundError:
    logger.error(f"Modèle introuvable : {MODEL_PATH}")
    raise

# Initialiser l'application FastAPI
app = FastAPI(
    title="API de Prédiction ML",
    description="API pour servir un modèle de classification Iris",
    version="1.0.0",
)

# === Schémas Pydantic pour la validation ===


class PredictionInput(BaseModel):
    """Schéma d'entrée pour une prédiction."""

    sepal_length: float = Field(..., ge=0, le=10, description="Longueur du sépale (cm)")
    sepal_width: float = Field(..., ge=0, le=10, description="Largeur du sépale (cm)")
    petal_length: float = Field(..., ge=0, le=10, description="Longueur du pétale (cm)")
    petal_width: float = Field(..., ge=0, le=10, description="Largeur du pétale (cm)")

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "sepal_length": 5.1,
                "sepal_width": 3.5,
                "petal_length": 1.4,
                "petal_width": 0.2,
            }
        }
    )


class PredictionOutput(BaseModel):
    """Schéma de sortie pour une prédiction."""

    prediction: int
    label: str
    probabilites: list[float]
    timestamp: str


class BatchInput(BaseModel):
    """Schéma d'entrée pour des prédictions en lot."""

    instances: list[PredictionInput]


class HealthResponse(BaseModel):
    """Schéma de réponse pour le health check."""

    status: str
    model_loaded: bool
    timestamp: str


# === Mapping des classes ===
CLASSES = {0: "setosa", 1: "versicolor", 2: "virginica"}

# === Endpoints ===


@app.get("/health", response_model=HealthResponse)
def health_check():
    """Vérifier que l'API et le modèle fonctionnent."""
    return HealthResponse(
        status="healthy", model_loaded=model is not None, timestamp=datetime.now().isoformat()
    )


@app.post("/predict", response_model=PredictionOutput)
def predict(input_data: PredictionInput):
    """Prédire la classe d'une fleur Iris."""
    try:
        # Convertir l'entrée en array numpy
        features = np.array(
            [
                [
                    input_data.sepal_length,
                    input_data.sepal_width,
                    input_data.petal_length,
                    input_data.petal_width,
                ]
            ]
        )

        # Prédiction et probabilités
        prediction = int(model.predict(features)[0])
        probabilites = model.predict_proba(features)[0].tolist()

        # Logger la prédiction (utile pour le monitoring)
        logger.info(
            f"Prédiction: {CLASSES[prediction]} "
            f"(proba: {max(probabilites):.2%}) "
            f"| Input: {input_data.model_dump()}"
        )

        return PredictionOutput(
            prediction=prediction,
            label=CLASSES[prediction],
            probabilites=[round(p, 4) for p in probabilites],
            timestamp=datetime.now().isoformat(),
        )

    except Exception as e:
        logger.error(f"Erreur de prédiction : {e}")
        raise HTTPException(status_code=500, detail=f"Erreur de prédiction : {e!s}") from e


@app.post("/predict/batch", response_model=list[PredictionOutput])
def predict_batch(batch: BatchInput):
    """Prédire en lot pour plusieurs instances."""
    if len(batch.instances) > 1000:
        raise HTTPException(status_code=400, detail="Maximum 1000 instances par requête batch")

    resultats = []
    for instance in batch.instances:
        resultat = predict(instance)
        resultats.append(resultat)
    return resultats
