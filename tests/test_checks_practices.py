"""Chapter 08 checks: each exercise refuses the stub and typical mistakes, accepts right answers.

Exercise 1 reads the Dockerfile as a build would and runs its health check against a
stand-in API; the wrong Dockerfiles below are one edit away from a right one.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mlops_course import audit
from mlops_course.checks import WrongAnswerError
from mlops_course.checks import practices as checks

HEALTHCHECK = (
    "HEALTHCHECK --interval=30s --timeout=5s --retries=3 \\\n"
    '    CMD python -c "import urllib.request; '
    "urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=3)\"\n"
)
CMD = 'CMD ["uvicorn", "src.app:app", "--host", "0.0.0.0", "--port", "8000"]\n'
GOOD_DOCKERFILE = (
    "FROM python:3.11-slim\n"
    "WORKDIR /app\n"
    "COPY requirements.txt .\n"
    "RUN pip install --no-cache-dir -r requirements.txt && useradd --create-home app\n"
    "COPY src/ ./src/\n"
    "COPY models/ ./models/\n"
    "USER app\n" + HEALTHCHECK + CMD
)


def _edit(old: str, new: str) -> str:
    assert old in GOOD_DOCKERFILE, old
    return GOOD_DOCKERFILE.replace(old, new)


def _healthcheck(command: str) -> str:
    return _edit(HEALTHCHECK, f"HEALTHCHECK {command}\n")


#: Dockerfiles a learner plausibly writes, and what the hint must talk about.
WRONG_DOCKERFILES = [
    (_healthcheck("CMD true"), "n'interroge aucune URL"),
    (_edit("127.0.0.1:8000/health", "127.0.0.1/health"), "n'a pas de port"),
    (_edit("127.0.0.1:8000/health", "127.0.0.1:5000/health"), "port 5000.*autre port"),
    (_edit(" && useradd --create-home app", ""), "USER app.*n'existe pas"),
    (_edit("USER app\n", ""), "root"),
    (_edit("USER app\n", "USER root\n"), "root"),
    (_edit(CMD, ""), "pas de CMD"),
    (_edit('"--host", "0.0.0.0", ', ""), "127.0.0.1.*toutes les interfaces"),
    (_edit('"0.0.0.0"', '"127.0.0.1"'), "127.0.0.1.*toutes les interfaces"),
    (_edit('"src.app:app"', '"app:app"'), "application du projet"),
    (_edit('timeout=3)"', 'timeout=3)" || exit 0'), "rien n'écoute.*code 0"),
    (_edit('timeout=3)"', 'timeout=3)" || true'), "rien n'écoute.*code 0"),
    (
        _edit("import urllib.request; urllib.request.urlopen(", "import requests; requests.get("),
        "importe requests.*bibliothèque standard",
    ),
    (_healthcheck("CMD curl -f http://localhost:8000/health || exit 1"), "curl"),
    (_edit(":8000/health", ":8000/"), "interroge / :.*route de santé"),
    (_edit(":8000/health", ":8000/predict"), "interroge /predict"),
    (_edit("127.0.0.1:8000", "api:8000"), "hôte api"),
    (_edit("pip install --no-cache-dir -r requirements.txt && ", ""), "pas installé"),
    (
        _edit("COPY requirements.txt .\n", ""),
        "requirements.txt — ce fichier n'est pas .*copiez-le avant",
    ),
    (
        _edit(
            "RUN pip install --no-cache-dir -r requirements.txt && useradd --create-home app\n",
            "RUN useradd --create-home app\n",
        ).replace("USER app\n", "USER app\nRUN pip install -r requirements.txt\n"),
        "pip install s'exécute après USER app",
    ),
    (_edit("COPY src/ ./src/\nCOPY models/ ./models/\n", "COPY . .\n"), "embarque des données"),
    (_edit("COPY src/ ./src/", "COPY src/ ."), "src/app.py depuis le WORKDIR"),
    (_edit("COPY models/ ./models/\n", ""), "models/model.pkl.*n'est pas dans l'image"),
    (
        _edit("COPY src/ ./src/", "COPY app.py ./src/"),
        "build échouerait : COPY app.py : rien de tel",
    ),
    (_edit("FROM python:3.11-slim\n", ""), "commence par FROM"),
]


def test_exercise_1_refuses_the_stub_and_typical_mistakes_and_accepts_a_fixed_dockerfile(
    check_contract,
) -> None:
    check_contract(checks.exercice_1, stub=..., right=GOOD_DOCKERFILE, wrongs=WRONG_DOCKERFILES)


@pytest.mark.parametrize(
    "dockerfile",
    [
        _healthcheck(
            'CMD ["python", "-c", "import urllib.request as u; '
            "u.urlopen('http://localhost:8000/ready')\"]"
        ),
        _edit(CMD, "CMD uvicorn src.app:app --host 0.0.0.0\n"),
        _edit("useradd --create-home app", 'adduser --disabled-password --gecos "" app'),
        _edit("USER app", "USER 10001"),
        _edit("COPY src/ ./src/\nCOPY models/ ./models/\n", "COPY src ./src\nCOPY models models\n"),
        _edit(":8000", ":8080").replace('"8000"]', '"8080"]'),
        _edit("CMD python -c", "CMD /usr/local/bin/python -c"),
    ],
    ids=[
        "exec-form-ready",
        "shell-cmd-default-port",
        "adduser",
        "numeric-uid",
        "copy-no-slash",
        "port-8080",
        "absolute-python",
    ],
)
def test_exercise_1_accepts_other_right_spellings(dockerfile: str, capsys) -> None:
    checks.exercice_1(dockerfile)
    assert capsys.readouterr().out.startswith("✅")


def test_exercise_1_hints_never_print_the_served_port_or_the_app_target() -> None:
    for dockerfile, _ in WRONG_DOCKERFILES:
        with pytest.raises(WrongAnswerError) as error:
            checks.exercice_1(dockerfile)
        assert not re.search(r"8000|src\.app:app", str(error.value)), str(error.value)


def _previous(history: list[int]) -> int:
    for version in reversed(history[:-1]):
        if version != history[-1]:
            return version
    raise ValueError("no earlier champion")


def _previous_naive(history: list[int]) -> int:
    return history[-2]


def _highest_other(history: list[int]) -> int:
    others = [v for v in history if v != history[-1]]
    if not others:
        raise ValueError("no earlier champion")
    return max(others)


def _first_different(history: list[int]) -> int:
    for version in history:
        if version != history[-1]:
            return version
    raise ValueError("no earlier champion")


def _minus_one(history: list[int]) -> int:
    if len(history) < 2:
        raise ValueError("no earlier champion")
    return history[-1] - 1


def _pops(history: list[int]) -> int:
    current = history.pop()
    for version in reversed(history):
        if version != current:
            return version
    raise ValueError("no earlier champion")


def _returns_none_when_impossible(history: list[int]) -> int | None:
    for version in reversed(history[:-1]):
        if version != history[-1]:
            return version
    return None


def _index_error_on_empty(history: list[int]) -> int:
    current = history[-1]
    for version in reversed(history[:-1]):
        if version != current:
            return version
    raise ValueError("no earlier champion")


def test_exercise_2_refuses_typical_rollback_mistakes(check_contract) -> None:
    def stub(history): ...

    check_contract(
        checks.exercice_2,
        stub=stub,
        right=_previous,
        wrongs=[
            (_previous_naive, r"\[1, 3, 3\].*renvoie 3, la version actuelle"),
            (_highest_other, r"\[2, 6, 4, 7\].*renvoie 6, la plus grande version"),
            (_first_different, r"\[1, 3, 4\].*renvoie 1\. .*depuis la fin"),
            (_minus_one, r"\[1, 2, 1\].*renvoie 0, une version qui n'a jamais été champion"),
            (_pops, r"modifie l'historique"),
            (_returns_none_when_impossible, r"\[3\].*levez ValueError au lieu de renvoyer None"),
            (_index_error_on_empty, r"historique \[\].*lève IndexError.*levez ValueError"),
            (lambda history: str(_previous(history)), r"numéro de version \(int\), pas '1'"),
        ],
    )


def test_exercise_2_hints_never_print_the_expected_version() -> None:
    # [2, 6, 4, 7] rolls back to 4: no hint about that history may name 4.
    with pytest.raises(WrongAnswerError) as error:
        checks.exercice_2(_highest_other)
    assert "[2, 6, 4, 7]" in str(error.value)
    assert "4" not in str(error.value).replace("[2, 6, 4, 7]", "")


def _env_finding(project: audit.Project, *, check="env_example", area="Sécurité", status=None):
    present = (project.root / ".env.example").is_file()
    if status is None:
        status = audit.Status.PASS if present else audit.Status.FAIL
    return audit.Finding(
        check,
        area,
        status,
        ".env.example présent" if present else "pas de .env.example",
        "" if present else "ajoutez un .env.example (variables sans valeurs)",
    )


def _env_check(project: audit.Project) -> audit.Finding:
    return _env_finding(project)


def _always_passes(project: audit.Project) -> audit.Finding:
    return _env_finding(project, status=audit.Status.PASS)


def _invented_name(project: audit.Project) -> audit.Finding:
    return _env_finding(project, check="env")


def _area_without_accent(project: audit.Project) -> audit.Finding:
    return _env_finding(project, area="Securite")


def _status_as_text(project: audit.Project) -> audit.Finding:
    finding = _env_finding(project)
    return audit.Finding(finding.check, finding.area, str(finding.status), finding.reason, "x")


def _looks_for_the_env_file(project: audit.Project) -> audit.Finding:
    present = (project.root / ".env").is_file() or (project.root / ".env.example").is_file()
    status = audit.Status.PASS if present else audit.Status.FAIL
    return audit.Finding("env_example", "Sécurité", status, "fichier d'environnement", "ajoutez-le")


def _looks_in_the_working_directory(project: audit.Project) -> audit.Finding:
    present = Path(".env.example").is_file()
    status = audit.Status.PASS if present else audit.Status.FAIL
    return audit.Finding("env_example", "Sécurité", status, ".env.example ?", "ajoutez-le")


def _no_fix(project: audit.Project) -> audit.Finding:
    finding = _env_finding(project)
    return audit.Finding(finding.check, finding.area, finding.status, finding.reason)


def test_exercise_3_refuses_invented_names_and_checks_that_cannot_tell_projects_apart(
    check_contract, tmp_path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a working directory without .env.example, as in a notebook

    def stub(project): ...

    check_contract(
        checks.exercice_3,
        stub=stub,
        right=_env_check,
        wrongs=[
            (_always_passes, "sans .env.example, le statut doit être FAIL"),
            (_invented_name, "check='env'.*exactement celui de l'énoncé"),
            (_area_without_accent, "area='Securite'.*accents compris"),
            (_status_as_text, "est une chaîne.*audit.Status"),
            (_looks_for_the_env_file, r"un \.env .*mais pas de \.env\.example doit échouer"),
            (_looks_in_the_working_directory, "doit être PASS.*projet.root"),
            (_no_fix, "correction"),
        ],
    )


def test_exercise_3_hints_do_not_spell_the_expected_identifiers() -> None:
    for wrong in (_invented_name, _area_without_accent):
        with pytest.raises(WrongAnswerError) as error:
            checks.exercice_3(wrong)
        assert not re.search(r"env_example|Sécurité", str(error.value)), str(error.value)
