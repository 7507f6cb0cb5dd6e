"""Chapter 08 checks: 'pas encore fait' on the stub, a hint on a wrong answer, ✅ when right."""

from __future__ import annotations

import pytest

from mlops_course import audit
from mlops_course.checks import practices as checks

GOOD_DOCKERFILE = """FROM python:3.11-slim
RUN useradd --create-home app
USER app
HEALTHCHECK CMD python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/health')"
"""


def _stub(*args): ...


def _previous(history: list[int]) -> int:
    current = history[-1]
    for version in reversed(history[:-1]):
        if version != current:
            return version
    raise ValueError("no earlier champion")


def _previous_naive(history: list[int]) -> int:
    return history[-2]


def _env_check(project: audit.Project) -> audit.Finding:
    ok = (project.root / ".env.example").is_file()
    status = audit.Status.PASS if ok else audit.Status.FAIL
    return audit.Finding("env_example", "Sécurité", status, ".env.example", "ajoutez .env.example")


def _env_check_always_passes(project: audit.Project) -> audit.Finding:
    return audit.Finding("env_example", "Sécurité", audit.Status.PASS, "ok")


@pytest.mark.parametrize(
    ("check", "wrong", "right"),
    [
        (checks.exercice_1, GOOD_DOCKERFILE.replace("USER app", "USER root"), GOOD_DOCKERFILE),
        (checks.exercice_2, _previous_naive, _previous),
        (checks.exercice_3, _env_check_always_passes, _env_check),
    ],
    ids=["exercice_1", "exercice_2", "exercice_3"],
)
def test_check_refuses_stub_hints_on_wrong_and_accepts_right(
    check, wrong, right, check_contract
) -> None:
    stub = ... if check is checks.exercice_1 else _stub
    check_contract(check, stub=stub, wrong=wrong, right=right)


def test_exercise_1_names_curl_in_its_hint() -> None:
    with pytest.raises(AssertionError, match="curl"):
        checks.exercice_1(GOOD_DOCKERFILE.replace("python -c", "curl -f http://x || exit 1 #"))
