"""The check of every question of the questionnaires that end the exercise notebooks.

The questions themselves live in :mod:`mlops_course.quiz`. A question's check cell is
``quiz.answer("07.chi2-effectifs", reponse_3)``: ⏳ while the answer is still ``...``, ❌ with
a hint that says why the chosen answer is wrong (never which one is right), ✅ and the
explanation once it is right.
"""

from __future__ import annotations

from typing import Any

from mlops_course import quiz as bank
from mlops_course.checks import NotDoneError, is_placeholder, success


def answer(question_id: str, response: Any) -> None:
    """Check the learner's ``response`` to the question ``question_id``."""
    question = bank.get(question_id)
    label = bank.label(question)
    if is_placeholder(response):
        raise NotDoneError(
            f"⏳ {label} : pas encore fait — remplacez le `...` par votre réponse, puis relancez."
        )
    question.evaluate(response, label)
    success(f"{label} : juste.\n💡 {question.explanation}")
