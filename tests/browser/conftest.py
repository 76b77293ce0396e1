"""Browser tests: the real portal on a free port (werkzeug in a thread) and headless Chromium via Playwright.

Debian's chromium is used (`executable_path`); `playwright install` is never needed. Without a
chromium the tests are skipped, except with CI=true, where a missing browser fails the run.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from web import create_app
from web.config import Config
from web.extensions import db
from web.services.stations import import_station_folder
from web.services.users import create_user

from ..live_server import live_server

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
PASSWORD = "browser-test-pass"
PLANNER = "planner-b"
VOLUNTEER = "V0001"  # a volunteer of the demo station
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@dataclass
class Portal:
    url: str
    app: object
    demo_station: int
    tiny_station: int


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: browser tests must run)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def portal(tmp_path_factory):
    """The portal on 127.0.0.1:<free port>: demo station and tiny station, a planner and a volunteer account."""
    folder = tmp_path_factory.mktemp("portal")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PINGAN_INSTANCE_PATH", str(folder / "instance"))
        patch.delenv("DATABASE_URL", raising=False)
        settings = {key: getattr(Config, key) for key in dir(Config) if key.isupper()}
        app = create_app(settings | {
            "SECRET_KEY": "browser-test-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'portal.sqlite'}",
            "SQLALCHEMY_ENGINE_OPTIONS": {},
            "SOLVE_TIME_LIMIT": 15.0,  # tiny solves to optimality in well under a second
            "SOLVE_WORKERS": 2,
        })
    with app.app_context():
        db.create_all()
        demo = import_station_folder(FIXTURES / "demo-station")
        tiny = import_station_folder(FIXTURES / "tiny")
        create_user(PLANNER, "planner", PASSWORD)
        create_user(VOLUNTEER, "volunteer", PASSWORD, person_id=VOLUNTEER, station=demo)
        ids = demo.id, tiny.id
    try:
        with live_server(app) as url:
            yield Portal(url, app, *ids)
    finally:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    executable = _chromium()
    if executable is None:
        _unavailable("no chromium on PATH (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -r requirements.txt)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_page(browser, portal):
    """`new_page(**context_options)`: a page in a fresh browser context (own cookies) on the portal."""
    contexts = []

    def make(**options):
        context = browser.new_context(base_url=portal.url, **({"locale": "zh-CN"} | options))
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def log_in(page, username: str) -> None:
    page.goto("/auth/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#submit")
    page.wait_for_load_state()
    assert "/auth/login" not in page.url, page.content()
