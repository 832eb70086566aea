"""Real headless Chromium for the browser tests: the browser, a live server of the test app, sign-in."""
import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

ARTIFACTS = Path(__file__).parent / "artifacts"


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")


def watch_csp(browser, found: list[str]) -> None:
    """Every page the test opens in `browser` reports its Content-Security-Policy violations to
    `found` (Chromium logs each one to the console as "Refused to … Content Security Policy …")."""

    def watch(page) -> None:
        page.on("console", lambda message: found.append(f"{page.url}: {message.text}")
                if "Content Security Policy" in message.text else None)

    new_context, new_page = browser.new_context, browser.new_page

    def context_watched(*args, **kwargs):
        context = new_context(*args, **kwargs)
        context.on("page", watch)
        return context

    def page_watched(*args, **kwargs):
        page = new_page(*args, **kwargs)
        watch(page)
        page.context.on("page", watch)
        return page

    browser.new_context, browser.new_page = context_watched, page_watched


@pytest.fixture
def browser():
    """Headless Chromium; a test fails if any page it opened broke the Content-Security-Policy."""
    path = chromium_path()
    if path is None:
        message = "no Chromium found (apt-get install chromium): browser tests skipped"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    violations: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=path,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync"],
        )
        watch_csp(browser, violations)
        browser.csp_violations = violations
        yield browser
        browser.close()
    if violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(violations))


@pytest.fixture
def server(app):
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()


def sign_in(page, base: str, username: str, password: str = "mat-khau-123") -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
