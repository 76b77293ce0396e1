"""The JSON API under /api/v1, for mobile clients and integrations, described by /api/v1/openapi.json.

Views only read the request, call `web/services/` (the same functions as the HTML views) and
shape JSON; errors are JSON too (`errors.py`). Clients authenticate with a bearer token
(`POST /api/v1/auth/token`), never with the browser's session cookie, so the API is exempt from CSRF.
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def init_api(app: Flask) -> None:
    """Register the API on the app (after the app's HTML error pages, which it wraps for /api/ URLs)."""
    from ..extensions import csrf
    from . import public, self_service, staff, station_data  # noqa: F401  (their routes join bp, once)
    from .errors import register_app_errors

    csrf.exempt(bp)
    register_app_errors(app)
    app.register_blueprint(bp)
