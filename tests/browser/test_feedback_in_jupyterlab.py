"""In JupyterLab, a check's ⏳ and ❌ read as one short French block, not as a crash.

One JupyterLab server of this environment (a free port, a token, its own config, data,
runtime and settings folders, a temporary ``MLOPS_COURSE_HOME``) opens a copy of the first
exercise notebook in headless Chromium, and the test works as a learner does: wait for the
kernel to be idle, run the cells down to the first check (⏳ pas encore fait), then write a
wrong answer and run it again (❌ and a hint). Screenshots for humans:
``build/browser/feedback-pending.png`` and ``build/browser/feedback-wrong.png``.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from mlops_course.config import project_root
from mlops_course.courseware import lab as course_lab
from mlops_course.courseware import notebooks as nbio
from mlops_course.courseware import runner

ROOT = project_root()
NOTEBOOK = "01_introduction_mlops.ipynb"
SCREENSHOTS = runner.build_dir(ROOT) / "browser"
#: A wrong answer to exercise 1: "deployer" and "servir" swapped.
WRONG_ANSWER = (
    'ordre = ["cadrer", "donnees", "entrainer", "evaluer", "servir", "deployer", '
    '"monitorer", "reentrainer"]'
)
#: What a crash shows and feedback must not: a traceback, frames, the course's source.
CRASH = re.compile(r"Traceback|File \"|line \d|mlops_course|Error\b|def |raise ")


@dataclass
class Lab:
    """A running JupyterLab: its address, token and notebook folder."""

    base: str
    token: str
    folder: Path

    def api(self, path: str, method: str = "GET") -> Any:
        """Call JupyterLab's REST API and return the decoded JSON (None when empty)."""
        request = urllib.request.Request(
            f"{self.base}{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None


def _write_settings(folder: Path) -> None:
    """The course's JupyterLab settings (French UI, no news pop-up), as user settings."""
    for plugin, values in course_lab.SETTINGS.items():
        package, _, name = plugin.partition(":")
        path = folder / package / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")


def _port(runtime: Path, process: subprocess.Popen[bytes], timeout: float = 120.0) -> int:
    """The port JupyterLab chose (it was started on port 0), read from its runtime file."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        for info in runtime.glob("jpserver-*.json"):
            return int(json.loads(info.read_text(encoding="utf-8"))["port"])
        time.sleep(0.2)
    raise AssertionError(f"JupyterLab did not start (exit code {process.poll()})")


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """JupyterLab from this environment, isolated from the user's Jupyter and course files."""
    tmp = tmp_path_factory.mktemp("jupyterlab")
    folder = tmp / "mon-travail"
    folder.mkdir()
    shutil.copy(ROOT / "exercises" / NOTEBOOK, folder / NOTEBOOK)
    _write_settings(tmp / "settings")
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp / "config"),
        "JUPYTER_DATA_DIR": str(tmp / "data"),
        "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(tmp / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "workspaces"),
        "IPYTHONDIR": str(tmp / "ipython"),
        "MLOPS_COURSE_HOME": str(tmp / "home"),
    }
    token = secrets.token_hex(24)
    command = course_lab.server_command(0, token, root=folder, browser=False)
    with open(tmp / "jupyterlab.log", "wb") as log:
        process = subprocess.Popen(
            command, cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    base = None
    try:
        base = f"http://{course_lab.HOST}:{_port(tmp / 'runtime', process)}"
        ready = course_lab.wait_until_ready(base, token, process)
        assert ready, (tmp / "jupyterlab.log").read_text(encoding="utf-8", errors="replace")
        yield Lab(base, token, folder)
    finally:
        _stop(process, base, token)


def _stop(process: subprocess.Popen[bytes], base: str | None, token: str) -> None:
    """Shut JupyterLab down through its API (kernels too), else end its process group."""
    if base is not None and process.poll() is None:
        try:
            Lab(base, token, Path()).api("/api/shutdown", "POST")
            process.wait(timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            pass
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _open_when_idle(page: Any, lab: Lab, cells: int) -> Any:
    """Open the notebook and wait until its kernel is idle and every cell is rendered."""
    page.goto(f"{lab.base}/lab/tree/{NOTEBOOK}?token={lab.token}")
    deadline = time.monotonic() + 120
    while not any(s["kernel"]["execution_state"] == "idle" for s in lab.api("/api/sessions")):
        assert time.monotonic() < deadline, "the notebook's kernel never became idle"
        time.sleep(0.2)
    page.wait_for_function(
        """() => {
            const bar = document.querySelector(
                '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator');
            return bar !== null && bar.dataset.status === 'idle';
        }"""
    )
    notebook = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook")
    notebook.locator(".jp-Cell").nth(cells - 1).wait_for(state="attached")
    return notebook


def _output_after_run(cell: Any, lab: Lab, before: str = "") -> str:
    """Wait for the cell's output to change from ``before`` and the kernel to be idle;
    return the visible text of its one output block."""
    cell.page.wait_for_function(
        "([area, before]) => area.innerText.trim() !== '' && area.innerText.trim() !== before",
        arg=[cell.locator(".jp-OutputArea").element_handle(), before],
    )
    deadline = time.monotonic() + 60
    while any(s["kernel"]["execution_state"] != "idle" for s in lab.api("/api/sessions")):
        assert time.monotonic() < deadline, "the kernel stayed busy"
        time.sleep(0.1)
    outputs = cell.locator(".jp-OutputArea-output")
    texts = [outputs.nth(i).inner_text().strip() for i in range(outputs.count())]
    assert len(texts) == 1, f"feedback must be one output block, got {len(texts)}: {texts}"
    return texts[0]


def test_check_feedback_is_one_french_block_in_jupyterlab(lab: Lab, page: Any) -> None:
    nb = nbio.read(lab.folder / NOTEBOOK)
    first_check = runner.first_check_index(nb)
    assert first_check is not None and nb.cells[first_check - 1].source.startswith("ordre =")
    notebook = _open_when_idle(page, lab, len(nb.cells))
    cells = notebook.locator(".jp-Cell")

    # The learner runs the cells from the top (Maj+Entrée) down to the first check.
    cells.first.click()
    page.keyboard.press("Escape")
    for _ in range(first_check + 1):
        page.keyboard.press("Shift+Enter")
    pending = _output_after_run(cells.nth(first_check), lab)
    assert pending.startswith("⏳") and "pas encore fait" in pending, pending
    assert "\n" not in pending, pending
    assert not CRASH.search(pending), pending
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "feedback-pending.png")

    # A wrong answer: the check says what is wrong, in one block, still without a traceback.
    cells.nth(first_check - 1).locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(WRONG_ANSWER)
    page.keyboard.press("Shift+Enter")
    page.keyboard.press("Shift+Enter")
    wrong = _output_after_run(cells.nth(first_check), lab, before=pending)
    assert wrong.startswith("❌") and "l'étape n°5" in wrong, wrong
    assert all(len(line) <= 90 for line in wrong.splitlines()), wrong  # wrapped between words
    assert not CRASH.search(wrong), wrong
    page.screenshot(path=SCREENSHOTS / "feedback-wrong.png")
    assert len(lab.api("/api/kernels")) == 1, "JupyterLab started a second kernel"
