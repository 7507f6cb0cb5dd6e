"""Rules for a project being completed: nothing left to do in its code (no ``TODO``).

Taught in notebook 08_bonnes_pratiques; the end project of notebook 09_capstone_pipeline
(``mlops-course new-project``) marks what the learner writes with ``TODO``, and its rubric
is this audit: a project still holding one is not finished.
"""

from __future__ import annotations

import re

from mlops_course.audit.findings import Finding, Verdict
from mlops_course.audit.project import Project
from mlops_course.audit.rules import rule

#: Files where a ``TODO`` marker is unfinished work (documentation may talk about them).
CODE_FILES = (".py", ".toml", ".yml", ".yaml", ".cfg", ".ini", ".sh", "Dockerfile")
#: A marker: a comment that starts with TODO, or a NotImplementedError whose message does.
_MARKER = re.compile(r"#\s*TODO\b|NotImplementedError\(\s*[rf]?[\"']TODO\b")


@rule
def no_todo_left(project: Project) -> Finding:
    verdict = Verdict("todo_restants", "Code")
    found: dict[str, list[int]] = {}
    for path, text in project.text_files(*CODE_FILES):
        lines = [n for n, line in enumerate(text.splitlines(), start=1) if _MARKER.search(line)]
        if lines:
            found[project.rel(path)] = lines
    if found:
        where = " ; ".join(
            f"{name}:{','.join(map(str, lines[:4]))}{'…' if len(lines) > 4 else ''}"
            for name, lines in sorted(found.items())
        )
        total = sum(map(len, found.values()))
        return verdict.failed(
            f"{total} marqueur(s) TODO dans le code : {where}",
            "écrivez ce que chaque TODO demande, puis retirez le marqueur",
        )
    return verdict.passed("aucun TODO dans le code")
