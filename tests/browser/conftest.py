"""Headless Debian Chromium driven by Playwright, and real HTTP servers on free loopback ports.

No browser is ever downloaded: Playwright only drives ``/usr/bin/chromium`` (``apt-get install
chromium``, see scripts/install-browser.sh). A missing Chromium fails these tests, never skips them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser_support import PageWatch
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Route, sync_playwright

CHROMIUM = Path(os.environ.get("SUITEGRAPH_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOOPBACK = ("127.0.0.1", "localhost")


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}; the browser tests need it. "
            "Install it with `bash scripts/install-browser.sh` (Debian's chromium package).",
            pytrace=False,
        )
    return CHROMIUM


# Module scope, not session: while the sync driver runs, its event loop counts as running in this
# thread, so the asyncio tests of other modules (and directories) could not start their own.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright, chromium: Path) -> Iterator[Browser]:
    instance = playwright.chromium.launch(executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS)
    yield instance
    instance.close()


@pytest.fixture
def watch() -> PageWatch:
    return PageWatch()


@pytest.fixture
def context(browser: Browser, watch: PageWatch) -> Iterator[BrowserContext]:
    ctx = browser.new_context(locale="en-US", timezone_id="UTC", viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(10_000)

    # The pages must work offline: anything not on loopback is refused and reported.
    def guard(route: Route) -> None:
        host = urlsplit(route.request.url).hostname or ""
        if host in LOOPBACK or route.request.url.startswith("data:"):
            route.continue_()
        else:
            watch.foreign_requests.append(route.request.url)
            route.abort()

    ctx.route("**/*", guard)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext, watch: PageWatch) -> Page:
    tab = context.new_page()
    tab.on("console", watch.on_console)
    tab.on("pageerror", lambda error: watch.errors.append(f"page error: {error}"))
    return tab
