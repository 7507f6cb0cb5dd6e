"""Zero-install ways in: Codespaces (`.devcontainer/`) and Binder (`binder/`), validated offline.

Both install the course from `uv.lock`: the dev container runs `make install`; Binder
installs `binder/requirements.txt`, exported from the lock (kept in sync by `make lint`).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import jsonschema
import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from mlops_course.config import project_root
from mlops_course.courseware import binder, lab

ROOT = project_root()
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
REQUIRES_PYTHON = SpecifierSet(PYPROJECT["project"]["requires-python"])
DEVCONTAINER = ROOT / ".devcontainer" / "devcontainer.json"
BINDER = ROOT / "binder"
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")

#: The parts of the dev container specification (containers.dev, devContainer.base schema)
#: this file uses, with their types and constraints: a misspelt key or a wrong type fails.
DEVCONTAINER_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "image", "postCreateCommand", "forwardPorts"],
    "properties": {
        "name": {"type": "string"},
        "image": {"type": "string"},
        "features": {"type": "object", "additionalProperties": {"type": "object"}},
        "hostRequirements": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "cpus": {"type": "integer", "minimum": 1},
                "memory": {"type": "string", "pattern": r"^\d+([tgmk]b)?$"},
                "storage": {"type": "string", "pattern": r"^\d+([tgmk]b)?$"},
            },
        },
        "postCreateCommand": {"type": ["string", "array", "object"]},
        "containerEnv": {"type": "object", "additionalProperties": {"type": "string"}},
        "forwardPorts": {
            "type": "array",
            "items": {"type": "integer", "minimum": 0, "maximum": 65535},
        },
        "portsAttributes": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "label": {"type": "string"},
                    "onAutoForward": {
                        "enum": [
                            "notify",
                            "openBrowser",
                            "openBrowserOnce",
                            "openPreview",
                            "silent",
                            "ignore",
                        ]
                    },
                },
            },
        },
        "customizations": {"type": "object"},
    },
}


def _devcontainer() -> dict:
    return json.loads(DEVCONTAINER.read_text(encoding="utf-8"))


def _make_default(name: str) -> str:
    match = re.search(rf"(?m)^{name} \?= (\S+)$", MAKEFILE)
    assert match, name
    return match[1]


# --- dev container (GitHub Codespaces) ---------------------------------------------------


def test_devcontainer_is_valid_against_the_parts_of_the_specification_it_uses() -> None:
    jsonschema.validate(_devcontainer(), DEVCONTAINER_SCHEMA)


def test_devcontainer_python_is_one_the_course_supports() -> None:
    image = _devcontainer()["image"]
    version = re.search(r"python:(?:\d+-)?(3\.\d+)", image)
    assert version and f"{version[1]}.0" in REQUIRES_PYTHON, image


def test_devcontainer_installs_from_the_lock_and_prepares_the_french_lab() -> None:
    command = _devcontainer()["postCreateCommand"]
    assert command.startswith("make install")  # uv sync --locked, on uv.lock
    assert "$(UV) sync --locked" in MAKEFILE
    assert "mlops-course lab --configure-only" in command


def test_devcontainer_forwards_jupyterlab_the_api_and_mlflow() -> None:
    config = _devcontainer()
    mlflow_port = int(re.search(r"--port (\d+) --workers 1", MAKEFILE)[1])
    wanted = [lab.DEFAULT_PORT, int(_make_default("PORT")), mlflow_port]
    assert int(_make_default("LAB_PORT")) == lab.DEFAULT_PORT
    assert config["forwardPorts"] == wanted
    assert set(config["portsAttributes"]) == {str(port) for port in wanted}


def test_devcontainer_has_docker_for_chapter_05() -> None:
    features = _devcontainer()["features"]
    assert any(f.startswith("ghcr.io/devcontainers/features/docker-in-docker:") for f in features)


# --- Binder (repo2docker) -----------------------------------------------------------------


def test_binder_requirements_are_the_lock_exported() -> None:
    assert (BINDER / "requirements.txt").read_text(encoding="utf-8") == binder.export(ROOT)


def test_binder_check_fails_when_the_requirements_drift_from_the_lock(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("pyproject.toml", "uv.lock", "README.md"):
        shutil.copy2(ROOT / name, tmp_path / name)
    (tmp_path / "binder").mkdir()
    stale = binder.export(ROOT).replace("\nnumpy==", "\nnumpy==0.0.1  # ")
    (tmp_path / binder.REQUIREMENTS).write_text(stale, encoding="utf-8")
    assert binder.cli(["--check"], root=tmp_path) == 1
    assert "binder/requirements.txt is out of date with uv.lock" in capsys.readouterr().err
    assert binder.cli([], root=tmp_path) == 0
    assert binder.cli(["--check"], root=tmp_path) == 0


def test_binder_requirements_pin_every_package_and_install_the_course() -> None:
    lines = [
        line.strip()
        for line in (BINDER / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert lines[0] == "-e ."  # the course itself, installed once the repository is copied
    names = set()
    for line in lines[1:]:
        requirement = Requirement(line)
        assert str(requirement.specifier).startswith("=="), line
        names.add(requirement.name)
    assert {"jupyterlab", "jupyterlab-language-pack-fr-fr", "mlflow", "onnxruntime"} <= names


def test_binder_python_is_one_the_course_supports() -> None:
    runtime = (BINDER / "runtime.txt").read_text(encoding="utf-8").strip()
    assert re.fullmatch(r"python-3\.\d+", runtime)
    assert f"{runtime.removeprefix('python-')}.0" in REQUIRES_PYTHON


@pytest.mark.parametrize("name", ["postBuild", "start"])
def test_binder_scripts_are_executable_bash_that_parses(name: str) -> None:
    script = BINDER / name
    mode = subprocess.run(
        ["git", "ls-files", "--stage", str(script)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if mode:  # tracked: git must record the executable bit repo2docker needs
        assert mode.startswith("100755"), mode
    assert script.read_text(encoding="utf-8").startswith("#!/bin/bash\n")
    if shutil.which("bash"):
        subprocess.run(["bash", "-n", str(script)], check=True)


def test_binder_post_build_prepares_the_french_lab_like_make_lab() -> None:
    text = (BINDER / "postBuild").read_text(encoding="utf-8")
    assert "mlops-course lab --configure-only" in text
    assert (BINDER / "start").read_text(encoding="utf-8").rstrip().endswith('exec "$@"')


# --- README -------------------------------------------------------------------------------


def test_readme_links_to_binder_codespaces_and_the_site_of_this_repository() -> None:
    repository = PYPROJECT["project"]["urls"]["Repository"]
    owner_repo = repository.removeprefix("https://github.com/")
    assert f"https://mybinder.org/v2/gh/{owner_repo}/HEAD" in README
    assert f"https://codespaces.new/{owner_repo}" in README
    assert PYPROJECT["project"]["urls"]["Documentation"] in README
