"""A real headless browser for tests: Debian's ``chromium`` driven through its
``chromium-driver`` by Selenium (Playwright cannot download its own browsers here).

``ensure_chromium()`` installs the two packages with apt-get when either binary is missing (the
first run on a fresh machine or container, as root; ~1 minute), and fails with the command to
run when it cannot. The ``browser`` fixture (module scope) is a headless Chromium with a fixed
window size, so that screenshots compare from run to run; tests save theirs under
``out/screenshots/`` (``out/`` is ignored by git).

    from fixtures_browser import browser  # noqa: F401 (a fixture)

    def test_the_page_shows_its_title(browser):
        browser.get(url)
        assert "presswatch" in browser.title
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
PACKAGES = ("chromium", "chromium-driver")
INSTALL_TIMEOUT_SECONDS = 900
WINDOW = (1400, 1000)
SCREENSHOTS = Path(__file__).resolve().parents[1] / "out" / "screenshots"


class BrowserSetupError(RuntimeError):
    """The browser is missing and could not be installed; the message says what to run."""


def _apt_get(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["apt-get", "-o", "DPkg::Lock::Timeout=300", *args],
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT_SECONDS,
        check=False,
    )


def ensure_chromium() -> tuple[Path, Path]:
    """The browser and its driver, installed first if either is missing."""
    if CHROMIUM.exists() and CHROMEDRIVER.exists():
        return CHROMIUM, CHROMEDRIVER
    command = f"apt-get install -y --no-install-recommends {' '.join(PACKAGES)}"
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        raise BrowserSetupError(
            f"{CHROMIUM} or {CHROMEDRIVER} is missing and this test run cannot install them"
            f" (apt-get as root). Install them: sudo {command}"
        )
    install = ("install", "-y", "--no-install-recommends", *PACKAGES)
    result = _apt_get(*install)
    if result.returncode != 0:  # the package lists may be stale or missing: refresh, retry
        update = _apt_get("update")
        result = _apt_get(*install) if update.returncode == 0 else update
    if result.returncode != 0 or not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise BrowserSetupError(f"`{command}` failed (exit {result.returncode}):\n{tail}")
    return CHROMIUM, CHROMEDRIVER


@pytest.fixture(scope="session")
def chromium() -> tuple[Path, Path]:
    try:
        return ensure_chromium()
    except BrowserSetupError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="module")
def browser(chromium) -> Iterator:
    """A headless Chromium (Selenium WebDriver), closed at the end of the module."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver = chromium
    options = webdriver.ChromeOptions()
    options.binary_location = str(binary)
    for argument in (
        "--headless=new",
        "--no-sandbox",  # root in a container: Chromium's sandbox needs user namespaces
        "--disable-dev-shm-usage",  # a small /dev/shm would crash the renderer
        "--disable-gpu",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
        "--lang=en-US",
        "--no-first-run",
    ):
        options.add_argument(argument)
    session = webdriver.Chrome(service=Service(str(driver)), options=options)
    session.set_page_load_timeout(30)
    try:
        yield session
    finally:
        session.quit()


def screenshot(session, name: str, *, full_page: bool = True) -> Path:
    """Save the current page as ``out/screenshots/<name>.png``; with ``full_page`` the window
    is first made as tall as the page (up to 6000 px), so that the whole page is in it."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    if full_page:
        height = session.execute_script(
            "return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)"
        )
        session.set_window_size(WINDOW[0], min(max(int(height) + 20, WINDOW[1]), 6000))
    try:
        if not session.save_screenshot(str(path)):
            raise AssertionError(f"the browser did not save {path}")
    finally:
        if full_page:
            session.set_window_size(*WINDOW)
    return path
