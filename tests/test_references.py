"""Names and paths a learner reads must exist: notebooks, solutions, exercises, README...

A notebook named ``NN_name.ipynb`` (or ``NN_name`` alone in backticks) must be one of
``notebooks/``; a repository path in backticks or in a relative Markdown link
(``docker/Dockerfile``, ``[le Dockerfile](../docker/Dockerfile)``) must exist. Paths that
git ignores are made at run time (``model/pipeline_v1.onnx``, ``logs/``, ``docker/.env``)
and are not checked; nor are globs, placeholders (``NN_*``, ``<nom>``) and URLs.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from mlops_course.config import project_root
from mlops_course.courseware import notebooks as nbio

ROOT = project_root()
#: The Markdown files a learner or a contributor reads, besides the notebooks.
DOCUMENTS = ("README.md", "CONTRIBUTING.md", "GLOSSAIRE.md")

_NOTEBOOK = re.compile(r"(?<![\w/.-])(\d\d_[a-z0-9_]+)(\.ipynb)?(?![\w-])")
_CODE_SPAN = re.compile(r"`([^`\n]+)`")
_LINK = re.compile(r"\]\(([^)\s]+)\)")
_PATH = re.compile(r"^\.{0,2}/?[\w.-]+(/[\w.-]+)*/?$")


@dataclass(frozen=True)
class Reference:
    """A name or a path found in a document, and where."""

    document: str
    where: str
    text: str


def _texts(path: Path) -> list[tuple[str, str]]:
    """(where, text) for a Markdown file, or for each cell of a notebook."""
    if path.suffix != ".ipynb":
        return [("", path.read_text(encoding="utf-8"))]
    return [(f"cell {i}", c.source) for i, c in enumerate(nbio.read(path).cells)]


def _documents() -> list[Path]:
    paths = [p for p in nbio.all_notebooks(ROOT)]
    return paths + [ROOT / name for name in DOCUMENTS if (ROOT / name).is_file()]


@cache
def _notebook_names() -> frozenset[str]:
    return frozenset(p.stem for p in nbio.discover("notebooks", ROOT))


@cache
def _tracked_roots() -> frozenset[str]:
    files = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return frozenset(name.split("/", 1)[0] for name in files)


def _ignored(relative: str) -> bool:
    """Whether git ignores the path, as a file or as a folder (``mlruns/``)."""
    for candidate in (relative, relative.rstrip("/") + "/"):
        done = subprocess.run(
            ["git", "check-ignore", "-q", "--no-index", candidate], cwd=ROOT, check=False
        )
        if done.returncode == 0:
            return True
    return False


def notebook_names(document: Path) -> list[Reference]:
    """Every ``NN_name.ipynb`` of a document, and ``NN_name`` alone in a code span."""
    found = []
    for where, text in _texts(document):
        for match in _NOTEBOOK.finditer(text):
            whole = match[2] is not None
            spans = [m[1] for m in _CODE_SPAN.finditer(text)]
            if whole or match[1] in spans:
                found.append(Reference(str(document.relative_to(ROOT)), where, match[1]))
    return found


def repository_paths(document: Path) -> list[tuple[Reference, Path]]:
    """Paths in code spans or relative links, with the file each one must be."""
    found = []
    for where, text in _texts(document):
        candidates = [(m[1], False) for m in _CODE_SPAN.finditer(text)]
        candidates += [(m[1].split("#", 1)[0], True) for m in _LINK.finditer(text)]
        for raw, is_link in candidates:
            if not raw or "://" in raw or raw.startswith(("mailto:", "#")):
                continue
            if not _PATH.match(raw) or "/" not in raw.rstrip("/") or raw.endswith("-action"):
                continue  # not a path (GitHub actions read `docker/login-action`)
            base = document.parent if is_link or raw.startswith(("./", "../")) else ROOT
            target = (base / raw).resolve()
            try:
                relative = target.relative_to(ROOT).as_posix()
            except ValueError:
                continue  # outside the repository: not ours to check
            if relative.split("/", 1)[0] not in _tracked_roots() or _ignored(relative):
                continue  # a folder made at run time, or not a repository path at all
            reference = Reference(str(document.relative_to(ROOT)), where, raw)
            found.append((reference, target))
    return found


@pytest.mark.parametrize("document", _documents(), ids=lambda p: str(p.relative_to(ROOT)))
def test_named_notebooks_exist(document: Path) -> None:
    wrong = [r for r in notebook_names(document) if r.text not in _notebook_names()]
    assert not wrong, "\n".join(
        f"{r.document} {r.where}: {r.text}.ipynb n'existe pas (notebooks : "
        f"{sorted(_notebook_names())})"
        for r in wrong
    )


@pytest.mark.parametrize("document", _documents(), ids=lambda p: str(p.relative_to(ROOT)))
def test_named_repository_files_exist(document: Path) -> None:
    wrong = [(r, t) for r, t in repository_paths(document) if not t.exists()]
    assert not wrong, "\n".join(
        f"{r.document} {r.where}: `{r.text}` n'existe pas dans le dépôt" for r, _ in wrong
    )


def test_the_lint_catches_a_wrong_notebook_and_a_wrong_path() -> None:
    """The two detectors, on a document with the typos this test exists for."""
    document = ROOT / "build" / "references-demo.md"
    document.parent.mkdir(exist_ok=True)
    document.write_text(
        "Voir `07_monitoring.ipynb`, puis 08_bonnes_pratiques_mlops.ipynb et "
        "`02_experiment_tracking_mlflow`. Le fichier `docker/Dockerfil`, "
        "[le vrai](../docker/Dockerfile), `model/pipeline_v1.onnx` (fait à l'exécution), "
        "`mlops_course/api/routes.py`, `NN_*.ipynb`.",
        encoding="utf-8",
    )
    try:
        names = {r.text for r in notebook_names(document)}
        assert names == {
            "07_monitoring",
            "08_bonnes_pratiques_mlops",
            "02_experiment_tracking_mlflow",
        }
        assert names - _notebook_names() == {"07_monitoring", "08_bonnes_pratiques_mlops"}
        paths = {r.text: t.exists() for r, t in repository_paths(document)}
        assert paths == {
            "docker/Dockerfil": False,
            "../docker/Dockerfile": True,
            "mlops_course/api/routes.py": True,
        }
    finally:
        document.unlink()
