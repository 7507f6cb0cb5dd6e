"""L'API de prédiction du projet (notebook 04_serving_fastapi du cours)."""
