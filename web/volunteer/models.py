"""Tables of the volunteer side: open patrol slots, their sign-ups, and each week's availability deadline.

Availability itself is the station's `availability` table (web/models.py, availability.csv's rows);
times are naive UTC like every other timestamp of the portal.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
import sqlalchemy.orm as so

from ..extensions import db
from ..models import _now, _station_fk


class OpenSlot(db.Model):
    """A grid-shift on a date opened by a planner for sign-up, first come first served ("今晚10点夜巡，限8人")."""

    __tablename__ = "open_slot"
    __table_args__ = (sa.CheckConstraint("capacity > 0", name="capacity"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    station_id: so.Mapped[int] = _station_fk()
    grid_id: so.Mapped[str] = so.mapped_column(sa.String(64))
    date: so.Mapped[dt.date]
    shift_id: so.Mapped[str] = so.mapped_column(sa.String(64))
    capacity: so.Mapped[int]
    signup_cutoff: so.Mapped[dt.datetime]  # UTC; sign-up and cancelling end here
    note: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    created_by: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: so.Mapped[dt.datetime] = so.mapped_column(default=_now)

    signups: so.Mapped[list[SlotSignup]] = so.relationship(order_by="SlotSignup.id", cascade="all, delete-orphan",
                                                           passive_deletes=True)


class SlotSignup(db.Model):
    __tablename__ = "slot_signup"
    __table_args__ = (sa.UniqueConstraint("slot_id", "person_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    slot_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("open_slot.id", ondelete="CASCADE"), index=True)
    person_id: so.Mapped[str] = so.mapped_column(sa.String(64))
    created_at: so.Mapped[dt.datetime] = so.mapped_column(default=_now)


class AvailabilityDeadline(db.Model):
    """Until when people may change their availability for the week starting on `week_start` (a Monday)."""

    __tablename__ = "availability_deadline"
    __table_args__ = (sa.UniqueConstraint("station_id", "week_start"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    station_id: so.Mapped[int] = _station_fk()
    week_start: so.Mapped[dt.date]
    deadline: so.Mapped[dt.datetime]  # UTC
