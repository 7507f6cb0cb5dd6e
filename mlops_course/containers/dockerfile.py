"""Reading a Dockerfile: instructions, stages, command, health check, installed packages.

Taught in notebook 05_docker.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mlops_course.config import project_root
from mlops_course.containers.files import (
    DOCKERFILE,
)

# --------------------------------------------------------------------------------------
# Reading a Dockerfile


@dataclass(frozen=True)
class Instruction:
    """One Dockerfile instruction, continuation lines joined."""

    line: int
    keyword: str
    arguments: str
    stage: int


def parse_dockerfile(text: str) -> list[Instruction]:
    """Split Dockerfile ``text`` into instructions (comments dropped, ``\\`` lines joined).

    ``stage`` counts ``FROM`` lines from 0; instructions before the first ``FROM``
    (global ``ARG``) get stage -1.
    """
    instructions: list[Instruction] = []
    stage = -1
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if stripped.startswith("#") or (not stripped and not pending):
            continue
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending.append(stripped[:-1].strip())
            continue
        pending.append(stripped)
        joined = " ".join(part for part in pending if part)
        pending = []
        keyword, _, arguments = joined.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            stage += 1
        instructions.append(Instruction(start, keyword, arguments.strip(), stage))
    if pending:
        raise ValueError(f"Dockerfile ends inside a continuation line started at line {start}")
    return instructions


def read_dockerfile(path: str | Path | None = None) -> list[Instruction]:
    """Parse the repository's Dockerfile (or the one at ``path``)."""
    return parse_dockerfile(Path(path or project_root() / DOCKERFILE).read_text())


def exec_form(arguments: str) -> list[str] | None:
    """Return the JSON (exec form) argument list of CMD/ENTRYPOINT-like text, else None."""
    text = arguments.strip()
    if not text.startswith("["):
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return None
    return [str(v) for v in value] if isinstance(value, list) else None


def instructions_of_stage(
    instructions: Sequence[Instruction], stage: int | None
) -> list[Instruction]:
    last = max((i.stage for i in instructions), default=-1)
    wanted = last if stage is None else stage
    return [i for i in instructions if i.stage == wanted]


def _global_args(instructions: Sequence[Instruction]) -> dict[str, str]:
    values: dict[str, str] = {}
    for ins in instructions:
        if ins.stage == -1 and ins.keyword == "ARG":
            name, _, default = ins.arguments.partition("=")
            values[name.strip()] = default.strip().strip('"')
    return values


def base_images(instructions: Sequence[Instruction]) -> list[str]:
    """Return the image of each ``FROM``, global ``ARG`` defaults substituted."""
    args = _global_args(instructions)
    images = []
    for ins in instructions:
        if ins.keyword == "FROM":
            words = [w for w in ins.arguments.split() if not w.startswith("--")]
            image = re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m.group(1), m.group(0)), words[0])
            images.append(image)
    return images


def stage_names(instructions: Sequence[Instruction]) -> list[str]:
    """Return the ``AS`` name of each stage ('' when unnamed)."""
    names = []
    for ins in instructions:
        if ins.keyword == "FROM":
            words = ins.arguments.split()
            lowered = [w.lower() for w in words]
            names.append(words[lowered.index("as") + 1] if "as" in lowered else "")
    return names


def split_options(arguments: str) -> tuple[list[str], str]:
    """Split leading ``--flag=value`` options from the rest of an instruction."""
    options = []
    rest = arguments.strip()
    while rest.startswith("--"):
        option, _, rest = rest.partition(" ")
        options.append(option)
        rest = rest.strip()
    return options, rest


def image_command(instructions: Sequence[Instruction]) -> list[str]:
    """Return the final stage's ``CMD`` as an argument list (shell form: ``sh -c``)."""
    cmds = [i for i in instructions_of_stage(instructions, None) if i.keyword == "CMD"]
    if not cmds:
        raise ValueError("the final stage of the Dockerfile has no CMD")
    return exec_form(cmds[-1].arguments) or ["/bin/sh", "-c", cmds[-1].arguments]


def healthcheck_command(instructions: Sequence[Instruction]) -> list[str] | None:
    """Return the final stage's ``HEALTHCHECK`` command as an argument list, or None."""
    checks = [i for i in instructions_of_stage(instructions, None) if i.keyword == "HEALTHCHECK"]
    if not checks:
        return None
    _, rest = split_options(checks[-1].arguments)
    keyword, _, command = rest.partition(" ")
    if keyword.upper() != "CMD":
        return None
    return exec_form(command) or ["/bin/sh", "-c", command]


def image_env(instructions: Sequence[Instruction], stage: int | None = None) -> dict[str, str]:
    """Return the ``ENV`` values of a stage (the final one by default), unexpanded."""
    values: dict[str, str] = {}
    for ins in instructions_of_stage(instructions, stage):
        if ins.keyword == "ENV":
            for word in shlex.split(ins.arguments):
                name, sep, value = word.partition("=")
                if sep:
                    values[name] = value
    return values


def run_commands(instructions: Sequence[Instruction], stage: int | None = None) -> list[str]:
    """Return the shell commands of the ``RUN`` lines of a stage, ``--mount`` options removed."""
    selected = instructions_of_stage(instructions, stage)
    return [split_options(i.arguments)[1] for i in selected if i.keyword == "RUN"]


def baked_files(instructions: Sequence[Instruction]) -> list[str]:
    """Return the context files the final stage copies in (not ``--from`` another stage)."""
    files = []
    for ins in instructions_of_stage(instructions, None):
        if ins.keyword == "COPY":
            options, rest = split_options(ins.arguments)
            if not any(o.startswith("--from") for o in options):
                files += (exec_form(rest) or shlex.split(rest))[:-1]
    return files


def export_arguments(instructions: Sequence[Instruction]) -> list[str]:
    """Return the ``uv export`` arguments of the build stage, without ``--output-file``.

    That is the image's package selection: :func:`build_serving_env` runs the same command.
    """
    for ins in instructions:
        if ins.keyword != "RUN":
            continue
        for segment in split_operators(split_options(ins.arguments)[1]):
            if segment[:2] == ["uv", "export"]:
                args = segment[2:]
                cleaned, skip = [], False
                for arg in args:
                    if skip:
                        skip = False
                        continue
                    if arg in {"--output-file", "-o"}:
                        skip = True
                        continue
                    if arg.startswith("--output-file="):
                        continue
                    cleaned.append(arg)
                return cleaned
    raise ValueError("no `uv export` command in the Dockerfile's RUN instructions")


def split_operators(command: str) -> list[list[str]]:
    """Split a shell command on ``&&`` / ``;`` into word lists."""
    segments: list[list[str]] = [[]]
    for word in shlex.split(command):
        if word in {"&&", ";", "||"}:
            segments.append([])
        else:
            segments[-1].append(word)
    return [s for s in segments if s]


def pruned_packages(instructions: Sequence[Instruction]) -> list[str]:
    """Return the packages the image leaves out (the ``--prune`` arguments of ``uv export``)."""
    args = export_arguments(instructions)
    return [args[i + 1] for i, arg in enumerate(args[:-1]) if arg == "--prune"]
