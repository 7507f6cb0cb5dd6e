"""L'API tient le contrat du projet : /health, /ready, /predict, et des 422 nets.

Fourni (notebook 04_serving_fastapi du cours) : votre API doit passer ces tests.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from src import data

#: Un vin réel du jeu de données (le premier, cépage 0).
VIN = {
    "alcohol": 14.23, "malic_acid": 1.71, "ash": 2.43, "alcalinity_of_ash": 15.6,
    "magnesium": 127.0, "total_phenols": 2.8, "flavanoids": 3.06,
    "nonflavanoid_phenols": 0.28, "proanthocyanins": 2.29, "color_intensity": 5.64,
    "hue": 1.04, "od280_od315": 3.92, "proline": 1065.0,
}  # fmt: skip


def test_health_answers_even_without_a_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi.testclient import TestClient

    from app.main import app

    monkeypatch.setenv("MODEL_PATH", str(tmp_path / "absent.joblib"))
    with TestClient(app) as client:
        assert client.get("/health").status_code == 200
        assert client.get("/ready").status_code == 503


def test_ready_once_the_model_is_loaded(client: Any) -> None:
    assert client.get("/ready").status_code == 200


def test_predict_returns_the_class_its_label_and_the_probabilities(client: Any) -> None:
    response = client.post("/predict", json=VIN)
    assert response.status_code == 200
    body = response.json()
    assert body["prediction"] == 0
    assert body["label"] == data.LABELS[0]
    assert len(body["probabilites"]) == len(data.LABELS)
    assert sum(body["probabilites"]) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "invalid",
    [
        {k: v for k, v in VIN.items() if k != "alcohol"},  # a missing measurement
        {**VIN, "millesime": 2019},  # an unknown field
        {**VIN, "proline": -5.0},  # a negative measurement
        {**VIN, "hue": "rouge"},  # not a number
    ],
    ids=["champ-manquant", "champ-inconnu", "valeur-negative", "pas-un-nombre"],
)
def test_invalid_input_gets_a_422_that_names_the_field(client: Any, invalid: dict) -> None:
    response = client.post("/predict", json=invalid)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] in {*VIN, "millesime"}
