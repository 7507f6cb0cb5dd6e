"""Chapter 01 checks: 'pas encore fait' on the stub, a hint on a wrong answer, ✅ when right."""

from __future__ import annotations

import pytest

from mlops_course import lifecycle
from mlops_course.checks import introduction as checks


def _stub(pratiques: set[str]) -> set[str]:
    """What the generated exercise holds: a body of `...`."""
    ...


def _right(pratiques: set[str]) -> set[str]:
    level = lifecycle.assess(pratiques).level
    return set() if level == 3 else set(lifecycle.required_for(level + 1)) - pratiques


def _forgets_what_the_project_has(pratiques: set[str]) -> set[str]:
    level = lifecycle.assess(pratiques).level
    return set() if level == 3 else set(lifecycle.required_for(level + 1))


@pytest.mark.parametrize(
    ("check", "stub", "wrong", "right"),
    [
        (
            checks.exercice_1,
            ...,
            list(reversed(lifecycle.LIFECYCLE)),
            list(lifecycle.LIFECYCLE),
        ),
        (checks.exercice_2, ..., set(lifecycle.required_for(1)), set(lifecycle.required_for(2))),
        (checks.exercice_3, _stub, _forgets_what_the_project_has, _right),
    ],
    ids=["exercice_1", "exercice_2", "exercice_3"],
)
def test_check_refuses_stub_hints_on_wrong_and_accepts_right(
    check, stub, wrong, right, check_contract
) -> None:
    check_contract(check, stub=stub, wrong=wrong, right=right)


def test_exercise_2_explains_an_unknown_practice() -> None:
    with pytest.raises(AssertionError, match="pratiques inconnues"):
        checks.exercice_2({"code_versionne", "ci"})


def test_exercise_3_reports_an_exception_raised_by_the_learner_code() -> None:
    def broken(pratiques: set[str]) -> set[str]:
        raise KeyError("oops")

    with pytest.raises(AssertionError, match="KeyError"):
        checks.exercice_3(broken)
