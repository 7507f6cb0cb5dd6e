"""``binder/``: the files Binder (repo2docker) builds the course from, exported from ``uv.lock``.

repo2docker reads ``requirements.txt``, not ``uv.lock``: ``binder/requirements.txt`` is
``uv export --frozen --no-hashes`` of the lock, so Binder installs exactly the versions
``make lab`` installs. ``mlops-course binder`` rewrites it; ``--check`` (run by
``make lint``) fails when it no longer matches the lock, like ``exercises/``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from mlops_course.cli import ArgumentParser
from mlops_course.config import project_root

FOLDER = "binder"
REQUIREMENTS = f"{FOLDER}/requirements.txt"
#: ``uv export`` arguments: the locked default groups (what ``uv sync`` installs), the
#: project itself as ``-e .`` (repo2docker installs it once the repository is copied).
EXPORT_ARGS = ("export", "--frozen", "--no-hashes", "--format", "requirements-txt")


def uv() -> str:
    """Return the uv executable: the one running us (``uv run`` sets ``UV``), PATH, .tools."""
    candidates = [os.environ.get("UV"), shutil.which("uv")]
    candidates.append(str(project_root() / ".tools" / "bin" / "uv"))
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return candidate
    raise FileNotFoundError("uv not found: run `make install` (it installs uv into .tools/)")


def export(root: Path | None = None) -> str:
    """Return ``binder/requirements.txt`` as the lock gives it today."""
    root = root or project_root()
    done = subprocess.run(
        [uv(), *EXPORT_ARGS],
        cwd=root,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"uv export failed:\n{done.stderr.strip()}")
    return done.stdout.replace("\r\n", "\n")


def cli(argv: list[str], root: Path | None = None) -> int:
    """Write ``binder/requirements.txt`` from ``uv.lock`` or, with ``--check``, compare."""
    parser = ArgumentParser(prog="mlops-course binder")
    parser.add_argument("--check", action="store_true", help="comparer seulement, sans rien écrire")
    args = parser.parse_args(argv)
    root = root or project_root()
    target = root / REQUIREMENTS
    wanted = export(root)
    current = target.read_text(encoding="utf-8") if target.exists() else None
    if args.check:
        if current != wanted:
            print(
                f"{REQUIREMENTS} is out of date with uv.lock.\n"
                "Run `uv run mlops-course binder` to regenerate it, then commit the result.",
                file=sys.stderr,
            )
            return 1
        print(f"{REQUIREMENTS} matches uv.lock")
        return 0
    if current != wanted:
        target.parent.mkdir(exist_ok=True)
        target.write_text(wanted, encoding="utf-8", newline="\n")
        print(f"wrote {REQUIREMENTS}")
    else:
        print(f"{REQUIREMENTS} is up to date")
    return 0
