"""Who may call what: every API view is wrapped in `token_required` (or marked `public`).

Only the `Authorization: Bearer <token>` header counts; the browser's session cookie is never
accepted, so the API (exempt from CSRF) gives a cross-site form nothing to ride on. The allowed
roles are kept on the view (`view.required_roles`), like `roles_required`, for the route audit.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g, request

from ..models import USER_ROLES, User
from .errors import ApiError
from .models import ApiToken
from .tokens import valid_token

STAFF = ("admin", "planner")
SELF = ("volunteer", "officer")


def bearer_token() -> str | None:
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    return secret.strip() if scheme.lower() == "bearer" and secret.strip() else None


def token_required(*roles: str) -> Callable:
    unknown = set(roles) - set(USER_ROLES)
    if not roles or unknown:
        raise ValueError(f"token_required needs roles from {USER_ROLES}, got {roles}")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            secret = bearer_token()
            if secret is None:
                raise ApiError(401, "token_missing")
            token = valid_token(secret)
            if token is None:
                raise ApiError(401, "token_invalid")
            if token.user.role not in roles:
                raise ApiError(403, "forbidden")
            g.api_token, g.api_user = token, token.user
            # Flask-Login's current_user for this request only (nothing goes into a session), so services
            # that log who did what (station_edit, audit) name the token's account.
            g._login_user = token.user
            return view(*args, **kwargs)

        wrapped.required_roles = frozenset(roles)
        return wrapped

    return decorator


def api_user() -> User:
    """The account of the request's token (inside a `token_required` view)."""
    return g.api_user


def api_token() -> ApiToken:
    return g.api_token
