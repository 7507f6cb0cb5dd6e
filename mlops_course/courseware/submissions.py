"""Find a learner's notebooks among the files they handed in: by name, number or content.

A learner's folder may hold renamed copies (``01_introduction_mlops (1).ipynb``,
``brouillon.ipynb``), checkpoints, drafts: :func:`match_notebooks` pairs each course
notebook with at most one file and says, in French, what it did with the others.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from mlops_course.courseware.expectations import CourseNotebook, called_keys, import_aliases


def notebook_files(folder: Path) -> list[Path]:
    """The notebooks of a learner's folder, at any depth (checkpoints and hidden files aside)."""
    found = []
    for path in sorted(folder.rglob("*.ipynb")):
        parts = path.relative_to(folder).parts
        if any(part.startswith((".", "__")) for part in parts):
            continue
        if path.is_file():
            found.append(path)
    return found


def _keys_in(path: Path) -> set[str]:
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception:
        return set()
    sources = [c.source for c in nb.cells if c.cell_type == "code"]
    aliases = import_aliases(sources)
    return {key for source in sources for key in called_keys(source, aliases)}


def match_notebooks(
    files: list[Path], course: list[CourseNotebook]
) -> tuple[dict[str, Path], list[str]]:
    """Pair each course notebook with one of the learner's files.

    By exact name first, then by number (``01_…``), then by content (the file whose cells
    call the most of the notebook's checks): a renamed copy is still found. Returns the
    pairs and French remarks (renamed files, files that match nothing).
    """
    pairs: dict[str, Path] = {}
    remarks: list[str] = []
    left = list(files)
    for notebook in course:
        exact = [f for f in left if f.name == notebook.name]
        if exact:
            pairs[notebook.name] = exact[0]
            left.remove(exact[0])
    for notebook in course:
        if notebook.name in pairs:
            continue
        numbered = [f for f in left if f.name[:2] == notebook.number and not f.name[2:3].isdigit()]
        if numbered:
            pairs[notebook.name] = numbered[0]
            left.remove(numbered[0])
            remarks.append(f"« {numbered[0].name} » évalué comme {notebook.name} (renommé).")
    keys = {f: _keys_in(f) for f in left}
    for notebook in course:
        if notebook.name in pairs:
            continue
        wanted = {p.key for p in notebook.proofs}
        scored = sorted(((len(keys[f] & wanted), f) for f in left), key=lambda t: -t[0])
        if scored and scored[0][0] > 0:
            chosen = scored[0][1]
            pairs[notebook.name] = chosen
            left.remove(chosen)
            remarks.append(
                f"« {chosen.name} » évalué comme {notebook.name} (renommé, reconnu à ses "
                "vérifications)."
            )
    remarks += [f"« {f.name} » ignoré : il ne correspond à aucun notebook du cours." for f in left]
    return pairs, remarks
