"""L'API de prédiction des vins : le modèle chargé au démarrage, /health, /ready, /predict.

À écrire (notebook 04_serving_fastapi du cours). Lancez-la avec
``uv run uvicorn app.main:app`` ; le modèle est lu dans ``MODEL_PATH``
(``model/model.joblib`` par défaut, écrit par ``uv run python -m src.train``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

logger = logging.getLogger("projet_vins.api")


def model_path() -> Path:
    """Le fichier du modèle servi (variable d'environnement ``MODEL_PATH``)."""
    return Path(os.environ.get("MODEL_PATH", "model/model.joblib"))


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Au démarrage : charger le modèle, s'il existe, dans ``app.state.model``."""
    app.state.model = None
    # TODO : si model_path() existe, vérifiez son sha256 contre metrics.json (à côté), puis
    #        chargez-le avec joblib ; sinon journalisez une erreur (l'API démarre, /ready
    #        répondra 503).
    yield


app = FastAPI(title="API de prédiction des vins", version="0.1.0", lifespan=lifespan)

# TODO : GET /health (toujours 200 : le processus répond) ;
#        GET /ready (200 quand le modèle est chargé, 503 sinon) ;
#        POST /predict (un Vin -> une Prediction, une ligne de log par prédiction).
