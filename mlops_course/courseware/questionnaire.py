"""Write the questionnaire section at the end of each solution notebook, from the quiz bank.

The questions are single-sourced in :mod:`mlops_course.quiz`. This module appends to
``solutions/NN_*.ipynb`` a generated "Questionnaire" section:

- a heading, and ``from mlops_course.checks import quiz``;
- per question: a Markdown cell (the question and its choices), an answer cell
  ``reponse_3 = "b"  # SOLUTION`` (a stub ``reponse_3 = ...`` in the exercises), and a
  check cell ``quiz.answer("07.chi2-effectifs", reponse_3)`` tagged ``check``: the proof
  harness proves every question on its stub and its solution like any exercise;
- a last cell that shows the learner's progress (:func:`mlops_course.progress.show`).

Every generated cell carries ``metadata.mlops_course_quiz`` (its role), so a new run
finds and replaces them: after a merge conflict in a solution notebook, take either side
and run ``mlops-course quiz`` again. ``mlops-course quiz --check`` (in ``make lint``) fails
when a solution notebook is out of date with the bank. A bank whose solution notebook
does not exist yet is skipped.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import nbformat

from mlops_course import quiz
from mlops_course.cli import ArgumentParser
from mlops_course.config import project_root
from mlops_course.courseware import notebooks as nbio

#: Cell metadata key marking a generated cell; its value is the cell's role.
QUIZ_KEY = "mlops_course_quiz"
#: Role of the last cell, which shows the learner's progress (the runners skip it).
PROGRESS_ROLE = "progress"

_WIDTH = 95
_INSTRUCTIONS = {
    "choice": "*Une seule bonne réponse : une lettre entre guillemets.*",
    "choices": ('*Plusieurs bonnes réponses : un ensemble de lettres, par exemple `{"x", "y"}`.*'),
    "number": "*Répondez par un nombre, sans guillemets.*",
}


def _cell(kind: str, source: str, role: str, tags: list[str] | None = None):
    make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
    cell = make(source)
    cell.metadata[QUIZ_KEY] = role
    if tags:
        cell.metadata["tags"] = tags
    return cell


def _literal(answer: str | frozenset[str] | float) -> str:
    if isinstance(answer, frozenset):
        return "{" + ", ".join(f'"{letter}"' for letter in sorted(answer)) + "}"
    if isinstance(answer, str):
        return f'"{answer}"'
    return repr(answer)


def _wrap(text: str, indent: str = "") -> str:
    words = " ".join(text.split())
    return textwrap.fill(
        words,
        width=_WIDTH,
        subsequent_indent=indent,
        break_on_hyphens=False,
        break_long_words=False,
    )


def question_cells(question: quiz.Question, number: int) -> list[nbformat.NotebookNode]:
    """The three cells of one question: statement, answer (solution-marked), check."""
    lines = [f"### Question {number} — {question.title}", "", _wrap(question.text), ""]
    lines += [_wrap(f"- **{letter})** {text}", "  ") for letter, text in question.choices.items()]
    if question.choices:
        lines.append("")
    lines.append(_INSTRUCTIONS[question.kind])
    variable = f"reponse_{number}"
    return [
        _cell("markdown", "\n".join(lines), "question"),
        _cell("code", f"{variable} = {_literal(question.answer)}  # SOLUTION", "answer"),
        _cell("code", f'quiz.answer("{question.id}", {variable})', "check", [nbio.TAG_CHECK]),
    ]


def section(questions: tuple[quiz.Question, ...], name: str) -> list[nbformat.NotebookNode]:
    """Every generated cell for the solution notebook ``name`` (``07_monitoring_drift.ipynb``)."""
    intro = "## Questionnaire\n\n" + _wrap(
        f"{len(questions)} questions sur les notions du cours `notebooks/{name}`. Pour "
        "chacune, remplacez le `...` par votre réponse, exécutez la cellule, puis la "
        "vérification qui la suit : ⏳ pas encore répondu, ❌ un indice (jamais la réponse), "
        "✅ et une explication quand c'est juste."
    )
    cells = [
        _cell("markdown", intro, "header"),
        _cell("code", "from mlops_course.checks import quiz", "setup"),
    ]
    for number, question in enumerate(questions, start=1):
        cells += question_cells(question, number)
    progress = "## Où en êtes-vous ?\n\n" + _wrap(
        "La cellule suivante fait le point sur **tout** le cours : elle exécute vos notebooks "
        "de `mon-travail/` (enregistrez d'abord avec Ctrl+S), chacun dans un dossier "
        "temporaire et sans jamais les modifier, puis affiche la checklist du chapitre avec "
        "✅ / ⏳ / ❌ pour chaque point et chaque exercice, et ce qu'il reste à faire. Seuls "
        "les notebooks modifiés depuis le dernier bilan sont réexécutés. Même chose dans un "
        "terminal : `make progress`."
    )
    cells += [
        _cell("markdown", progress, "progress-header"),
        _cell("code", "from mlops_course import progress\n\nprogress.show()", PROGRESS_ROLE),
    ]
    return cells


def with_questionnaire(
    nb: nbformat.NotebookNode, questions: tuple[quiz.Question, ...], name: str
) -> nbformat.NotebookNode:
    """Return ``nb`` without its old generated cells, with the section appended at the end."""
    out = nbformat.from_dict(nb)
    kept = [c for c in out.cells if QUIZ_KEY not in c.get("metadata", {})]
    out.cells = kept + section(questions, name)
    return nbio.normalized(out)


def solution_for(number: str, root: Path | None = None) -> Path | None:
    """Return ``solutions/NN_*.ipynb`` for a notebook number, or None if it does not exist."""
    matches = [p for p in nbio.discover("solutions", root) if p.name.startswith(f"{number}_")]
    return matches[0] if matches else None


def sync(root: Path | None = None, *, check: bool = False) -> tuple[list[Path], list[str]]:
    """Write (or, with ``check``, compare) the questionnaire of every solution notebook.

    Returns the solution notebooks that were out of date, and the notebook numbers whose
    solution notebook does not exist (their bank is kept for later).
    """
    root = root or project_root()
    stale: list[Path] = []
    skipped: list[str] = []
    for module, number in quiz.BANKS.items():
        path = solution_for(number, root)
        if path is None:
            skipped.append(number)
            continue
        wanted = nbio.dumps(with_questionnaire(nbio.read(path), quiz.bank(module), path.name))
        if path.read_text(encoding="utf-8") != wanted:
            stale.append(path)
            if not check:
                path.write_text(wanted, encoding="utf-8")
    return stale, skipped


def cli(argv: list[str]) -> int:
    """``mlops-course quiz [--check]``: sync the questionnaires of ``solutions/`` with the bank."""
    parser = ArgumentParser(
        prog="mlops-course quiz",
        description="Écrit le questionnaire de chaque notebook de solution (mlops_course.quiz).",
    )
    parser.add_argument("--check", action="store_true", help="comparer seulement, sans rien écrire")
    args = parser.parse_args(argv)
    root = project_root()
    stale, skipped = sync(root, check=args.check)
    names = ", ".join(str(p.relative_to(root)) for p in stale)
    waiting = f" (no solution notebook yet for {', '.join(skipped)})" if skipped else ""
    if args.check:
        if stale:
            print(
                f"questionnaires out of date with mlops_course/quiz/ in: {names}\n"
                "Run `make exercises` (it runs `mlops-course quiz` first), then commit.",
                file=sys.stderr,
            )
            return 1
        print(f"questionnaires match mlops_course/quiz/{waiting}")
        return 0
    for path in stale:
        print(f"wrote {path.relative_to(root)}")
    print(f"questionnaires are up to date{waiting}")
    return 0
