"""The course's website (`make site`) as a reader meets it, in a real headless Chromium.

What each page must show is read from the notebooks the site was built from
(`build/site/src/`), so the tests follow the course as its notebooks change.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
import pytest

from mlops_course.config import project_root
from mlops_course.courseware import notebooks as nbio
from mlops_course.courseware import website

ROOT = project_root()
PATHS = website.Paths(ROOT)


@pytest.fixture(scope="module")
def site_url(serve_folder: Callable[[Path], str]) -> str:
    """The built site, served on a free loopback port (built first if missing)."""
    if not (PATHS.html / "index.html").exists():
        website.build(ROOT)
    return serve_folder(PATHS.html)


def _lectures() -> list[tuple[str, nbformat.NotebookNode]]:
    return [(p.stem, nbio.read(p)) for p in sorted((PATHS.source / "notebooks").glob("*.ipynb"))]


def _outputs(nb: nbformat.NotebookNode) -> list[dict[str, Any]]:
    return [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs]


def _printed_dockerfile() -> tuple[str, str]:
    """Return (page, printed text) of the first lecture output that prints a Dockerfile."""
    for stem, nb in _lectures():
        for out in _outputs(nb):
            text = out.get("text", "") if out.get("output_type") == "stream" else ""
            if any(line.startswith("FROM ") for line in text.splitlines()):
                return stem, text
    raise AssertionError("no lecture notebook prints a Dockerfile (chapter 05 should)")


def test_home_page_is_the_readme_with_french_interface(page: Any, site_url: str) -> None:
    page.goto(f"{site_url}/index.html")
    assert page.locator("html").get_attribute("lang") == "fr"
    readme_title = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()[0].lstrip("# ")
    assert page.locator("main h1").first.inner_text().strip() == readme_title
    navigation = page.locator("nav.bd-links")
    for _, caption, _ in website.SECTIONS:
        assert navigation.get_by_role("link", name=caption, exact=True).is_visible()
    search = page.get_by_role("button", name="Recherche").locator("visible=true")
    assert search.count() >= 1  # the search button, labelled in French
    assert page.get_by_text("Contenu", exact=True).locator("visible=true").count() >= 1


def test_the_course_section_lists_every_lecture_notebook(page: Any, site_url: str) -> None:
    page.goto(f"{site_url}/index.html")
    page.locator("nav.bd-links").get_by_role("link", name="Cours", exact=True).click()
    links = page.locator("main a[href$='.html']")
    lectures = nbio.discover("notebooks", ROOT)
    assert links.count() >= len(lectures)
    hrefs = {links.nth(i).get_attribute("href") for i in range(links.count())}
    assert {f"{p.stem}.html" for p in lectures} <= hrefs


def test_every_lecture_page_shows_the_outputs_of_its_executed_notebook(
    page: Any, site_url: str
) -> None:
    lectures = _lectures()
    assert lectures, "the site has no lecture notebook"
    for stem, nb in lectures:
        with_outputs = sum(1 for cell in nb.cells if cell.cell_type == "code" and cell.outputs)
        assert with_outputs, f"{stem}: the site's copy has no output (not an executed copy?)"
        page.goto(f"{site_url}/notebooks/{stem}.html")
        shown = page.locator("div.cell_output")
        assert shown.count() == with_outputs, f"{stem}: {shown.count()} outputs shown"
        assert shown.first.is_visible()
        assert page.locator("div.cell_output .output.traceback").count() == 0, stem


def test_a_lecture_figure_is_displayed(page: Any, site_url: str) -> None:
    figures = [
        (stem, sum("image/png" in out.get("data", {}) for out in _outputs(nb)))
        for stem, nb in _lectures()
    ]
    stem, count = next(((s, n) for s, n in figures if n), (None, 0))
    assert stem, "no lecture notebook draws a figure"
    page.goto(f"{site_url}/notebooks/{stem}.html")
    images = page.locator("div.cell_output img")
    assert images.count() == count
    for index in range(count):
        image = images.nth(index)
        image.scroll_into_view_if_needed()
        assert image.is_visible()
        width = image.evaluate("img => img.complete ? img.naturalWidth : 0")
        assert width > 100, f"figure {index} of {stem} did not load (width {width})"


def test_the_dockerfile_printed_by_chapter_05_is_displayed(page: Any, site_url: str) -> None:
    stem, printed = _printed_dockerfile()
    page.goto(f"{site_url}/notebooks/{stem}.html")
    first = next(line for line in printed.splitlines() if line.startswith("FROM "))
    block = page.locator("div.cell_output pre", has_text=first).first
    block.scroll_into_view_if_needed()
    assert block.is_visible()
    shown = block.inner_text()
    for line in filter(str.strip, printed.splitlines()):
        assert line.strip() in shown, f"line missing from the page: {line!r}"


def test_french_search_finds_a_word_by_its_stem(page: Any, site_url: str) -> None:
    """« entraînés » finds the pages saying « entraîner », « entraînez »: French stemming."""
    page.goto(f"{site_url}/index.html")
    page.get_by_role("button", name="Recherche").locator("visible=true").first.click()
    field = page.get_by_placeholder("Rechercher dans le cours…").locator("visible=true").first
    field.fill("entraînés")
    field.press("Enter")
    page.wait_for_url(re.compile(r"/search\.html\?q="))
    summary = page.get_by_text(re.compile(r"Recherche terminée, \d+ pages? trouvées?"))
    summary.wait_for()  # the results are listed page by page, then this French summary
    results = page.locator("#search-results li")
    assert results.count() >= 1
    results.first.locator("a").first.click()
    page.wait_for_load_state()
    assert "search.html" not in page.url
    assert re.search(r"entraîn", page.locator("main").inner_text(), re.IGNORECASE)
