"""Fixtures that drive Debian's Chromium through Playwright against pytest-django's live server.

Playwright's own browser downloads are never used: the system Chromium is the one users run. When
it is missing the browser tests skip on a developer machine and fail in CI, where a silently
skipped browser test would hide a broken page.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from a thread
# with a running loop unless told that this is a synchronous caller (it is).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import Browser, Page, Playwright, sync_playwright

CHROMIUM = os.environ.get("SOMU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Generous enough for a loaded CI machine, short enough that a broken page fails quickly.
TIMEOUT_MS = 15_000


def _chromium_path() -> str | None:
    if os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    path = _chromium_path()
    if path is None:
        message = (
            f"Chromium not found at {CHROMIUM} (install Debian's `chromium` package "
            "or set SOMU_CHROMIUM)"
        )
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the tests leave screenshots: a temporary directory, never the repository."""
    return tmp_path_factory.mktemp("screenshots")


class PageErrors(list[str]):
    """JavaScript errors, console errors and server errors seen by a page."""

    @staticmethod
    def _ignored(url: str) -> bool:
        # Chromium asks for /favicon.ico on its own when a page names no icon; not a page's fault.
        return url.endswith("/favicon.ico")

    def record_console(self, kind: str, text: str, url: str) -> None:
        if kind == "error" and not self._ignored(url):
            self.append(f"console: {text} ({url})")

    def record_response(self, status: int, url: str) -> None:
        if status >= 500 or (status == 404 and "/static/" in url):
            self.append(f"HTTP {status} {url}")


def _new_page(browser: Browser, base_url: str, errors: PageErrors, **context_args: object) -> Page:
    context = browser.new_context(base_url=base_url, locale="ja-JP", **context_args)  # type: ignore[arg-type]
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(f"JavaScript error: {exc}"))
    page.on("console", lambda msg: errors.record_console(msg.type, msg.text, msg.location["url"]))
    page.on("response", lambda r: errors.record_response(r.status, r.url))
    return page


@pytest.fixture
def page_errors() -> PageErrors:
    return PageErrors()


@pytest.fixture
def page(browser: Browser, live_server: object, page_errors: PageErrors) -> Iterator[Page]:
    """A desktop-width page in a fresh browser context (no cookies) on the live server."""
    page = _new_page(browser, live_server.url, page_errors,  # type: ignore[attr-defined]
                     viewport={"width": 1280, "height": 900})
    yield page
    page.context.close()


@pytest.fixture
def phone_page(browser: Browser, live_server: object, page_errors: PageErrors) -> Iterator[Page]:
    """A phone-width page (390×844, touch) in a fresh browser context."""
    page = _new_page(browser, live_server.url, page_errors,  # type: ignore[attr-defined]
                     viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                     device_scale_factor=3)
    yield page
    page.context.close()
