"""Chapter 01: the maturity self-assessment and the lifecycle loop."""

from __future__ import annotations

import pytest

from mlops_course import lifecycle


def test_a_project_with_no_practice_is_level_0_and_is_told_what_level_1_needs() -> None:
    result = lifecycle.assess(set())
    assert result.level == 0
    assert set(result.missing_for_next) == lifecycle.required_for(1)


def test_levels_are_cumulative_monitoring_without_tracking_stays_level_0() -> None:
    assert lifecycle.assess({"monitoring", "ci_cd", "tests_automatises"}).level == 0


def test_every_level_is_reached_exactly_with_its_required_practices() -> None:
    for level in (1, 2, 3):
        practices = lifecycle.required_for(level)
        assert lifecycle.assess(practices).level == level
        one_short = set(practices) - {sorted(practices - lifecycle.required_for(level - 1))[0]}
        assert lifecycle.assess(one_short).level == level - 1


def test_top_level_has_nothing_missing() -> None:
    result = lifecycle.assess(lifecycle.PRACTICES)
    assert result.level == 3
    assert result.missing_for_next == ()
    assert "le plus haut" in result.summary()


def test_unknown_practice_is_rejected_with_the_valid_names() -> None:
    with pytest.raises(ValueError, match="monitorring") as error:
        lifecycle.assess({"monitorring"})
    assert "monitoring" in str(error.value).split(" ; pratiques connues :")[1]


def test_a_single_string_is_rejected_instead_of_read_letter_by_letter() -> None:
    with pytest.raises(TypeError, match="collection"):
        lifecycle.assess("monitoring")


def test_required_for_rejects_a_level_outside_the_scale() -> None:
    with pytest.raises(ValueError, match="level doit être l'une des valeurs"):
        lifecycle.required_for(4)


def test_the_lifecycle_loops_from_retraining_back_to_framing() -> None:
    assert lifecycle.next_stage("evaluer") == "deployer"
    assert lifecycle.next_stage("reentrainer") == "cadrer"
    with pytest.raises(ValueError, match="stage doit être l'une des valeurs"):
        lifecycle.next_stage("deploy")


def test_every_problem_points_to_an_existing_notebook_number() -> None:
    from mlops_course.courseware import notebooks as nbio

    numbers = {p.name[:2] for p in nbio.discover("notebooks")}
    assert {nb for _, nb in lifecycle.PROBLEMS.values()} <= numbers
