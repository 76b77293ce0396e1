"""Sign-up for open patrol slots: first come first served, and never more people than the slot's capacity.

The check (cut-off, already signed up, places left) and the insert run in one write transaction that
holds the slot: on SQLite `BEGIN IMMEDIATE` (one writer at a time for the whole database), on
PostgreSQL and others a row lock on the slot (`SELECT ... FOR UPDATE`). So however many people sign up
in the same second, each sees the count the one before left, and the last place goes once.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from ..extensions import db
from ..models import _now
from ..volunteer.models import OpenSlot, SlotSignup

SLOT = OpenSlot.__table__
SIGNUP = SlotSignup.__table__


class Outcome(enum.StrEnum):
    OK = "ok"
    FULL = "full"
    ALREADY = "already"  # sign-up: already signed up for this slot
    NOT_SIGNED_UP = "not_signed_up"  # cancel: nothing to cancel
    CLOSED = "closed"  # after the slot's cut-off
    NOT_FOUND = "not_found"


@contextmanager
def write_transaction() -> Iterator[sa.Connection]:
    """A connection in a transaction that has the write lock from its first statement (see the module)."""
    engine = db.engine
    if engine.dialect.name == "sqlite":
        # The driver's own (deferred) BEGIN would take the write lock only at the INSERT, after the count.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.exec_driver_sql("ROLLBACK")
                raise
            connection.exec_driver_sql("COMMIT")
    else:
        with engine.begin() as connection:
            yield connection


def _locked_slot(connection: sa.Connection, slot_id: int):
    return connection.execute(sa.select(SLOT.c.capacity, SLOT.c.signup_cutoff).where(SLOT.c.id == slot_id)
                              .with_for_update()).first()


def _open_slot(connection: sa.Connection, slot_id: int, now: dt.datetime):
    """The slot, locked for this transaction, or why it takes no changes (unknown, or past its cut-off)."""
    slot = _locked_slot(connection, slot_id)
    if slot is None:
        return None, Outcome.NOT_FOUND
    if now >= slot.signup_cutoff:
        return None, Outcome.CLOSED
    return slot, None


def sign_up(slot_id: int, person_id: str, now: dt.datetime | None = None) -> Outcome:
    """Signs `person_id` up for the slot if a place is left and the cut-off has not passed."""
    now = now or _now()
    with write_transaction() as connection:
        slot, refused = _open_slot(connection, slot_id, now)
        if refused is not None:
            return refused
        mine = sa.select(SIGNUP.c.id).where(SIGNUP.c.slot_id == slot_id, SIGNUP.c.person_id == person_id)
        if connection.execute(mine).first() is not None:
            return Outcome.ALREADY
        taken = connection.scalar(sa.select(sa.func.count()).select_from(SIGNUP).where(SIGNUP.c.slot_id == slot_id))
        if taken >= slot.capacity:
            return Outcome.FULL
        connection.execute(SIGNUP.insert().values(slot_id=slot_id, person_id=person_id, created_at=now))
        return Outcome.OK


def cancel(slot_id: int, person_id: str, now: dt.datetime | None = None) -> Outcome:
    """Takes `person_id` off the slot, before its cut-off only; the place opens again."""
    now = now or _now()
    with write_transaction() as connection:
        _, refused = _open_slot(connection, slot_id, now)
        if refused is not None:
            return refused
        deleted = connection.execute(SIGNUP.delete().where(SIGNUP.c.slot_id == slot_id,
                                                           SIGNUP.c.person_id == person_id))
        return Outcome.OK if deleted.rowcount else Outcome.NOT_SIGNED_UP


def places_taken(slot_ids: list[int]) -> dict[int, int]:
    """How many have signed up for each slot (slots nobody signed up for are left out)."""
    if not slot_ids:
        return {}
    rows = db.session.execute(sa.select(SlotSignup.slot_id, sa.func.count()).where(SlotSignup.slot_id.in_(slot_ids))
                              .group_by(SlotSignup.slot_id))
    return {slot_id: count for slot_id, count in rows}


def signed_up(slot_ids: list[int], person_id: str) -> set[int]:
    """The slots among `slot_ids` that `person_id` has signed up for."""
    if not slot_ids:
        return set()
    return set(db.session.scalars(sa.select(SlotSignup.slot_id).where(SlotSignup.slot_id.in_(slot_ids),
                                                                      SlotSignup.person_id == person_id)))


def slots_between(station_id: int, first: dt.date, last: dt.date) -> list[OpenSlot]:
    """The station's open slots dated `first` to `last` (inclusive), by date and cut-off."""
    return list(db.session.scalars(sa.select(OpenSlot).where(OpenSlot.station_id == station_id,
                                                             OpenSlot.date.between(first, last))
                                   .order_by(OpenSlot.date, OpenSlot.signup_cutoff, OpenSlot.id)))
