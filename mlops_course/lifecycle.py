"""Chapter 01: the ML lifecycle, what MLOps fixes, and the maturity levels (§1.2–1.4).

Taught in notebook 01_introduction_mlops.

The chapter's tables as data, plus :func:`assess`, which places a project on the
maturity scale from the practices it already has, and says what the next level needs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

#: The eight stages of the lifecycle (§1.3), in order; the last one loops to the first.
LIFECYCLE: tuple[str, ...] = (
    "cadrer",
    "donnees",
    "entrainer",
    "evaluer",
    "deployer",
    "servir",
    "monitorer",
    "reentrainer",
)

#: A readable label for each stage.
STAGE_LABELS: Mapping[str, str] = {
    "cadrer": "1. Cadrer le problème",
    "donnees": "2. Données & features",
    "entrainer": "3. Entraîner le modèle",
    "evaluer": "4. Évaluer & valider",
    "deployer": "5. Déployer & livrer",
    "servir": "6. Opérer & servir",
    "monitorer": "7. Monitorer & alerter",
    "reentrainer": "8. Réentraîner & itérer",
}

#: §1.2 "sans MLOps / avec MLOps": each problem, its remedy, and the notebook that teaches it.
PROBLEMS: Mapping[str, tuple[str, str]] = {
    "Ça marchait sur mon laptop": ("Environnements reproductibles (Docker, uv)", "05"),
    "Pas de traçabilité des expériences": ("Experiment tracking (MLflow)", "02"),
    "Modèle déployé à la main": ("CI/CD automatisé", "06"),
    "Aucune idée si le modèle est encore bon": ("Monitoring et alerting", "07"),
    "Impossible de revenir en arrière": ("Versioning des modèles et des données", "03"),
    "Code spaghetti dans des notebooks": ("Pipelines structurés et testés", "08"),
}

#: Practices a project may have, each with the maturity level (§1.4) that requires it.
PRACTICES: Mapping[str, tuple[int, str]] = {
    "code_versionne": (1, "le code est versionné avec git"),
    "pipeline_entrainement": (1, "l'entraînement est un script/pipeline rejouable"),
    "experiment_tracking": (1, "les expériences sont tracées (paramètres, métriques)"),
    "modele_versionne": (1, "les modèles sont versionnés dans un registry"),
    "tests_automatises": (2, "tests du code et du modèle lancés automatiquement"),
    "ci_cd": (2, "un pipeline CI/CD construit, teste et déploie"),
    "deploiement_automatise": (2, "le déploiement se fait sans intervention manuelle"),
    "monitoring": (2, "le modèle en production est monitoré (drift, confiance)"),
    "reentrainement_automatique": (3, "le réentraînement se déclenche tout seul"),
    "ab_testing": (3, "les nouveaux modèles sont comparés en production (A/B)"),
    "feature_store": (3, "les features sont partagées via un feature store"),
}

#: Names of the levels (§1.4).
LEVELS: Mapping[int, str] = {
    0: "0 - Manuel",
    1: "1 - Pipeline ML",
    2: "2 - CI/CD ML",
    3: "3 - Full MLOps",
}


@dataclass(frozen=True)
class Assessment:
    """Where a project stands: its level and what the next level still needs."""

    level: int
    practices: frozenset[str]
    missing_for_next: tuple[str, ...] = field(default=())

    @property
    def name(self) -> str:
        """The level's name, as in the chapter's table."""
        return LEVELS[self.level]

    def summary(self) -> str:
        """Return a short French sentence describing the assessment."""
        if not self.missing_for_next:
            return f"Niveau {self.name} : le niveau le plus haut est atteint."
        missing = ", ".join(self.missing_for_next)
        return f"Niveau {self.name} ; pour le niveau suivant il manque : {missing}."


def required_for(level: int) -> frozenset[str]:
    """Return every practice needed to reach ``level`` (levels are cumulative)."""
    if level not in LEVELS:
        raise ValueError(f"level doit être l'une des valeurs {sorted(LEVELS)}, reçu {level!r}")
    return frozenset(name for name, (needed, _) in PRACTICES.items() if needed <= level)


def assess(practices: Iterable[str]) -> Assessment:
    """Place a project on the maturity scale from the practices it has.

    A level is reached only when every practice of that level and of the levels below is
    present: monitoring without tracking is still level 0.

    Raises:
        ValueError: a practice is not one of :data:`PRACTICES` (the message lists them).
    """
    if isinstance(practices, str):
        raise TypeError(
            "practices doit être une collection de noms de pratiques, pas une seule chaîne"
        )
    have = frozenset(practices)
    unknown = sorted(have - PRACTICES.keys())
    if unknown:
        raise ValueError(f"pratiques inconnues {unknown} ; pratiques connues : {sorted(PRACTICES)}")
    level = 0
    for candidate in sorted(LEVELS)[1:]:
        if required_for(candidate) <= have:
            level = candidate
        else:
            break
    if level == max(LEVELS):
        return Assessment(level, have)
    missing = tuple(sorted(required_for(level + 1) - have))
    return Assessment(level, have, missing)


def next_stage(stage: str) -> str:
    """Return the stage that follows ``stage`` in the lifecycle (it loops back)."""
    if stage not in LIFECYCLE:
        raise ValueError(f"stage doit être l'une des valeurs {list(LIFECYCLE)}, reçu {stage!r}")
    return LIFECYCLE[(LIFECYCLE.index(stage) + 1) % len(LIFECYCLE)]
