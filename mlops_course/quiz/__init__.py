"""The questionnaires: conceptual questions that end each notebook, single-sourced here.

One small data module per notebook (``introduction`` for 01, ``tracking`` for 02…) holds
its :class:`Question` objects: the French question, its choices, the answer, a hint for
each typical wrong answer, the explanation shown after a right answer, and the item of
the chapter's validation checklist it proves (:mod:`mlops_course.checklist`).

``mlops-course quiz`` writes these questions at the end of each ``solutions/NN_*.ipynb``
(:mod:`mlops_course.courseware.questionnaire`); each question becomes an exercise whose
check cell calls :func:`mlops_course.checks.quiz.answer`, proven on stub and solution
like every other exercise.

Three kinds of answer:

- one letter (``"b"``) for a single-choice question;
- a set of letters (``{"a", "c"}``) when several choices are right;
- a number, compared within ``tolerance``.
"""

from __future__ import annotations

import importlib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mlops_course.checks import fail

#: The bank modules, in the order of the notebooks (module name -> notebook number).
BANKS: dict[str, str] = {
    "introduction": "01",
    "tracking": "02",
    "serialization": "03",
    "serving": "04",
    "docker": "05",
    "cicd": "06",
    "monitoring": "07",
    "practices": "08",
    "capstone": "09",
}

_ID = re.compile(r"^(?P<notebook>\d\d)\.[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Question:
    """One question of a notebook's questionnaire."""

    id: str
    """``NN.slug``: the notebook number, a dot, a slug that never changes once published."""
    title: str
    """A few words shown in the heading and in progress reports."""
    text: str
    """The question, in French Markdown."""
    answer: str | frozenset[str] | float
    """A letter, a set of letters, or a number."""
    explanation: str
    """Why the answer is right: shown after a right answer."""
    item: str
    """The checklist item this question proves (an id of :data:`mlops_course.checklist.ITEMS`)."""
    choices: Mapping[str, str] = field(default_factory=dict)
    """Letter -> choice, for the two multiple-choice kinds."""
    hints: Mapping[Any, str] = field(default_factory=dict)
    """Typical wrong answer (a letter, or a number) -> why it is wrong, never the answer."""
    hint: str = ""
    """For a number: the hint for any other wrong value."""
    tolerance: float = 0.0
    """For a number: how far from ``answer`` a response may be."""

    @property
    def notebook(self) -> str:
        """The two-digit number of the notebook this question ends."""
        return self.id[:2]

    @property
    def kind(self) -> str:
        """``"choice"``, ``"choices"`` (several right letters) or ``"number"``."""
        if isinstance(self.answer, frozenset):
            return "choices"
        if isinstance(self.answer, str):
            return "choice"
        return "number"

    def evaluate(self, response: Any, label: str) -> None:
        """Raise ``WrongAnswerError`` with a French hint unless ``response`` is right."""
        if self.kind == "number":
            self._evaluate_number(response, label)
        else:
            self._evaluate_letters(response, label)

    # ------------------------------------------------------------------ letters

    def _letters(self, response: Any, label: str) -> set[str]:
        allowed = ", ".join(self.choices)
        if isinstance(response, str):
            cleaned = re.sub(r"[\s,;()\[\]{}.'\"]+", "", response.lower())
            letters = set(cleaned)
            if self.kind == "choice" and len(cleaned) != 1:
                letters = {cleaned} if cleaned else set()
        elif isinstance(response, set | frozenset | list | tuple):
            letters = set()
            for element in response:
                if not isinstance(element, str):
                    raise fail(
                        f"{label} : chaque réponse est une lettre entre guillemets, reçu "
                        f"{element!r}."
                    )
                letters.add(element.strip().strip(")").lower())
        else:
            raise fail(
                f"{label} : répondez par une lettre entre guillemets (parmi {allowed}), "
                f"reçu {type(response).__name__}."
            )
        unknown = sorted(letter for letter in letters if letter not in self.choices)
        if unknown or not letters:
            raise fail(f"{label} : les réponses possibles sont {allowed}, reçu {response!r}.")
        return letters

    def _evaluate_letters(self, response: Any, label: str) -> None:
        letters = self._letters(response, label)
        if self.kind == "choice":
            if len(letters) != 1:
                raise fail(f"{label} : une seule réponse ici, une lettre entre guillemets.")
            (letter,) = letters
            if letter != self.answer:
                raise fail(f"{label} : ce n'est pas la bonne réponse. {self.hints[letter]}")
            return
        right = set(self.answer)  # type: ignore[arg-type]
        for letter in sorted(letters - right):
            raise fail(f"{label} : la proposition {letter} n'est pas juste. {self.hints[letter]}")
        if letters != right:
            raise fail(
                f"{label} : ce que vous avez choisi est juste, mais il manque au moins une "
                "bonne réponse. Relisez chaque proposition : plusieurs sont vraies."
            )

    # ------------------------------------------------------------------ numbers

    def _evaluate_number(self, response: Any, label: str) -> None:
        value = _as_number(response)
        if value is None:
            raise fail(f"{label} : répondez par un nombre (sans guillemets), reçu {response!r}.")
        if math.isclose(value, float(self.answer), rel_tol=0, abs_tol=self.tolerance + 1e-9):  # type: ignore[arg-type]
            return
        for typical, why in self.hints.items():
            if math.isclose(value, float(typical), rel_tol=0, abs_tol=self.tolerance + 1e-9):
                raise fail(f"{label} : ce n'est pas la bonne valeur. {why}")
        raise fail(f"{label} : ce n'est pas la bonne valeur. {self.hint}")


def _as_number(response: Any) -> float | None:
    if isinstance(response, bool):
        return None
    if isinstance(response, int | float):
        return float(response) if math.isfinite(response) else None
    if isinstance(response, str):
        try:
            return float(response.strip().replace(",", ".").rstrip("%").strip())
        except ValueError:
            return None
    try:  # numpy scalars
        return float(response)
    except (TypeError, ValueError):
        return None


def bank(module: str) -> tuple[Question, ...]:
    """Return the questions of one bank module (``"monitoring"``…), in order."""
    if module not in BANKS:
        raise ValueError(f"unknown quiz bank {module!r}; known: {', '.join(BANKS)}")
    return tuple(importlib.import_module(f"{__name__}.{module}").QUESTIONS)


def questions(notebook: str | None = None) -> tuple[Question, ...]:
    """Return every question (or those of one notebook number, ``"07"``), in course order."""
    found: list[Question] = []
    for module, number in BANKS.items():
        if notebook is None or notebook == number:
            found.extend(bank(module))
    return tuple(found)


def get(question_id: str) -> Question:
    """Return the question with this id (``"07.chi2-effectifs"``)."""
    if not _ID.match(str(question_id)):
        raise ValueError(f"a question id looks like '07.chi2-effectifs', got {question_id!r}")
    for question in questions(question_id[:2]):
        if question.id == question_id:
            return question
    raise KeyError(f"no question {question_id!r} in the quiz bank")


def number(question: Question) -> int:
    """Return the 1-based position of a question in its notebook's questionnaire."""
    return [q.id for q in questions(question.notebook)].index(question.id) + 1


def label(question: Question) -> str:
    """``"Question 3"``: how checks and reports name a question."""
    return f"Question {number(question)}"


__all__ = [
    "BANKS",
    "Question",
    "bank",
    "get",
    "label",
    "number",
    "questions",
]
