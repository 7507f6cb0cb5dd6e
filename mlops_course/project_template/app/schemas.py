"""Les schémas de l'API : ce qu'elle accepte et ce qu'elle répond (validation Pydantic).

À écrire (notebook 04_serving_fastapi du cours).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Vin(BaseModel):
    """Les 13 mesures d'un vin (les noms de ``src.data.FEATURES``)."""

    model_config = ConfigDict(extra="forbid")

    # TODO : les 13 champs, obligatoires, en float, bornés par des valeurs plausibles
    #        (Field(ge=..., le=..., description=...)) : une mesure négative est refusée.


class Prediction(BaseModel):
    """La réponse de POST /predict."""

    # TODO : prediction (l'indice de la classe), label (son nom), probabilites (une
    #        probabilité par classe, dans l'ordre de src.data.LABELS).
