"""The questionnaires: a sound bank, every question's check contract, the generated section."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from mlops_course import checklist, quiz
from mlops_course.checks import quiz as quiz_check
from mlops_course.config import project_root
from mlops_course.courseware import exercises as ex
from mlops_course.courseware import notebooks as nbio
from mlops_course.courseware import questionnaire

QUESTIONS = quiz.questions()


def _right(question: quiz.Question):
    return set(question.answer) if question.kind == "choices" else question.answer


def _wrongs(question: quiz.Question) -> list[tuple[object, str]]:
    """Each typical wrong answer of the bank, with the start of its hint."""
    wrongs = [(answer, re.escape(hint[:40])) for answer, hint in question.hints.items()]
    if question.kind == "choices":
        right = sorted(question.answer)
        wrongs = [({*right, answer}, hint) for answer, hint in wrongs]
        wrongs.append(({right[0]}, "il manque au moins une bonne réponse"))
    if question.kind == "number":
        wrongs.append((float(question.answer) + 1000, re.escape(question.hint[:40])))
    return wrongs


@pytest.mark.parametrize("question", [pytest.param(q, id=q.id) for q in QUESTIONS])
def test_every_question_refuses_its_stub_and_typical_wrong_answers_and_explains(
    question: quiz.Question, check_contract, capsys: pytest.CaptureFixture[str]
) -> None:
    def check(response: object) -> None:
        quiz_check.answer(question.id, response)

    wrongs = _wrongs(question)
    assert len(wrongs) >= 3, f"{question.id}: give at least three typical wrong answers"
    check_contract(check, stub=..., right=_right(question), wrongs=wrongs)
    check(_right(question))
    assert question.explanation in capsys.readouterr().out


@pytest.mark.parametrize("question", [pytest.param(q, id=q.id) for q in QUESTIONS])
def test_a_question_is_well_formed_and_its_hints_never_give_the_answer(
    question: quiz.Question,
) -> None:
    assert re.fullmatch(r"\d\d\.[a-z0-9-]+", question.id)
    assert checklist.item(question.item)
    assert question.title and question.text and question.explanation
    shown = [question.explanation, question.hint, *question.hints.values()]
    assert not any("**" in text for text in shown), "hints and explanations print as plain text"
    if question.kind == "number":
        assert not question.choices
        for hint in [question.hint, *question.hints.values()]:
            assert not re.search(rf"(?<![\d,.]){question.answer:g}(?![\d,])", hint)
        return
    assert 3 <= len(question.choices) <= 5
    right = {question.answer} if question.kind == "choice" else set(question.answer)
    assert right <= set(question.choices)
    assert set(question.hints) == set(question.choices) - right, "one hint per wrong choice"
    for hint in question.hints.values():  # a hint names no choice, right or wrong
        assert not re.search(r"(?<![\w(])[a-e]\)", hint) and "la bonne réponse" not in hint.lower()


@pytest.mark.parametrize("number", sorted(set(quiz.BANKS.values())))
def test_each_notebook_has_five_to_eight_questions_with_varied_answers(number: str) -> None:
    questions = quiz.questions(number)
    assert 5 <= len(questions) <= 8, f"notebook {number}: {len(questions)} questions"
    assert len({q.id for q in questions}) == len(questions)
    letters = Counter(q.answer for q in questions if q.kind == "choice")
    assert len(letters) >= 2, f"notebook {number}: every right answer is {set(letters)}"


def test_answers_are_read_leniently_but_never_guessed() -> None:
    question = next(q for q in QUESTIONS if q.kind == "choice")
    for spelling in (question.answer.upper(), f" {question.answer}) ", [question.answer]):
        question.evaluate(spelling, "Question 1")
    with pytest.raises(AssertionError, match="une seule réponse"):
        question.evaluate(set(question.choices), "Question 1")
    with pytest.raises(AssertionError, match="les réponses possibles sont a, b, c, d"):
        question.evaluate("z", "Question 1")
    with pytest.raises(AssertionError, match="une lettre entre guillemets"):
        question.evaluate(2, "Question 1")
    number = next(q for q in QUESTIONS if q.kind == "number")
    number.evaluate(str(number.answer).replace(".", ","), "Question 4")
    with pytest.raises(AssertionError, match="un nombre"):
        number.evaluate(True, "Question 4")
    with pytest.raises(ValueError, match="looks like"):
        quiz.get("chi2")


def test_the_committed_solutions_carry_the_bank(tmp_path: Path) -> None:
    stale, skipped = questionnaire.sync(check=True)
    assert stale == [], "run `make exercises` (mlops-course quiz) and commit"
    have = {p.name[:2] for p in nbio.discover("solutions")}
    assert set(skipped) == set(quiz.BANKS.values()) - have


def test_the_section_is_replaced_not_duplicated_and_a_missing_notebook_is_skipped(
    tmp_path: Path,
) -> None:
    name = "07_monitoring_drift.ipynb"
    (tmp_path / "solutions").mkdir()
    shutil.copy(project_root() / "solutions" / name, tmp_path / "solutions" / name)
    path = tmp_path / "solutions" / name
    nb = nbio.read(path)
    nb.cells = [c for c in nb.cells if questionnaire.QUIZ_KEY not in c.metadata]
    nbio.write(nbio.normalized(nb), path)  # the notebook as a helper wrote it, no section

    stale, skipped = questionnaire.sync(tmp_path)
    assert stale == [path] and "01" in skipped and "09" in skipped
    first = path.read_text(encoding="utf-8")
    assert questionnaire.sync(tmp_path) == ([], skipped)  # idempotent
    assert path.read_text(encoding="utf-8") == first

    synced = nbio.read(path)
    questions = quiz.questions("07")
    checks = [c for c in synced.cells if c.metadata.get(questionnaire.QUIZ_KEY) == "check"]
    assert [c.source for c in checks] == [
        f'quiz.answer("{q.id}", reponse_{n})' for n, q in enumerate(questions, 1)
    ]
    assert synced.cells[-1].metadata[questionnaire.QUIZ_KEY] == questionnaire.PROGRESS_ROLE
    exercise = ex.make_exercise(synced, path)
    answers = [c for c in exercise.cells if c.metadata.get(questionnaire.QUIZ_KEY) == "answer"]
    assert {c.source.split(" = ")[1] for c in answers} == {"...  # VOTRE CODE ICI"}
    # each question is an exercise of its own, proven on stub and solution by the harness
    assert len(ex.exercises_of(synced)) == 5 + len(questions)
