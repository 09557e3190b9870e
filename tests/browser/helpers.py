"""What the browser tests do alike: log in through the real login page."""

from __future__ import annotations

import re

from conftest import PASSWORD
from playwright.sync_api import Page, expect


def log_in(page: Page, username: str) -> None:
    """Log ``username`` in with the suite's password and wait for the home page."""
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    expect(page).to_have_url(re.compile(r"/$"))
