"""A real browser for page tests: Debian's Chromium (/usr/bin/chromium, installed by .ci/run) driven by
Playwright for Python. Never `playwright install`: the system browser is the one tested, and nothing is
downloaded. tests/conftest.py imports the `browser` fixture (one Chromium for the whole session: a session
fixture imported into two test modules would start two Playwright drivers); tests call `open_page`.

Every page opened with `open_page` records its console errors, uncaught exceptions and every request it
makes, so a test can assert that a page loaded cleanly and fetched nothing from the network.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field

import pytest

CHROMIUM = os.environ.get("JASIC_KG_CHROMIUM", "/usr/bin/chromium")
# Headless, no sandbox (CI runs as root), and none of Chromium's own background traffic (updates, sync,
# safe-browsing lists), so that any request seen comes from the page.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-default-apps",
                 "--disable-extensions", "--metrics-recording-only", "--disable-dev-shm-usage"]
TIMEOUT_MS = 20_000  # every wait of a test is bounded


def chromium_path() -> str | None:
    return CHROMIUM if os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK) else shutil.which("chromium")


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the session; a test that needs it is skipped, with the reason, when Playwright or the
    browser is missing (.ci/run installs both, so CI runs them)."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install '.[test]')")
    path = chromium_path()
    if path is None:
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run does)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, timeout=TIMEOUT_MS)
        try:
            yield b
        finally:
            b.close()


@dataclass
class Visit:
    """A page and what it did: console errors, uncaught exceptions, and the URLs it requested."""

    page: object
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def close(self) -> None:
        self.page.context.close()

    def remote_requests(self, allowed_prefixes: tuple[str, ...] = ("file://",)) -> list[str]:
        return [u for u in self.requests if not u.startswith(allowed_prefixes) and not u.startswith("data:")]


def open_page(browser, url: str | None = None, *, javascript: bool = True, viewport=(1280, 900)) -> Visit:
    """A new page in a fresh context (own cookies, JavaScript on or off) that records what it does, then goes
    to `url` if given and waits for the load event."""
    context = browser.new_context(java_script_enabled=javascript,
                                  viewport={"width": viewport[0], "height": viewport[1]})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    visit = Visit(page)
    page.on("console", lambda m: visit.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: visit.page_errors.append(str(e)))
    page.on("request", lambda r: visit.requests.append(r.url))
    if url:
        page.goto(url, wait_until="load")
    return visit
