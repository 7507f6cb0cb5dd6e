"""``mlops-course grade`` on a small synthetic class (notebook 01 only).

Seven learners, each with the row they must get: a complete one (the solutions), an empty
one (the exercises), one with wrong answers, one with a syntax error, one with an endless
loop (stopped at the time limit, its kernel killed), one without the notebook, one who
renamed it inside a zip.
"""

from __future__ import annotations

import csv
import os
import time
import zipfile
from pathlib import Path

import nbformat
import pytest

from mlops_course import quiz
from mlops_course.config import project_root
from mlops_course.courseware import exercises as ex
from mlops_course.courseware import grading
from mlops_course.courseware import notebooks as nbio

NAME = "01_introduction_mlops.ipynb"
LIMIT = 30.0


def _solution() -> nbformat.NotebookNode:
    return nbio.read(project_root() / "solutions" / NAME)


def _replace(nb: nbformat.NotebookNode, startswith: str, source: str) -> None:
    (cell,) = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith(startswith)]
    cell.source = source


def _wrong(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    _replace(
        nb,
        "ordre =",
        'ordre = ["cadrer", "donnees", "entrainer", "deployer", '
        '"evaluer", "servir", "monitorer", "reentrainer"]',
    )
    _replace(nb, "pratiques_niveau_2 =", 'pratiques_niveau_2 = {"ci_cd", "monitoring"}')
    _replace(nb, "def manquantes", "def manquantes(pratiques):\n    return set()")
    for number, question in enumerate(quiz.questions("01"), start=1):
        wrong = next(iter(question.hints))
        _replace(nb, f"reponse_{number} =", f"reponse_{number} = {wrong!r}")
    return nb


def _syntax_error(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    _replace(nb, "pratiques_niveau_2 =", 'pratiques_niveau_2 = {"ci_cd",\n')
    return nb


def _endless(nb: nbformat.NotebookNode, pid_file: Path) -> nbformat.NotebookNode:
    index = next(i for i, c in enumerate(nb.cells) if c.source.startswith("def manquantes"))
    pid = f"import os\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))"
    nb.cells[index:index] = [
        nbformat.v4.new_code_cell(pid),
        nbformat.v4.new_code_cell("while True:  # oops\n    pass"),
    ]
    return nb


def _alive(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status")
    if status.exists():
        return "\nState:\tZ" not in status.read_text()
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.slow
def test_a_synthetic_class_gets_the_expected_rows_in_bounded_time(tmp_path: Path) -> None:
    class_dir, pid_file = tmp_path / "classe", tmp_path / "boucle.pid"
    exercise = ex.learner_copy(nbio.read(project_root() / "exercises" / NAME), NAME)
    learners = {
        "complet": _solution(),
        "vide": exercise,
        "faux": _wrong(_solution()),
        "syntaxe": _syntax_error(_solution()),
        "boucle": _endless(_solution(), pid_file),
    }
    for learner, nb in learners.items():
        nbio.write(nb, class_dir / learner / NAME)
    (class_dir / "absent").mkdir()
    (class_dir / "absent" / "notes.txt").write_text("pas de notebook", encoding="utf-8")
    renamed = tmp_path / "copie de mon notebook.ipynb"
    nbio.write(_solution(), renamed)
    with zipfile.ZipFile(class_dir / "renomme.zip", "w") as bundle:
        bundle.write(renamed, "travail/copie de mon notebook.ipynb")
        bundle.writestr("../evasion.ipynb", "{}")  # never extracted outside its folder

    start = time.monotonic()
    out = tmp_path / "notes"
    grading.grade(class_dir, out, only=["01"], limit=LIMIT, jobs=2, echo=False)
    elapsed = time.monotonic() - start

    with (out / "grades.csv").open(encoding="utf-8") as handle:
        rows = {row["apprenant"]: row for row in csv.DictReader(handle)}
    columns = [c for c in next(iter(rows.values())) if c[:3] == "01/"]
    assert len(columns) == 3 + len(quiz.questions("01"))
    total = len(columns)
    score = {name: int(row["total"]) for name, row in rows.items()}
    assert score == {
        "absent": 0,
        "boucle": 2,  # exercises 1 and 2, before the loop
        "complet": total,
        "faux": 0,
        "renomme": total,
        "syntaxe": total - 1,  # exercise 2 only
        "vide": 0,
    }
    assert {row["sur"] for row in rows.values()} == {str(total)}
    assert rows["syntaxe"]["01/exercice_2"] == "0" and rows["syntaxe"]["01/exercice_1"] == "1"
    assert "erreur de syntaxe" in rows["syntaxe"]["remarques"]  # whatever Python names it
    assert f"limite de {LIMIT:.0f} s" in rows["boucle"]["remarques"]
    assert "while True" in rows["boucle"]["remarques"]  # names the cell that never ended
    assert "absent" in rows["absent"]["remarques"]
    assert "renommé" in rows["renomme"]["remarques"]
    assert not (tmp_path / "evasion.ipynb").exists()

    # the endless notebook was stopped at its limit and its kernel killed
    pid = int(pid_file.read_text())
    assert not _alive(pid)
    assert elapsed < 6 * LIMIT

    reports = {p.stem: p.read_text(encoding="utf-8") for p in (out / "rapports").glob("*.html")}
    assert set(reports) == set(rows)
    assert "pas encore fait" in reports["vide"]
    assert "❌" in reports["faux"] and "l&#x27;étape n°4 n&#x27;est pas la bonne" in reports["faux"]
    assert "jamais atteinte" in reports["boucle"]
    assert "Checklist de validation" in reports["complet"]
    assert reports["complet"].count("✅") > total
