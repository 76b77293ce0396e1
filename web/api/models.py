"""API access tokens: only a SHA-256 hash of each token is stored, never the token itself.

Imported at the end of `web/models.py`, so Alembic and `create_all` see the table.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
import sqlalchemy.orm as so

from ..extensions import db
from ..models import _now


class ApiToken(db.Model):
    """A bearer token of one account, valid until `expires_at` unless revoked earlier."""

    __tablename__ = "api_token"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)  # sha256 hex digest
    created_at: so.Mapped[dt.datetime] = so.mapped_column(default=_now)
    expires_at: so.Mapped[dt.datetime]  # UTC
    revoked_at: so.Mapped[dt.datetime | None]
    # A digest of the account's password hash when the token was issued: a password change ends the token.
    password_stamp: so.Mapped[str] = so.mapped_column(sa.String(16))

    user = so.relationship("User")

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} user={self.user_id}>"
