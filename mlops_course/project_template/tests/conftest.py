"""Ce que partagent les tests du projet : un modèle entraîné une fois, l'API qui le sert.

Fourni (notebook 06_ci_cd du cours) : ces tests sont la grille d'évaluation exécutable du
projet, avec les vôtres (``tests/test_model.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def trained() -> tuple[Any, dict[str, float]]:
    """Le modèle du projet, entraîné une fois pour toute la session, et ses métriques."""
    from src import train

    return train.train()


@pytest.fixture(scope="session")
def model_file(
    trained: tuple[Any, dict[str, float]], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """Le modèle sauvegardé par ``src.train.save`` dans un dossier temporaire."""
    from src import train

    model, metrics = trained
    return train.save(model, metrics, tmp_path_factory.mktemp("model"))


@pytest.fixture
def client(model_file: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Un client de l'API démarrée (lifespan compris) sur ce modèle."""
    from fastapi.testclient import TestClient

    from app.main import app

    monkeypatch.setenv("MODEL_PATH", str(model_file))
    with TestClient(app) as test_client:
        yield test_client
