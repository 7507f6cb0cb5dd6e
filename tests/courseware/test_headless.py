"""How a learner's notebook is read: check cells found by what they call, verdicts, matching."""

from __future__ import annotations

import zipfile
from pathlib import Path

import nbformat
import pytest

from mlops_course.config import project_root
from mlops_course.courseware import expectations, grading, headless, submissions
from mlops_course.courseware import notebooks as nbio
from mlops_course.courseware.headless_worker import KEY_META

NAME = "01_introduction_mlops.ipynb"
EX1 = "mlops_course.checks.introduction.exercice_1"


@pytest.fixture(scope="module")
def course01() -> expectations.CourseNotebook:
    (notebook,) = expectations.course(only=["01"])
    return notebook


def test_the_course_lists_exercises_by_check_function_and_questions_by_id(course01) -> None:
    keys = [p.key for p in course01.proofs]
    assert keys[:3] == [EX1, EX1[:-1] + "2", EX1[:-1] + "3"]
    assert keys[3] == "quiz:01.boucle"
    first = course01.proofs[0]
    assert (first.label, first.column) == ("Exercice 1 — Le cycle de vie", "01/exercice_1")
    assert course01.proofs[3].column == "01/q.boucle"


@pytest.mark.parametrize(
    ("imports", "call"),
    [
        ("from mlops_course.checks import introduction as checks", "checks.exercice_1(x)"),
        ("import mlops_course.checks.introduction as c", "c.exercice_1(x)"),
        ("from mlops_course.checks.introduction import exercice_1", "exercice_1(x)"),
        ("import mlops_course", "mlops_course.checks.introduction.exercice_1(x)"),
    ],
)
def test_a_check_call_is_resolved_through_any_import_spelling(imports: str, call: str) -> None:
    aliases = expectations.import_aliases([imports, "%matplotlib inline"])
    assert expectations.called_keys(f"print(1)\n{call}", aliases) == [EX1]


def test_a_quiz_call_is_keyed_by_its_question_and_broken_code_calls_nothing() -> None:
    aliases = expectations.import_aliases(["from mlops_course.checks import quiz"])
    assert expectations.called_keys('quiz.answer("07.nan", r)', aliases) == ["quiz:07.nan"]
    assert expectations.called_keys("checks.exercice_1(", aliases) == []


@pytest.mark.parametrize(
    ("outputs", "status"),
    [
        ([{"type": "stream", "name": "stdout", "text": "✅ Juste.\n💡 parce que"}], "done"),
        ([{"type": "error", "ename": "NotDoneError", "traceback": ["⏳ pas encore"]}], "todo"),
        ([{"type": "error", "ename": "WrongAnswerError", "traceback": ["❌ non"]}], "wrong"),
        ([{"type": "error", "ename": "NameError", "evalue": "name 'x' is not defined"}], "error"),
        ([{"type": "stream", "name": "stdout", "text": "fini"}], "error"),
        ([], "error"),
    ],
)
def test_a_check_cell_is_classified_from_its_outputs(outputs: list, status: str) -> None:
    assert headless.classify(outputs)[0] == status


def test_prepare_grades_the_official_check_even_when_the_learner_edits_moves_or_deletes_it(
    course01,
) -> None:
    nb = nbio.read(project_root() / "solutions" / NAME)
    cells = nb.cells
    first = next(i for i, c in enumerate(cells) if c.source.strip() == "checks.exercice_1(ordre)")
    cells[first].source = "checks.exercice_1(ordre)\nprint('✅ tout bon')"  # edited check cell
    cells[first].metadata.pop("tags")
    second = next(i for i, c in enumerate(cells) if "checks.exercice_2(" in c.source)
    del cells[second]  # deleted
    prepared, present = headless.prepare(nb, course01)
    keyed = [(c.source, c.metadata[KEY_META]) for c in prepared.cells if KEY_META in c.metadata]
    assert ("checks.exercice_1(ordre)", EX1) in keyed  # the official one runs after theirs
    assert EX1 in present and EX1[:-1] + "2" not in present
    assert not any(c.metadata.get("mlops_course_quiz") == "progress" for c in prepared.cells)


def test_notebooks_are_matched_by_name_then_number_then_content(tmp_path: Path, course01) -> None:
    (eight,) = expectations.course(only=["08"])
    solution = project_root() / "solutions"
    nbio.write(nbio.read(solution / NAME), tmp_path / "brouillon.ipynb")
    nbio.write(nbio.read(solution / eight.name), tmp_path / "08_mes_pratiques.ipynb")
    (tmp_path / "notes.ipynb").write_text("pas un notebook", encoding="utf-8")
    (tmp_path / ".ipynb_checkpoints").mkdir()
    (tmp_path / ".ipynb_checkpoints" / NAME).write_text("{}", encoding="utf-8")
    files = submissions.notebook_files(tmp_path)
    pairs, remarks = submissions.match_notebooks(files, [course01, eight])
    assert pairs == {NAME: tmp_path / "brouillon.ipynb", eight.name: files[0]}
    assert files[0].name == "08_mes_pratiques.ipynb"
    assert any("brouillon.ipynb" in r and "reconnu à ses vérifications" in r for r in remarks)
    assert any("notes.ipynb" in r and "ignoré" in r for r in remarks)


def test_an_unreadable_notebook_gets_its_row_without_running(tmp_path: Path, course01) -> None:
    broken = tmp_path / NAME
    broken.write_text("{ pas du json", encoding="utf-8")
    run = headless.run(broken, course01, limit=5)
    assert run.outcome == "unreadable"
    assert {c.status for c in run.checks.values()} == {"not_run"}


def test_a_zip_is_extracted_without_leaving_its_folder(tmp_path: Path) -> None:
    archive = tmp_path / "alice.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        empty = nbformat.writes(nbformat.v4.new_notebook())
        bundle.writestr("rendu/01_introduction_mlops.ipynb", empty)
        bundle.writestr("../../evasion.ipynb", "{}")
        bundle.writestr("/absolu.ipynb", "{}")
        bundle.writestr("__MACOSX/._01.ipynb", "{}")
        bundle.writestr("script.py", "import os")
    target = tmp_path / "extrait"
    target.mkdir()
    assert grading._extract(archive, target) == []
    assert [p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()] == [
        "rendu/01_introduction_mlops.ipynb"
    ]
    (tmp_path / "casse.zip").write_text("pas un zip", encoding="utf-8")
    assert "archive illisible" in grading._extract(tmp_path / "casse.zip", target)[0]
