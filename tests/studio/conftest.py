"""Studio fixtures: an own real server, one headless Chromium (Debian's), and a signed-in page."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server import RunningServer, run_server

CHROMIUM = os.environ.get("CUSTOMNER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="session")
def studio_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with run_server(Path(tmp_path_factory.mktemp("studio-data"))) as running:
        yield running


@pytest.fixture(scope="session")
def browser() -> Iterator[sync_api.Browser]:
    if not Path(CHROMIUM).exists():
        reason = f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(reason)  # CI must run the browser tests, never skip them
        pytest.skip(reason)
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: sync_api.Browser, studio_server: RunningServer) -> Iterator[sync_api.Page]:
    """A fresh browser context signed in through the sign-in form."""
    from tests.studio.helpers import signed_in_page  # needs Playwright, which may be skipped above

    page = signed_in_page(browser, studio_server)
    yield page
    page.context.close()

