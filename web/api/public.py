"""The API's open doors: health, bearer tokens (log in, revoke), and the OpenAPI document with its page."""

from __future__ import annotations

from flask import current_app, jsonify, render_template
from flask_babel import gettext as _

from ..auth.access import ANY_ROLE, public
from ..extensions import limiter
from ..services.users import authenticate
from . import bp
from .access import api_token, token_required
from .errors import ApiError
from .inputs import json_body, parse_text
from .openapi import document, operations
from .tokens import issue_token, revoke

MAX_PASSWORD_LENGTH = 200


def _login_rate_limit() -> str:
    """The login form's limit: guessing passwords through the API is no faster than through the form."""
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/health")
@public
def health():
    return jsonify({"status": "ok", "api": "v1"})


@bp.route("/auth/token", methods=["POST"])
@limiter.limit(_login_rate_limit)
@public
def create_token():
    body = json_body()
    username = parse_text(body.get("username"), "username", 64)
    password = parse_text(body.get("password"), "password", MAX_PASSWORD_LENGTH, strip=False)
    user = authenticate(username, password)
    if user is None:
        raise ApiError(401, "bad_credentials")
    secret, row = issue_token(user)
    return jsonify({"token": secret, "token_type": "Bearer", "expires_at": row.expires_at.isoformat() + "Z",
                    "role": user.role}), 201


@bp.route("/auth/token", methods=["DELETE"])
@token_required(*ANY_ROLE)
def revoke_token():
    """Revoke the token this request was made with (log out on the phone)."""
    revoke(api_token())
    return "", 204


@bp.route("/openapi.json")
@public
def openapi_json():
    return jsonify(document())


@bp.route("/docs")
@public
def docs():
    """A readable page of the OpenAPI document, rendered here (no scripts from elsewhere)."""
    return render_template("api/docs.html", title=_("API reference"), spec=document(), operations=operations())
