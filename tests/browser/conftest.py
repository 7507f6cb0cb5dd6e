"""Browser fixtures: the system's Chromium, driven by Playwright from PyPI.

No browser is ever downloaded (never `playwright install`): Playwright launches the
machine's Chromium (`/usr/bin/chromium` on Debian, `apt-get install chromium`), headless,
with the flags a closed network needs, in a fresh profile for every run.

Without Chromium the tests are skipped with the reason, except in CI (`CI` set), where a
missing browser fails them: CI must install it (`.ci/run` does, with apt).

Fixtures: ``chromium_executable``, ``browser`` (one per session), ``page`` (a fresh French
context per test, which fails the test on a page error or a failed local request),
``serve_folder`` (a static folder on a free loopback port).
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

#: Where Debian puts Chromium; MLOPS_COURSE_CHROMIUM names another executable.
CHROMIUM = "/usr/bin/chromium"
#: Headless Chromium on a machine without network access besides loopback: no GPU, no
#: QUIC, no first-run, background networking, component updates or sync (each of them
#: would try to reach Google's hosts and log refused connections).
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
#: Milliseconds Playwright waits for a page or an element (the machine may be loaded).
TIMEOUT_MS = 60_000


def find_chromium() -> str | None:
    """Return the Chromium executable to drive, or None when the machine has none."""
    explicit = os.environ.get("MLOPS_COURSE_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).is_file() else None
    if Path(CHROMIUM).is_file():
        return CHROMIUM
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """The system's Chromium; skipped without it, except in CI where it fails."""
    path = find_chromium()
    if path is None:
        reason = (
            f"Chromium not found ({CHROMIUM}, or MLOPS_COURSE_CHROMIUM): install it with "
            "`apt-get install chromium fonts-noto-color-emoji` (Debian/Ubuntu)"
        )
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser tests: {reason}", pytrace=False)
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def browser(chromium_executable: str) -> Iterator[Any]:
    """A headless Chromium for the whole session (Playwright gives it a fresh profile)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_executable,
            headless=True,
            args=list(CHROMIUM_ARGS),
            timeout=TIMEOUT_MS,
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page in a French context; the test fails on a JavaScript error or on a
    local request that fails or answers 4xx/5xx (a missing script, style or image)."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))

    def _local(url: str) -> bool:
        # The browser asks every site for /favicon.ico by itself: not the page's request.
        local = url.startswith(("http://127.0.0.1", "http://localhost"))
        return local and not url.endswith("/favicon.ico")

    page.on(
        "requestfailed",
        lambda request: (
            _local(request.url)
            and problems.append(f"request failed: {request.url} ({request.failure})")
        ),
    )
    page.on(
        "response",
        lambda response: (
            _local(response.url)
            and response.status >= 400
            and problems.append(f"HTTP {response.status}: {response.url}")
        ),
    )
    try:
        yield page
    finally:
        context.close()
    assert not problems, "\n".join(problems)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def serve_folder() -> Iterator[Callable[[Path], str]]:
    """Return a function that serves a folder over HTTP on 127.0.0.1 and gives its URL."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def serve(folder: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()
