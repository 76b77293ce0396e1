"""The web portal (平安排班 portal): `create_app` builds the Flask app.

The portal talks to the engine only through `scheduler.model` and `scheduler.station_io`
(see `web/services/`); it never imports a solver backend (OR-Tools, PuLP), so pages load fast
and the web process stays small.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask, request, session

from .config import Config
from .extensions import babel, csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = ROOT / "migrations"
SECRET_KEY_FILE = "secret_key"
DATABASE_FILE = "pingan.sqlite"


def create_app(config: dict | object | None = None) -> Flask:
    """The app: `config` is a dict or a class/object of settings applied over `Config`.

    The instance folder (SQLite database, generated secret key) is `instance/` next to `web/`,
    or `PINGAN_INSTANCE_PATH` when set.
    """
    instance = os.environ.get("PINGAN_INSTANCE_PATH") or str(ROOT / "instance")
    app = Flask(__name__, instance_path=os.path.abspath(instance), instance_relative_config=True)
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_uri(app)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(app.instance_path)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    # "basic", not "strong": volunteers' phones change IP between Wi-Fi and mobile data.
    login_manager.session_protection = "basic"

    from . import models  # noqa: F401  (registers the tables and the user loader)
    from .api import init_api
    from .auth import bp as auth_bp
    from .errors import register_error_handlers
    from .ledger_views import bp as ledger_bp
    from .main import bp as main_bp
    from .planner import bp as planner_bp
    from .volunteer.routes import bp as volunteer_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(planner_bp)
    app.register_blueprint(volunteer_bp)
    app.register_blueprint(ledger_bp)  # the fairness ledger over weeks (own record, planners' table)
    register_error_handlers(app)
    init_api(app)  # the JSON API under /api/v1 (after the HTML error pages, which it wraps for /api/)
    _configure_login_messages()

    from .services.solving import recover_interrupted_jobs

    recover_interrupted_jobs(app)  # jobs cut off by a restart show as failed, never as running forever

    @app.context_processor
    def inject_locale():
        from flask_babel import get_locale

        return {"current_locale": str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"])}

    return app


def database_uri(app: Flask) -> str:
    """An explicit setting, else `DATABASE_URL`, else SQLite in the instance folder."""
    uri = app.config.get("SQLALCHEMY_DATABASE_URI") or os.environ.get("DATABASE_URL")
    if not uri:
        os.makedirs(app.instance_path, exist_ok=True)
        return "sqlite:///" + os.path.join(app.instance_path, DATABASE_FILE)
    # `postgres://` is what some hosts still hand out; a bare `postgresql://` would mean psycopg2 to
    # SQLAlchemy, while the driver we install is psycopg 3.
    for bare in ("postgres://", "postgresql://"):
        if uri.startswith(bare):
            return "postgresql+psycopg://" + uri[len(bare):]
    return uri


def select_locale() -> str:
    """The language chosen with the switch, else the browser's, else Chinese."""
    from flask import current_app

    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def _instance_secret_key(instance_path: str) -> str:
    """A random key kept in the instance folder, so sessions survive a restart without configuration."""
    path = Path(instance_path) / SECRET_KEY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_file() and path.read_text().strip():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def _configure_login_messages() -> None:
    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.needs_refresh_message = _l("Please log in again to confirm it is you.")
