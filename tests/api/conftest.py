"""API fixtures: the web fixtures (app on a SQLite file, client, auth), the tiny station with accounts, tokens."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.web import conftest as web_fixtures
from tests.web.conftest import _HASH, PASSWORD  # noqa: F401  (PASSWORD: for the tests)
from web.api.tokens import issue_token
from web.extensions import db
from web.models import User
from web.services.stations import import_station_folder

from ..live_server import live_server

# The web tests' fixtures (app on a SQLite file, client, runner, auth), shared rather than copied.
make_app, app, client, runner, auth = (web_fixtures.make_app, web_fixtures.app, web_fixtures.client,
                                       web_fixtures.runner, web_fixtures.auth)
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
# Accounts of the tiny station's people: two volunteers and an officer.
LINKED = {"V1": "volunteer", "V2": "volunteer", "P1": "officer"}


def add_station(app, folder: str = "tiny", accounts: dict[str, str] | None = None) -> int:
    """Import a fixture station and give accounts (username = person_id) to some of its people."""
    with app.app_context():
        station = import_station_folder(FIXTURES / folder)
        for person_id, role in (accounts or {}).items():
            db.session.add(User(username=person_id, role=role, password_hash=_HASH, station_id=station.id,
                                person_id=person_id))
        db.session.commit()
        return station.id


@pytest.fixture
def station(app):
    return add_station(app, accounts=LINKED)


def make_token(app, username: str) -> str:
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == username))
        return issue_token(user)[0]


class Api:
    """The test client with a bearer token per username: `api.get(url, as_="V1")`."""

    def __init__(self, app, client):
        self.app, self.client, self._tokens = app, client, {}

    def token(self, username: str) -> str:
        if username not in self._tokens:
            self._tokens[username] = make_token(self.app, username)
        return self._tokens[username]

    def headers(self, as_: str | None, language: str = "en") -> dict:
        headers = {"Accept-Language": language}
        if as_:
            headers["Authorization"] = f"Bearer {self.token(as_)}"
        return headers

    def open(self, method: str, url: str, as_: str | None = None, language: str = "en", **kwargs):
        return self.client.open(url, method=method, headers=self.headers(as_, language), **kwargs)

    def get(self, url, as_=None, **kwargs):
        return self.open("GET", url, as_, **kwargs)

    def post(self, url, as_=None, **kwargs):
        return self.open("POST", url, as_, **kwargs)

    def put(self, url, as_=None, **kwargs):
        return self.open("PUT", url, as_, **kwargs)

    def delete(self, url, as_=None, **kwargs):
        return self.open("DELETE", url, as_, **kwargs)


@pytest.fixture
def api(app, client):
    return Api(app, client)


def error_of(response) -> dict:
    """The JSON error of a response (asserting it is one)."""
    body = response.get_json()
    assert body and set(body["error"]) >= {"code", "message", "field"}, response.get_data(as_text=True)
    return body["error"]


@pytest.fixture(name="live_server")
def live_server_fixture(app):
    """The app over real HTTP on a free port of 127.0.0.1 (tests/live_server.py)."""
    with live_server(app) as url:
        yield url
