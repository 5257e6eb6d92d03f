"""Shared test fixtures: the small fixture graph (tests/fixtures/small, same layout as the shipped one) and a
CLI runner that goes through the real error handling."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from jasic_kg.cli import cli
from tests.browser import browser  # noqa: F401  (the one Chromium of the page tests: defined once, here)

SMALL = Path(__file__).parent / "fixtures" / "small"
REPO = Path(__file__).parent.parent


@pytest.fixture
def small(monkeypatch):
    """Point the toolkit at the small fixture graph."""
    monkeypatch.setenv("JASIC_KG_RESOURCES", str(SMALL))
    return SMALL


@pytest.fixture
def shipped(monkeypatch):
    """The real shipped graph."""
    monkeypatch.delenv("JASIC_KG_RESOURCES", raising=False)
    return REPO


@pytest.fixture
def run():
    """run("query", "x") -> click Result with .exit_code, .stdout, .stderr (separate streams)."""
    runner = CliRunner()

    def invoke(*args, input=None):
        return runner.invoke(cli, list(args), input=input, catch_exceptions=False)

    return invoke


@pytest.fixture
def small_store(small):
    from jasic_kg.store import open_store

    return open_store()


@pytest.fixture(autouse=True)
def _no_cache(monkeypatch, tmp_path_factory):
    # Keep the persistent store cache out of the user's home during tests, and out of the test's own tmp_path
    # (the shipped graph gets a cache entry, and tests look at what their commands left in tmp_path).
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
