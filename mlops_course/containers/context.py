"""The build context: .dockerignore patterns and the files they keep.

Taught in notebook 05_docker.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Sequence
from pathlib import Path

from mlops_course.config import project_root
from mlops_course.containers.files import (
    DOCKERIGNORE,
)

# --------------------------------------------------------------------------------------
# .dockerignore and the build context


def dockerignore_patterns(text: str) -> list[str]:
    """Return the patterns of a ``.dockerignore`` text (comments and blanks dropped)."""
    patterns = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        body = line[1:].strip() if negated else line
        body = os.path.normpath(body.lstrip("/")) if body not in {"", "."} else body
        patterns.append(("!" if negated else "") + body)
    return patterns


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    out, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = pattern.find("]", i)
            if end == -1:
                out.append(re.escape(char))
            else:
                out.append(pattern[i : end + 1].replace("[!", "[^"))
                i = end
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("".join(out))


def is_excluded(path: str, patterns: Sequence[str]) -> bool:
    """Tell whether ``.dockerignore`` ``patterns`` keep ``path`` out of the build context.

    Docker's rules: a pattern matches a path or any of its parent folders, ``*`` stays
    within a folder, ``**`` spans folders, ``!`` re-includes, and the last match wins.
    """
    parts = Path(path).as_posix().strip("/").split("/")
    candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    excluded = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        regex = _pattern_regex(pattern[1:] if negated else pattern)
        if any(regex.fullmatch(candidate) for candidate in candidates):
            excluded = not negated
    return excluded


def context_files(root: Path | None = None, patterns: Sequence[str] | None = None) -> list[str]:
    """Return the files (relative POSIX paths) that ``docker build`` would send from ``root``."""
    root = root or project_root()
    if patterns is None:
        ignore = root / DOCKERIGNORE
        patterns = dockerignore_patterns(ignore.read_text()) if ignore.is_file() else []
    reincluded = [p[1:] for p in patterns if p.startswith("!")]
    files: list[str] = []
    for folder, dirs, names in os.walk(root):
        relative = Path(folder).relative_to(root).as_posix()
        prefix = "" if relative == "." else relative + "/"
        kept = []
        for name in sorted(dirs):
            path = prefix + name
            could_return = any(
                r.startswith(path + "/") or r == path or "**" in r for r in reincluded
            )
            if not is_excluded(path, patterns) or could_return:
                kept.append(name)
        dirs[:] = kept
        files += [prefix + n for n in sorted(names) if not is_excluded(prefix + n, patterns)]
    return sorted(files)


def copy_context(destination: Path, root: Path | None = None) -> Path:
    """Copy the build context (what ``.dockerignore`` lets through) to ``destination``."""
    root = root or project_root()
    for relative in context_files(root):
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / relative, target)
    return destination
