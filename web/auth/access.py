"""Who may see what: every protected view is wrapped in `roles_required`.

Anonymous users are sent to the login page (with `next` set); a logged-in user whose role is
not allowed gets 403. The allowed roles are kept on the view (`view.required_roles`), so a test
can enumerate every route of the app and check that none was left unprotected.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user

from ..extensions import login_manager
from ..models import USER_ROLES

ANY_ROLE = USER_ROLES
STAFF = ("admin", "planner")


def roles_required(*roles: str) -> Callable:
    unknown = set(roles) - set(USER_ROLES)
    if not roles or unknown:
        raise ValueError(f"roles_required needs roles from {USER_ROLES}, got {roles}")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = frozenset(roles)
        return wrapped

    return decorator


def public(view: Callable) -> Callable:
    """Marks a view meant for anonymous users too (login, language switch), for the route audit."""
    view.public = True
    return view
