"""Linting and schema validation with tools installed from PyPI (hadolint, check-jsonschema).

Taught in notebook 05_docker.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlops_course.config import project_root

# --------------------------------------------------------------------------------------
# Tools


def tool(name: str) -> Path:
    """Return the path of a command-line tool: next to this Python first, then on PATH.

    ``hadolint`` and ``check-jsonschema`` come with the locked environment (dev group),
    so they sit in ``.venv/bin`` beside the interpreter.
    """
    beside = Path(sys.executable).parent / name
    if beside.is_file():
        return beside
    found = shutil.which(name)
    if found:
        return Path(found)
    if name == "uv":
        private = project_root() / ".tools" / "bin" / "uv"
        if private.is_file():
            return private
    raise FileNotFoundError(
        f"tool {name!r} not found beside {sys.executable} nor on PATH; "
        "`make install` (uv sync) installs it"
    )


def run_command(command: Sequence[str | Path], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    kwargs.setdefault("capture_output", True)
    kwargs.setdefault("text", True)
    kwargs.setdefault("check", False)
    return subprocess.run([str(part) for part in command], **kwargs)


# --------------------------------------------------------------------------------------
# hadolint


@dataclass(frozen=True)
class Finding:
    """One hadolint finding."""

    line: int
    code: str
    level: str
    message: str

    def __str__(self) -> str:
        return f"ligne {self.line} {self.code} [{self.level}] {self.message}"


def _findings(stdout: str, stderr: str) -> list[Finding]:
    try:
        raw = json.loads(stdout or "[]")
    except json.JSONDecodeError as error:
        raise RuntimeError(f"hadolint failed: {stderr.strip() or stdout.strip()}") from error
    return [Finding(int(f["line"]), f["code"], f["level"], f["message"]) for f in raw]


def hadolint(path: str | Path) -> list[Finding]:
    """Lint the Dockerfile at ``path`` with hadolint; return its findings (empty: clean)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Dockerfile not found: {path}")
    done = run_command(
        [tool("hadolint"), "--no-fail", "--no-color", "--format", "json", path], timeout=60
    )
    return _findings(done.stdout, done.stderr)


def hadolint_text(text: str) -> list[Finding]:
    """Lint Dockerfile ``text`` (read from standard input by hadolint)."""
    done = run_command(
        [tool("hadolint"), "--no-fail", "--no-color", "--format", "json", "-"],
        input=text,
        timeout=60,
    )
    return _findings(done.stdout, done.stderr)


# --------------------------------------------------------------------------------------
# JSON-schema validation (offline: the schemas ship inside check-jsonschema)


def schema_errors(builtin_schema: str, *paths: str | Path) -> list[str]:
    """Validate files against one of check-jsonschema's built-in schemas, offline.

    ``builtin_schema`` is a name such as ``"vendor.compose-spec"`` or
    ``"vendor.github-workflows"``: the schema ships inside check-jsonschema, nothing is
    downloaded. Runs ``check-jsonschema --builtin-schema NAME -o json FILE...`` in this
    process (its ``main``), which saves starting an interpreter per file. Returns one
    line per error (empty: all valid).
    """
    import contextlib
    import io

    from check_jsonschema import main as check_jsonschema

    if not paths:
        raise ValueError("schema_errors needs at least one file to validate, got none")
    missing = [str(p) for p in paths if not Path(p).is_file()]
    if missing:
        raise FileNotFoundError(f"files to validate not found: {missing}")
    output = io.StringIO()
    arguments = ["--builtin-schema", builtin_schema, "-o", "json", *map(str, paths)]
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(io.StringIO()):
        check_jsonschema(arguments, standalone_mode=False)
    try:
        report = json.loads(output.getvalue())
    except json.JSONDecodeError as error:
        raise RuntimeError(f"check-jsonschema failed: {output.getvalue().strip()}") from error
    errors = []
    for error in report.get("errors", []):
        best = error.get("best_match") or error  # "not valid under any of..." made concrete
        errors.append(f"{Path(error['filename']).name}: {best['path']}: {best['message']}")
    errors += [
        f"{Path(e['filename']).name}: {e.get('message', e)}" for e in report.get("parse_errors", [])
    ]
    return errors


def validate_compose(path: str | Path) -> list[str]:
    """Validate a Compose file against the Compose specification; return the errors."""
    return schema_errors("vendor.compose-spec", path)
