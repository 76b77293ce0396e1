"""Bearer tokens of the API: issued for a username and password, looked up by their SHA-256 hash, revocable.

The token is shown to the client once; the database holds only its hash, so a copy of the
database gives no working token. A token ends at its expiry, when revoked (the client logs out),
or when the account's password changes (a lost phone: change the password).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

import sqlalchemy as sa
from flask import current_app

from ..extensions import db
from ..models import User, _now
from .models import ApiToken

DEFAULT_LIFETIME_HOURS = 24 * 30  # a month: a phone app should not ask for the password every day
MAX_TOKEN_LENGTH = 200


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def password_stamp(user: User) -> str:
    """Changes whenever the password does (new hash, new salt); the password hash itself is not copied."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def lifetime() -> dt.timedelta:
    return dt.timedelta(hours=float(current_app.config.get("API_TOKEN_LIFETIME_HOURS", DEFAULT_LIFETIME_HOURS)))


def issue_token(user: User, now: dt.datetime | None = None) -> tuple[str, ApiToken]:
    """A new token for the account (committed): the secret, and its row."""
    now = now or _now()
    secret = secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=token_hash(secret), created_at=now, expires_at=now + lifetime(),
                   password_stamp=password_stamp(user))
    db.session.add(row)
    db.session.commit()
    return secret, row


def valid_token(secret: str, now: dt.datetime | None = None) -> ApiToken | None:
    """The token's row if it is known, not expired, not revoked, and the password has not changed since."""
    if not secret or len(secret) > MAX_TOKEN_LENGTH:
        return None
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == token_hash(secret)))
    if row is None or row.revoked_at is not None or (now or _now()) >= row.expires_at:
        return None
    if not hmac.compare_digest(row.password_stamp, password_stamp(row.user)):
        return None
    return row


def revoke(row: ApiToken, now: dt.datetime | None = None) -> None:
    row.revoked_at = now or _now()
    db.session.commit()

