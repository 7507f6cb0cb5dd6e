"""The chapter's checklist: every item proven, every mapped check real, every exercise mapped.

When an exercise is renamed, added or removed, edit ``mlops_course/checklist.py`` (and only
it): these tests name what is missing.
"""

from __future__ import annotations

import importlib

from mlops_course import checklist, quiz
from mlops_course.courseware import expectations

COURSE = expectations.course()
IN_COURSE = {proof.key for nb in COURSE for proof in nb.proofs}


def test_the_checklist_is_the_chapters_ten_items_in_order() -> None:
    assert len(checklist.ITEMS) == 10
    assert len({item.id for item in checklist.ITEMS}) == 10
    assert checklist.ITEMS[0].text.startswith("Je comprends le cycle de vie ML")
    assert checklist.ITEMS[-1].text.startswith("Je connais les bonnes pratiques")


def test_every_item_is_proven_by_an_exercise_or_a_question_of_the_course() -> None:
    unproven = [
        item.id
        for item in checklist.ITEMS
        if not any(key in IN_COURSE for key in checklist.proofs(item.id))
    ]
    assert unproven == [], f"items with no exercise or question in solutions/: {unproven}"


def test_every_mapped_exercise_is_a_real_check_called_by_a_solution_notebook() -> None:
    problems = []
    for item in checklist.ITEMS:
        for key in item.exercises:
            module, _, function = key.rpartition(".")
            if not callable(getattr(importlib.import_module(module), function, None)):
                problems.append(f"{item.id}: {key} does not exist")
            elif key not in IN_COURSE:
                problems.append(f"{item.id}: {key} is not the check of any solutions/ cell")
    assert problems == [], "edit mlops_course/checklist.py:\n" + "\n".join(problems)


def test_every_exercise_and_question_of_the_course_proves_an_item() -> None:
    orphans = sorted(key for key in IN_COURSE if not checklist.items_of(key))
    assert orphans == [], f"map these checks to an item in mlops_course/checklist.py: {orphans}"
    assert {q.item for q in quiz.questions()} <= {item.id for item in checklist.ITEMS}
