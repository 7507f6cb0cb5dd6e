"""Running notebooks with papermill: isolation, working directory, failures named by cell."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from mlops_course.courseware import nbval_inputs, runner
from mlops_course.courseware import notebooks as nbio


def _notebook(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nb.metadata["kernelspec"] = dict(nbio.KERNELSPEC)
    nbio.write(nb, path)
    return path


def test_a_failing_cell_is_named_with_its_index_error_and_source(tmp_path: Path) -> None:
    path = _notebook(
        tmp_path / "nb" / "01_demo.ipynb",
        "import os\nprint(os.getcwd())\nprint(os.environ['MLOPS_COURSE_HOME'])",
        "assert 1 + 1 == 3, 'arithmetic is broken'",
        "print('never')",
    )
    env = runner.isolated_env("demo", tmp_path)
    outcome = runner.execute(path, tmp_path / "out" / "01_demo.ipynb", env=env)
    assert not outcome.ok
    assert (outcome.cell_index, outcome.error_name) == (1, "AssertionError")
    assert "arithmetic is broken" in outcome.describe() and "01_demo.ipynb" in outcome.describe()
    executed = [c for c in nbio.read(outcome.output).cells if c.cell_type == "code"]
    first = executed[0].outputs[0]["text"].splitlines()
    assert first == [str(path.parent), str(tmp_path / "build" / "work" / "demo")]


def test_isolated_env_starts_from_an_empty_folder(tmp_path: Path) -> None:
    home = Path(runner.isolated_env("x", tmp_path)["MLOPS_COURSE_HOME"])
    (home / "leftover").write_text("old")
    home = Path(runner.isolated_env("x", tmp_path)["MLOPS_COURSE_HOME"])
    assert list(home.iterdir()) == []


def test_nbval_copies_carry_the_expected_output_of_tagged_cells(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print(6 * 7)")
    cell.metadata.update(tags=["nbval-check-output"], expected_output="42\n")
    nb.cells = [nbformat.v4.new_code_cell("x = 1"), cell]
    prepared = nbval_inputs.with_expected_outputs(nb, tmp_path, where="demo")
    assert prepared.cells[2].outputs[0]["text"] == "42\n"
    assert prepared.cells[2].execution_count is not None
    assert str(tmp_path) in prepared.cells[0].source  # runs write under build/, not the repo


def test_a_tagged_cell_without_expected_output_is_an_authoring_error(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print(1)")
    cell.metadata["tags"] = ["nbval-check-output"]
    nb.cells = [cell]
    with pytest.raises(ValueError, match=r"cell 0.*expected_output"):
        nbval_inputs.with_expected_outputs(nb, tmp_path, where="demo")


def test_committed_notebooks_have_no_outputs_and_the_python3_kernel() -> None:
    for path in nbio.all_notebooks():
        text = path.read_text(encoding="utf-8")
        assert text == nbio.dumps(nbio.normalized(nbio.read(path))), f"{path}: run `make format`"


def test_every_notebook_has_a_parameters_cell_reading_fast_mode() -> None:
    for path in nbio.all_notebooks():
        cells = [c for c in nbio.read(path).cells if nbio.TAG_PARAMETERS in nbio.tags(c)]
        assert len(cells) == 1, f"{path}: exactly one cell tagged 'parameters'"
        assert "fast_mode()" in cells[0].source, f"{path}: the parameters cell reads fast_mode()"


def test_stderr_is_reported_by_cell_unless_the_cell_says_it_is_meant(tmp_path: Path) -> None:
    path = _notebook(
        tmp_path / "nb" / "01_bruit.ipynb",
        "import sys\nprint('sortie normale')",
        "import warnings\nwarnings.warn('IProgress not found')",
        "import sys\nsys.stderr.write('\\nvoulu\\n')",
        "import sys\nsys.stderr.write('une erreur')\nraise ValueError('stop')",
    )
    nb = nbio.read(path)
    nb.cells[2].metadata["tags"] = [nbio.TAG_STDERR]
    nbio.write(nb, path)
    outcome = runner.execute(path, tmp_path / "out.ipynb", env=runner.isolated_env("b", tmp_path))
    assert outcome.cell_index == 3  # papermill's error banner does not shift the indices
    stray = runner.stray_stderr(nbio.read(outcome.output))
    assert [item.cell_index for item in stray] == [1, 3]
    assert "IProgress not found" in stray[0].describe() and stray[0].describe().startswith("cell 1")
    assert stray[1].first_line == "une erreur"


def test_a_proof_cell_reports_the_solution_cell_it_comes_from() -> None:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x = 1")
    cell.metadata["proof_source_cell"] = 7
    cell.outputs = [nbformat.v4.new_output("stream", name="stderr", text="bruit\n")]
    nb.cells = [cell, nbformat.v4.new_code_cell("")]
    assert runner.stray_stderr(nb) == [runner.StrayOutput(7, "bruit")]
