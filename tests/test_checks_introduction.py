"""Chapter 01 checks: each exercise refuses the stub and typical mistakes, accepts right answers."""

from __future__ import annotations

import pytest

from mlops_course import lifecycle
from mlops_course.checks import WrongAnswerError
from mlops_course.checks import introduction as checks

ORDER = list(lifecycle.LIFECYCLE)


def _swapped(first: str, second: str) -> list[str]:
    order = list(ORDER)
    i, j = order.index(first), order.index(second)
    order[i], order[j] = order[j], order[i]
    return order


ACCENTED = {
    "donnees": "données",
    "entrainer": "entraîner",
    "evaluer": "évaluer",
    "deployer": "déployer",
    "reentrainer": "réentraîner",
}


def test_exercise_1_refuses_misordered_misspelled_or_unordered_stages(check_contract) -> None:
    check_contract(
        checks.exercice_1,
        stub=...,
        right=list(ORDER),
        wrongs=[
            (list(reversed(ORDER)), r"l'étape n°1 .*'reentrainer'"),
            (_swapped("deployer", "servir"), r"l'étape n°5 .*'servir'"),
            (_swapped("monitorer", "reentrainer"), r"l'étape n°7 .*'reentrainer'"),
            (_swapped("evaluer", "deployer"), r"l'étape n°4 .*'deployer'.*évalue avant"),
            (ORDER[1:] + ORDER[:1], r"l'étape n°1 .*'donnees'"),
            ([ACCENTED.get(s, s) for s in ORDER], r"noms inconnus : \['données'.*sans accents"),
            ([lifecycle.STAGE_LABELS[s] for s in ORDER], r"noms inconnus.*pas les libellés"),
            (ORDER[:-1], r"il manque 1 étape"),
            ([*ORDER[:-1], "servir"], r"en double : \['servir'\]"),
            (set(ORDER), r"ensemble .*n'a pas d'ordre"),
            (", ".join(ORDER), r"pas une seule chaîne"),
        ],
    )


def test_exercise_1_hints_never_spell_the_order() -> None:
    with pytest.raises(WrongAnswerError) as error:
        checks.exercice_1(_swapped("deployer", "servir"))
    assert "'deployer'" not in str(error.value)


LEVEL_1 = set(lifecycle.required_for(1))
LEVEL_2 = set(lifecycle.required_for(2))
ONLY_LEVEL_2 = LEVEL_2 - LEVEL_1


def test_exercise_2_refuses_projects_that_are_not_exactly_at_level_2(check_contract) -> None:
    check_contract(
        checks.exercice_2,
        stub=...,
        right=LEVEL_2,
        wrongs=[
            (ONLY_LEVEL_2, r"niveau 0 - Manuel.*cumulatifs.*niveau 1"),
            (LEVEL_1, r"niveau 1 - Pipeline ML.*il lui manque"),
            (LEVEL_2 - {"monitoring"}, r"niveau 1 - Pipeline ML.*il lui manque"),
            (set(lifecycle.PRACTICES), r"niveau 3 - Full MLOps.*exactement"),
            (LEVEL_2 - {"ci_cd"} | {"ci"}, r"pratiques inconnues : \['ci'\]"),
            (LEVEL_2 - {"monitoring"} | {"Monitoring"}, r"pratiques inconnues : \['Monitoring'\]"),
            ("niveau 2", r"pas une seule chaîne"),
            (2, r"pas un int"),
        ],
    )
    # A level-2 project may have some level-3 practices: it is still exactly level 2.
    checks.exercice_2(LEVEL_2 | {"ab_testing"})


def test_exercise_2_hints_never_list_the_missing_practices() -> None:
    for wrong in (ONLY_LEVEL_2, LEVEL_1):
        with pytest.raises(WrongAnswerError) as error:
            checks.exercice_2(wrong)
        missing = (LEVEL_2 - wrong) - {"monitoring"}  # "monitoring" is a common word
        assert not [name for name in missing if name in str(error.value)], str(error.value)


def _stub(pratiques: set[str]) -> set[str]:
    """What the generated exercise holds: a body of `...`."""
    ...


def _right(pratiques: set[str]) -> set[str]:
    level = lifecycle.assess(pratiques).level
    return set() if level == 3 else set(lifecycle.required_for(level + 1)) - pratiques


def _forgets_what_the_project_has(pratiques: set[str]) -> set[str]:
    level = lifecycle.assess(pratiques).level
    return set() if level == 3 else set(lifecycle.required_for(level + 1))


def _current_level_instead_of_next(pratiques: set[str]) -> set[str]:
    return set(lifecycle.required_for(lifecycle.assess(pratiques).level)) - pratiques


def _highest_practice_as_level(pratiques: set[str]) -> set[str]:
    level = max((lifecycle.PRACTICES[name][0] for name in pratiques), default=0)
    return set() if level == 3 else set(lifecycle.required_for(level + 1)) - pratiques


def _forgets_the_top_level(pratiques: set[str]) -> set[str]:
    level = lifecycle.assess(pratiques).level
    return set(lifecycle.required_for(level + 1)) - pratiques


def _returns_none_at_the_top(pratiques: set[str]) -> set[str] | None:
    level = lifecycle.assess(pratiques).level
    if level < 3:
        return set(lifecycle.required_for(level + 1)) - pratiques
    return None


def _reads_the_answer(pratiques: set[str]) -> set[str]:
    return set(lifecycle.assess(pratiques).missing_for_next)


def _mutates_its_argument(pratiques: set[str]) -> set[str]:
    level = lifecycle.assess(pratiques).level
    if level == 3:
        return set()
    needed = set(lifecycle.required_for(level + 1))
    needed -= pratiques
    pratiques |= needed
    return needed


def _returns_the_summary(pratiques: set[str]) -> str:
    return lifecycle.assess(pratiques).summary()


def test_exercise_3_refuses_the_usual_shortcuts(check_contract) -> None:
    check_contract(
        checks.exercice_3,
        stub=_stub,
        right=_right,
        wrongs=[
            (_forgets_what_the_project_has, r"pour aucune pratique, il manque|déjà"),
            (_current_level_instead_of_next, r"pour aucune pratique, il manque \d+ pratique"),
            (_highest_practice_as_level, r"niveau 0 - Manuel.*pas requises.*assess"),
            (_forgets_the_top_level, r"toutes les pratiques.*lève ValueError.*ensemble vide"),
            (_returns_none_at_the_top, r"toutes les pratiques.*renvoie None.*ensemble vide"),
            (_reads_the_answer, r"missing_for_next"),
            (_mutates_its_argument, r"modifie l'ensemble"),
            (_returns_the_summary, r"pas une seule chaîne"),
        ],
    )
    # A list is as good as a set: the check compares the names.
    checks.exercice_3(lambda pratiques: sorted(_right(pratiques)))


def test_exercise_3_hints_never_print_the_missing_practices() -> None:
    with pytest.raises(WrongAnswerError) as error:
        checks.exercice_3(_current_level_instead_of_next)
    assert not [name for name in LEVEL_1 if name in str(error.value)], str(error.value)


def test_exercise_3_reports_an_exception_raised_by_the_learner_code() -> None:
    def broken(pratiques: set[str]) -> set[str]:
        raise KeyError("oops")

    with pytest.raises(WrongAnswerError, match="KeyError"):
        checks.exercice_3(broken)
