"""The audit log: every change a user makes to rosters and jobs is one AuditLog row."""

from __future__ import annotations

from ..extensions import db
from ..rosters.models import AuditLog


def audit(action: str, user=None, **details) -> AuditLog:
    """Add an entry to the session (the caller commits it with the change it describes)."""
    entry = AuditLog(
        user_id=getattr(user, "id", None), username=getattr(user, "username", None), action=action,
        details={key: (value.isoformat() if hasattr(value, "isoformat") else value) for key, value in details.items()},
    )
    db.session.add(entry)
    return entry
