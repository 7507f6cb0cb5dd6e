"""Chapter 05's container files, checked without a Docker engine.

hadolint on the Dockerfile, the Compose specification on the Compose file, and what a
reviewer would check by hand: a health check that works in a slim image, a non-root user,
dependencies cached before the code, a serving image without the course's tooling.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml

from mlops_course import cicd, containers
from mlops_course.config import project_root

ROOT = project_root()
DOCKERFILE = ROOT / containers.DOCKERFILE
COMPOSE = ROOT / containers.COMPOSE_FILE
#: What the API needs at run time; every other dependency of pyproject must be pruned.
SERVING = {
    "fastapi",
    "uvicorn",
    "pydantic",
    "pydantic-settings",
    "numpy",
    "onnxruntime",
    "prometheus-client",
}


@pytest.fixture(scope="module")
def instructions() -> list[containers.Instruction]:
    return containers.read_dockerfile(DOCKERFILE)


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


# --- Dockerfile: linters ------------------------------------------------------------------


def test_hadolint_reports_nothing_on_the_dockerfile() -> None:
    assert containers.hadolint(DOCKERFILE) == []


def test_hadolint_does_flag_the_chapters_dockerfile() -> None:
    codes = {finding.code for finding in containers.hadolint_text(containers.CHAPTER_DOCKERFILE)}
    assert {"DL3013", "DL3042", "DL3025"} <= codes


def test_review_finds_nothing_to_fix_in_the_dockerfile() -> None:
    assert containers.review_dockerfile(DOCKERFILE.read_text()) == []


def test_review_flags_each_flaw_of_the_chapters_dockerfile() -> None:
    problems = " | ".join(containers.review_dockerfile(containers.CHAPTER_DOCKERFILE))
    for flaw in ("root", "curl", "uv run", "--locked", "--no-install-project", "pip"):
        assert flaw in problems, f"the review misses {flaw!r}: {problems}"


def test_review_flags_code_copied_before_the_dependencies() -> None:
    text = (
        "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN uv sync --locked --no-dev\n"
        "USER 10001\n"
        'HEALTHCHECK CMD ["python", "-c", "import urllib.request as u; '
        "u.urlopen('http://127.0.0.1:8000/ready')\"]\n"
        'CMD ["uvicorn", "mlops_course.api:app"]\n'
    )
    problems = containers.review_dockerfile(text)
    assert len(problems) == 1 and "après la copie du code" in problems[0]


def test_review_flags_an_unpinned_base_image_and_a_secret_in_env() -> None:
    problems = " | ".join(
        containers.review_dockerfile('FROM python:latest\nENV API_TOKEN=abc\nCMD ["x"]\n')
    )
    assert "non épinglée" in problems and "API_TOKEN" in problems


# --- Dockerfile: what the image does ------------------------------------------------------


def test_health_check_asks_ready_with_python_not_curl(instructions) -> None:
    command = containers.healthcheck_command(instructions)
    assert command is not None and command[:2] == ["python", "-c"]
    assert "http://127.0.0.1:8000/ready" in command[2]
    assert not re.search(r"\b(curl|wget)\b", " ".join(command))


def test_runtime_runs_as_a_numeric_non_root_user(instructions) -> None:
    final_stage = max(i.stage for i in instructions)
    users = [i.arguments for i in instructions if i.keyword == "USER" and i.stage == final_stage]
    assert users and users[-1].split(":")[0].isdigit() and users[-1].split(":")[0] != "0"


def test_command_is_uvicorn_serving_the_api_on_the_exposed_port(instructions) -> None:
    command = containers.image_command(instructions)
    assert command[:2] == ["uvicorn", "mlops_course.api:app"]
    assert command[command.index("--host") + 1] == "0.0.0.0"
    exposed = [i.arguments for i in instructions if i.keyword == "EXPOSE"]
    assert exposed == [command[command.index("--port") + 1]] == [str(containers.CONTAINER_PORT)]


def test_image_serves_onnx_and_never_trains(instructions) -> None:
    env = containers.image_env(instructions)
    assert env["MLOPS_COURSE_BACKEND"] == "onnx"
    assert env["MLOPS_COURSE_TRAIN_IF_MISSING"] == "false"
    assert env["MLOPS_COURSE_MODEL_DIR"] == "/app/model"


def test_dependencies_are_installed_before_the_code_is_copied(instructions) -> None:
    build = [i for i in instructions if i.stage == 0]
    install = next(n for n, i in enumerate(build) if "uv export" in i.arguments)
    code = next(
        n for n, i in enumerate(build) if i.keyword == "COPY" and "mlops_course" in i.arguments
    )
    assert install < code


def test_dependencies_are_locked_without_dev_and_compiled(instructions) -> None:
    args = containers.export_arguments(instructions)
    assert "--locked" in args and "--no-dev" in args
    assert containers.image_env(instructions, 0)["UV_COMPILE_BYTECODE"] == "1"
    assert any("--require-hashes" in c for c in containers.run_commands(instructions, 0))


def test_runtime_stage_holds_the_venv_and_the_model_but_not_uv(instructions) -> None:
    final_stage = max(i.stage for i in instructions)
    copies = [i.arguments for i in instructions if i.keyword == "COPY" and i.stage == final_stage]
    assert copies == [
        "--from=build /app/.venv /app/.venv",
        "model/pipeline_v1.onnx model/pipeline_v1.manifest.json /app/model/",
    ]


def test_base_images_are_one_pinned_slim_python_311(instructions) -> None:
    assert set(containers.base_images(instructions)) == {"python:3.11-slim-trixie"}


def test_image_carries_oci_labels(instructions) -> None:
    labels = " ".join(i.arguments for i in instructions if i.keyword == "LABEL")
    for key in ("title", "description", "version", "revision", "licenses"):
        assert f"org.opencontainers.image.{key}=" in labels


def test_every_dependency_is_either_served_or_pruned(instructions) -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    direct = {_name(r) for r in pyproject["project"]["dependencies"]}
    pruned = set(containers.pruned_packages(instructions))
    assert pruned.isdisjoint(SERVING)
    assert direct - pruned == SERVING, (
        "a new dependency must be added to the image (SERVING) or pruned in docker/Dockerfile"
    )


def test_serving_requirements_hold_the_api_and_none_of_the_course_tooling() -> None:
    names = {_name(line) for line in containers.serving_requirements()}
    assert {"fastapi", "uvicorn", "onnxruntime", "numpy", "pydantic-settings"} <= names
    assert names.isdisjoint({"mlflow", "scikit-learn", "pandas", "jupyterlab", "scipy", "ruff"})


def test_uv_version_is_the_same_in_dockerfile_makefile_and_workflows() -> None:
    dockerfile = re.search(r"ghcr.io/astral-sh/uv:([\d.]+)", DOCKERFILE.read_text()).group(1)
    makefile = re.search(r"UV_VERSION \?= ([\d.]+)", (ROOT / "Makefile").read_text()).group(1)
    workflows = {
        str((step.get("with") or {}).get("version"))
        for path in cicd.workflow_paths()
        for _, step in cicd.steps(cicd.load_workflow(path.read_text()))
        if "setup-uv" in str(step.get("uses", ""))
    }
    assert {dockerfile} == {makefile} == workflows


# --- .dockerignore ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def patterns() -> list[str]:
    return containers.dockerignore_patterns((ROOT / containers.DOCKERIGNORE).read_text())


@pytest.mark.parametrize(
    "path",
    [
        ".git/HEAD",
        ".venv/bin/python",
        ".tools/bin/uv",
        "notebooks/05_docker.ipynb",
        "solutions/05_docker.ipynb",
        "exercises/05_docker.ipynb",
        "mon-travail/05_docker.ipynb",
        "data/raw/iris.csv",
        "mlruns/mlflow.db",
        "mlflow.db",
        "logs/predictions.jsonl",
        "build/executed/notebooks/01_introduction_mlops.ipynb",
        ".env",
        "model/pipeline_v1.joblib",
        "tests/test_model.py",
        "mlops_course/__pycache__/config.cpython-311.pyc",
        "mlops_course/api/__pycache__/service.cpython-311.pyc",
    ],
)
def test_dockerignore_keeps_out(patterns, path: str) -> None:
    assert containers.is_excluded(path, patterns)


@pytest.mark.parametrize(
    "path",
    [
        "pyproject.toml",
        "uv.lock",
        "README.md",
        "mlops_course/api/service.py",
        "model/pipeline_v1.onnx",
        "model/pipeline_v1.manifest.json",
    ],
)
def test_dockerignore_lets_in_what_the_image_copies(patterns, path: str) -> None:
    assert not containers.is_excluded(path, patterns)


def test_build_context_of_the_repository_is_the_project_and_the_model_only() -> None:
    files = containers.context_files(ROOT)
    assert "pyproject.toml" in files and "uv.lock" in files
    allowed = {"pyproject.toml", "uv.lock", "README.md"}
    folders = ("mlops_course/", "model/")
    strays = [f for f in files if f not in allowed and not f.startswith(folders)]
    assert strays == []


@pytest.mark.parametrize(
    ("pattern", "path", "excluded"),
    [
        ("*.md", "README.md", True),
        ("*.md", "docs/guide.md", False),  # `*` stays within a folder
        ("**/*.md", "docs/guide.md", True),
        ("data", "data/raw/iris.csv", True),  # a folder excludes its content
        ("data/*.csv", "data/raw/iris.csv", False),
    ],
)
def test_dockerignore_matching_follows_docker_rules(
    pattern: str, path: str, excluded: bool
) -> None:
    assert containers.is_excluded(path, [pattern]) is excluded


def test_dockerignore_last_matching_pattern_wins() -> None:
    assert not containers.is_excluded("model/a.onnx", ["model", "!model/*.onnx"])
    assert containers.is_excluded("model/a.onnx", ["!model/*.onnx", "model"])


# --- Compose ------------------------------------------------------------------------------


def test_compose_file_validates_against_the_compose_specification() -> None:
    assert containers.validate_compose(COMPOSE) == []


def test_compose_validation_reports_what_is_wrong(tmp_path: Path) -> None:
    broken = tmp_path / "compose.yml"
    broken.write_text("services:\n  api:\n    image: x:1\n    ports: 8000\n")
    errors = containers.validate_compose(broken)
    assert errors and "ports" in errors[0]


def test_review_finds_nothing_to_fix_in_the_compose_file() -> None:
    assert containers.review_compose(COMPOSE.read_text()) == []


def test_review_flags_each_flaw_of_the_chapters_compose_file() -> None:
    problems = " | ".join(containers.review_compose(containers.CHAPTER_COMPOSE))
    for flaw in ("version", "curl", "mlflow : pas de healthcheck", "--allowed-hosts", "workers"):
        assert flaw in problems, f"the review misses {flaw!r}: {problems}"


def test_review_flags_a_writable_model_volume() -> None:
    text = (
        "services:\n  api:\n    image: api:1\n    restart: always\n"
        "    healthcheck: {test: [CMD, python, -c, 'pass']}\n"
        "    volumes: ['./model:/app/model']\n"
    )
    assert containers.review_compose(text) == [
        "service api : le volume du modèle (/app/model) doit être en lecture seule (:ro)"
    ]


def test_compose_has_no_version_key_and_a_project_name(compose) -> None:
    assert "version" not in compose and compose["name"] == "mlops-course"


def test_api_service_builds_the_dockerfile_and_mounts_the_model_read_only(compose) -> None:
    api = compose["services"]["api"]
    context = (COMPOSE.parent / api["build"]["context"]).resolve()
    assert context == ROOT and (context / api["build"]["dockerfile"]) == DOCKERFILE
    model = next(v for v in api["volumes"] if v["target"] == "/app/model")
    assert model["read_only"] is True
    assert (COMPOSE.parent / model["source"]).resolve() == ROOT / "model"


def test_mlflow_service_is_pinned_with_sqlite_and_an_artifact_volume(compose) -> None:
    mlflow = compose["services"]["mlflow"]
    locked = re.search(r'name = "mlflow"\nversion = "(\d+)\.', (ROOT / "uv.lock").read_text())
    # Same major version as the client in uv.lock (the weekly upgrade may move minors).
    assert re.fullmatch(rf"ghcr.io/mlflow/mlflow:v{locked.group(1)}\.\d+\.\d+", mlflow["image"])
    command = " ".join(mlflow["command"])
    assert "--backend-store-uri=sqlite:////mlflow/db/mlflow.db" in command
    assert "--workers=1" in command and "--allowed-hosts=" in command
    assert mlflow["environment"]["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"] == "false"
    assert "mlflow-artifacts:/mlflow/artifacts" in mlflow["volumes"]


def test_every_service_has_a_health_check_and_a_restart_policy(compose) -> None:
    for name, service in compose["services"].items():
        assert service["restart"] == "unless-stopped", name
        test = service["healthcheck"]["test"]
        if name in {"api", "mlflow"}:  # python images: no curl, no wget
            assert test[:3] == ["CMD", "python", "-c"], name
        else:  # exec form with a tool the image ships (promtool, busybox wget)
            assert test[0] == "CMD" and test[1] in {"/bin/promtool", "wget"}, name


def test_monitoring_services_start_only_with_their_profile_and_pinned_images(compose) -> None:
    for name, service in compose["services"].items():
        monitoring = name in {"prometheus", "grafana"}
        assert (service.get("profiles") == ["monitoring"]) is monitoring, name
    for name in ("prometheus", "grafana"):
        image = compose["services"][name]["image"]
        assert re.fullmatch(r"[\w./-]+:v?\d+\.\d+\.\d+", image), image


def test_review_still_flags_curl_in_a_python_service_but_not_in_other_images() -> None:
    check = "    healthcheck: {test: [CMD, wget, -q, --spider, 'http://127.0.0.1:3000/']}\n"
    text = (
        "services:\n  api:\n    build: .\n    restart: always\n" + check
        + "  grafana:\n    image: grafana/grafana:12.2.1\n    restart: always\n" + check
    )  # fmt: skip
    assert containers.review_compose(text) == [
        "service api : le healthcheck appelle curl/wget, absents des images python slim ; "
        "utilisez python -c avec urllib.request"
    ]


def test_services_publish_their_ports_on_localhost_only(compose) -> None:
    for service in compose["services"].values():
        assert all(str(port).startswith("127.0.0.1:") for port in service["ports"])


# --- the image, worked out from the Dockerfile (notebook 05, exercise 1) ------------------


def test_simulated_image_of_the_dockerfile_holds_what_the_api_needs() -> None:
    from mlops_course.checks.docker import _context
    from mlops_course.containers.image import simulate_image

    image = simulate_image(DOCKERFILE.read_text(), _context())
    assert image.problems == []
    assert image.installs == {"/app/.venv": {"deps", "project"}}  # copied from the build stage
    assert image.has("/app/model/pipeline_v1.onnx")
    assert image.has("/app/model/pipeline_v1.manifest.json")
    assert "/app/.venv/bin" in image.path_dirs() and image.user == "10001"
    assert not image.has_folder("/app/mlops_course"), "the code travels inside the venv only"


def test_simulated_copy_into_the_working_folder_keeps_the_file_names() -> None:
    from mlops_course.containers.image import simulate_image

    text = "FROM python:3.11-slim\nWORKDIR /app\nCOPY requirements.txt .\nCOPY README.md /app\n"
    text += "COPY src/app.py src/\nCOPY data/a.csv data.csv\n"
    image = simulate_image(text, ["requirements.txt", "README.md", "src/app.py", "data/a.csv"])
    assert image.files == {
        "/app/requirements.txt",
        "/app/README.md",
        "/app/src/app.py",
        "/app/data.csv",
    }


def test_simulated_build_of_the_chapters_dockerfile_misses_its_app_folder() -> None:
    from mlops_course.checks.docker import _context
    from mlops_course.containers.image import simulate_image

    image = simulate_image(containers.CHAPTER_DOCKERFILE, _context())
    assert image.problems == [
        "COPY app/ : rien de tel dans le contexte de build (absent du dépôt ou exclu par "
        ".dockerignore)"
    ]
    assert image.user is None and image.installs == {"/app/.venv": {"deps"}}
