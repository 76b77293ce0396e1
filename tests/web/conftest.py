"""flaskr-style fixtures: an app on a temporary SQLite file, its client and CLI runner, and `auth`."""

from __future__ import annotations

import pytest
from werkzeug.security import generate_password_hash

from web import create_app
from web.config import TestConfig
from web.extensions import db
from web.models import User

PASSWORD = "correct-horse"
# One account per role, all with PASSWORD. Their hash is a deliberately cheap pbkdf2 so that the
# many logins stay fast; accounts made by the app itself use scrypt (test_password_is_stored_hashed).
USERS = {"admin": "admin", "planner": "planner", "officer": "officer", "volunteer": "volunteer"}
_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


def settings(config: type = TestConfig, **overrides) -> dict:
    """A config class as a dict, with overrides: what create_app gets in these tests."""
    return {key: getattr(config, key) for key in dir(config) if key.isupper()} | overrides


@pytest.fixture
def make_app(tmp_path, monkeypatch):
    """create_app with TestConfig on a fresh SQLite file; `create_all` instead of migrations."""
    monkeypatch.setenv("PINGAN_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("DATABASE_URL", raising=False)

    def make(**overrides):
        app = create_app(settings(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'test.sqlite'}", **overrides))
        with app.app_context():
            db.create_all()
            if not db.session.get(User, 1):
                db.session.add_all(User(username=name, role=role, password_hash=_HASH) for name, role in USERS.items())
                db.session.commit()
        return app

    return make


@pytest.fixture
def app(make_app):
    app = make_app()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, username: str = "planner", password: str = PASSWORD, **kwargs):
        return self._client.post("/auth/login", data={"username": username, "password": password}, **kwargs)

    def logout(self):
        return self._client.post("/auth/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)
