"""The independent roster checker: how anyone trusts a roster.

Given the station data and a roster (from a solver or edited by hand) it recomputes every hard
rule and every objective term of shared/FORMAT.md. It deliberately shares no code with the
solvers or with scheduler/horizon.py: demand in force, availability and shift times are derived
again here in plain Python, so that a bug in the solvers' precompute cannot hide in both.

Readings of FORMAT.md used throughout:
- The horizon is week_start .. week_start + days - 1; a shift belongs to the date it starts on.
- An assignment outside the horizon, or naming an unknown person, shift or grid, is reported once
  (as role_matches_demand) and then ignored by every other rule and term.
- Assignments are counted as given: a duplicated line counts twice (and is reported as an overlap).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from . import rules as R
from .history import History
from .model import Assignment, DemandRow, Grid, Person, Shift, Station

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # date.weekday() order
MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True)
class Violation:
    rule: str  # a key of rules.HARD_RULES
    message: str
    person_id: str | None = None
    date: dt.date | None = None
    shift_id: str | None = None
    grid_id: str | None = None


@dataclass(frozen=True)
class CoverageRow:
    """One demand row in force on one date (the rows of coverage.csv)."""

    date: dt.date
    shift_id: str
    grid_id: str
    role: str | None  # None: a skill row that counts people of any role
    skill: str | None
    required: int
    assigned: int
    missing: int
    demand: DemandRow | None = field(default=None, compare=False, repr=False)


@dataclass
class CheckReport:
    violations: list[Violation]
    terms: dict[str, int]  # weighted value of each objective term, in rules.OBJECTIVE_TERMS order
    objective: int
    coverage: list[CoverageRow]
    week_start: dt.date | None = None
    days: int = 7

    @property
    def ok(self) -> bool:
        return not self.violations


# ---------------------------------------------------------------------------------------------
# The roster as the rules see it


@dataclass(frozen=True)
class _Placed:
    """An assignment whose person, shift and grid exist and whose date is in the horizon."""

    person: Person
    date: dt.date
    shift: Shift
    grid: Grid

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.date, dt.time()) + dt.timedelta(minutes=self.shift.start)

    @property
    def end(self) -> dt.datetime:
        start, end = self.shift.start, self.shift.end
        if end <= start:  # ends the next day
            end += MINUTES_PER_DAY
        return dt.datetime.combine(self.date, dt.time()) + dt.timedelta(minutes=end)

    @property
    def key(self) -> tuple[str, dt.date, str]:
        return (self.grid.grid_id, self.date, self.shift.shift_id)


class _Context:
    """Everything the rules and terms look up, derived from the station and the roster."""

    def __init__(self, station: Station, week_start: dt.date, days: int, assignments: Iterable[Assignment],
                 history: History | None = None):
        self.station = station
        self.history = history or History()
        self.week_start = week_start
        self.dates = [week_start + dt.timedelta(days=i) for i in range(days)]
        self.people = station.people_by_id
        self.grids = station.grids_by_id
        self.shifts = station.shifts_by_id
        self.assignments = list(assignments)
        self.demand = _demand_in_force(station, self.dates)
        self.availability = {(a.person_id, a.date, a.shift_id): a.status for a in station.availability}

        self.placed: list[_Placed] = []
        self.unplaceable: list[Violation] = []
        horizon = set(self.dates)
        for a in sorted(self.assignments):
            unknown = [
                f"unknown {what} {value!r}"
                for what, value, known in (
                    ("person", a.person_id, self.people),
                    ("shift", a.shift_id, self.shifts),
                    ("grid", a.grid_id, self.grids),
                )
                if value not in known
            ]
            if unknown:
                self._unplaceable(a, "names " + ", ".join(unknown))
            elif a.date not in horizon:
                self._unplaceable(a, f"is outside the planning week ({self.dates[0]} .. {self.dates[-1]})")
            else:
                person, shift, grid = self.people[a.person_id], self.shifts[a.shift_id], self.grids[a.grid_id]
                self.placed.append(_Placed(person, a.date, shift, grid))
        self.placed.sort(key=lambda p: (p.start, p.grid.grid_id, p.person.person_id))
        # The previous roster's tail (history.py): the rules over runs and rest look back into it.
        self.before = [_Placed(self.people[a.person_id], a.date, self.shifts[a.shift_id], self.grids[a.grid_id])
                       for a in self.history.tail_before(week_start)
                       if a.person_id in self.people and a.shift_id in self.shifts and a.grid_id in self.grids]

    def _unplaceable(self, a: Assignment, why: str) -> None:
        person = self.people.get(a.person_id)
        who = _who(person) if person else repr(a.person_id)
        message = f"the assignment of {who} on {_day(a.date)}, shift {a.shift_id}, grid {a.grid_id} {why}"
        self.unplaceable.append(_violation(R.ROLE_MATCHES_DEMAND, message, a.person_id, a.date, a.shift_id, a.grid_id))

    def status(self, person: Person, date: dt.date, shift_id: str) -> str | None:
        """The availability status of a slot: a row for the shift wins over the whole-day row."""
        status = self.availability.get((person.person_id, date, shift_id))
        if status is None:
            status = self.availability.get((person.person_id, date, None))
        return status

    def available(self, person: Person, date: dt.date, shift_id: str) -> bool:
        status = self.status(person, date, shift_id)
        if person.role == "volunteer":
            return status in ("available", "preferred")  # volunteers opt in
        return status != "unavailable"  # officers are available unless on leave

    def by_person(self) -> dict[str, list[_Placed]]:
        out: dict[str, list[_Placed]] = defaultdict(list)
        for p in self.placed:
            out[p.person.person_id].append(p)
        return out

    def with_tail(self) -> dict[str, list[_Placed]]:
        """Per person: the tail's shifts, then the roster's; rules report only shifts in the horizon."""
        out: dict[str, list[_Placed]] = defaultdict(list)
        for p in [*self.before, *self.placed]:
            out[p.person.person_id].append(p)
        return out

    def by_slot(self) -> dict[tuple[str, dt.date, str], list[_Placed]]:
        out: dict[tuple[str, dt.date, str], list[_Placed]] = defaultdict(list)
        for p in self.placed:
            out[p.key].append(p)
        return out


def _demand_in_force(station: Station, dates: list[dt.date]) -> dict[tuple[str, dt.date, str], list[DemandRow]]:
    """(grid_id, date, shift_id) -> rows in force; date rows replace the weekday rows there."""
    rows_by_grid_shift: dict[tuple[str, str], list[DemandRow]] = defaultdict(list)
    for row in station.demand:
        rows_by_grid_shift[(row.grid_id, row.shift_id)].append(row)
    out = {}
    for (grid_id, shift_id), rows in rows_by_grid_shift.items():
        by_day: dict[str | dt.date, list[DemandRow]] = defaultdict(list)  # a date or a weekday name
        for r in rows:
            by_day[r.day].append(r)
        for date in dates:
            in_force = by_day.get(date) or by_day.get(WEEKDAY_NAMES[date.weekday()])
            if in_force:
                out[(grid_id, date, shift_id)] = in_force
    return out


# ---------------------------------------------------------------------------------------------
# Message helpers


def _who(person: Person) -> str:
    return f"{person.name} ({person.person_id})"


def _day(date: dt.date) -> str:
    return f"{WEEKDAY_NAMES[date.weekday()]} {date.isoformat()}"


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _where(p: _Placed) -> str:
    s = p.shift
    return (
        f"on {_day(p.date)}, shift {s.shift_id} ({_hhmm(s.start)}-{_hhmm(s.end)}), "
        f"grid {p.grid.name} ({p.grid.grid_id})"
    )


def _violation(rule, message, person_id=None, date=None, shift_id=None, grid_id=None) -> Violation:
    return Violation(rule, message, person_id, date, shift_id, grid_id)


def _at(rule: str, p: _Placed, message: str) -> Violation:
    return _violation(rule, message, p.person.person_id, p.date, p.shift.shift_id, p.grid.grid_id)


def _runs(dates: Iterable[dt.date]) -> list[list[dt.date]]:
    """Maximal runs of consecutive dates."""
    runs: list[list[dt.date]] = []
    for date in sorted(set(dates)):
        if runs and date - runs[-1][-1] == dt.timedelta(days=1):
            runs[-1].append(date)
        else:
            runs.append([date])
    return runs


# ---------------------------------------------------------------------------------------------
# Hard rules: one function each, named after the rule


def role_matches_demand(ctx: _Context) -> list[Violation]:
    out = list(ctx.unplaceable)
    for p in ctx.placed:
        rows = ctx.demand.get(p.key, [])
        if any(r.role == p.person.role and not r.is_skill_row for r in rows):
            continue
        if not rows:
            why = "no demand is in force there, so nobody may be assigned"
        else:
            why = f"no {p.person.role} demand is in force there"
        out.append(
            _at(R.ROLE_MATCHES_DEMAND, p, f"{_who(p.person)}, {p.person.role}, is assigned {_where(p)}, but {why}")
        )
    return out


def respect_availability(ctx: _Context) -> list[Violation]:
    out = []
    for p in ctx.placed:
        if ctx.available(p.person, p.date, p.shift.shift_id):
            continue
        if ctx.status(p.person, p.date, p.shift.shift_id) == "unavailable":
            why = "is marked unavailable"
        else:
            why = "has not offered this slot (volunteers are available only where they opted in)"
        out.append(_at(R.RESPECT_AVAILABILITY, p, f"{_who(p.person)} is assigned {_where(p)} but {why}"))
    return out


def keep_pins(ctx: _Context) -> list[Violation]:
    out = []
    given = set(ctx.assignments)
    horizon = set(ctx.dates)
    for pin in ctx.station.pins:
        if pin.date not in horizon:
            continue
        if Assignment(pin.date, pin.shift_id, pin.grid_id, pin.person_id) in given:
            continue
        person, grid = ctx.people[pin.person_id], ctx.grids[pin.grid_id]
        message = (
            f"{_who(person)} is pinned on {_day(pin.date)}, shift {pin.shift_id}, grid {grid.name} ({grid.grid_id}), "
            "but the roster does not have that assignment"
        )
        out.append(_violation(R.KEEP_PINS, message, pin.person_id, pin.date, pin.shift_id, pin.grid_id))
    return out


def min_rest_between_shifts(ctx: _Context) -> list[Violation]:
    out = []
    needed = dt.timedelta(hours=ctx.station.rules.min_rest_hours)
    for shifts in ctx.with_tail().values():
        timed = sorted(((p.start, p.end, p) for p in shifts), key=lambda t: t[0])
        for i, (_, earlier_end, earlier) in enumerate(timed):
            for later_start, _, later in timed[i + 1 :]:
                gap = later_start - earlier_end
                if gap >= needed:
                    break  # the later shifts start later still: rested before each of them too
                if later.date < ctx.week_start:
                    continue  # both in the tail: that roster's business
                if gap < dt.timedelta(0):
                    what = "overlaps"
                else:
                    minutes = int(gap.total_seconds() // 60)
                    what = (
                        f"starts only {minutes // 60}h{minutes % 60:02d} after the end of"
                        f" (at least {ctx.station.rules.min_rest_hours:g}h of rest needed)"
                    )
                message = f"{_who(later.person)}: the shift {_where(later)} {what} the shift {_where(earlier)}"
                out.append(_at(R.MIN_REST_BETWEEN_SHIFTS, later, message))
    return out


def max_shifts_per_week(ctx: _Context) -> list[Violation]:
    """Counted per calendar week (Monday to Sunday); a week the horizon cuts short gets the cap
    times its dates in the horizon / 7, rounded up."""
    out = []
    week_of = {date: date - dt.timedelta(days=date.weekday()) for date in ctx.dates}  # its Monday
    dates_in = Counter(week_of.values())
    for shifts in ctx.by_person().values():
        person = shifts[0].person
        per_week = Counter(week_of[p.date] for p in shifts)
        for monday, count in sorted(per_week.items()):
            cap = ctx.station.shift_cap(person)
            if dates_in[monday] < 7:
                cap = -(-cap * dates_in[monday] // 7)
            if count <= cap:
                continue
            first = max(monday, ctx.dates[0])
            last = min(monday + dt.timedelta(days=6), ctx.dates[-1])
            message = f"{_who(person)} has {count} shifts from {_day(first)} to {_day(last)}, at most {cap} allowed"
            out.append(_violation(R.MAX_SHIFTS_PER_WEEK, message, person.person_id, first))
    return out


def _too_long_runs(ctx: _Context, rule: str, limit_of: Callable[[Person], int], what: str,
                   counts: Callable[[_Placed], bool]):
    out = []
    for shifts in ctx.with_tail().values():
        person = shifts[0].person
        limit = limit_of(person)
        for run in _runs(p.date for p in shifts if counts(p)):
            if len(run) > limit and run[-1] >= ctx.week_start:  # runs may start in the tail
                message = (
                    f"{_who(person)} works {len(run)} {what} in a row, from {_day(run[0])} to {_day(run[-1])}, "
                    f"at most {limit} allowed"
                )
                out.append(_violation(rule, message, person.person_id, run[0]))
    return out


def max_consecutive_days(ctx: _Context) -> list[Violation]:
    """The person's own limit when people.csv sets one, else the station's."""
    def limit_of(person: Person) -> int:
        return ctx.station.person_rule(person, "max_consecutive_days")

    return _too_long_runs(ctx, R.MAX_CONSECUTIVE_DAYS, limit_of, "days", lambda p: True)


def max_consecutive_nights(ctx: _Context) -> list[Violation]:
    limit = ctx.station.rules.max_consecutive_nights
    return _too_long_runs(ctx, R.MAX_CONSECUTIVE_NIGHTS, lambda person: limit, "nights", lambda p: p.shift.night)


def max_per_role(ctx: _Context) -> list[Violation]:
    out = []
    by_slot = ctx.by_slot()
    for (grid_id, date, shift_id), rows in sorted(ctx.demand.items(), key=lambda kv: (kv[0][1], kv[0][2], kv[0][0])):
        there = by_slot.get((grid_id, date, shift_id), [])
        for row in rows:
            if row.is_skill_row:
                continue
            of_role = [p for p in there if p.person.role == row.role]
            if len(of_role) <= row.max:
                continue
            names = ", ".join(_who(p.person) for p in of_role)
            message = f"{len(of_role)} {row.role} assigned {_where(of_role[0])} ({names}), at most {row.max} allowed"
            out.append(_violation(R.MAX_PER_ROLE, message, None, date, shift_id, grid_id))
    return out


def escort_required(ctx: _Context) -> list[Violation]:
    out = []
    escort_roles = set(ctx.station.rules.escort_roles)
    for there in ctx.by_slot().values():
        if any(p.person.role in escort_roles for p in there):
            continue
        for p in there:
            if p.person.role == "volunteer":
                message = (
                    f"volunteer {_who(p.person)} is assigned {_where(p)} with nobody of "
                    f"{' / '.join(ctx.station.rules.escort_roles)} there"
                )
                out.append(_at(R.ESCORT_REQUIRED, p, message))
    return out


# ---------------------------------------------------------------------------------------------
# Optional rules (docs/horizon-and-rules.md): a person's own value wins over the station's.


def _with_rule(ctx: _Context, name: str) -> list[tuple[Person, int]]:
    values = [(person, ctx.station.person_rule(person, name)) for person in ctx.station.people]
    return [(person, value) for person, value in values if value is not None]


def _worked_dates(ctx: _Context) -> dict[str, set[dt.date]]:
    return {pid: {p.date for p in shifts} for pid, shifts in ctx.by_person().items()}


def _short_runs(ctx: _Context, rule: str, name: str, working: bool, what: str) -> list[Violation]:
    """Runs of working dates (or of dates off) shorter than the person's minimum; a run that
    holds the horizon's first or last date is exempt, as it may go on outside the horizon."""
    out = []
    worked = _worked_dates(ctx)
    ends = {ctx.dates[0], ctx.dates[-1]}
    for person, least in _with_rule(ctx, name):
        mine = worked.get(person.person_id, set())
        for run in _runs(d for d in ctx.dates if (d in mine) == working):
            if len(run) < least and not ends & set(run):
                message = (
                    f"{_who(person)} has {len(run)} {what} in a row, from {_day(run[0])} to {_day(run[-1])}, "
                    f"at least {least} needed"
                )
                out.append(_violation(rule, message, person.person_id, run[0]))
    return out


def min_consecutive_days(ctx: _Context) -> list[Violation]:
    return _short_runs(ctx, R.MIN_CONSECUTIVE_DAYS, "min_consecutive_days", True, "working days")


def min_consecutive_days_off(ctx: _Context) -> list[Violation]:
    return _short_runs(ctx, R.MIN_CONSECUTIVE_DAYS_OFF, "min_consecutive_days_off", False, "days off")


def max_weekends(ctx: _Context) -> list[Violation]:
    """A calendar weekend is worked when the person has a shift starting on its Saturday or Sunday."""
    out = []
    worked = _worked_dates(ctx)
    for person, most in _with_rule(ctx, "max_weekends"):
        weekends = sorted({d - dt.timedelta(days=d.weekday() - 5) for d in worked.get(person.person_id, ())
                           if d.weekday() >= 5})
        if len(weekends) > most:
            days = ", ".join(_day(d) for d in weekends)
            message = f"{_who(person)} works {len(weekends)} weekends (from {days}), at most {most} allowed"
            out.append(_violation(R.MAX_WEEKENDS, message, person.person_id, weekends[0]))
    return out


def _total_minutes(ctx: _Context) -> Counter:
    return Counter({pid: sum(p.shift.duration for p in shifts) for pid, shifts in ctx.by_person().items()})


def min_total_minutes(ctx: _Context) -> list[Violation]:
    out = []
    total = _total_minutes(ctx)
    for person, least in _with_rule(ctx, "min_total_minutes"):
        if total[person.person_id] < least:
            message = f"{_who(person)} works {total[person.person_id]} minutes in the horizon, at least {least} needed"
            out.append(_violation(R.MIN_TOTAL_MINUTES, message, person.person_id))
    return out


def max_total_minutes(ctx: _Context) -> list[Violation]:
    out = []
    total = _total_minutes(ctx)
    for person, most in _with_rule(ctx, "max_total_minutes"):
        if total[person.person_id] > most:
            message = f"{_who(person)} works {total[person.person_id]} minutes in the horizon, at most {most} allowed"
            out.append(_violation(R.MAX_TOTAL_MINUTES, message, person.person_id))
    return out


def max_shifts_per_type(ctx: _Context) -> list[Violation]:
    out = []
    for shifts in ctx.by_person().values():
        person = shifts[0].person
        per_type = Counter(p.shift.shift_id for p in shifts)
        for shift_id, most in sorted(ctx.station.shift_type_caps(person).items()):
            if per_type[shift_id] > most:
                message = f"{_who(person)} works {per_type[shift_id]} shifts {shift_id}, at most {most} allowed"
                out.append(_violation(R.MAX_SHIFTS_PER_TYPE, message, person.person_id, None, shift_id))
    return out


def forbidden_successions(ctx: _Context) -> list[Violation]:
    out = []
    forbidden = set(ctx.station.rules.forbidden_successions)
    for shifts in ctx.with_tail().values():
        on = {(p.date, p.shift.shift_id): p for p in shifts}
        for (date, first), earlier in sorted(on.items(), key=lambda kv: kv[0]):
            for then in sorted(b for a, b in forbidden if a == first):
                later = on.get((date + dt.timedelta(days=1), then))
                if later is not None and later.date >= ctx.week_start:
                    message = (
                        f"{_who(later.person)}: the shift {_where(later)} follows the shift {_where(earlier)}, "
                        f"and {then} may not follow {first} on the next date"
                    )
                    out.append(_at(R.FORBIDDEN_SUCCESSIONS, later, message))
    return out


RULE_CHECKS: dict[str, Callable[[_Context], list[Violation]]] = {
    R.ROLE_MATCHES_DEMAND: role_matches_demand,
    R.RESPECT_AVAILABILITY: respect_availability,
    R.KEEP_PINS: keep_pins,
    R.MIN_REST_BETWEEN_SHIFTS: min_rest_between_shifts,
    R.MAX_SHIFTS_PER_WEEK: max_shifts_per_week,
    R.MAX_CONSECUTIVE_DAYS: max_consecutive_days,
    R.MAX_CONSECUTIVE_NIGHTS: max_consecutive_nights,
    R.MAX_PER_ROLE: max_per_role,
    R.ESCORT_REQUIRED: escort_required,
    R.MIN_CONSECUTIVE_DAYS: min_consecutive_days,
    R.MIN_CONSECUTIVE_DAYS_OFF: min_consecutive_days_off,
    R.MAX_WEEKENDS: max_weekends,
    R.MIN_TOTAL_MINUTES: min_total_minutes,
    R.MAX_TOTAL_MINUTES: max_total_minutes,
    R.MAX_SHIFTS_PER_TYPE: max_shifts_per_type,
    R.FORBIDDEN_SUCCESSIONS: forbidden_successions,
}


# ---------------------------------------------------------------------------------------------
# Coverage and objective terms: one function each, named after the term (weighted values)


def coverage(ctx: _Context) -> list[CoverageRow]:
    out = []
    by_slot = ctx.by_slot()

    def order(key):
        grid_id, date, shift_id = key
        return (date, ctx.shifts[shift_id].start, shift_id, grid_id)

    for key in sorted(ctx.demand, key=order):
        grid_id, date, shift_id = key
        there = by_slot.get(key, [])
        for row in ctx.demand[key]:
            assigned = sum(
                1
                for p in there
                if (row.role is None or p.person.role == row.role)
                and (row.skill is None or row.skill in p.person.skills)
            )
            missing = max(0, row.min - assigned)
            out.append(CoverageRow(date, shift_id, grid_id, row.role, row.skill, row.min, assigned, missing, row))
    return out


def uncovered(ctx: _Context, rows: list[CoverageRow]) -> int:
    weights = ctx.station.weights.uncovered

    def weight(row: CoverageRow) -> int:
        own = row.demand.under_weight if row.demand is not None else None
        return own if own is not None else weights[ctx.grids[row.grid_id].level]

    return sum(row.missing * weight(row) for row in rows)


def over_demand(ctx: _Context, rows: list[CoverageRow]) -> int:
    """People above a role row's min (skill rows count no headcount, so they have no excess)."""
    total = 0
    for row in rows:
        if row.skill is None and row.assigned > row.required:
            own = row.demand.over_weight if row.demand is not None else None
            total += (row.assigned - row.required) * (own if own is not None else ctx.station.weights.over_demand)
    return total


def requests(ctx: _Context, rows: list[CoverageRow]) -> int:
    worked = {(p.person.person_id, p.date, p.shift.shift_id) for p in ctx.placed}
    horizon = set(ctx.dates)
    total = 0
    for r in ctx.station.requests:
        if r.date in horizon and ((r.person_id, r.date, r.shift_id) in worked) != (r.request == "on"):
            total += r.weight
    return total


def _spread(ctx: _Context, slots: list[tuple[dt.date, Shift]], past: str) -> int:
    """Sum over police and auxiliaries of (most - fewest) shifts in `slots`, among the people of
    that role available for at least one of the slots; each counted with their `past` count of
    earlier weeks (History: nights or weekends)."""
    wanted = {(date, shift.shift_id) for date, shift in slots}
    worked = Counter(p.person.person_id for p in ctx.placed if (p.date, p.shift.shift_id) in wanted)
    worked.update({pid: getattr(counts, past) for pid, counts in ctx.history.counts.items()})
    total = 0
    for role in ("police", "auxiliary"):
        counts = [
            worked[person.person_id]
            for person in ctx.station.people
            if person.role == role and any(ctx.available(person, date, shift.shift_id) for date, shift in slots)
        ]
        if counts:
            total += max(counts) - min(counts)
    return total


def night_spread(ctx: _Context, rows: list[CoverageRow]) -> int:
    slots = [(date, shift) for date in ctx.dates for shift in ctx.station.shifts if shift.night]
    return _spread(ctx, slots, "nights") * ctx.station.weights.night_spread


def weekend_spread(ctx: _Context, rows: list[CoverageRow]) -> int:
    slots = [(date, shift) for date in ctx.dates if date.weekday() >= 5 for shift in ctx.station.shifts]
    return _spread(ctx, slots, "weekends") * ctx.station.weights.weekend_spread


def volunteer_idle(ctx: _Context, rows: list[CoverageRow]) -> int:
    working = {p.person.person_id for p in ctx.placed}
    idle = [
        person
        for person in ctx.station.people
        if person.role == "volunteer"
        and person.person_id not in working
        and any(ctx.available(person, date, shift.shift_id) for date in ctx.dates for shift in ctx.station.shifts)
    ]
    return len(idle) * ctx.station.weights.volunteer_idle


def not_preferred(ctx: _Context, rows: list[CoverageRow]) -> int:
    count = sum(
        1
        for p in ctx.placed
        if p.person.role == "volunteer" and ctx.status(p.person, p.date, p.shift.shift_id) == "available"
    )
    return count * ctx.station.weights.not_preferred


def away_from_home(ctx: _Context, rows: list[CoverageRow]) -> int:
    count = sum(
        1
        for p in ctx.placed
        if p.person.role == "volunteer" and p.person.home_grid is not None and p.grid.grid_id != p.person.home_grid
    )
    return count * ctx.station.weights.away_from_home


TERMS: dict[str, Callable[[_Context, list[CoverageRow]], int]] = {
    R.UNCOVERED: uncovered,
    R.NIGHT_SPREAD: night_spread,
    R.WEEKEND_SPREAD: weekend_spread,
    R.VOLUNTEER_IDLE: volunteer_idle,
    R.NOT_PREFERRED: not_preferred,
    R.AWAY_FROM_HOME: away_from_home,
    R.OVER_DEMAND: over_demand,
    R.REQUESTS: requests,
}


# ---------------------------------------------------------------------------------------------
# Public API


def check_roster(
    station: Station, week_start: dt.date, assignments: Iterable[Assignment], days: int = 7,
    history: History | None = None,
) -> CheckReport:
    """Every hard-rule violation, every objective term and the coverage of a roster; with
    `history`, the rules over rest and runs also look at the previous roster's tail and the
    spreads count earlier weeks' nights and weekend shifts."""
    if days < 1:
        raise ValueError("days must be at least 1")
    ctx = _Context(station, week_start, days, assignments, history)
    violations = [v for rule in R.HARD_RULES for v in RULE_CHECKS[rule](ctx)]
    rows = coverage(ctx)
    terms = {term: TERMS[term](ctx, rows) for term in R.OBJECTIVE_TERMS}
    return CheckReport(violations, terms, sum(terms.values()), rows, week_start, days)


def format_report(report: CheckReport, station: Station) -> str:
    """A readable text for the terminal: violations grouped by rule, then the objective."""
    lines = [f"Roster check: {station.name}"]
    if report.week_start is not None:
        last = report.week_start + dt.timedelta(days=report.days - 1)
        lines[0] += f", {_day(report.week_start)} .. {_day(last)}"
    lines.append("")
    if report.ok:
        lines.append("Hard rules: all respected.")
    else:
        lines.append(f"Hard rules: {len(report.violations)} violation(s)")
        for rule, (zh, en) in R.HARD_RULES.items():
            found = [v for v in report.violations if v.rule == rule]
            if found:
                lines.append(f"  {rule} - {en} ({zh}): {len(found)}")
                lines.extend(f"    - {v.message}" for v in found)
    lines.append("")
    lines.append("Objective (weighted, lower is better):")
    width = max(len(term) for term in R.OBJECTIVE_TERMS)
    for term, (zh, en) in R.OBJECTIVE_TERMS.items():
        lines.append(f"  {term:<{width}}  {report.terms.get(term, 0):>10}  {en} ({zh})")
    lines.append(f"  {'total':<{width}}  {report.objective:>10}")
    short = [row for row in report.coverage if row.missing]
    lines.append("")
    lines.append(
        f"Coverage: {len(report.coverage)} demand row(s) in force, "
        f"{sum(row.missing for row in short)} person(s) missing on {len(short)} row(s)"
    )
    return "\n".join(lines)
