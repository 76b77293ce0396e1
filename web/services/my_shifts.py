"""A volunteer's or officer's own shifts from the published rosters, and the private iCal feed.

Only published rosters count, and of each week only the newest published version. Teammates are
named with their role; their phone numbers are never read here.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

import sqlalchemy as sa
from icalendar import Calendar, Event

from .. import station_clock
from ..extensions import db
from ..models import Grid, Person, ShiftType, User, _now
from ..rosters.models import Roster, RosterAssignment

DAY = 24 * 60


@dataclass
class Teammate:
    person_id: str
    name: str
    role: str  # police, auxiliary, volunteer


@dataclass
class MyShift:
    assignment_id: int
    roster_id: int
    date: dt.date
    shift_id: str
    shift_name: str
    grid_id: str
    grid_name: str
    start: dt.datetime  # Asia/Shanghai
    end: dt.datetime  # Asia/Shanghai, the next day for a night shift
    night: bool
    teammates: list[Teammate] = field(default_factory=list)


def _published_rosters(station_id: int, since: dt.date) -> list[Roster]:
    """The newest published version of every week that may hold a day from `since` on."""
    found = db.session.scalars(sa.select(Roster).where(
        Roster.station_id == station_id, Roster.status == "published",
        Roster.week_start > since - dt.timedelta(days=7),
    ).order_by(Roster.week_start, Roster.version.desc()))
    newest: dict[dt.date, Roster] = {}
    for roster in found:
        newest.setdefault(roster.week_start, roster)
    return list(newest.values())


def _times(day: dt.date, shift: ShiftType | None) -> tuple[dt.datetime, dt.datetime]:
    start, end = (shift.start, shift.end) if shift else (0, DAY)
    if end <= start:  # a night shift written as 22:00–06:00
        end += DAY
    midnight = dt.datetime.combine(day, dt.time(), tzinfo=station_clock.ZONE)
    return midnight + dt.timedelta(minutes=start), midnight + dt.timedelta(minutes=end)


def my_shifts(station_id: int, person_id: str, since: dt.date) -> list[MyShift]:
    """The person's assignments on `since` and later in the published rosters, with their teammates."""
    rosters = _published_rosters(station_id, since)
    if not rosters:
        return []
    roster_ids = [r.id for r in rosters]
    mine = list(db.session.scalars(sa.select(RosterAssignment).where(
        RosterAssignment.roster_id.in_(roster_ids), RosterAssignment.person_id == person_id,
        RosterAssignment.date >= since).order_by(RosterAssignment.date, RosterAssignment.id)))
    if not mine:
        return []
    others = db.session.scalars(sa.select(RosterAssignment).where(
        RosterAssignment.roster_id.in_({a.roster_id for a in mine}),
        RosterAssignment.date.in_({a.date for a in mine}), RosterAssignment.person_id != person_id,
    ).order_by(RosterAssignment.id))
    team: dict[tuple, list[str]] = {}
    for other in others:
        team.setdefault((other.roster_id, other.date, other.shift_id, other.grid_id), []).append(other.person_id)
    wanted = {pid for ids in team.values() for pid in ids}
    people = {p.person_id: p for p in db.session.execute(
        sa.select(Person.person_id, Person.name, Person.role).where(
            Person.station_id == station_id, Person.person_id.in_(wanted)))}
    grids = {g.grid_id: g.name for g in db.session.scalars(sa.select(Grid).where(Grid.station_id == station_id))}
    shifts = {s.shift_id: s for s in db.session.scalars(sa.select(ShiftType).where(ShiftType.station_id == station_id))}
    result = []
    for a in mine:
        shift = shifts.get(a.shift_id)
        start, end = _times(a.date, shift)
        mates = []
        for pid in team.get((a.roster_id, a.date, a.shift_id, a.grid_id), []):
            person = people.get(pid)
            mates.append(Teammate(pid, person.name if person else pid, person.role if person else ""))
        result.append(MyShift(a.id, a.roster_id, a.date, a.shift_id, shift.name if shift else a.shift_id,
                              a.grid_id, grids.get(a.grid_id, a.grid_id), start, end,
                              bool(shift and shift.night), mates))
    result.sort(key=lambda s: (s.start, s.grid_id))
    return result


# ---- the private iCal feed ------------------------------------------------------------------------

def new_calendar_token(user: User) -> str:
    """Give the account a fresh secret (the old feed URL stops working); not committed."""
    user.calendar_token = secrets.token_urlsafe(24)
    return user.calendar_token


def user_by_calendar_token(token: str) -> User | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(sa.select(User).where(User.calendar_token == token))


FEED_DAYS_BACK = 30


def calendar_for(user: User, host: str = "pingan") -> bytes:
    """The account's published shifts (from a month back) as an iCalendar file."""
    cal = Calendar()
    cal.add("prodid", "-//Ping'an Patrol Roster//pingan//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "平安排班")
    cal.add("x-wr-timezone", station_clock.ZONE_NAME)
    if user.station_id is not None and user.person_id:
        today = station_clock.today()
        stamp = _now().replace(tzinfo=dt.UTC)
        for shift in my_shifts(user.station_id, user.person_id, today - dt.timedelta(days=FEED_DAYS_BACK)):
            event = Event()
            # Stable per assignment slot: the same person, day, shift and grid keep their UID across versions.
            event.add("uid", f"{user.station_id}-{shift.date.isoformat()}-{shift.shift_id}-{shift.grid_id}-"
                             f"{user.person_id}@{host}")
            event.add("dtstamp", stamp)
            event.add("dtstart", shift.start)
            event.add("dtend", shift.end)
            event.add("summary", f"{shift.shift_name} 巡逻 {shift.grid_name}")
            event.add("location", shift.grid_name)
            if shift.teammates:
                event.add("description", "、".join(f"{m.name}" for m in shift.teammates))
            cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()


# ---- the station's published roster of a week, as volunteers and officers see it ---------------------

@dataclass
class PublishedWeek:
    roster: Roster
    days: list[dt.date]
    shifts: list[ShiftType]
    grids: list[Grid]
    # (grid_id, date, shift_id) -> teammates on it (names and roles only, never phone numbers)
    cells: dict[tuple[str, dt.date, str], list[Teammate]]


def published_week(station_id: int, week_start: dt.date) -> PublishedWeek | None:
    """The newest published version of the week's roster, by grid, day and shift; None if none is published."""
    roster = db.session.scalar(sa.select(Roster).where(
        Roster.station_id == station_id, Roster.week_start == week_start, Roster.status == "published",
    ).order_by(Roster.version.desc()).limit(1))
    if roster is None:
        return None
    people = {p.person_id: p for p in db.session.execute(
        sa.select(Person.person_id, Person.name, Person.role).where(Person.station_id == station_id))}
    cells: dict[tuple[str, dt.date, str], list[Teammate]] = {}
    for a in db.session.scalars(sa.select(RosterAssignment).where(RosterAssignment.roster_id == roster.id)
                                .order_by(RosterAssignment.id)):
        person = people.get(a.person_id)
        cells.setdefault((a.grid_id, a.date, a.shift_id), []).append(
            Teammate(a.person_id, person.name if person else a.person_id, person.role if person else ""))
    shifts = list(db.session.scalars(sa.select(ShiftType).where(ShiftType.station_id == station_id)
                                     .order_by(ShiftType.start, ShiftType.id)))
    grids = list(db.session.scalars(sa.select(Grid).where(Grid.station_id == station_id).order_by(Grid.id)))
    days = sorted({day for (_grid, day, _shift) in cells} | {week_start + dt.timedelta(days=i) for i in range(7)})
    return PublishedWeek(roster, days, shifts, grids, cells)
