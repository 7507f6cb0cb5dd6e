"""Chapter 06's GitHub workflows: valid for GitHub; the CI secret-free and running all of make
check; the release publishing the image for a version tag only, after the tests, with the
built-in token."""

from __future__ import annotations

from pathlib import Path

import pytest
from workflow_samples import CHECKOUT, LOGIN, publish_without
from workflow_samples import RELEASE as RELEASE_SAMPLE

from mlops_course import release, workflows
from mlops_course.config import project_root

ROOT = project_root()
CI = ROOT / workflows.WORKFLOWS / "ci.yml"
UPGRADE = ROOT / workflows.WORKFLOWS / "upgrade.yml"
RELEASE = ROOT / workflows.WORKFLOWS / "release.yml"
MATRIX = ROOT / workflows.WORKFLOWS / "matrix.yml"
SITE = ROOT / workflows.WORKFLOWS / "site.yml"
MAKEFILE = (ROOT / "Makefile").read_text()


def _workflow(path: Path) -> dict:
    return workflows.load_workflow(path.read_text())


def _runs(path: Path, job: str) -> list[str]:
    return [str(step.get("run", "")) for j, step in workflows.steps(_workflow(path)) if j == job]


def test_the_course_has_its_ci_release_upgrade_platforms_and_site_workflows() -> None:
    names = [p.name for p in workflows.workflow_paths()]
    assert names == ["ci.yml", "matrix.yml", "release.yml", "site.yml", "upgrade.yml"]


def test_workflows_validate_against_githubs_schema() -> None:
    assert workflows.validate_workflow(*workflows.workflow_paths()) == []


def test_workflow_validation_reports_what_is_wrong(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  test:\n    steps:\n      - run: make check\n")
    errors = workflows.validate_workflow(broken)
    assert errors and "runs-on" in " ".join(errors)


@pytest.mark.parametrize(
    "path", [CI, UPGRADE, MATRIX, SITE], ids=["ci", "upgrade", "matrix", "site"]
)
def test_review_finds_nothing_to_fix_with_this_makefile(path: Path) -> None:
    """Also fails when CI calls a make target the Makefile does not define."""
    assert workflows.review_workflow(path.read_text(), makefile_text=MAKEFILE) == []


def test_release_review_finds_nothing_to_fix_with_this_makefile() -> None:
    assert release.review_release(RELEASE.read_text(), makefile_text=MAKEFILE) == []


def test_review_flags_each_flaw_of_the_chapters_workflow() -> None:
    problems = " | ".join(
        workflows.review_workflow(workflows.CHAPTER_WORKFLOW, makefile_text=MAKEFILE)
    )
    for flaw in ("permissions", "secrets", "timeout-minutes", "setup-uv", "--locked", "make check"):
        assert flaw in problems, f"the review misses {flaw!r}: {problems}"


def test_review_flags_a_job_that_runs_make_without_checkout_or_python() -> None:
    text = (
        "on: push\npermissions: {contents: read}\njobs:\n  a:\n"
        "    runs-on: ubuntu-24.04\n    timeout-minutes: 5\n"
        "    steps:\n      - uses: astral-sh/setup-uv@v7\n      - run: make check\n"
    )
    problems = " | ".join(workflows.review_workflow(text))
    assert "actions/checkout" in problems and "actions/setup-python" in problems


def test_review_flags_unpinned_actions_write_permissions_and_pull_request_target() -> None:
    text = (
        "on: [pull_request_target]\npermissions: write-all\njobs:\n  a:\n"
        "    runs-on: ubuntu-24.04\n    timeout-minutes: 5\n"
        "    steps:\n      - uses: actions/checkout@main\n      - uses: actions/setup-python\n"
    )
    problems = " | ".join(workflows.review_workflow(text))
    assert "écriture" in problems and "pull_request_target" in problems
    assert "actions/checkout@main" in problems and "actions/setup-python non" in problems


@pytest.mark.parametrize("path", [CI, UPGRADE], ids=["ci", "upgrade"])
def test_everyday_workflows_have_a_read_only_token_and_no_secret(path: Path) -> None:
    assert _workflow(path)["permissions"] == {"contents": "read"}
    assert "secrets." not in path.read_text()
    assert all("permissions" not in job for job in _workflow(path)["jobs"].values())


def test_ci_runs_on_push_and_pull_request() -> None:
    assert {"push", "pull_request"} <= workflows.triggers(_workflow(CI))


def test_ci_runs_the_whole_of_make_check_and_the_model_gate_first() -> None:
    runs = _runs(CI, "check")
    assert "make check" in runs
    gate = next(n for n, run in enumerate(runs) if "tests/test_model.py" in run)
    assert gate < runs.index("make check")
    assert workflows.check_parts(MAKEFILE) == ["lint", "test", "notebooks", "nbval"]


def test_ci_mirrors_the_makefile_python_311_and_caches_uv() -> None:
    ci = _workflow(CI)
    assert ci["env"]["UV_PYTHON"] == "3.11" and ci["env"]["UV_PYTHON_DOWNLOADS"] == "never"
    for job in ("check", "docker"):
        uses = {
            str(step.get("uses", "")).partition("@")[0]: step.get("with", {})
            for j, step in workflows.steps(ci)
            if j == job
        }
        assert uses["actions/setup-python"]["python-version"] == "3.11"
        assert uses["astral-sh/setup-uv"]["enable-cache"] is True


def test_ci_uploads_the_executed_notebooks_even_when_a_step_fails() -> None:
    upload = next(
        step
        for job, step in workflows.steps(_workflow(CI))
        if job == "check" and "upload-artifact" in str(step.get("uses", ""))
    )
    assert upload["if"] == "always()"
    assert "build/" in upload["with"]["path"].split()


def test_docker_job_builds_runs_and_asks_the_image_for_a_prediction() -> None:
    ci = _workflow(CI)
    assert ci["jobs"]["docker"]["needs"] == "check"
    runs = "\n".join(_runs(CI, "docker"))
    for command in (
        "make model",
        "make docker-build",
        "python -m mlops_course.containers smoke",
        "make compose-up",
        "/predict",
        "make compose-down",
    ):
        assert command in runs


def test_tests_do_not_run_the_image_again_in_the_check_job() -> None:
    assert _workflow(CI)["jobs"]["check"]["env"]["MLOPS_COURSE_DOCKER"] == "0"


def test_upgrade_runs_weekly_upgrades_the_lock_then_runs_make_check() -> None:
    upgrade = _workflow(UPGRADE)
    (cron,) = [entry["cron"] for entry in upgrade["on"]["schedule"]]
    _minute, _hour, day, month, weekday = cron.split()
    assert (day, month) == ("*", "*") and weekday.isdigit()
    runs = _runs(UPGRADE, "upgrade")
    assert runs.index("uv lock --upgrade") < runs.index("make check")
    assert upgrade["permissions"] == {"contents": "read"}


@pytest.mark.parametrize(
    ("run", "targets"),
    [
        ("make check", ["check"]),
        ("make docker-build IMAGE=x:1", ["docker-build"]),
        ("uv lock && make lint test", ["lint", "test"]),
        ("echo make-believe", []),
    ],
)
def test_make_calls_reads_the_targets_of_run_steps(run: str, targets: list[str]) -> None:
    workflow = {"jobs": {"a": {"steps": [{"run": run}]}}}
    assert workflows.make_calls(workflow) == targets


def test_makefile_targets_are_rules_not_variables() -> None:
    text = "UV ?= uv\nRUN := x\n.PHONY: a\na: b ## doc\n\techo\nb:\n"
    assert workflows.makefile_targets(text) == {"a", "b"}


# --- the release workflow (§6.2, the "CD" half) --------------------------------------------


def _release_steps(job: str) -> list[dict]:
    return [step for j, step in workflows.steps(_workflow(RELEASE)) if j == job]


def _index(steps: list[dict], predicate) -> int:
    return next(i for i, step in enumerate(steps) if predicate(step))


def test_release_runs_for_version_tags_only() -> None:
    assert _workflow(RELEASE)["on"] == {"push": {"tags": ["v*"]}}


def test_release_publishes_only_after_make_check_and_the_model_gate_pass() -> None:
    jobs = _workflow(RELEASE)["jobs"]
    assert jobs["publish"]["needs"] == "test"
    runs = _runs(RELEASE, "test")
    assert "make check" in runs
    assert any("tests/test_model.py" in run for run in runs)


def test_only_the_publishing_job_may_write_packages() -> None:
    release_workflow = _workflow(RELEASE)
    assert release_workflow["permissions"] == {"contents": "read"}
    assert "permissions" not in release_workflow["jobs"]["test"]
    assert release_workflow["jobs"]["publish"]["permissions"] == {
        "contents": "read",
        "packages": "write",
    }


def test_release_needs_no_secret_but_the_built_in_token() -> None:
    import re

    text = RELEASE.read_text()
    assert set(re.findall(r"secrets\.(\w+)", text)) == {"GITHUB_TOKEN"}
    (login,) = [s for s in _release_steps("publish") if "docker/login-action" in s.get("uses", "")]
    assert login["with"]["registry"] == "ghcr.io"
    assert login["with"]["password"] == "${{ secrets.GITHUB_TOKEN }}"


def test_release_builds_docker_dockerfile_from_the_checkout_once_the_model_exists() -> None:
    steps = _release_steps("publish")
    builds = [s for s in steps if "docker/build-push-action" in s.get("uses", "")]
    assert len(builds) == 2
    for build in builds:
        assert build["with"]["file"] == "docker/Dockerfile" and build["with"]["context"] == "."
    assert (ROOT / "docker" / "Dockerfile").is_file()
    checkout = _index(steps, lambda s: "actions/checkout" in s.get("uses", ""))
    model = _index(steps, lambda s: s.get("run") == "make model")
    first_build = _index(steps, lambda s: "docker/build-push-action" in s.get("uses", ""))
    assert checkout < model < first_build


def test_release_smoke_tests_the_image_before_pushing_it() -> None:
    steps = _release_steps("publish")
    smoke = _index(steps, lambda s: "mlops_course.containers smoke" in s.get("run", ""))
    push = _index(steps, lambda s: s.get("with", {}).get("push") is True)
    login = _index(steps, lambda s: "docker/login-action" in s.get("uses", ""))
    assert smoke < login < push
    loaded = steps[smoke - 1]["with"]
    assert loaded["load"] is True and loaded["tags"] in steps[smoke]["run"]


def test_release_tags_the_image_with_the_version_of_the_git_tag() -> None:
    steps = _release_steps("publish")
    (meta,) = [s for s in steps if "docker/metadata-action" in s.get("uses", "")]
    assert meta["with"]["images"].startswith("ghcr.io/${{ github.repository }}/")
    assert "type=semver,pattern={{version}}" in meta["with"]["tags"]
    assert "latest" not in meta["with"]["tags"]
    (push,) = [s for s in steps if s.get("with", {}).get("push") is True]
    assert push["with"]["tags"] == "${{ steps.meta.outputs.tags }}"


def test_every_action_is_pinned_to_a_major_version() -> None:
    import re

    for path in workflows.workflow_paths():
        for _, step in workflows.steps(_workflow(path)):
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", step["uses"]), (path.name, step)


def test_a_minimal_release_has_nothing_to_fix() -> None:
    assert release.review_release(RELEASE_SAMPLE, makefile_text=MAKEFILE) == []


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ('  push:\n    tags: ["v*"]\n', "  push:\n", "à chaque push"),
        ('    tags: ["v*"]\n', "    branches: [main]\n", "branches"),
        ('    tags: ["v*"]\n', '    tags: ["v*"]\n  pull_request:\n', "déclencheurs en trop"),
        ('    tags: ["v*"]', '    tags: ["*"]', "n'importe quel tag"),
        ("    needs: test\n", "", "needs"),
        ("      - run: make check\n", "      - run: make lint\n", "ne lance pas les tests"),
        ("secrets.GITHUB_TOKEN", "secrets.GHCR_PAT", "secret personnel GHCR_PAT"),
        ("      packages: write\n", "", "packages: write"),
        ("permissions:\n  contents: read\n", "permissions:\n  packages: write\n", "en tête"),
        ("      contents: read\n      packages", "      packages", "contents: read"),
        (":${{ github.ref_name }}", ":latest", "latest"),
        (":${{ github.ref_name }}", ":${{ github.sha }}", "tag de version"),
        ("          registry: ghcr.io\n", "", "docker.io"),
        ("ghcr.io/${{ github.repository }}:", "${{ github.repository }}:", "commencer par ghcr.io"),
        ("          context: .\n", "", "context"),
        ("          file: docker/Dockerfile\n", "", "file"),
        ("          push: true\n", "", "jamais poussée"),
        ("      - run: make model\n", "", "make model"),
    ],
)
def test_release_review_flags_each_mistake(old: str, new: str, problem: str) -> None:
    assert old in RELEASE_SAMPLE
    problems = release.review_release(RELEASE_SAMPLE.replace(old, new), makefile_text=MAKEFILE)
    assert problem in " | ".join(problems), problems


def test_release_review_flags_a_publish_job_without_checkout_or_login() -> None:
    no_checkout = publish_without(CHECKOUT)
    assert "actions/checkout" in " | ".join(release.review_release(no_checkout))
    assert "docker/login-action" in " | ".join(release.review_release(publish_without(LOGIN)))


def test_release_review_resolves_env_values_as_githubs_own_template_writes_them() -> None:
    text = RELEASE_SAMPLE.replace("jobs:\n", "env:\n  REGISTRY: ghcr.io\njobs:\n").replace(
        "registry: ghcr.io", "registry: ${{ env.REGISTRY }}"
    )
    assert release.review_release(text) == []


def test_release_review_reads_the_chapters_build_job_as_a_release_would_be() -> None:
    problems = " | ".join(
        release.review_release(workflows.CHAPTER_WORKFLOW, makefile_text=MAKEFILE)
    )
    for flaw in (
        "branches",
        "packages: write",
        "make model",
        "file:",
        "context:",
        "tag de version",
    ):
        assert flaw in problems, f"the release review misses {flaw!r}: {problems}"


# --- every supported Python, every system, and the site ----------------------------------


def _matrix_jobs(path: Path) -> list[dict[str, str]]:
    """Expand the ``check`` job's matrix (os x python, minus its exclusions)."""
    matrix = _workflow(path)["jobs"]["check"]["strategy"]["matrix"]
    excluded = [dict(entry) for entry in matrix.get("exclude", [])]
    return [
        {"os": os_name, "python": python}
        for os_name in matrix["os"]
        for python in matrix["python"]
        if {"os": os_name, "python": python} not in excluded
    ]


def test_python_311_and_313_are_tested_on_linux_macos_and_windows() -> None:
    combos = {(entry["os"].split("-")[0], entry["python"]) for entry in _matrix_jobs(MATRIX)}
    combos.add(("ubuntu", _workflow(CI)["env"]["UV_PYTHON"]))  # ci.yml: the reference 3.11
    for system in ("ubuntu", "macos", "windows"):
        assert {(system, "3.11"), (system, "3.13")} <= combos, system


def test_macos_and_windows_run_tests_and_notebooks_without_make_or_bash() -> None:
    steps = [step for job, step in workflows.steps(_workflow(MATRIX)) if job == "check"]
    other = next(step for step in steps if step.get("if") == "runner.os != 'Linux'")
    assert other["run"] == "uv run --locked mlops-course check test notebooks"
    linux = next(step for step in steps if step.get("if") == "runner.os == 'Linux'")
    assert linux["run"] == "uv run --locked mlops-course check"
    assert not [s for s in steps if "make " in str(s.get("run", "")) or s.get("shell") == "bash"]


def test_site_is_built_tested_in_a_browser_then_published_from_main_only() -> None:
    site = _workflow(SITE)
    assert workflows.triggers(site) == {"push", "workflow_dispatch"}
    assert site["on"]["push"]["branches"] == ["main"]
    runs = _runs(SITE, "build")
    assert runs.index("make site") < runs.index("make test-browser")
    upload = next(
        s for _, s in workflows.steps(site) if "upload-pages-artifact" in s.get("uses", "")
    )
    assert upload["with"]["path"] == "build/site/html"
    assert site["permissions"] == {"contents": "read"}  # write access only where it publishes
    assert site["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert site["jobs"]["deploy"]["needs"] == "build"


@pytest.mark.parametrize(
    ("version", "matrix", "flagged"),
    [
        ("3.11", {}, False),
        ("3.13", {}, False),
        ("3.10", {}, True),
        ("", {}, True),
        ("${{ matrix.python }}", {"python": ["3.11", "3.13"]}, False),
        ("${{ matrix.python }}", {"python": ["3.9", "3.13"]}, True),
    ],
)
def test_review_accepts_every_supported_python_and_expands_matrices(
    version: str, matrix: dict, flagged: bool
) -> None:
    strategy = f"    strategy:\n      matrix: {matrix}\n" if matrix else ""
    text = (
        "on: push\npermissions: {contents: read}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n"
        f"    timeout-minutes: 5\n{strategy}    steps:\n"
        f"      - uses: actions/setup-python@v6\n        with:\n"
        f"          python-version: '{version}'\n"
    )
    problems = " | ".join(workflows.review_workflow(text))
    assert ("le cours demande Python ≥ 3.11" in problems) is flagged, problems


@pytest.mark.parametrize(
    ("run", "targets"),
    [
        ("uv run --locked mlops-course check", ["check"]),
        ("uv run --locked mlops-course check test notebooks --jobs 2", ["test", "notebooks"]),
    ],
)
def test_mlops_course_check_counts_as_make_check(run: str, targets: list[str]) -> None:
    assert workflows.make_calls({"jobs": {"a": {"steps": [{"run": run}]}}}) == targets


def test_only_workflows_that_gate_pull_requests_must_run_all_of_make_check() -> None:
    head = "permissions: {contents: read}\njobs:\n  a:\n    runs-on: x\n    timeout-minutes: 5\n"
    partial = head + "    steps:\n      - run: make test\n"
    assert "la CI ne lance pas tout" in " ".join(
        workflows.review_workflow("on: [pull_request]\n" + partial, makefile_text=MAKEFILE)
    )
    publish = head + (
        "    steps:\n      - uses: actions/checkout@v5\n      - uses: actions/setup-python@v6\n"
        "        with:\n          python-version: '3.11'\n      - run: make site\n"
    )
    on_main = "on: {push: {branches: [main]}}\n"
    assert workflows.review_workflow(on_main + publish, makefile_text=MAKEFILE) == []
