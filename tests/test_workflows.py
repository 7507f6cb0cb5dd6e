"""Chapter 06's GitHub workflows: valid for GitHub, secret-free, and running all of make check."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_course import cicd
from mlops_course.config import project_root

ROOT = project_root()
CI = ROOT / cicd.WORKFLOWS / "ci.yml"
UPGRADE = ROOT / cicd.WORKFLOWS / "upgrade.yml"
MATRIX = ROOT / cicd.WORKFLOWS / "matrix.yml"
SITE = ROOT / cicd.WORKFLOWS / "site.yml"
MAKEFILE = (ROOT / "Makefile").read_text()


def _workflow(path: Path) -> dict:
    return cicd.load_workflow(path.read_text())


def _runs(path: Path, job: str) -> list[str]:
    return [str(step.get("run", "")) for j, step in cicd.steps(_workflow(path)) if j == job]


def test_the_course_has_its_ci_upgrade_platforms_and_site_workflows() -> None:
    names = [p.name for p in cicd.workflow_paths()]
    assert names == ["ci.yml", "matrix.yml", "site.yml", "upgrade.yml"]


def test_workflows_validate_against_githubs_schema() -> None:
    assert cicd.validate_workflow(*cicd.workflow_paths()) == []


def test_workflow_validation_reports_what_is_wrong(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  test:\n    steps:\n      - run: make check\n")
    errors = cicd.validate_workflow(broken)
    assert errors and "runs-on" in " ".join(errors)


@pytest.mark.parametrize(
    "path", [CI, UPGRADE, MATRIX, SITE], ids=["ci", "upgrade", "matrix", "site"]
)
def test_review_finds_nothing_to_fix_with_this_makefile(path: Path) -> None:
    """Also fails when CI calls a make target the Makefile does not define."""
    assert cicd.review_workflow(path.read_text(), makefile_text=MAKEFILE) == []


def test_review_flags_each_flaw_of_the_chapters_workflow() -> None:
    problems = " | ".join(cicd.review_workflow(cicd.CHAPTER_WORKFLOW, makefile_text=MAKEFILE))
    for flaw in ("permissions", "secrets", "timeout-minutes", "setup-uv", "--locked", "make check"):
        assert flaw in problems, f"the review misses {flaw!r}: {problems}"


def test_review_flags_unpinned_actions_write_permissions_and_pull_request_target() -> None:
    text = (
        "on: [pull_request_target]\npermissions: write-all\njobs:\n  a:\n"
        "    runs-on: ubuntu-24.04\n    timeout-minutes: 5\n"
        "    steps:\n      - uses: actions/checkout@main\n      - uses: actions/setup-python\n"
    )
    problems = " | ".join(cicd.review_workflow(text))
    assert "écriture" in problems and "pull_request_target" in problems
    assert "actions/checkout@main" in problems and "actions/setup-python non" in problems


def test_ci_runs_on_push_and_pull_request_with_a_read_only_token() -> None:
    ci = _workflow(CI)
    assert {"push", "pull_request"} <= cicd.triggers(ci)
    assert ci["permissions"] == {"contents": "read"}
    assert "secrets." not in CI.read_text()


def test_ci_runs_the_whole_of_make_check_and_the_model_gate_first() -> None:
    runs = _runs(CI, "check")
    assert "make check" in runs
    gate = next(n for n, run in enumerate(runs) if "tests/test_model.py" in run)
    assert gate < runs.index("make check")
    assert cicd.check_parts(MAKEFILE) == ["lint", "test", "notebooks", "nbval"]


def test_ci_mirrors_the_makefile_python_311_and_caches_uv() -> None:
    ci = _workflow(CI)
    assert ci["env"]["UV_PYTHON"] == "3.11" and ci["env"]["UV_PYTHON_DOWNLOADS"] == "never"
    for job in ("check", "docker"):
        uses = {
            str(step.get("uses", "")).partition("@")[0]: step.get("with", {})
            for j, step in cicd.steps(ci)
            if j == job
        }
        assert uses["actions/setup-python"]["python-version"] == "3.11"
        assert uses["astral-sh/setup-uv"]["enable-cache"] is True


def test_ci_uploads_the_executed_notebooks_even_when_a_step_fails() -> None:
    upload = next(
        step
        for job, step in cicd.steps(_workflow(CI))
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
    assert cicd.make_calls(workflow) == targets


def test_makefile_targets_are_rules_not_variables() -> None:
    text = "UV ?= uv\nRUN := x\n.PHONY: a\na: b ## doc\n\techo\nb:\n"
    assert cicd.makefile_targets(text) == {"a", "b"}


# --- the model gate (§6.3) ----------------------------------------------------------------


def test_gate_passes_at_the_thresholds_and_blocks_below() -> None:
    assert cicd.gate({"accuracy": 0.90, "f1_weighted": 0.88}).passed
    blocked = cicd.gate({"accuracy": 0.95, "f1_weighted": 0.8799, "recall_weighted": 0.1})
    assert not blocked.passed and blocked.failures == ["f1_weighted 0.8799 < seuil 0.88"]
    assert "déploiement BLOQUÉ" in blocked.summary()


def test_gate_refuses_missing_metrics_and_thresholds_out_of_range() -> None:
    with pytest.raises(KeyError, match="f1_weighted"):
        cicd.gate({"accuracy": 0.99})
    with pytest.raises(ValueError, match="threshold 'accuracy' must be in"):
        cicd.gate({"accuracy": 0.99}, {"accuracy": 90})


def test_model_tests_and_gate_share_the_chapters_thresholds() -> None:
    module = cicd.load_model_tests()
    assert (module.ACCURACY_MINIMALE, module.F1_MINIMAL) == (0.90, 0.88)
    assert cicd.THRESHOLDS == {"accuracy": 0.90, "f1_weighted": 0.88}


def test_regressed_model_is_blocked_by_the_gate_and_by_the_performance_tests() -> None:
    model = cicd.regressed_model()
    assert not cicd.evaluate_gate(model).passed
    failed = [o.name for o in cicd.judge_with_model_tests(model) if not o.passed]
    assert failed == [
        "TestModelPerformance::test_accuracy_minimale",
        "TestModelPerformance::test_f1_minimal",
    ]


def test_run_model_tests_reports_counts_and_failed_tests(tmp_path: Path) -> None:
    tests = tmp_path / "test_sample.py"
    tests.write_text("def test_ok():\n    assert True\n\ndef test_ko():\n    assert 1 == 2\n")
    run = cicd.run_model_tests(tmp_path / "work", tests=tests)
    assert not run.passed
    assert run.counts() == {"failed": 1, "passed": 1} and run.failed_tests() == ["test_ko"]
    assert (tmp_path / "work" / "cache").is_dir()  # pytest's cache went there, not to the repo


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
    steps = [step for job, step in cicd.steps(_workflow(MATRIX)) if job == "check"]
    other = next(step for step in steps if step.get("if") == "runner.os != 'Linux'")
    assert other["run"] == "uv run --locked mlops-course check test notebooks"
    linux = next(step for step in steps if step.get("if") == "runner.os == 'Linux'")
    assert linux["run"] == "uv run --locked mlops-course check"
    assert not [s for s in steps if "make " in str(s.get("run", "")) or s.get("shell") == "bash"]


def test_site_is_built_tested_in_a_browser_then_published_from_main_only() -> None:
    site = _workflow(SITE)
    assert cicd.triggers(site) == {"push", "workflow_dispatch"}
    assert site["on"]["push"]["branches"] == ["main"]
    runs = _runs(SITE, "build")
    assert runs.index("make site") < runs.index("make test-browser")
    upload = next(s for j, s in cicd.steps(site) if "upload-pages-artifact" in s.get("uses", ""))
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
    problems = " | ".join(cicd.review_workflow(text))
    assert ("le cours demande Python ≥ 3.11" in problems) is flagged, problems


@pytest.mark.parametrize(
    ("run", "targets"),
    [
        ("uv run --locked mlops-course check", ["check"]),
        ("uv run --locked mlops-course check test notebooks --jobs 2", ["test", "notebooks"]),
    ],
)
def test_mlops_course_check_counts_as_make_check(run: str, targets: list[str]) -> None:
    assert cicd.make_calls({"jobs": {"a": {"steps": [{"run": run}]}}}) == targets


def test_only_workflows_that_gate_pull_requests_must_run_all_of_make_check() -> None:
    head = "permissions: {contents: read}\njobs:\n  a:\n    runs-on: x\n    timeout-minutes: 5\n"
    partial = head + "    steps:\n      - run: make test\n"
    assert "la CI ne lance pas tout" in " ".join(
        cicd.review_workflow("on: [pull_request]\n" + partial, makefile_text=MAKEFILE)
    )
    publish = head + "    steps:\n      - run: make site\n"
    assert (
        cicd.review_workflow("on: {push: {branches: [main]}}\n" + publish, makefile_text=MAKEFILE)
        == []
    )
