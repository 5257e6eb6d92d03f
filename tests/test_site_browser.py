"""The static site in a real browser (Chromium through Playwright, tests/browser.py): pages load with no console
error and no request beyond the site's own files, the offline search finds entities, the pages read without
JavaScript and fit a phone's screen; screenshots are saved in the test run's temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from jasic_kg import open_store
from jasic_kg.site import build_site
from tests.browser import open_page  # the `browser` fixture comes from conftest.py

PAGES = ["index.html", "id/detention-2018-07-27.html", "id/he-pengchao.html", "id/solidarity-group.html",
         "id/claim-confession-decision-2016.html", "ontology/index.html", "ontology/vocab.html"]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("browser-site") / "site"
    build_site(open_store(), out)
    return out


def url(site: Path, name: str) -> str:
    return (site / name).as_uri()


# written by the site when jasic_kg.views (the timeline and network) is part of the toolkit
VIEW_PAGES = ["timeline.html", "network.html"]


@pytest.mark.parametrize("name", PAGES + VIEW_PAGES)
def test_pages_load_without_errors_or_network_requests(browser, site, name):
    if name in VIEW_PAGES and not (site / name).exists():
        pytest.skip(f"{name}: jasic_kg.views is not installed, the site has no {name}")
    visit = open_page(browser, url(site, name))
    try:
        assert visit.console_errors == [] and visit.page_errors == []
        assert visit.remote_requests() == []
        assert visit.requests[0] == url(site, name)
        if name not in VIEW_PAGES:  # the views are complete pages of their own
            assert any(r.endswith("/static/site.css") for r in visit.requests)  # the stylesheet is the site's
            assert visit.page.evaluate("getComputedStyle(document.body).fontFamily").startswith("system-ui")
    finally:
        visit.close()


def test_the_search_box_finds_an_entity_by_its_chinese_name_and_opens_its_page(browser, site):
    visit = open_page(browser, url(site, "index.html"))
    page = visit.page
    try:
        box = page.get_by_label("Names, other names (English and Chinese) and quotes")
        box.fill("声援团")
        results = page.locator("#results a")
        assert results.first.text_content() == "Jasic Workers Solidarity Group"
        assert page.locator("#search-status").text_content().endswith("match") or \
            page.locator("#search-status").text_content().endswith("matches")
        results.first.click()
        page.wait_for_url("**/id/solidarity-group.html")
        assert "佳士工人声援团" in page.locator("h1").text_content()
        assert visit.console_errors == [] and visit.remote_requests() == []
    finally:
        visit.close()


def test_a_search_from_an_entity_page_lands_on_the_index_with_the_results(browser, site):
    visit = open_page(browser, url(site, "id/he-pengchao.html"))
    page = visit.page
    try:
        page.locator("#site-q").fill("27 July")
        page.locator("form.jump button").click()
        page.wait_for_url("**/index.html?q=27+July")
        hits = page.locator("#results a").all_text_contents()
        assert "detention of 30 worker activists and supporters (27 July 2018)" in hits
        assert visit.console_errors == [] and visit.remote_requests() == []
    finally:
        visit.close()


def test_without_javascript_the_index_lists_every_page_and_hides_the_search_box(browser, site):
    visit = open_page(browser, url(site, "index.html"), javascript=False)
    page = visit.page
    try:
        assert page.locator("#entities a[href^='id/']").count() == len(list((site / "id").iterdir())) == 459
        assert not page.locator("#search").is_visible()
        assert page.locator("noscript").count() == 1
        visit.page.goto(url(site, "id/detention-2018-07-27.html"))
        assert page.get_by_text("As a result, on 27 July a total of 30 individuals").is_visible()
    finally:
        visit.close()


def test_pages_fit_a_phone_screen(browser, site, tmp_path_factory):
    shots = tmp_path_factory.mktemp("screenshots")
    for name in ("index.html", "id/detention-2018-07-27.html", "ontology/index.html"):
        visit = open_page(browser, url(site, name), viewport=(375, 740))
        try:
            # nothing wider than the screen except the class diagram, which scrolls inside its own box
            overflow = visit.page.evaluate("document.documentElement.scrollWidth")
            assert overflow <= 375, f"{name}: {overflow}px wide on a 375px screen"
        finally:
            visit.close()
    visit = open_page(browser, url(site, "id/detention-2018-07-27.html"), viewport=(375, 740))
    try:
        path = shots / "phone-detention-2018-07-27.png"
        visit.page.screenshot(path=str(path), full_page=False)
        assert path.stat().st_size > 10_000
    finally:
        visit.close()


def test_screenshots_of_the_index_and_an_entity_page(browser, site, tmp_path_factory):
    shots = tmp_path_factory.mktemp("screenshots")
    for name, file in (("index.html", "index.png"), ("id/detention-2018-07-27.html", "entity-detention.png"),
                       ("ontology/index.html", "ontology.png")):
        visit = open_page(browser, url(site, name))
        try:
            visit.page.screenshot(path=str(shots / file), full_page=name != "index.html")
        finally:
            visit.close()
        assert (shots / file).stat().st_size > 20_000
    print(f"\nscreenshots: {shots}")


CONTRAST = """(selectors) => {
  const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = (c) => { const [r, g, b] = rgb(c).map((v) => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const background = (el) => { for (; el; el = el.parentElement) { const c = getComputedStyle(el).backgroundColor;
    if (c !== "rgba(0, 0, 0, 0)" && c !== "transparent") { return c; } } return "rgb(255, 255, 255)"; };
  return selectors.map((s) => { const el = document.querySelector(s); if (!el) { return [s, null]; }
    const a = lum(getComputedStyle(el).color), b = lum(background(el));
    return [s, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)]; });
}"""


def test_text_has_enough_contrast(browser, site):
    """WCAG 2 AA: at least 4.5:1 for body text, links, notes, quotes and the header's links."""
    visit = open_page(browser, url(site, "id/claim-confession-decision-2016.html"))
    try:
        ratios = dict(visit.page.evaluate(CONTRAST, ["main p", "main a", ".note", "blockquote p", ".anchor",
                                                      "header.site a.home", "header.site nav a + a", "footer.site p",
                                                      ".voice", "dl.facts dt"]))
    finally:
        visit.close()
    assert all(r is not None for r in ratios.values()), ratios
    low = {s: round(r, 2) for s, r in ratios.items() if r < 4.5}
    assert low == {}, f"contrast below 4.5:1: {low}"

