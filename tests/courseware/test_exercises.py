"""The exercise generator and the stub/solution proof built from solution notebooks."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import nbformat
import pytest

from mlops_course.courseware import exercises as ex
from mlops_course.courseware import notebooks as nbio


def _nb(*cells: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    return nb


def _code(source: str, *tags: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def test_a_solution_block_becomes_a_placeholder_at_its_indentation() -> None:
    source = "def f(x):\n    # BEGIN SOLUTION\n    y = x * 2\n    return y\n    # END SOLUTION\n"
    assert ex.stub_source(source) == "def f(x):\n    # VOTRE CODE ICI\n    ..."


def test_one_line_markers_keep_the_assigned_name_or_the_return() -> None:
    source = "seuil = 0.95  # SOLUTION\ndef g():\n    return 42  # SOLUTION\nprint(1)  # SOLUTION"
    assert ex.stub_source(source).splitlines() == [
        "seuil = ...  # VOTRE CODE ICI",
        "def g():",
        "    return ...  # VOTRE CODE ICI",
        "# VOTRE CODE ICI",
    ]


def test_a_top_level_stub_shows_nothing_when_run() -> None:
    """A bare `...` as a cell's last line would display "Ellipsis" under the cell."""
    assert ex.stub_source("# BEGIN SOLUTION\nx = 1\n# END SOLUTION") == "# VOTRE CODE ICI"
    assert ex.stub_source("if True:\n    # BEGIN SOLUTION\n    x = 1\n    # END SOLUTION") == (
        "if True:\n    # VOTRE CODE ICI\n    ..."
    )


def test_lines_without_markers_are_kept_verbatim() -> None:
    source = "x = 1\nif x == 2:  # not a solution\n    pass"
    assert ex.stub_source(source) == source


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("# BEGIN SOLUTION\nx = 1", "never closed"),
        ("x = 1\n# END SOLUTION", "without BEGIN"),
        ("# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION", "inside another"),
    ],
)
def test_malformed_markers_are_reported_with_the_line(source: str, problem: str) -> None:
    with pytest.raises(ex.MarkerError, match=problem):
        ex.stub_source(source, where="demo.ipynb, cell 3")


def test_the_exercise_notebook_is_stubbed_stripped_and_stable(tmp_path: Path) -> None:
    solution = _nb(
        nbformat.v4.new_markdown_cell("# Titre"),
        _code("x = 42  # SOLUTION"),
        _code("check(x)", "check"),
        _code("print('whole cell')", "solution"),
        _code("check(y)", "check"),
    )
    solution.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="42")]
    solution.cells[1].execution_count = 7
    exercise = ex.make_exercise(solution, tmp_path / "01_demo.ipynb")
    assert "Énoncé généré" in exercise.cells[0].source
    assert "mon-travail/01_demo.ipynb" in exercise.cells[0].source
    assert "Exécuter tout" in exercise.cells[0].source
    assert [c.id for c in exercise.cells] == [str(i) for i in range(6)]
    assert exercise.cells[2].source == "x = ...  # VOTRE CODE ICI"
    assert exercise.cells[2].outputs == [] and exercise.cells[2].execution_count is None
    assert exercise.cells[4].source == "# VOTRE CODE ICI"
    assert "tags" not in exercise.cells[4].metadata
    assert exercise.metadata.kernelspec.name == "python3"
    again = ex.make_exercise(solution, tmp_path / "01_demo.ipynb")
    assert nbio.dumps(exercise) == nbio.dumps(again)


def test_every_check_needs_a_solution_before_it_and_every_solution_a_check() -> None:
    with pytest.raises(ex.MarkerError, match="no solution cell before it"):
        ex.exercises_of(_nb(_code("check(1)", "check")))
    with pytest.raises(ex.MarkerError, match="no check cell after them"):
        ex.exercises_of(_nb(_code("x = 1  # SOLUTION")))


def _run_in_process(nb: nbformat.NotebookNode) -> str:
    """Execute a notebook's code cells in one namespace (no kernel); return stdout."""
    namespace: dict[str, object] = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for cell in nb.cells:
            if cell.cell_type == "code":
                exec(compile(cell.source, "<cell>", "exec"), namespace)
    return out.getvalue()


_STRICT_CHECK = """
from mlops_course.checks import expect, require, success
def check_answer(value):
    require(value, "Exercice 1")
    expect(value == 42, "la réponse est 42")
    success("ok")
"""


def test_the_proof_passes_when_the_check_refuses_the_stub_and_accepts_the_solution(
    tmp_path: Path,
) -> None:
    solution = _nb(
        _code(_STRICT_CHECK), _code("x = 42  # SOLUTION"), _code("check_answer(x)", "check")
    )
    output = _run_in_process(ex.make_proof(solution, tmp_path / "01_demo.ipynb"))
    assert "exercise 1 stub refused" in output
    assert output.rstrip().endswith("✅ ok")


def test_the_proof_fails_when_a_check_accepts_the_untouched_stub(tmp_path: Path) -> None:
    lenient = "def check_answer(value):\n    print('✅ anything goes')"
    solution = _nb(_code(lenient), _code("x = 42  # SOLUTION"), _code("check_answer(x)", "check"))
    with pytest.raises(RuntimeError, match="accepted the untouched stub"):
        _run_in_process(ex.make_proof(solution, tmp_path / "01_demo.ipynb"))


def test_the_proof_fails_when_the_solution_is_wrong(tmp_path: Path) -> None:
    solution = _nb(
        _code(_STRICT_CHECK), _code("x = 41  # SOLUTION"), _code("check_answer(x)", "check")
    )
    proof = ex.make_proof(solution, tmp_path / "01_demo.ipynb")
    with pytest.raises(AssertionError, match="la réponse est 42"):
        _run_in_process(proof)
    assert proof.cells[-1].metadata["proof_source_cell"] == 2  # failures map to the solution cell


def _write_repo(root: Path, answer: str) -> Path:
    solution = _nb(_code(f"x = {answer}  # SOLUTION"), _code("check(x)", "check"))
    path = root / "solutions" / "01_demo.ipynb"
    nbio.write(solution, path)
    return path


def test_generate_writes_then_detects_a_solution_edited_without_regenerating(
    tmp_path: Path,
) -> None:
    _write_repo(tmp_path, "42")
    assert ex.generate(tmp_path, check=True) == [tmp_path / "exercises" / "01_demo.ipynb"]
    ex.generate(tmp_path)
    assert ex.generate(tmp_path, check=True) == []
    _write_repo(tmp_path, "43")  # only the hidden answer changes...
    solution = nbio.read(tmp_path / "solutions" / "01_demo.ipynb")
    solution.cells[0].source = "x = 43  # SOLUTION\n# a new comment the learner sees"
    nbio.write(solution, tmp_path / "solutions" / "01_demo.ipynb")
    assert ex.generate(tmp_path, check=True) == [tmp_path / "exercises" / "01_demo.ipynb"]


def test_an_exercise_whose_solution_was_deleted_is_stale(tmp_path: Path) -> None:
    _write_repo(tmp_path, "42")
    ex.generate(tmp_path)
    (tmp_path / "solutions" / "01_demo.ipynb").unlink()
    assert ex.generate(tmp_path, check=True) == [tmp_path / "exercises" / "01_demo.ipynb"]
    ex.generate(tmp_path)
    assert not (tmp_path / "exercises" / "01_demo.ipynb").exists()


def test_the_committed_exercises_are_in_sync_with_the_solutions() -> None:
    assert ex.generate(check=True) == [], "run `make exercises`"


def test_the_learners_copy_says_it_is_theirs_and_keeps_the_exercises(tmp_path: Path) -> None:
    solution = _nb(_code("x = 42  # SOLUTION"), _code("check(x)", "check"))
    exercise = ex.make_exercise(solution, tmp_path / "01_demo.ipynb")
    copy = ex.learner_copy(exercise, "01_demo.ipynb")
    assert "Votre copie" in copy.cells[0].source
    assert "ne le modifiez pas" not in copy.cells[0].source
    assert [c.source for c in copy.cells[1:]] == [c.source for c in exercise.cells[1:]]
    assert nbio.dumps(ex.learner_copy(copy, "01_demo.ipynb")) == nbio.dumps(copy)
