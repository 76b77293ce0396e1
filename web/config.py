"""Settings: `Config` reads the environment (with defaults), `TestConfig` is for the test suite.

The database is SQLite in the instance folder unless `DATABASE_URL` names another one
(e.g. `postgresql://user:pass@host/pingan`); `create_app` resolves that, since the instance
folder is known only there.
"""

from __future__ import annotations

import os

from . import station_clock


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")  # None: create_app keeps a random one in the instance folder
    SQLALCHEMY_DATABASE_URI = None  # None: DATABASE_URL, else instance/pingan.sqlite
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    # Cookies: never readable from JavaScript, not sent on cross-site POSTs.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE", False)  # set to 1 behind HTTPS
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session (forms left open on a phone)
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024  # station uploads

    # Chinese first, English second.
    LANGUAGES = ("zh", "en")
    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = station_clock.ZONE_NAME

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = _flag("RATELIMIT_ENABLED", True)
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")

    PASSWORD_MIN_LENGTH = 8

    # Roster solves (web/services/solving.py): backend, time limit in seconds, solver threads (None: engine's choice).
    SOLVE_BACKEND = os.environ.get("SOLVE_BACKEND", "cpsat")
    SOLVE_TIME_LIMIT = float(os.environ.get("SOLVE_TIME_LIMIT", "60"))
    SOLVE_WORKERS = int(os.environ["SOLVE_WORKERS"]) if os.environ.get("SOLVE_WORKERS") else None


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = "sqlite://"  # conftest passes a temporary file instead
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    WTF_CSRF_ENABLED = False  # the CSRF test turns it back on
    SESSION_COOKIE_SECURE = False
    RATELIMIT_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute"
    SOLVE_TIME_LIMIT = 20.0
    SOLVE_WORKERS = 2
