"""The timeline and network pages in a real browser: Debian's Chromium driven by Playwright (the system browser;
`playwright install` is never run). The pages load offline with no console error and no request but the page
itself, the timeline shows every dated event, hovering shows the article's words and a click opens the event's
page. Screenshots of both views are saved in the test's temporary folder."""

from __future__ import annotations

import html
import os
from pathlib import Path

import pytest

from jasic_kg.store import open_store
from jasic_kg.views.network import network_data, network_html
from jasic_kg.views.timeline import timeline_data, timeline_html

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
TIMEOUT_MS = 20_000

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra")
pytestmark = pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK),
                                reason="needs Debian's chromium (.ci/run installs it)")


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, timeout=TIMEOUT_MS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The two views at the root of a folder, with a plain page per event at id/NAME.html (where the static
    site puts them), so that a click lands on a real page."""
    root = tmp_path_factory.mktemp("site")
    store = open_store()
    (root / "timeline.html").write_text(timeline_html(store), encoding="utf-8")
    (root / "network.html").write_text(network_html(store), encoding="utf-8")
    (root / "id").mkdir()
    events, network = timeline_data(store), network_data(store)
    for entity in events + network["nodes"]:
        (root / entity["href"]).write_text(
            f"<!DOCTYPE html><title>{html.escape(entity['label'])}</title><h1>{html.escape(entity['label'])}</h1>",
            encoding="utf-8")
    return root, events, network


class Watched:
    """A page with its console errors, uncaught exceptions and every request it made."""

    def __init__(self, browser, url: str):
        self.page = browser.new_page(viewport={"width": 1366, "height": 800})
        self.page.set_default_timeout(TIMEOUT_MS)
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(url)
        self.page.wait_for_selector("#chart svg .role-mark")


def _marks(page, name: str) -> int:
    """The items of the marks named name (Vega-Lite numbers them per panel: event_0_marks, event_1_marks...)."""
    return page.evaluate("""name => [...document.querySelectorAll('#chart svg g.role-mark')]
        .filter(g => new RegExp('(^| )' + name + '(_\\\\d+)?_marks( |$)').test(g.getAttribute('class')))
        .reduce((n, g) => n + g.querySelectorAll('path, line').length, 0)""", name)


def test_the_timeline_page(browser, site, tmp_path):
    root, events, _ = site
    url = (root / "timeline.html").as_uri()
    watched = Watched(browser, url)
    page = watched.page
    assert _marks(page, "event") == len(events) == 52
    _screenshot(page, tmp_path / "timeline.png")

    # hover: the tooltip shows the article's words for the event
    launch = next(e for e in events if e["iri"].endswith("/petition-launch-2018-06"))
    mark = page.locator("#chart svg g.role-mark path[aria-label*='launch of the unionisation petition']").first
    mark.hover()
    tooltip = page.locator("#vg-tooltip-element")
    tooltip.wait_for(state="visible")
    assert launch["quote"] in tooltip.inner_text()
    assert "In June" in tooltip.inner_text()  # the date as the article gives it
    _screenshot(page, tmp_path / "timeline-tooltip.png")

    assert watched.errors == []
    assert watched.requests == [url]  # the page itself, nothing else: no CDN, no font, no data file

    # click: the event's page opens in the same window
    with page.expect_navigation():
        mark.click()
    assert page.url == (root / "id" / "petition-launch-2018-06.html").as_uri()
    assert page.locator("h1").inner_text() == launch["label"]
    page.close()


def test_the_network_page(browser, site, tmp_path):
    root, _, network = site
    url = (root / "network.html").as_uri()
    watched = Watched(browser, url)
    page = watched.page
    assert _marks(page, "node") == len(network["nodes"])
    assert _marks(page, "edge") == len(network["edges"])
    _screenshot(page, tmp_path / "network.png")
    assert watched.errors == []
    assert watched.requests == [url]

    # hover and click a node: its tooltip names it, the click opens its page
    node = page.locator("#chart svg g[class~='node_marks'] path[aria-label*='He Pengchao']").first
    node.hover()
    tooltip = page.locator("#vg-tooltip-element")
    tooltip.wait_for(state="visible")
    assert "He Pengchao" in tooltip.inner_text() and "person" in tooltip.inner_text()
    with page.expect_navigation():
        node.click()
    assert page.url == (root / "id" / "he-pengchao.html").as_uri()
    page.close()


def _screenshot(page, path: Path) -> None:
    page.screenshot(path=str(path), full_page=True)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
