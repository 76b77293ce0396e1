"""Why one person cannot fill one uncovered demand: one small function per rule.

A blocker looks at one candidate and the place they would fill, with the roster as it is, and
returns `Blocked` (the reason, the rule of scheduler/rules.py behind it, and a detail such as the
assignment that blocks) or None. `explain_gaps` tries them in the order of BLOCKERS and keeps the
first that applies, so every candidate is counted once. A new rule plugs in as one more function
here, one more entry in BLOCKERS and its words in wording.REASONS.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .. import rules as R
from ..history import History
from ..horizon import demand_in_force, horizon_dates
from ..model import MINUTES_PER_DAY, Assignment, DemandRow, Grid, Person, Shift, Station

FREE = "free"  # passed every blocker: only the objective kept them out
PREVIOUS_WEEK = "previous_week"  # a detail's last value when the block comes from the previous roster's tail


@dataclass(frozen=True)
class Place:
    """Where a candidate would fill the uncovered demand: a grid on a shift starting on a date."""

    date: dt.date
    shift: Shift
    grid: Grid


@dataclass(frozen=True)
class Blocked:
    """The first reason that keeps one candidate out of a place."""

    reason: str  # a key of wording.REASONS
    rule: str | None  # the rules.py name behind it; None when only the objective decided
    detail: tuple = ()  # plain values the wording turns into words (a shift, a grid, a limit)


class RosterView:
    """The roster as the blockers see it: each person's assignments and who is on each place.

    Assignments outside the horizon or naming unknown ids are left out, as the checker ignores them.
    `tail` holds the history's assignments before the horizon, which the rest, run and succession
    blockers look back into (as the checker does).
    """

    def __init__(self, station: Station, week_start: dt.date, days: int, roster: Iterable[Assignment],
                 history: History | None = None):
        self.station = station
        self.history = history
        self.week_start = week_start
        self.dates = horizon_dates(week_start, days)
        self.demand = demand_in_force(station, self.dates)
        self.shifts = station.shifts_by_id
        people, grids, horizon = station.people_by_id, station.grids_by_id, set(self.dates)
        self.by_person: dict[str, list[Assignment]] = defaultdict(list)
        self.on_place: dict[tuple[str, dt.date, str], list[Person]] = defaultdict(list)
        for a in sorted(roster):
            if a.date in horizon and a.person_id in people and a.shift_id in self.shifts and a.grid_id in grids:
                self.by_person[a.person_id].append(a)
                self.on_place[(a.grid_id, a.date, a.shift_id)].append(people[a.person_id])
        self.tail: dict[str, list[Assignment]] = defaultdict(list)
        for a in history.tail_before(week_start) if history else ():
            if a.person_id in people and a.shift_id in self.shifts:
                self.tail[a.person_id].append(a)
        self.pins = {(p.person_id, p.date, p.shift_id): p.grid_id for p in station.pins}
        self.availability = {(a.person_id, a.date, a.shift_id): a.status for a in station.availability}

    def with_tail(self, person: Person) -> list[Assignment]:
        """The person's assignments of the previous roster's tail, then of the roster."""
        return [*self.tail.get(person.person_id, []), *self.by_person.get(person.person_id, [])]

    def from_tail(self, a: Assignment) -> tuple:
        """The marker a detail ends with when `a` is in the previous week (the words say so)."""
        return (PREVIOUS_WEEK,) if a.date < self.week_start else ()

    def there(self, place: Place) -> list[Person]:
        return self.on_place.get((place.grid.grid_id, place.date, place.shift.shift_id), [])

    def status(self, person: Person, date: dt.date, shift_id: str) -> str | None:
        """A row for the shift wins over the whole-day row (shared/FORMAT.md, availability.csv)."""
        status = self.availability.get((person.person_id, date, shift_id))
        return status if status is not None else self.availability.get((person.person_id, date, None))

    def interval(self, date: dt.date, shift: Shift) -> tuple[int, int]:
        """Start and end in minutes after the horizon's first midnight."""
        start = (date - self.week_start).days * MINUTES_PER_DAY + shift.start
        return start, start + shift.duration


Blocker = Callable[[RosterView, Person, Place], Blocked | None]


def already_here(view: RosterView, person: Person, place: Place) -> Blocked | None:
    """Not a block: they are on this place already and counted in `assigned`."""
    return Blocked("here", None) if person in view.there(place) else None


def respect_availability(view: RosterView, person: Person, place: Place) -> Blocked | None:
    status = view.status(person, place.date, place.shift.shift_id)
    if status == "unavailable":
        return Blocked("on_leave", R.RESPECT_AVAILABILITY)
    if person.role == "volunteer" and status not in ("available", "preferred"):
        return Blocked("not_offered", R.RESPECT_AVAILABILITY)  # volunteers opt in
    return None


def pinned_elsewhere(view: RosterView, person: Person, place: Place) -> Blocked | None:
    grid_id = view.pins.get((person.person_id, place.date, place.shift.shift_id))
    if grid_id is not None and grid_id != place.grid.grid_id:
        return Blocked("pinned_elsewhere", R.KEEP_PINS, (grid_id,))
    return None


def busy_elsewhere(view: RosterView, person: Person, place: Place) -> Blocked | None:
    for a in view.by_person.get(person.person_id, []):
        if a.date == place.date and a.shift_id == place.shift.shift_id and a.grid_id != place.grid.grid_id:
            return Blocked("busy_elsewhere", R.MIN_REST_BETWEEN_SHIFTS, (a.grid_id,))
    return None


def max_shifts_per_week(view: RosterView, person: Person, place: Place) -> Blocked | None:
    """Counted per calendar week, as the checker does: a week the horizon cuts short gets the cap
    times its dates in the horizon / 7, rounded up."""
    monday = place.date - dt.timedelta(days=place.date.weekday())
    week = {monday + dt.timedelta(days=i) for i in range(7)}
    cap = view.station.shift_cap(person)
    dates_in = len(week & set(view.dates))
    if dates_in < 7:
        cap = -(-cap * dates_in // 7)
    worked = sum(1 for a in view.by_person.get(person.person_id, []) if a.date in week)
    return Blocked("weekly_cap", R.MAX_SHIFTS_PER_WEEK, (cap,)) if worked >= cap else None


def min_rest_between_shifts(view: RosterView, person: Person, place: Place) -> Blocked | None:
    """The nearest assignment that overlaps or leaves less than the minimum rest."""
    start, end = view.interval(place.date, place.shift)
    needed = view.station.rules.min_rest_hours * 60
    for a in view.with_tail(person):
        other_start, other_end = view.interval(a.date, view.shifts[a.shift_id])
        gap = other_start - end if other_start >= start else start - other_end
        if gap < needed:
            detail = ((a.date - place.date).days, a.shift_id, *view.from_tail(a))
            return Blocked("rest", R.MIN_REST_BETWEEN_SHIFTS, detail)
    return None


def _run_through(dates: set[dt.date], day: dt.date) -> tuple[dt.date, int]:
    """First date and length of the run of consecutive dates in `dates` that goes through `day`."""
    one = dt.timedelta(days=1)
    before = after = 0
    while day - (before + 1) * one in dates:
        before += 1
    while day + (after + 1) * one in dates:
        after += 1
    return day - before * one, before + 1 + after


def _too_long_run(view: RosterView, person: Person, place: Place, reason: str, rule: str, limit: int,
                  counts: Callable[[Assignment], bool]) -> Blocked | None:
    """Runs go on from the previous roster's tail, as in the checker."""
    dates = {a.date for a in view.with_tail(person) if counts(a)}
    if place.date in dates:
        return None  # that date is worked already: the run does not grow
    first, length = _run_through(dates, place.date)
    if length <= limit:
        return None
    return Blocked(reason, rule, (limit, PREVIOUS_WEEK) if first < view.week_start else (limit,))


def max_consecutive_days(view: RosterView, person: Person, place: Place) -> Blocked | None:
    limit = view.station.person_rule(person, "max_consecutive_days")
    return _too_long_run(view, person, place, "consecutive_days", R.MAX_CONSECUTIVE_DAYS, limit, lambda a: True)


def max_consecutive_nights(view: RosterView, person: Person, place: Place) -> Blocked | None:
    if not place.shift.night:
        return None
    limit = view.station.rules.max_consecutive_nights
    return _too_long_run(view, person, place, "consecutive_nights", R.MAX_CONSECUTIVE_NIGHTS, limit,
                         lambda a: view.shifts[a.shift_id].night)


# Optional rules (docs/horizon-and-rules.md): off unless station.toml or people.csv sets them.


def _worked_dates(view: RosterView, person: Person) -> set[dt.date]:
    return {a.date for a in view.by_person.get(person.person_id, [])}


def _short_run_through(view: RosterView, marked: set[dt.date], day: dt.date, least: int) -> bool:
    """True when the run of `marked` dates through `day` is shorter than `least` and does not hold the
    horizon's first or last date (such a run may go on outside the horizon, so the checker exempts it)."""
    if day not in marked:
        return False
    one = dt.timedelta(days=1)
    first = last = day
    while first - one in marked:
        first -= one
    while last + one in marked:
        last += one
    return (last - first).days + 1 < least and first != view.dates[0] and last != view.dates[-1]


def min_consecutive_days(view: RosterView, person: Person, place: Place) -> Blocked | None:
    least = view.station.person_rule(person, "min_consecutive_days")
    worked = _worked_dates(view, person)
    if least is None or place.date in worked:
        return None
    short = _short_run_through(view, worked | {place.date}, place.date, least)
    return Blocked("min_days", R.MIN_CONSECUTIVE_DAYS, (least,)) if short else None


def min_consecutive_days_off(view: RosterView, person: Person, place: Place) -> Blocked | None:
    """Working on a day off splits the days off around it; either piece may become too short."""
    least = view.station.person_rule(person, "min_consecutive_days_off")
    worked = _worked_dates(view, person)
    if least is None or place.date in worked:
        return None
    off = set(view.dates) - worked - {place.date}
    one = dt.timedelta(days=1)
    if any(_short_run_through(view, off, side, least) for side in (place.date - one, place.date + one)):
        return Blocked("min_days_off", R.MIN_CONSECUTIVE_DAYS_OFF, (least,))
    return None


def max_weekends(view: RosterView, person: Person, place: Place) -> Blocked | None:
    most = view.station.person_rule(person, "max_weekends")
    if most is None or place.date.weekday() < 5:
        return None
    weekends = {d - dt.timedelta(days=d.weekday() - 5) for d in _worked_dates(view, person) if d.weekday() >= 5}
    this = place.date - dt.timedelta(days=place.date.weekday() - 5)  # its Saturday
    return Blocked("max_weekends", R.MAX_WEEKENDS, (most,)) if this not in weekends and len(weekends) >= most else None


def max_total_minutes(view: RosterView, person: Person, place: Place) -> Blocked | None:
    most = view.station.person_rule(person, "max_total_minutes")
    if most is None:
        return None
    total = sum(view.shifts[a.shift_id].duration for a in view.by_person.get(person.person_id, []))
    return Blocked("max_minutes", R.MAX_TOTAL_MINUTES, (most,)) if total + place.shift.duration > most else None


def max_shifts_per_type(view: RosterView, person: Person, place: Place) -> Blocked | None:
    most = view.station.shift_type_caps(person).get(place.shift.shift_id)
    if most is None:
        return None
    worked = sum(1 for a in view.by_person.get(person.person_id, []) if a.shift_id == place.shift.shift_id)
    return Blocked("max_per_type", R.MAX_SHIFTS_PER_TYPE, (place.shift.shift_id, most)) if worked >= most else None


def forbidden_successions(view: RosterView, person: Person, place: Place) -> Blocked | None:
    """A forbidden shift on the date before or after, named as the rest rule names its shift."""
    forbidden = set(view.station.rules.forbidden_successions)
    this = place.shift.shift_id
    for a in view.with_tail(person):
        offset = (a.date - place.date).days
        if (offset == -1 and (a.shift_id, this) in forbidden) or (offset == 1 and (this, a.shift_id) in forbidden):
            return Blocked("succession", R.FORBIDDEN_SUCCESSIONS, (offset, a.shift_id, *view.from_tail(a)))
    return None


def _role_row(view: RosterView, person: Person, place: Place) -> DemandRow | None:
    rows = view.demand.get((place.grid.grid_id, place.date, place.shift.shift_id), [])
    return next((r for r in rows if r.role == person.role and not r.is_skill_row), None)


def role_matches_demand(view: RosterView, person: Person, place: Place) -> Blocked | None:
    """Only for skill rows: a person fills the place only through a row of their own role."""
    return None if _role_row(view, person, place) else Blocked("role_not_needed", R.ROLE_MATCHES_DEMAND, (person.role,))


def max_per_role(view: RosterView, person: Person, place: Place) -> Blocked | None:
    row = _role_row(view, person, place)
    if row is None:
        return None
    of_role = sum(1 for p in view.there(place) if p.role == person.role)
    return Blocked("role_full", R.MAX_PER_ROLE, (person.role, row.max)) if of_role >= row.max else None


def escort_required(view: RosterView, person: Person, place: Place) -> Blocked | None:
    if person.role != "volunteer":
        return None
    escorts = view.station.rules.escort_roles
    if any(p.role in escorts for p in view.there(place)):
        return None
    return Blocked("no_escort", R.ESCORT_REQUIRED, tuple(escorts))


# The order decides under which reason a candidate is counted: the first that applies.
BLOCKERS: tuple[Blocker, ...] = (
    already_here,
    respect_availability,
    pinned_elsewhere,
    busy_elsewhere,
    max_shifts_per_week,
    min_rest_between_shifts,
    max_consecutive_days,
    max_consecutive_nights,
    min_consecutive_days,
    min_consecutive_days_off,
    max_weekends,
    max_total_minutes,
    max_shifts_per_type,
    forbidden_successions,
    role_matches_demand,
    max_per_role,
    escort_required,
)


def first_block(view: RosterView, person: Person, place: Place) -> Blocked | None:
    for blocker in BLOCKERS:
        found = blocker(view, person, place)
        if found is not None:
            return found
    return None
