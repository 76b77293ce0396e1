"""The fairness ledger: what each person of a station served over the last weeks of published rosters.

Only published rosters count, and of each week only the newest published version (as on "My shifts").
A night is a shift type with the `night` flag, a weekend shift one starting on a Saturday or Sunday,
and hours are the shift's length (a shift whose end is not after its start runs past midnight).
Rows are the station's current people; assignments of people no longer in people.csv are left out.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa

from scheduler.horizon import is_weekend

from ..extensions import db
from ..models import Person, ShiftType
from ..rosters.models import Roster, RosterAssignment
from .availability import week_start

DEFAULT_WEEKS = 8
MAX_WEEKS = 52
DAY_MINUTES = 24 * 60
MEASURES = ("hours", "shifts", "nights", "weekends", "weeks")
COLUMNS = ("name", "role") + MEASURES
ROLE_ORDER = ("police", "auxiliary", "volunteer")


@dataclass(frozen=True)
class LedgerRow:
    person_id: str
    name: str
    role: str
    nights: int
    weekends: int
    shifts: int
    hours: float
    weeks: int  # the counted weeks in which the person served at least one shift


@dataclass(frozen=True)
class Ledger:
    station_id: int
    first_week: dt.date  # Monday of the oldest week of the look-back
    until_week: dt.date  # Monday of the newest week of the look-back
    counted_weeks: list[dt.date]  # the weeks of the look-back that have a published roster
    rows: list[LedgerRow]  # in role order, then person_id
    role_average: dict[str, dict[str, float]]  # role -> measure -> average over the station's people of that role

    def row(self, person_id: str) -> LedgerRow | None:
        return next((r for r in self.rows if r.person_id == person_id), None)

    def most(self, measure: str) -> float:
        """The largest value of `measure`, people and averages alike: the scale of the bars."""
        values = [getattr(r, measure) for r in self.rows] + [a[measure] for a in self.role_average.values()]
        return max(values, default=0)


def shift_hours(shift: ShiftType) -> float:
    """The shift's length in hours; one whose end is not after its start ends the next day."""
    minutes = shift.end - shift.start
    if minutes <= 0:
        minutes += DAY_MINUTES
    return minutes / 60


def _counted_rosters(station_id: int, first_week: dt.date, until_week: dt.date) -> dict[int, dt.date]:
    """roster id -> week_start: the newest published version of every week in the look-back."""
    found = db.session.execute(sa.select(Roster.id, Roster.week_start).where(
        Roster.station_id == station_id, Roster.status == "published",
        Roster.week_start >= first_week, Roster.week_start <= until_week,
    ).order_by(Roster.week_start, Roster.version.desc()))
    newest: dict[dt.date, int] = {}
    for roster_id, week in found:
        newest.setdefault(week, roster_id)
    return {roster_id: week for week, roster_id in newest.items()}


def _tally(station_id: int, rosters: dict[int, dt.date]) -> dict[str, dict]:
    """person_id -> counts over the rosters' assignments, in one query."""
    shifts = {s.shift_id: s for s in db.session.scalars(sa.select(ShiftType).where(ShiftType.station_id == station_id))}
    tally: dict[str, dict] = defaultdict(lambda: {"nights": 0, "weekends": 0, "shifts": 0, "hours": 0.0,
                                                  "weeks": set()})
    if not rosters:
        return tally
    served = db.session.execute(sa.select(
        RosterAssignment.roster_id, RosterAssignment.person_id, RosterAssignment.date, RosterAssignment.shift_id,
    ).where(RosterAssignment.roster_id.in_(rosters)))
    for roster_id, person_id, day, shift_id in served:
        counts = tally[person_id]
        shift = shifts.get(shift_id)  # a shift type removed since: the shift still counts, its length is unknown
        counts["shifts"] += 1
        counts["weekends"] += is_weekend(day)
        counts["nights"] += bool(shift and shift.night)
        counts["hours"] += shift_hours(shift) if shift else 0.0
        counts["weeks"].add(rosters[roster_id])
    return tally


def _role_average(rows: list[LedgerRow]) -> dict[str, dict[str, float]]:
    by_role: dict[str, list[LedgerRow]] = defaultdict(list)
    for r in rows:
        by_role[r.role].append(r)
    return {role: {measure: round(sum(getattr(r, measure) for r in members) / len(members), 2)
                   for measure in MEASURES}
            for role, members in sorted(by_role.items(), key=lambda item: _role_rank(item[0]))}


def _role_rank(role: str) -> int:
    return ROLE_ORDER.index(role) if role in ROLE_ORDER else len(ROLE_ORDER)


def ledger(station_id: int, until_week: dt.date, weeks: int = DEFAULT_WEEKS) -> Ledger:
    """The ledger of the `weeks` weeks ending with the week of `until_week` (any day of it)."""
    if not 1 <= weeks <= MAX_WEEKS:
        raise ValueError(f"weeks must be between 1 and {MAX_WEEKS}, got {weeks}")
    until_week = week_start(until_week)
    first_week = until_week - dt.timedelta(weeks=weeks - 1)
    rosters = _counted_rosters(station_id, first_week, until_week)
    tally = _tally(station_id, rosters)
    people = db.session.execute(sa.select(Person.person_id, Person.name, Person.role)
                                .where(Person.station_id == station_id))
    rows = []
    for person_id, name, role in people:
        counts = tally.get(person_id) or {"nights": 0, "weekends": 0, "shifts": 0, "hours": 0.0, "weeks": ()}
        rows.append(LedgerRow(person_id, name, role, counts["nights"], counts["weekends"], counts["shifts"],
                              round(counts["hours"], 2), len(counts["weeks"])))
    rows = sort_rows(rows, "role")
    return Ledger(station_id, first_week, until_week, sorted(set(rosters.values())), rows, _role_average(rows))


def sort_rows(rows: list[LedgerRow], by: str) -> list[LedgerRow]:
    """By name, by role (then person_id), or by a measure, largest first; an unknown column sorts by role."""
    if by in MEASURES:
        return sorted(rows, key=lambda r: (-getattr(r, by), _role_rank(r.role), r.person_id))
    if by == "name":
        return sorted(rows, key=lambda r: (r.name, r.person_id))
    return sorted(rows, key=lambda r: (_role_rank(r.role), r.person_id))
