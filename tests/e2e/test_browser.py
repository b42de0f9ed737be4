"""The whole loop once in a real headless browser: Debian's chromium, driven by
Playwright pointed at that binary (nothing downloads a browser of its own)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.e2e.conftest import Loop, wait_until

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "sandbox-course-page.png"


@pytest.fixture
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the browser test, but {CHROMIUM} is missing")
        pytest.skip(
            "Debian's chromium is not installed (apt-get install chromium); "
            "CI installs it and runs this test"
        )
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def test_click_launch_report_and_see_the_record(
    browser: Any, start_loop: Callable[[str], Loop], tmp_path: Path
) -> None:
    loop = start_loop("spec")
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{loop.sandbox}/courses/E2E-1")
    seen: list[str] = []
    context.on("request", lambda request: seen.append(request.url))
    with context.expect_page() as opened:
        page.get_by_role("button", name="Launch in a new window").click()
    content = opened.value
    content.wait_for_load_state()
    assert any(url.startswith(f"{loop.gateway}/launch/sandbox/E2E-1?") for url in seen)
    assert content.url.startswith(f"{loop.content}/c/e2e-1")
    assert content.locator("h1").inner_text() == "Course content"
    (token,) = parse_qs(urlsplit(content.url).query)["aiccbridge_session"]

    assert (
        loop.report(token, percent=100, completed=True, time_seconds=125).status_code
        == 202
    )

    def shows_the_record() -> bool:  # status at PutParam, time at ExitAU
        page.reload()
        text = page.locator("body").inner_text()
        return "completed" in text and "00:02:05" in text

    wait_until(shows_the_record, seconds=20)
    shot = tmp_path / "course-page.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 5000
    if os.environ.get("AICCBRIDGE_UPDATE_SCREENSHOT") == "1":
        shutil.copy(shot, SCREENSHOT)
    context.close()


def test_a_refused_launch_shows_the_troubleshooting_page(
    browser: Any, start_loop: Callable[[str], Loop]
) -> None:
    loop = start_loop("spec")
    page = browser.new_page()
    response = page.goto(
        f"{loop.gateway}/launch/sandbox/E2E-1?AICC_SID=sid0123456789"
        "&AICC_URL=https%3A%2F%2Flms.evil.example%2Fhacp"
    )
    assert response.status == 403
    text = page.locator("body").inner_text()
    assert "lms.evil.example" in text and "sid0123456789" not in text
    page.close()
