"""The chapter's validation checklist ("Je sais…"), mapped to the exercises and questions
of the notebooks that prove each item.

The ten items are those of the chapter's "Checklist de validation", in its order. Each
item is proven by:

- exercises, named by their check function (``mlops_course.checks.<module>.<function>``,
  never by position: an exercise that moves keeps its proof);
- questions of the questionnaires, which declare their item themselves
  (:attr:`mlops_course.quiz.Question.item`).

This module is the one place to edit when exercises are renamed, added or removed:
``tests/test_checklist.py`` names every mapped check that no longer exists and every
exercise of ``solutions/`` that proves no item.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Item:
    """One "Je sais…" line of the chapter's checklist."""

    id: str
    text: str
    exercises: tuple[str, ...]
    """Qualified names of the check functions of the exercises that prove this item."""


def _checks(module: str, *names: str) -> tuple[str, ...]:
    return tuple(f"mlops_course.checks.{module}.{name}" for name in names)


#: The checklist, in the chapter's order.
ITEMS: tuple[Item, ...] = (
    Item(
        "cycle-de-vie",
        "Je comprends le cycle de vie ML et les niveaux de maturité MLOps",
        _checks("introduction", "exercice_1", "exercice_2", "exercice_3"),
    ),
    Item(
        "mlflow-tracking",
        "Je sais configurer MLflow et logger des expériences (paramètres, métriques, modèles)",
        _checks("tracking", "exercice_2", "exercice_5"),
    ),
    Item(
        "mlflow-registry",
        "Je sais comparer des runs et utiliser le Model Registry",
        _checks("tracking", "exercice_1", "exercice_3", "exercice_4", "exercice_5")
        + _checks("capstone", "exercice_1", "exercice_2", "exercice_3"),
    ),
    Item(
        "sauvegarde",
        "Je maîtrise la sauvegarde de modèles (joblib, pickle, ONNX)",
        _checks(
            "serialization", "exercice_1", "exercice_2", "exercice_3", "exercice_4", "exercice_5"
        ),
    ),
    Item(
        "api",
        "Je sais créer une API FastAPI avec `/predict`, `/health` et validation Pydantic",
        _checks("serving", "exercice_1", "exercice_2", "exercice_3", "exercice_4"),
    ),
    Item(
        "docker",
        "Je sais conteneuriser un modèle ML avec Docker et Docker Compose",
        _checks("docker", "exercice_1", "exercice_2", "exercice_3", "exercice_4"),
    ),
    Item(
        "tests-modele",
        "Je sais écrire des tests de performance du modèle (accuracy minimale, robustesse)",
        _checks("cicd", "exercice_1", "exercice_2"),
    ),
    Item(
        "ci-cd",
        "Je sais mettre en place un pipeline CI/CD avec GitHub Actions",
        _checks("cicd", "exercice_3", "exercice_4"),
    ),
    Item(
        "drift",
        "Je sais détecter le data drift avec des tests statistiques (KS, Chi-2)",
        _checks("monitoring", "exercice_1", "exercice_2", "exercice_3", "exercice_4", "exercice_5"),
    ),
    Item(
        "bonnes-pratiques",
        "Je connais les bonnes pratiques de mise en production et la checklist de déploiement",
        _checks("practices", "exercice_1", "exercice_2", "exercice_3")
        + _checks("capstone", "exercice_4", "exercice_5", "exercice_6"),
    ),
)


def item(item_id: str) -> Item:
    """Return the checklist item with this id."""
    for candidate in ITEMS:
        if candidate.id == item_id:
            return candidate
    raise KeyError(f"no checklist item {item_id!r}; known: {', '.join(i.id for i in ITEMS)}")


def question_key(question_id: str) -> str:
    """The proof key of a questionnaire question (exercises use their check's name)."""
    return f"quiz:{question_id}"


def proofs(item_id: str) -> tuple[str, ...]:
    """Return the proof keys of an item: its exercises, then its questions, in course order."""
    from mlops_course import quiz

    questions = tuple(question_key(q.id) for q in quiz.questions() if q.item == item_id)
    return item(item_id).exercises + questions


def items_of(key: str) -> tuple[str, ...]:
    """Return the ids of the items a proof key proves (empty if it proves none)."""
    return tuple(candidate.id for candidate in ITEMS if key in proofs(candidate.id))
