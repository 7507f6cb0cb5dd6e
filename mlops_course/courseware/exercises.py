"""Single-sourced exercises: stubs generated from the solution notebooks.

Solution notebooks (``solutions/NN_*.ipynb``) are written by hand and mark what the
learner must write, with the spellings nbgrader and otter-grader both accept:

- ``# BEGIN SOLUTION`` ... ``# END SOLUTION`` around lines inside a code cell: the block
  becomes ``...`` (inside a function, the stub then returns ``None``);
- ``name = value  # SOLUTION`` on one line: it becomes ``name = ...``; ``return x  # SOLUTION``
  becomes ``return ...``; any other line ending with ``# SOLUTION`` becomes ``...``;
- a cell tagged ``solution``: the whole cell becomes a stub.

Cells tagged ``check`` hold one call to a check of ``mlops_course.checks``. From one
solution notebook this module builds:

- the exercise notebook (:func:`make_exercise`), committed under ``exercises/``;
- the proof notebook (:func:`make_proof`), run by the harness: before every check it
  re-runs the exercise's cells as stubs and requires the check to answer "pas encore
  fait" (``NotDoneError``), then re-runs the solution and requires the check to pass.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from mlops_course.config import project_root
from mlops_course.courseware import notebooks as nbio

PLACEHOLDER_COMMENT = "# VOTRE CODE ICI"
_BEGIN = re.compile(r"^(?P<indent>\s*)#\s*BEGIN SOLUTION\b.*$")
_END = re.compile(r"^\s*#\s*END SOLUTION\b.*$")
_LINE = re.compile(r"^(?P<body>.*?)\s*#\s*SOLUTION\s*$")
_ASSIGN = re.compile(
    r"^(?P<indent>\s*)(?P<target>[A-Za-z_][\w.\[\]'\", ]*?)\s*(?P<op>[-+*/]?=)(?!=)"
)
_RETURN = re.compile(r"^(?P<indent>\s*)return\b")


class MarkerError(ValueError):
    """A solution cell's markers are malformed (unclosed block, nested block, ...)."""


def stub_source(source: str, *, where: str = "cell") -> str:
    """Return ``source`` with every solution marker replaced by its placeholder."""
    out: list[str] = []
    in_block: str | None = None
    for number, line in enumerate(source.splitlines(), start=1):
        begin = _BEGIN.match(line)
        if begin:
            if in_block is not None:
                raise MarkerError(f"{where}, line {number}: BEGIN SOLUTION inside another one")
            in_block = begin["indent"]
            # At top level a comment is enough; a bare `...` would display "Ellipsis".
            out += [f"{in_block}{PLACEHOLDER_COMMENT}"] + ([f"{in_block}..."] if in_block else [])
            continue
        if _END.match(line):
            if in_block is None:
                raise MarkerError(f"{where}, line {number}: END SOLUTION without BEGIN SOLUTION")
            in_block = None
            continue
        if in_block is not None:
            continue
        single = _LINE.match(line)
        if single and single["body"].strip():
            out.append(_stub_line(single["body"]))
            continue
        out.append(line)
    if in_block is not None:
        raise MarkerError(f"{where}: BEGIN SOLUTION is never closed by END SOLUTION")
    return "\n".join(out)


def _stub_line(body: str) -> str:
    assign = _ASSIGN.match(body)
    if assign:
        return f"{assign['indent']}{assign['target']} {assign['op']} ...  {PLACEHOLDER_COMMENT}"
    ret = _RETURN.match(body)
    if ret:
        return f"{ret['indent']}return ...  {PLACEHOLDER_COMMENT}"
    indent = body[: len(body) - len(body.lstrip())]
    return f"{indent}...  {PLACEHOLDER_COMMENT}" if indent else PLACEHOLDER_COMMENT


def is_solution_cell(cell: nbformat.NotebookNode) -> bool:
    """Return True when a cell holds solution markers or is tagged ``solution``."""
    if nbio.TAG_SOLUTION in nbio.tags(cell):
        return True
    if cell.cell_type != "code":
        return False
    return any(_BEGIN.match(line) or _LINE.match(line) for line in cell.source.splitlines())


def stub_cell(cell: nbformat.NotebookNode, *, where: str) -> nbformat.NotebookNode:
    """Return the exercise version of one cell (unchanged when it has no marker)."""
    out = nbformat.from_dict(cell)
    cell_tags = nbio.tags(cell)
    if nbio.TAG_SOLUTION in cell_tags:
        if cell.cell_type == "markdown":
            out.source = "✍️ *Votre réponse ici.*"
        else:
            out.source = PLACEHOLDER_COMMENT
        kept = [t for t in cell_tags if t != nbio.TAG_SOLUTION]
        if kept:
            out.metadata["tags"] = kept
        else:
            out.metadata.pop("tags", None)
    elif cell.cell_type == "code":
        out.source = stub_source(cell.source, where=where)
    return out


#: Cell metadata key marking the generated banner (replaced in the learner's own copy).
BANNER_KEY = "mlops_course_banner"

HOW_TO_WORK = (
    "**Comment travailler** : exécutez les cellules une à une, de haut en bas (Maj+Entrée). "
    "Remplacez chaque `...` par votre code, exécutez la cellule, puis la vérification qui la "
    "suit : ⏳ pas encore fait, ❌ un indice pour corriger, ✅ c'est juste. « Exécuter tout » "
    "s'arrête à la première vérification qui n'est pas ✅ : c'est voulu, reprenez à cet "
    "exercice."
)


def _banner_cell(text: str, kind: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_markdown_cell(text)
    cell.metadata[BANNER_KEY] = kind
    return cell


def _banner(solution_path: Path) -> nbformat.NotebookNode:
    return _banner_cell(
        f"> 📝 **Énoncé généré** depuis `solutions/{solution_path.name}` par `make exercises` : "
        "ne le modifiez pas dans le dépôt. Travaillez dans **votre copie**, "
        f"`mon-travail/{solution_path.name}` (`make lab` la crée).\n>\n> {HOW_TO_WORK}",
        "exercise",
    )


def learner_copy(exercise: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """Return the learner's own copy of an exercise notebook (its banner says so)."""
    out = nbformat.from_dict(exercise)
    copy_banner = _banner_cell(
        f"> ✍️ **Votre copie** de l'exercice : modifiez-la librement, `make lab` ne l'écrase "
        "jamais. Pour repartir de zéro, supprimez ce fichier et relancez `make lab`. Le corrigé "
        f"est dans `solutions/{name}`, à ouvrir une fois l'exercice tenté.\n>\n> {HOW_TO_WORK}",
        "copy",
    )
    cells = [c for c in out.cells if c.get("metadata", {}).get(BANNER_KEY) is None]
    out.cells = [copy_banner, *cells]
    return nbio.normalized(out)


def make_exercise(solution: nbformat.NotebookNode, solution_path: Path) -> nbformat.NotebookNode:
    """Return the exercise notebook generated from a solution notebook."""
    out = nbformat.from_dict(solution)
    cells = [stub_cell(c, where=f"{solution_path.name}, cell {i}") for i, c in enumerate(out.cells)]
    out.cells = [_banner(solution_path), *cells]
    return nbio.normalized(out)


@dataclass
class Exercise:
    """One exercise of a solution notebook: its solution cells and its check cell."""

    number: int
    check_index: int
    solution_indices: list[int] = field(default_factory=list)


def exercises_of(solution: nbformat.NotebookNode) -> list[Exercise]:
    """Return the exercises of a solution notebook, in order.

    An exercise is a ``check`` cell together with the solution cells since the previous
    check. A check with no solution cell before it, or solution cells with no check
    after them, are authoring mistakes and raise :class:`MarkerError`.
    """
    found: list[Exercise] = []
    pending: list[int] = []
    for index, cell in enumerate(solution.cells):
        if is_solution_cell(cell) and cell.cell_type == "code":
            pending.append(index)
        if nbio.TAG_CHECK in nbio.tags(cell):
            if not pending:
                raise MarkerError(f"check cell {index} has no solution cell before it")
            found.append(Exercise(len(found) + 1, index, pending))
            pending = []
    if pending:
        raise MarkerError(f"solution cells {pending} have no check cell after them")
    return found


def _expect_not_done(check_source: str, number: int) -> str:
    body = textwrap.indent(check_source.strip(), "    ")
    return (
        "from mlops_course.checks import NotDoneError as _NotDoneError\n"
        "try:\n"
        f"{body}\n"
        "except _NotDoneError as _refused:\n"
        f'    print("proof: exercise {number} stub refused:", _refused)\n'
        "else:\n"
        f'    raise RuntimeError("proof failed: the check of exercise {number} accepted the '
        'untouched stub (it must raise NotDoneError)")'
    )


def make_proof(solution: nbformat.NotebookNode, solution_path: Path) -> nbformat.NotebookNode:
    """Return the proof notebook: each check must refuse the stub, then accept the solution.

    Every cell records in ``metadata.proof_source_cell`` the index of the solution cell it
    comes from, so a failure is reported against the hand-written notebook.
    """
    exercises = {ex.check_index: ex for ex in exercises_of(solution)}
    cells: list[nbformat.NotebookNode] = []

    def emit(cell: nbformat.NotebookNode, origin: int, role: str | None = None) -> None:
        cell = nbformat.from_dict(cell)
        cell.metadata["proof_source_cell"] = origin
        if role:
            cell.metadata["tags"] = [role]
        cells.append(cell)

    for index, cell in enumerate(solution.cells):
        exercise = exercises.get(index)
        if exercise is not None:
            for sol_index in exercise.solution_indices:
                where = f"{solution_path.name}, cell {sol_index}"
                emit(stub_cell(solution.cells[sol_index], where=where), sol_index, "proof-stub")
            wrapped = nbformat.v4.new_code_cell(_expect_not_done(cell.source, exercise.number))
            emit(wrapped, index, "proof-expect-not-done")
            for sol_index in exercise.solution_indices:
                emit(solution.cells[sol_index], sol_index, "proof-solution")
        emit(cell, index)
    out = nbformat.from_dict(solution)
    out.cells = cells
    return nbio.normalized(out)


def exercise_path(solution_path: Path, root: Path | None = None) -> Path:
    """Return where the exercise generated from ``solution_path`` lives."""
    return (root or project_root()) / "exercises" / solution_path.name


def generate(root: Path | None = None, *, check: bool = False) -> list[Path]:
    """Write (or, with ``check``, compare) every exercise notebook.

    Returns the exercise paths that were out of date. With ``check`` nothing is written.
    Exercise notebooks with no solution notebook left are out of date too (stale).
    """
    root = root or project_root()
    stale: list[Path] = []
    expected: set[Path] = set()
    for solution_path in nbio.discover("solutions", root):
        target = exercise_path(solution_path, root)
        expected.add(target)
        exercises_of(nbio.read(solution_path))  # authoring errors surface here
        text = nbio.dumps(make_exercise(nbio.read(solution_path), solution_path))
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current != text:
            stale.append(target)
            if not check:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
    for orphan in nbio.discover("exercises", root):
        if orphan not in expected:
            stale.append(orphan)
            if not check:
                orphan.unlink()
    return stale
