"""Planners open grid-shifts for sign-up, close them early and delete them; each change is audited.

Sign-up itself (first come first served, never above capacity) is `web/services/signups.py`.
"""

from __future__ import annotations

import datetime as dt

from ..extensions import db
from ..models import Station, _now
from ..volunteer.models import OpenSlot
from .audit import audit

MAX_CAPACITY = 1000


class SlotError(ValueError):
    """What is wrong with a new slot: a list of (field, message in English, for translation by the caller)."""

    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors))
        self.errors = errors


def slot_problems(station: Station, grid_id: str | None, day: dt.date | None, shift_id: str | None,
                  capacity: int | None, cutoff: dt.datetime | None) -> list[tuple[str, str]]:
    """Every field of a new slot that is missing or wrong, named by field."""
    problems = []
    if grid_id not in {g.grid_id for g in station.grids}:
        problems.append(("grid", "Choose a grid."))
    if shift_id not in {s.shift_id for s in station.shifts}:
        problems.append(("shift", "Choose a shift."))
    if day is None:
        problems.append(("date", "Please give a valid date."))
    if capacity is None or not 1 <= capacity <= MAX_CAPACITY:
        problems.append(("capacity", "The number of places must be between 1 and 1000."))
    if cutoff is None:
        problems.append(("cutoff", "Please give the sign-up cut-off (date and time)."))
    return problems


def open_slot(station: Station, grid_id: str, day: dt.date, shift_id: str, capacity: int, cutoff: dt.datetime,
              note: str = "", user=None) -> OpenSlot:
    """Opens a grid-shift for sign-up (SlotError naming each bad field; nothing written then)."""
    problems = slot_problems(station, grid_id, day, shift_id, capacity, cutoff)
    if problems:
        raise SlotError(problems)
    slot = OpenSlot(station_id=station.id, grid_id=grid_id, date=day, shift_id=shift_id, capacity=capacity,
                    signup_cutoff=cutoff, note=(note or "").strip()[:200], created_by=getattr(user, "id", None))
    db.session.add(slot)
    db.session.flush()
    audit("slot.open", user, slot=slot.id, station=station.id, grid=grid_id, date=day, shift=shift_id,
          capacity=capacity, cutoff=cutoff)
    db.session.commit()
    return slot


def close_slot(slot: OpenSlot, user=None) -> bool:
    """Ends sign-up and cancelling now (the sign-ups stay); False if it had already closed."""
    now = _now()
    if slot.signup_cutoff <= now:
        return False
    slot.signup_cutoff = now
    audit("slot.close", user, slot=slot.id, station=slot.station_id)
    db.session.commit()
    return True


def delete_slot(slot: OpenSlot, user=None) -> int:
    """Deletes the slot and its sign-ups; returns how many sign-ups went with it (kept in the audit log)."""
    people = [s.person_id for s in slot.signups]
    audit("slot.delete", user, slot=slot.id, station=slot.station_id, grid=slot.grid_id, date=slot.date,
          shift=slot.shift_id, signed_up=people)
    db.session.delete(slot)
    db.session.commit()
    return len(people)
