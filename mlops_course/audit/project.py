"""The project an audit reads: its files, the ones git tracks, and the paths it must skip.

Taught in notebook 08_bonnes_pratiques (§8.2–8.3). Paths matching ``exclude`` patterns
(``[tool.mlops-course.audit] exclude`` in the audited project's ``pyproject.toml``) are
skipped, e.g. deliberately broken samples kept for tests.
"""

from __future__ import annotations

import fnmatch
import subprocess
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Project:
    """What the rules read: the files of a project, tracked ones when it is a git checkout."""

    root: Path
    exclude: tuple[str, ...] = ()
    _files: list[Path] | None = None
    _tracked: list[str] | None = None
    _git_checked: bool = False

    @classmethod
    def at(cls, root: Path | str, exclude: Iterable[str] = ()) -> Project:
        """Open a project; exclusions come from ``exclude`` and its pyproject.toml."""
        root = Path(root).resolve()
        if not root.is_dir():
            raise NotADirectoryError(f"audit path must be a directory, got {str(root)!r}")
        return cls(root, tuple(exclude) + _configured_exclusions(root))

    def excluded(self, relative: str) -> bool:
        """True when ``relative`` (a POSIX path) matches an exclusion pattern."""
        return any(
            fnmatch.fnmatch(relative, pattern) or relative.startswith(pattern.rstrip("*/") + "/")
            for pattern in self.exclude
        )

    @property
    def tracked(self) -> list[str] | None:
        """Files tracked by git (relative POSIX paths), or None outside a git checkout."""
        if not self._git_checked:
            self._git_checked = True
            try:
                result = subprocess.run(
                    ["git", "-C", str(self.root), "ls-files", "-z"],
                    capture_output=True,
                    check=True,
                    timeout=30,
                )
            except (OSError, subprocess.SubprocessError):
                self._tracked = None
            else:
                if (self.root / ".git").exists():
                    names = result.stdout.decode("utf-8", "replace").split("\0")
                    self._tracked = [n for n in names if n and not self.excluded(n)]
        return self._tracked

    def files(self) -> list[Path]:
        """Project files worth reading: tracked files, or every file but the usual noise."""
        if self._files is None:
            if self.tracked is not None:
                self._files = [self.root / n for n in self.tracked if (self.root / n).is_file()]
            else:
                self._files = [p for p in _walk(self.root) if not self.excluded(self.rel(p))]
        return self._files

    def rel(self, path: Path) -> str:
        """Return ``path`` relative to the project root, POSIX style."""
        return path.relative_to(self.root).as_posix()

    def text_files(self, *suffixes: str) -> Iterator[tuple[Path, str]]:
        """Yield ``(path, text)`` for readable text files with one of ``suffixes`` (all if none)."""
        for path in self.files():
            if suffixes and path.suffix not in suffixes and path.name not in suffixes:
                continue
            try:
                if path.stat().st_size > 1_000_000:
                    continue
                yield path, path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue


_NOISE = {".git", ".venv", "venv", "node_modules", "__pycache__", "build", ".tools", "mlruns"}


def _walk(root: Path) -> Iterator[Path]:
    for path in sorted(root.iterdir()):
        if path.name in _NOISE or path.name.startswith(".ipynb_checkpoints"):
            continue
        if path.is_dir():
            yield from _walk(path)
        elif path.is_file():
            yield path


def _configured_exclusions(root: Path) -> tuple[str, ...]:
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        return ()
    try:
        config = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{pyproject}: cannot read [tool.mlops-course.audit]: {error}") from error
    patterns = config.get("tool", {}).get("mlops-course", {}).get("audit", {}).get("exclude", [])
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise ValueError(
            f"{pyproject}: [tool.mlops-course.audit] exclude must be a list of strings"
        )
    return tuple(patterns)
