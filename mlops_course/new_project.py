"""``mlops-course new-project DIR``: the end project's skeleton, laid out as §8.1 of the chapter.

Presented in notebook 09_capstone_pipeline and in the README ("Le projet de fin de cours").
The template ships inside the package (``mlops_course/project_template/``): a wine classifier
to complete where its files say ``TODO`` (training script, API, model tests, drift check);
its README gives the goal, the steps and the rubric (the project's tests plus
``mlops-course audit DIR``). Nothing is ever overwritten: an existing non-empty folder is
refused.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from mlops_course.cli import ArgumentParser

#: The template's folder inside the package.
TEMPLATE = "project_template"
#: Names stored without their leading dot in the package (a ``.gitignore`` inside the
#: package would apply to the package's own files), and restored in the new project.
DOTTED = {
    "dot-gitignore": ".gitignore",
    "dot-dockerignore": ".dockerignore",
    "dot-env.example": ".env.example",
    "dot-github": ".github",
}
#: Folders the project needs that git does not track (§8.1): the model and the data.
EMPTY_FOLDERS = ("model", "data")
_SKIPPED = {"__pycache__", ".pytest_cache", ".ruff_cache"}


class ProjectExistsError(FileExistsError):
    """The destination exists and is not an empty folder: nothing was written."""


def template_root() -> Traversable:
    """The template, read as package data (it works from a wheel as from a checkout)."""
    return files("mlops_course") / TEMPLATE


def template_files(root: Traversable | None = None) -> Iterator[tuple[str, Traversable]]:
    """Yield ``(path in the new project, template file)``, dotted names restored."""

    def walk(folder: Traversable, prefix: str) -> Iterator[tuple[str, Traversable]]:
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.name in _SKIPPED or entry.name.endswith(".pyc"):
                continue
            name = DOTTED.get(entry.name, entry.name)
            if entry.is_dir():
                yield from walk(entry, f"{prefix}{name}/")
            else:
                yield f"{prefix}{name}", entry

    yield from walk(root or template_root(), "")


def create(destination: str | Path) -> list[Path]:
    """Write the skeleton into ``destination`` (new, or an empty folder); return its files.

    Raises:
        ProjectExistsError: ``destination`` is a file, or a folder that is not empty.
    """
    target = Path(destination)
    if target.exists() and not target.is_dir():
        raise ProjectExistsError(
            f"{target} est un fichier : choisissez le chemin d'un nouveau dossier."
        )
    if target.is_dir() and any(target.iterdir()):
        raise ProjectExistsError(
            f"le dossier {target} existe déjà et n'est pas vide : new-project n'écrase "
            "jamais rien. Choisissez un nouveau dossier (il sera créé)."
        )
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for relative, source in template_files():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "xb") as out:  # "x": fails rather than overwrite
            out.write(source.read_bytes())
        written.append(path)
    for folder in EMPTY_FOLDERS:
        (target / folder).mkdir(exist_ok=True)
    return written


NEXT_STEPS = """Projet créé dans {path} ({count} fichiers). La suite, dans ce dossier :

  git init && uv lock && uv sync    # versionner, verrouiller et installer
  uv run pytest                     # la grille : ces tests doivent tous passer
  (complétez les TODO : src/train.py, app/, src/drift.py, tests/test_model.py)

Puis, depuis le dépôt du cours, l'audit (l'autre moitié de la grille) :

  uv run mlops-course audit {path}

Le README du projet donne le but, les étapes et la grille d'évaluation."""


def cli(argv: list[str]) -> int:
    """``mlops-course new-project DIR``: create the skeleton; exit 1 if DIR is not empty."""
    parser = ArgumentParser(
        prog="mlops-course new-project",
        description="Crée le projet final à compléter (classifieur de vins), depuis le modèle.",
    )
    parser.add_argument("path", help="un dossier nouveau ou vide")
    args = parser.parse_args(argv)
    try:
        written = create(args.path)
    except ProjectExistsError as error:
        print(f"mlops-course new-project : {error}", file=sys.stderr)
        return 1
    print(NEXT_STEPS.format(path=args.path, count=len(written)))
    return 0
