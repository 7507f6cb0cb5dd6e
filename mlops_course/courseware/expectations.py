"""What the course expects from a learner: every exercise and question, read from ``solutions/``.

A *proof* is one check a learner must pass: an exercise (named by its check function,
``mlops_course.checks.introduction.exercice_1``) or a questionnaire question (named
``quiz:07.chi2-effectifs``). The solution notebooks are the source of truth: their cells
tagged ``check`` list the proofs of each notebook, in order.

Check cells are recognised in any notebook — the learner's copy included — by what they
*call*, resolved statically through the notebook's imports (``from mlops_course.checks
import introduction as checks`` then ``checks.exercice_1(ordre)``), so a learner who moves,
untags or duplicates a check cell is still graded on the right exercise.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from mlops_course.checklist import question_key
from mlops_course.config import project_root
from mlops_course.courseware import notebooks as nbio

CHECKS_PACKAGE = "mlops_course.checks"
QUIZ_CHECK = "mlops_course.checks.quiz.answer"


@dataclass(frozen=True)
class Proof:
    """One check the learner must pass."""

    key: str
    """``mlops_course.checks.<module>.<function>`` or ``quiz:<question id>``."""
    notebook: str
    """The course notebook's file name (``01_introduction_mlops.ipynb``)."""
    kind: str
    """``"exercice"`` or ``"question"``."""
    number: int
    """1-based, among the proofs of the same kind in the notebook."""
    label: str
    """How reports name it (``Exercice 1 — Le cycle de vie``, ``Question 2 — …``)."""
    check_source: str
    """The official source of its check cell."""

    @property
    def column(self) -> str:
        """Short, stable column name for a spreadsheet (``01/exercice_1``, ``07/q.nan``)."""
        prefix = self.notebook[:2]
        if self.kind == "question":
            return f"{prefix}/q.{self.key.split('.', 1)[1]}"
        return f"{prefix}/{self.key.rsplit('.', 1)[1]}"


@dataclass(frozen=True)
class CourseNotebook:
    """A course notebook and the proofs it holds, in order."""

    name: str
    proofs: tuple[Proof, ...]

    @property
    def number(self) -> str:
        return self.name[:2]


def _dotted(node: ast.expr) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _parse(source: str) -> ast.Module | None:
    # IPython magics and shell escapes are not Python: blank them before parsing.
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
    try:
        return ast.parse("\n".join(lines))
    except (SyntaxError, ValueError):
        return None


def import_aliases(sources: list[str]) -> dict[str, str]:
    """Map each name bound by an import in ``sources`` to the dotted path it stands for."""
    aliases: dict[str, str] = {}
    for source in sources:
        tree = _parse(source)
        if tree is None:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        aliases[alias.asname] = alias.name
                    else:
                        head = alias.name.split(".")[0]
                        aliases[head] = head
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return aliases


def called_keys(source: str, aliases: dict[str, str]) -> list[str]:
    """Return the proof keys a cell calls: checks of ``mlops_course.checks``, quiz answers."""
    tree = _parse(source)
    if tree is None:
        return []
    keys: list[str] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _dotted(node.func)
        if name is None:
            continue
        head, _, rest = name.partition(".")
        path = aliases.get(head, head) + (f".{rest}" if rest else "")
        if path == QUIZ_CHECK:
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                keys.append(question_key(first.value))
        elif path.startswith(CHECKS_PACKAGE + ".") and path.count(".") == 3:
            keys.append(path)
    return sorted(set(keys), key=keys.index)


def _exercise_label(cells: list[nbformat.NotebookNode], index: int, number: int) -> str:
    for cell in reversed(cells[:index]):
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            match = re.match(r"^#{2,3}\s+(Exercice\b.*)$", line.strip())
            if match:
                return match[1].strip()
    return f"Exercice {number}"


def proofs_of(nb: nbformat.NotebookNode, name: str) -> tuple[Proof, ...]:
    """Return the proofs of a solution notebook, in order (one per cell tagged ``check``)."""
    from mlops_course import quiz

    aliases = import_aliases([c.source for c in nb.cells if c.cell_type == "code"])
    found: list[Proof] = []
    counts = {"exercice": 0, "question": 0}
    for index, cell in enumerate(nb.cells):
        if nbio.TAG_CHECK not in nbio.tags(cell):
            continue
        keys = called_keys(cell.source, aliases)
        if len(keys) != 1:
            raise ValueError(
                f"{name}, cell {index}: a check cell must call exactly one check of "
                f"{CHECKS_PACKAGE}, found {keys or 'none'}"
            )
        (key,) = keys
        kind = "question" if key.startswith("quiz:") else "exercice"
        counts[kind] += 1
        if kind == "question":
            question = quiz.get(key.removeprefix("quiz:"))
            label = f"Question {counts[kind]} — {question.title}"
        else:
            label = _exercise_label(nb.cells, index, counts[kind])
        found.append(Proof(key, name, kind, counts[kind], label, cell.source.strip()))
    return tuple(found)


def course(root: Path | None = None, only: list[str] | None = None) -> list[CourseNotebook]:
    """Return the course's exercise notebooks and their proofs, from ``solutions/``.

    ``only`` keeps the notebooks whose number (``"01"``) or name is listed.
    """
    notebooks = []
    for path in nbio.discover("solutions", root or project_root()):
        if only and not ({path.name[:2], path.name, path.stem} & set(only)):
            continue
        notebooks.append(CourseNotebook(path.name, proofs_of(nbio.read(path), path.name)))
    return notebooks
