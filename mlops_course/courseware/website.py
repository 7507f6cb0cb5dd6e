"""``mlops-course site``: the whole course as a static website, built offline.

Pages (gathered into ``build/site/src/``, configured by ``site/conf.py``):

- the home page is ``README.md``;
- ``notebooks/``: every lecture notebook **with its outputs and figures**, taken from the
  executed copies of ``make notebooks`` (``build/executed/notebooks/``), never executed
  again; a copy that is missing, failed, or no longer matches its notebook is produced
  first by running that lecture notebook through the same harness;
- ``exercises/``: the exercise statements; ``solutions/``: the solutions, each on its page.

Sphinx (MyST-NB, French interface and search) writes ``build/site/html/`` and runs with
``-W``: a warning (missing page, dead link, unreadable output) fails the build.
Notebooks are discovered (``NN_*.ipynb``), so the site follows the course as it changes.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

import nbformat

from mlops_course.cli import ArgumentParser
from mlops_course.config import project_root
from mlops_course.courseware import notebooks as nbio
from mlops_course.courseware.runner import build_dir

#: The site's sections: folder, title in the navigation, one-line introduction.
SECTIONS = (
    ("notebooks", "Cours", "Les notebooks du cours, exécutés, avec leurs sorties et figures."),
    ("exercises", "Exercices", "Les énoncés : ouvrez-les dans JupyterLab (`make lab`) pour "
     "les faire, votre copie est dans `mon-travail/`."),
    ("solutions", "Solutions", "Les corrigés, à lire une fois l'exercice tenté."),
)  # fmt: skip
#: Markdown files of the repository that are pages of the site too (after the notebooks).
EXTRA_PAGES = ("GLOSSAIRE.md",)
CONFIG_DIR = "site"
_LINK = re.compile(r"(\]\()(?P<target>[^)\s]+)(\))")
_BADGE = re.compile(r"(?m)^\[!\[[^\]]*\]\([^)]*\)\]\([^)]*\)\n")


@dataclass(frozen=True)
class Paths:
    """Where the site's sources and HTML go."""

    root: Path

    @property
    def source(self) -> Path:
        return build_dir(self.root) / "site" / "src"

    @property
    def html(self) -> Path:
        return build_dir(self.root) / "site" / "html"

    @property
    def executed(self) -> Path:
        return build_dir(self.root) / "executed" / "notebooks"


def repository_url(root: Path | None = None) -> str:
    """Return the repository's address (``[project.urls] Repository`` of pyproject.toml)."""
    data = tomllib.loads(((root or project_root()) / "pyproject.toml").read_text("utf-8"))
    return str(data.get("project", {}).get("urls", {}).get("Repository", "")).rstrip("/")


# --------------------------------------------------------------------------------------
# Executed lecture notebooks


def _sources(nb: nbformat.NotebookNode) -> list[tuple[str, str]]:
    return [(cell.cell_type, cell.source) for cell in nb.cells]


def has_error(nb: nbformat.NotebookNode) -> bool:
    """Return whether an executed notebook holds an error output."""
    return any(
        output.get("output_type") == "error"
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    )


def stale_lectures(root: Path | None = None) -> list[Path]:
    """Return the lecture notebooks whose executed copy is missing, failed, or out of date."""
    root = root or project_root()
    executed = Paths(root).executed
    stale = []
    for path in nbio.discover("notebooks", root):
        copy = executed / path.name
        if not copy.exists():
            stale.append(path)
            continue
        ran = nbio.read(copy)
        if has_error(ran) or _sources(ran) != _sources(nbio.read(path)):
            stale.append(path)
    return stale


def execute_lectures(paths: list[Path], *, root: Path, jobs: int) -> int:
    """Run these lecture notebooks through the notebook harness (as ``make notebooks``)."""
    ids = [f"tests/notebooks/test_notebooks.py::test_lecture_notebook[{p.stem}]" for p in paths]
    workers = ["-n", str(min(jobs, len(paths)))] if jobs > 1 and len(paths) > 1 else []
    command = [sys.executable, "-m", "pytest", *ids, "-q", *workers]
    env = {**os.environ, "MLOPS_COURSE_FAST": os.environ.get("MLOPS_COURSE_FAST", "1")}
    env.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    return subprocess.call(command, cwd=root, env=env)


# --------------------------------------------------------------------------------------
# Sources of the site


def site_pages(root: Path) -> set[str]:
    """Return the repository paths that become pages (``notebooks/01_x.ipynb``...)."""
    pages = {"README.md", *(name for name in EXTRA_PAGES if (root / name).is_file())}
    for folder, _, _ in SECTIONS:
        pages |= {f"{folder}/{p.name}" for p in nbio.discover(folder, root)}
    return pages


def rewrite_links(text: str, page: str, *, root: Path, repository: str) -> str:
    """Point relative links to repository files that are not pages at the repository.

    ``page`` is the repository path of the page holding ``text``. Links to pages, anchors
    and absolute addresses are kept; a link to nothing at all is kept too, so that Sphinx
    reports it and the build fails.
    """
    pages = site_pages(root)
    base = Path(page).parent

    def replace(match: re.Match[str]) -> str:
        target = match["target"]
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("#"):
            return match[0]
        path_part, _, anchor = target.partition("#")
        resolved = os.path.normpath(base / path_part).replace(os.sep, "/")
        if resolved == "README.md":
            return (
                f"{match[1]}{os.path.relpath('index.md', base).replace(os.sep, '/')}"
                + (f"#{anchor}" if anchor else "")
                + match[3]
            )
        if resolved in pages or not (root / resolved).exists() or not repository:
            return match[0]
        kind = "tree" if (root / resolved).is_dir() else "blob"
        return f"{match[1]}{repository}/{kind}/main/{resolved}{match[3]}"

    return _LINK.sub(replace, text)


def _title(nb: nbformat.NotebookNode, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def _copy_notebook(source: Path, target: Path, page: str, *, root: Path, repository: str) -> str:
    nb = nbio.read(source)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = rewrite_links(cell.source, page, root=root, repository=repository)
    nbio.write(nb, target)
    return _title(nb, source.stem)


def prepare_sources(root: Path | None = None) -> Path:
    """Gather README and the notebooks into ``build/site/src``; return that folder."""
    root = root or project_root()
    paths = Paths(root)
    repository = repository_url(root)
    if paths.source.exists():
        shutil.rmtree(paths.source)
    paths.source.mkdir(parents=True)
    toctree = []
    for folder, caption, intro in SECTIONS:
        entries = []
        origin = paths.executed if folder == "notebooks" else root / folder
        for notebook in nbio.discover(folder, root):
            page = f"{folder}/{notebook.name}"
            title = _copy_notebook(
                origin / notebook.name,
                paths.source / folder / notebook.name,
                page,
                root=root,
                repository=repository,
            )
            entries.append((notebook.stem, title))
        if not entries:
            continue
        lines = [f"# {caption}", "", intro, ""]
        lines += [f"- [{title}]({stem}.ipynb)" for stem, title in entries]
        lines += ["", "```{toctree}", ":hidden:", "", *[stem for stem, _ in entries], "```", ""]
        (paths.source / folder / "index.md").write_text("\n".join(lines), encoding="utf-8")
        toctree.append(f"{folder}/index")
    readme = (root / "README.md").read_text(encoding="utf-8")
    # Badges are images from other sites: the site links to Binder and Codespaces in text.
    readme = _BADGE.sub("", readme)
    home = rewrite_links(readme, "README.md", root=root, repository=repository)
    for name in EXTRA_PAGES:
        if (root / name).is_file():
            text = (root / name).read_text(encoding="utf-8")
            (paths.source / name).write_text(
                rewrite_links(text, name, root=root, repository=repository), encoding="utf-8"
            )
            toctree.append(Path(name).stem)
    home += "\n\n```{toctree}\n:hidden:\n\n" + "\n".join(toctree) + "\n```\n"
    (paths.source / "index.md").write_text(home, encoding="utf-8")
    return paths.source


# --------------------------------------------------------------------------------------
# Build


def build(root: Path | None = None, *, jobs: int = 2) -> Path:
    """Build the site into ``build/site/html``; return the folder. Raise on failure."""
    root = root or project_root()
    stale = stale_lectures(root)
    if stale:
        names = ", ".join(p.name for p in stale)
        print(f"site: executing the lecture notebooks without an up-to-date copy: {names}")
        if execute_lectures(stale, root=root, jobs=jobs):
            raise RuntimeError("a lecture notebook failed: the site shows executed notebooks")
        still = stale_lectures(root)
        if still:
            raise RuntimeError(f"no executed copy for {', '.join(p.name for p in still)}")
    source = prepare_sources(root)
    html = Paths(root).html
    if html.exists():
        shutil.rmtree(html)
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-c", str(root / CONFIG_DIR)]
    command += ["-W", "--keep-going", "-q", "-j", str(jobs), "-d", str(html.parent / "doctrees")]
    command += [str(source), str(html)]
    env = {**os.environ, "MLOPS_COURSE_REPOSITORY": repository_url(root)}
    if subprocess.call(command, cwd=root, env=env):
        raise RuntimeError("sphinx-build failed: see its warnings above")
    (html / ".nojekyll").touch()  # GitHub Pages: serve _static/ and _images/ as they are
    return html


def cli(argv: list[str]) -> int:
    """``mlops-course site [--jobs N]``: build ``build/site/html``."""
    parser = ArgumentParser(
        prog="mlops-course site",
        description="Construit le site statique du cours (build/site/html/), hors ligne.",
    )
    parser.add_argument(
        "--jobs", "-n", type=int, default=2, help="processus en parallèle (défaut : 2)"
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        html = build(jobs=args.jobs)
    except RuntimeError as error:
        print(f"site: {error}", file=sys.stderr)
        return 1
    pages = sum(1 for _ in html.rglob("*.html"))
    print(
        f"site: {pages} pages in {html.relative_to(project_root())} "
        f"({time.perf_counter() - start:.0f} s); open {html / 'index.html'}"
    )
    return 0
