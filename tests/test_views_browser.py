"""The timeline and network pages in a real browser: Debian's Chromium driven by Playwright (the system browser;
`playwright install` is never run). The pages load offline with no console error and no request but the page
itself, the timeline shows every dated event, hovering shows the article's words and a click opens the event's
page. Screenshots of both views are saved in the test's temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from jasic_kg.store import open_store
from jasic_kg.views.network import network_data
from jasic_kg.site import build_site
from jasic_kg.views.timeline import timeline_data
from tests.browser import open_page  # the `browser` fixture comes from conftest.py


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The static site as `jasic-kg site` builds it (the views at its root, each entity's page at id/NAME.html),
    so that a click from a view lands on the entity's real page."""
    root = tmp_path_factory.mktemp("site") / "site"
    store = open_store()
    build_site(store, root)
    return root, timeline_data(store), network_data(store)


class Watched:
    """A chart page (tests/browser.py's open_page: its console errors, uncaught exceptions and every request it
    made), once the chart is drawn."""

    def __init__(self, browser, url: str):
        self.visit = open_page(browser, url, viewport=(1366, 800))
        self.page = self.visit.page
        self.page.wait_for_selector("#chart svg .role-mark")

    @property
    def errors(self) -> list[str]:
        return self.visit.console_errors + self.visit.page_errors

    @property
    def requests(self) -> list[str]:
        return self.visit.requests

    def close(self) -> None:
        self.visit.close()


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
    # the event's page shows the quote the tooltip showed, as the article's words
    assert " ".join(launch["quote"].split()) in " ".join(page.locator("body").inner_text().split())
    _screenshot(page, tmp_path / "event-page.png")
    watched.close()


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
    watched.close()


def _screenshot(page, path: Path) -> None:
    page.screenshot(path=str(path), full_page=True)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
