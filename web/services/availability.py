"""Availability stated in the portal: a person's week grid (day × shift), blackout dates, officers' leave.

Everything is stored as rows of the station's `availability` table (availability.csv): a cell of the
grid is a row with a shift, a blackout date or a day of leave is a whole-day `unavailable` row. A
week's grid can be changed until the deadline the planner set for that week (no deadline: open).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from ..extensions import db
from ..models import Availability, ShiftType, _now
from ..volunteer.models import AvailabilityDeadline

STATUSES = ("available", "preferred", "unavailable")
MAX_LEAVE_DAYS = 62


class DeadlinePassed(Exception):
    """The week's availability deadline has passed; the planner may already have built the roster."""


def week_start(day: dt.date) -> dt.date:
    """The Monday of `day`'s week."""
    return day - dt.timedelta(days=day.weekday())


def week_days(monday: dt.date) -> list[dt.date]:
    return [monday + dt.timedelta(days=i) for i in range(7)]


def deadline(station_id: int, monday: dt.date) -> dt.datetime | None:
    return db.session.scalar(sa.select(AvailabilityDeadline.deadline).where(
        AvailabilityDeadline.station_id == station_id, AvailabilityDeadline.week_start == monday))


def set_deadline(station_id: int, monday: dt.date, when: dt.datetime | None) -> None:
    """Sets (or with None removes) the deadline of the week starting on `monday`."""
    row = db.session.scalar(sa.select(AvailabilityDeadline).where(
        AvailabilityDeadline.station_id == station_id, AvailabilityDeadline.week_start == monday))
    if when is None:
        if row is not None:
            db.session.delete(row)
    elif row is None:
        db.session.add(AvailabilityDeadline(station_id=station_id, week_start=monday, deadline=when))
    else:
        row.deadline = when
    db.session.commit()


def is_open(station_id: int, monday: dt.date, now: dt.datetime | None = None) -> bool:
    when = deadline(station_id, monday)
    return when is None or (now or _now()) < when


def _check_open(station_id: int, day: dt.date, now: dt.datetime | None) -> None:
    if not is_open(station_id, week_start(day), now):
        raise DeadlinePassed(week_start(day))


def shift_ids(station_id: int) -> list[str]:
    return list(db.session.scalars(sa.select(ShiftType.shift_id).where(ShiftType.station_id == station_id)
                                   .order_by(ShiftType.id)))


def read_week(station_id: int, person_id: str, monday: dt.date) -> dict[tuple[dt.date, str], str]:
    """The person's grid for the week: (date, shift_id) -> status, for the cells stated."""
    rows = db.session.scalars(sa.select(Availability).where(
        Availability.station_id == station_id, Availability.person_id == person_id,
        Availability.shift_id.is_not(None), Availability.date.between(monday, monday + dt.timedelta(days=6))))
    return {(row.date, row.shift_id): row.status for row in rows}


def save_week(station_id: int, person_id: str, monday: dt.date, cells: dict[tuple[dt.date, str], str],
              now: dt.datetime | None = None) -> int:
    """Replaces the person's grid for the week by `cells`; raises DeadlinePassed after the deadline.

    Cells outside the week, of unknown shifts or with an unknown status are ignored. Returns the
    number of cells stored.
    """
    _check_open(station_id, monday, now)
    days, shifts = set(week_days(monday)), set(shift_ids(station_id))
    keep = {(day, shift): status for (day, shift), status in cells.items()
            if day in days and shift in shifts and status in STATUSES}
    db.session.execute(sa.delete(Availability).where(
        Availability.station_id == station_id, Availability.person_id == person_id,
        Availability.shift_id.is_not(None), Availability.date.between(monday, monday + dt.timedelta(days=6))))
    db.session.add_all(Availability(station_id=station_id, person_id=person_id, date=day, shift_id=shift,
                                    status=status) for (day, shift), status in sorted(keep.items()))
    db.session.commit()
    return len(keep)


def whole_days_off(station_id: int, person_id: str, since: dt.date | None = None) -> list[dt.date]:
    """The person's blackout dates and days of leave (whole-day `unavailable` rows), from `since` on."""
    query = sa.select(Availability.date).where(
        Availability.station_id == station_id, Availability.person_id == person_id,
        Availability.shift_id.is_(None), Availability.status == "unavailable")
    if since is not None:
        query = query.where(Availability.date >= since)
    return sorted(set(db.session.scalars(query)))


def _add_days_off(station_id: int, person_id: str, days: list[dt.date]) -> None:
    have = set(whole_days_off(station_id, person_id))
    db.session.add_all(Availability(station_id=station_id, person_id=person_id, date=day, shift_id=None,
                                    status="unavailable") for day in days if day not in have)
    db.session.commit()


def add_blackout(station_id: int, person_id: str, day: dt.date, now: dt.datetime | None = None) -> None:
    """A whole day the person cannot patrol; like the grid, only before that week's deadline."""
    _check_open(station_id, day, now)
    _add_days_off(station_id, person_id, [day])


def remove_blackout(station_id: int, person_id: str, day: dt.date, now: dt.datetime | None = None) -> bool:
    _check_open(station_id, day, now)
    deleted = db.session.execute(sa.delete(Availability).where(
        Availability.station_id == station_id, Availability.person_id == person_id, Availability.date == day,
        Availability.shift_id.is_(None), Availability.status == "unavailable"))
    db.session.commit()
    return bool(deleted.rowcount)


def report_leave(station_id: int, person_id: str, first: dt.date, last: dt.date) -> int:
    """An officer's leave from `first` to `last` (inclusive): whole-day unavailable rows. Returns the days."""
    if last < first or (last - first).days >= MAX_LEAVE_DAYS:
        raise ValueError("bad leave period")
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    _add_days_off(station_id, person_id, days)
    return len(days)
