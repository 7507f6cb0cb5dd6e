"""`mlops-course check`, `lab` and `site`: what the Makefile calls, usable without make."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from mlops_course import cicd
from mlops_course.config import project_root
from mlops_course.courseware import check, lab, report, website

ROOT = project_root()
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")


# --- check --------------------------------------------------------------------------------


def _recipe(target: str) -> str:
    match = re.search(rf"(?m)^{re.escape(target)}:.*\n((?:\t.*\n)+)", MAKEFILE)
    assert match, f"no rule for {target}"
    return match[1]


def test_make_check_runs_the_steps_of_mlops_course_check_in_the_same_order() -> None:
    assert cicd.check_parts(MAKEFILE) == list(check.STEPS) == list(report.STEPS)
    assert "$(COURSE) check --jobs" in _recipe("check")
    assert "COURSE := $(RUN) mlops-course" in MAKEFILE


@pytest.mark.parametrize("step", check.STEPS)
def test_each_make_step_calls_the_same_step_of_mlops_course_check(step: str) -> None:
    assert f"$(COURSE) check {step}" in _recipe(step)


def test_make_lab_and_make_site_call_the_course_command() -> None:
    assert "$(COURSE) lab --port $(LAB_PORT)" in _recipe("lab")
    assert "$(COURSE) site" in _recipe("site")


def test_check_runs_every_step_in_order_then_prints_the_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ran: list[str] = []
    for step in check.STEPS:
        monkeypatch.setitem(check.RUNNERS, step, lambda options, s=step: ran.append(s) or 0)
    status = check.check_all(check.Options(junit_dir=tmp_path))
    assert status == 0 and ran == list(check.STEPS)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{s}.ok" for s in check.STEPS)
    assert "make check: summary" in capsys.readouterr().out


def test_check_stops_at_the_first_failing_step_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ran: list[str] = []
    for step in check.STEPS:
        code = 1 if step == "test" else 0
        monkeypatch.setitem(check.RUNNERS, step, lambda o, s=step, c=code: ran.append(s) or c)
    assert check.check_all(check.Options(junit_dir=tmp_path)) == 1
    assert ran == ["lint", "test"]
    captured = capsys.readouterr()
    assert "step 'test' failed" in captured.err
    assert "notebooks       not run" in captured.out


def test_check_passes_the_arguments_after_dashes_to_pytest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    commands: list[list[str]] = []
    monkeypatch.setattr(check, "run", lambda command, options, env=None: commands.append(command))
    assert check.cli(["test", "--jobs", "1", "--", "-k", "cli"]) == 0
    (command,) = commands
    assert command[:3] == [sys.executable, "-m", "pytest"]
    assert "--ignore=tests/browser" in command and command[-2:] == ["-k", "cli"]
    assert command[command.index("-n") + 1] == "1"


def test_check_refuses_an_unknown_step(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        check.cli(["lint", "tset"])
    assert exit_info.value.code == 2
    assert "étape inconnue : tset ; choisir parmi lint, test" in capsys.readouterr().err


def test_full_mode_runs_the_notebooks_at_full_size(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[dict[str, str] | None] = []
    monkeypatch.setattr(check, "run", lambda command, options, env=None: seen.append(env) or 0)
    check.cli(["notebooks", "--full"])
    check.cli(["notebooks"])
    assert [env["MLOPS_COURSE_FAST"] for env in seen if env] == ["0", "1"]


# --- lab ----------------------------------------------------------------------------------


def test_configure_writes_french_and_no_news_into_the_environment_settings(
    tmp_path: Path,
) -> None:
    written = lab.configure(tmp_path)
    assert written == tmp_path / "overrides.d" / "mlops-course.json"
    settings = json.loads(written.read_text(encoding="utf-8"))
    assert settings["@jupyterlab/translation-extension:plugin"] == {"locale": "fr_FR"}
    notification = settings["@jupyterlab/apputils-extension:notification"]
    assert notification == {"fetchNews": "false", "checkForUpdates": False}
    before = written.stat().st_mtime_ns
    lab.configure(tmp_path)
    assert written.stat().st_mtime_ns == before  # unchanged settings are not rewritten


def test_the_settings_go_to_this_environment_never_to_the_users_home() -> None:
    settings_dir = lab.app_settings_dir()
    assert settings_dir.is_relative_to(Path(sys.prefix)), settings_dir
    assert not settings_dir.is_relative_to(Path.home() / ".jupyter")


def test_server_command_is_quiet_offline_and_uses_our_token(tmp_path: Path) -> None:
    command = lab.server_command(8899, "abc", root=tmp_path, browser=False)
    assert command[:3] == [sys.executable, "-m", "jupyterlab"]
    for option in (
        f"--ServerApp.root_dir={tmp_path}",
        "--ServerApp.port=8899",
        "--ServerApp.port_retries=0",
        "--IdentityProvider.token=abc",
        "--LabApp.news_url=None",
        "--Application.log_level=WARN",
        "--no-browser",
    ):
        assert option in command


def test_welcome_says_in_french_where_to_start_and_where_the_exercises_are() -> None:
    text = lab.welcome("http://127.0.0.1:8888/lab?token=t", ROOT)
    first = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))[0].name
    assert text.splitlines()[0] == "JupyterLab est prêt : http://127.0.0.1:8888/lab?token=t"
    assert f"Commencez par `notebooks/{first}`, vos exercices sont dans `mon-travail/`" in text


def test_a_taken_port_is_reported_busy() -> None:
    with socket.socket() as sock:
        sock.bind((lab.HOST, 0))
        sock.listen()
        assert not lab.port_is_free(sock.getsockname()[1])
    assert lab.port_is_free(lab.free_port())


def _get(url: str, token: str) -> dict:
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@pytest.mark.slow
def test_lab_starts_jupyterlab_in_french_prints_where_to_start_and_stops_with_us(
    tmp_path: Path,
) -> None:
    """The real `mlops-course lab`: JupyterLab answers, in French, with no news pop-up, and
    a SIGTERM to the command stops JupyterLab too (no orphan server)."""
    workspace = tmp_path / "travail"
    command = [sys.executable, "-m", "mlops_course.cli", "lab", "--no-browser"]
    command += ["--port", str(lab.free_port()), "--workspace", str(workspace)]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp_path
    )
    lines: list[str] = []
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and not any("Commencez par" in x for x in lines):
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip("\n"))
        output = "\n".join(lines)
        ready = re.search(
            r"JupyterLab est prêt : (http://127\.0\.0\.1:\d+)/lab\?token=(\w+)", output
        )
        assert ready, output
        assert "nouveaux exercices copiés" in output and list(workspace.glob("*.ipynb"))
        assert "[I " not in output, "JupyterLab's INFO logs should be hidden"
        base, token = ready[1], ready[2]
        # The course's settings are the defaults of this environment's JupyterLab.
        plugin = "@jupyterlab/translation-extension:plugin"
        locale = _get(f"{base}/lab/api/settings/{plugin}", token)["schema"]["properties"]
        assert locale["locale"]["default"] == "fr_FR"
        languages = _get(f"{base}/lab/api/translations/", token)["data"]
        assert "fr_FR" in languages, languages
        plugin = "@jupyterlab/apputils-extension:notification"
        news = _get(f"{base}/lab/api/settings/{plugin}", token)["schema"]["properties"]
        assert news["fetchNews"]["default"] == "false"
        assert news["checkForUpdates"]["default"] is False
        process.terminate()
        process.wait(timeout=60)
        with pytest.raises(OSError):
            urllib.request.urlopen(f"{base}/api/status", timeout=5)
    finally:
        if process.poll() is None:
            process.terminate()  # SIGTERM: the command stops JupyterLab before exiting
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stdout is not None:
            process.stdout.close()


# --- site (without a browser: tests/browser/ opens the built site) ------------------------


def _notebook(path: Path, source: str, outputs: list | None = None) -> None:
    cell = nbformat.v4.new_code_cell(source)
    cell.outputs = outputs or []
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Titre"), cell])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def test_a_lecture_needs_running_again_when_its_copy_is_missing_failed_or_outdated(
    tmp_path: Path,
) -> None:
    for name in ("01_a", "02_b", "03_c", "04_d"):
        _notebook(tmp_path / "notebooks" / f"{name}.ipynb", "print(1)")
    executed = website.Paths(tmp_path).executed
    printed = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    _notebook(executed / "02_b.ipynb", "print(1)", printed)
    _notebook(executed / "03_c.ipynb", "print(2)", printed)  # the notebook changed since
    error = nbformat.v4.new_output("error", ename="E", evalue="boom", traceback=[])
    _notebook(executed / "04_d.ipynb", "print(1)", [error])
    assert [p.stem for p in website.stale_lectures(tmp_path)] == ["01_a", "03_c", "04_d"]


def test_links_to_repository_files_outside_the_site_point_at_the_repository(
    tmp_path: Path,
) -> None:
    (tmp_path / "docker").mkdir()
    (tmp_path / "docker" / "Dockerfile").write_text("FROM x\n")
    _notebook(tmp_path / "notebooks" / "01_a.ipynb", "x")
    repo = "https://github.com/o/r"
    text = (
        "[file](../docker/Dockerfile) [dir](../docker) [page](01_a.ipynb) "
        "[home](../README.md#install) [web](https://example.org) [anchor](#here) "
        "[missing](../nothing.md)"
    )
    rewritten = website.rewrite_links(text, "notebooks/01_a.ipynb", root=tmp_path, repository=repo)
    assert "(https://github.com/o/r/blob/main/docker/Dockerfile)" in rewritten
    assert "(https://github.com/o/r/tree/main/docker)" in rewritten
    assert "(01_a.ipynb)" in rewritten and "(../index.md#install)" in rewritten
    assert "(https://example.org)" in rewritten and "(#here)" in rewritten
    assert "(../nothing.md)" in rewritten  # left as is: Sphinx reports it, the build fails


def test_sources_gather_readme_lectures_exercises_and_solutions(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n[project.urls]\nRepository = "https://github.com/o/r"\n'
    )
    badge = (
        "[![Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/o/r/HEAD)\n"
    )
    (tmp_path / "README.md").write_text(
        f"# Accueil\n\n{badge}\nTexte, [glossaire](GLOSSAIRE.md).\n"
    )
    (tmp_path / "GLOSSAIRE.md").write_text("# Glossaire\n\n[le Dockerfile](docker/Dockerfile)\n")
    (tmp_path / "docker").mkdir()
    (tmp_path / "docker" / "Dockerfile").write_text("FROM python:3.11-slim\n")
    executed = website.Paths(tmp_path).executed
    _notebook(executed / "01_a.ipynb", "print(1)", [nbformat.v4.new_output("stream", text="1")])
    _notebook(tmp_path / "notebooks" / "01_a.ipynb", "print(1)")
    _notebook(tmp_path / "exercises" / "01_a.ipynb", "x = ...")
    _notebook(tmp_path / "solutions" / "01_a.ipynb", "x = 1")
    source = website.prepare_sources(tmp_path)
    home = (source / "index.md").read_text()
    assert home.startswith("# Accueil") and "Texte, " in home
    assert "badge_logo.svg" not in home  # no image from another site on the offline site
    assert "notebooks/index\nexercises/index\nsolutions/index\nGLOSSAIRE" in home
    assert "(GLOSSAIRE.md)" in home  # a page of the site, not a link to the repository
    assert "/blob/main/docker/Dockerfile" in (source / "GLOSSAIRE.md").read_text()
    shown = nbformat.read(source / "notebooks" / "01_a.ipynb", 4)
    assert shown.cells[1].outputs, "the lecture page must come from the executed copy"
    assert "- [Titre](01_a.ipynb)" in (source / "solutions" / "index.md").read_text()


@pytest.mark.slow
@pytest.mark.parametrize("target", ["notebooks/01_a.ipynb", "notebooks/99_absent.ipynb"])
def test_site_build_fails_on_a_broken_link_only(
    target: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """Sphinx runs with -W: a link to a page that does not exist fails the build."""
    import shutil

    shutil.copytree(ROOT / website.CONFIG_DIR, tmp_path / website.CONFIG_DIR)
    shutil.copy2(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "README.md").write_text(f"# Accueil\n\nVoir [le chapitre]({target}).\n")
    printed = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    _notebook(tmp_path / "notebooks" / "01_a.ipynb", "print(1)")
    _notebook(website.Paths(tmp_path).executed / "01_a.ipynb", "print(1)", printed)
    if "absent" in target:
        with pytest.raises(RuntimeError, match="sphinx-build failed"):
            website.build(tmp_path, jobs=1)
        assert "99_absent" in capfd.readouterr().err
    else:
        html = website.build(tmp_path, jobs=1)
        assert 'href="notebooks/01_a.html"' in (html / "index.html").read_text(encoding="utf-8")


def test_lab_opens_no_browser_where_there_is_none(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a headless machine JupyterLab would log an English warning: the URL is enough."""
    import webbrowser

    from mlops_course.courseware import lab

    def no_browser(*args: object) -> None:
        raise webbrowser.Error("could not locate runnable browser")

    monkeypatch.setattr(webbrowser, "get", no_browser)
    assert lab.has_browser() is False
    monkeypatch.setattr(webbrowser, "get", lambda *args: object())
    assert lab.has_browser() is True
