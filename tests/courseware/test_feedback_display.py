"""What a learner sees under a check cell: the French message alone, never a traceback."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from mlops_course.checks import NotDoneError, WrongAnswerError, call, expect, require
from mlops_course.courseware import notebooks as nbio
from mlops_course.courseware import runner


def test_feedback_renders_as_its_message_lines_only() -> None:
    error = WrongAnswerError("❌ Exercice 2 : la route doit répondre 200.\n  Indice : @app.get")
    assert error._render_traceback_() == [
        "❌ Exercice 2 : la route doit répondre 200.",
        "  Indice : @app.get",
    ]


def test_long_messages_wrap_between_words_not_inside_them() -> None:
    words = ["fenêtre", "déclenchée", "référence"] * 20
    lines = WrongAnswerError("❌ " + " ".join(words))._render_traceback_()
    assert len(lines) > 1 and all(len(line) <= 90 for line in lines)
    assert " ".join(part.strip() for part in lines) == "❌ " + " ".join(words)


def test_the_learners_own_exception_becomes_a_french_hint() -> None:
    def broken() -> int:
        return 1 // 0

    with pytest.raises(WrongAnswerError, match="votre fonction a levé ZeroDivisionError"):
        call(broken, what="Exercice 1")


def test_feedback_is_still_an_assertion_error_for_runners_and_pytest() -> None:
    with pytest.raises(AssertionError):
        require(..., "Exercice 1")
    with pytest.raises(AssertionError):
        expect(False, "indice")


@pytest.mark.slow
def test_in_a_real_kernel_a_check_cell_shows_one_french_block_and_still_fails(
    tmp_path: Path,
) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "from mlops_course.checks import require\nx = ...\nrequire(x, 'Exercice 1')"
        )
    ]
    path = tmp_path / "01_demo.ipynb"
    nbio.write(nbio.normalized(nb), path)
    outcome = runner.execute(path, tmp_path / "out.ipynb", env={"MPLBACKEND": "Agg"})
    assert (outcome.error_name, outcome.cell_index) == (NotDoneError.__name__, 0)
    (shown,) = nbio.read(tmp_path / "out.ipynb").cells[-1].outputs
    assert shown.output_type == "error"
    text = "\n".join(shown.traceback)
    assert len(shown.traceback) <= 3  # the message, wrapped between words; nothing else
    assert text.startswith("⏳ Exercice 1 : pas encore fait")
    assert len(shown.traceback) == 1  # short enough for one line
    assert "File" not in text and "require" not in text and "Traceback" not in text
