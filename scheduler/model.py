"""The station's planning data as validated, immutable values.

Every backend, the checker and the exporters trust these objects: whatever could be wrong
with the data is caught here (or in the loader, which knows file rows and columns) with a
message naming the file, row and column, so no solver ever sees an inconsistent station.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

ROLES = ("police", "auxiliary", "volunteer")
ROLE_NAMES_ZH = {"police": "民警", "auxiliary": "辅警", "volunteer": "义警"}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
STATUSES = ("available", "preferred", "unavailable")
REQUESTS = ("on", "off")
GRID_LEVELS = (1, 2, 3, 4)
MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True)
class DataIssue:
    """One thing wrong with the station data, located as a planner would look for it."""

    file: str
    row: int | None  # spreadsheet row: the header is row 1, the first data row is row 2
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


class StationDataError(ValueError):
    """Raised with every issue found, not only the first, so a planner fixes them in one go."""

    def __init__(self, issues: list[DataIssue]):
        self.issues = list(issues)
        super().__init__("\n".join(str(i) for i in self.issues))


@dataclass(frozen=True)
class Person:
    person_id: str
    name: str
    role: str
    home_grid: str | None = None
    skills: frozenset[str] = frozenset()
    max_shifts_per_week: int | None = None  # None: the role default from the rules
    phone: str | None = None
    # Per-person overrides of the optional rules (None: the station's [rules] value).
    min_consecutive_days: int | None = None
    max_consecutive_days: int | None = None
    min_consecutive_days_off: int | None = None
    max_weekends: int | None = None
    min_total_minutes: int | None = None
    max_total_minutes: int | None = None
    max_shifts_per_type: tuple[tuple[str, int], ...] = ()  # (shift_id, most) pairs; hashable
    row: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Grid:
    grid_id: str
    name: str
    level: int
    community: str | None = None
    row: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Shift:
    shift_id: str
    name: str
    start: int  # minutes after midnight, 0..1439
    end: int  # minutes after midnight, 0..1440; at or before start: ends the next day
    night: bool
    row: int | None = field(default=None, compare=False)

    @property
    def duration(self) -> int:
        """Length in minutes (an end at or before the start wraps past midnight)."""
        return self.end - self.start if self.end > self.start else self.end + MINUTES_PER_DAY - self.start

    @staticmethod
    def covers_small_hours(start: int, end: int) -> bool:
        """True when the shift covers any time between 00:00 and 05:00 (the default night flag)."""
        length = end - start if end > start else end + MINUTES_PER_DAY - start
        for offset in (0, MINUTES_PER_DAY):  # the shift as it starts, and its part after midnight
            lo, hi = start, start + length
            if lo < offset + 5 * 60 and hi > offset:
                return True
        return False


@dataclass(frozen=True)
class DemandRow:
    """A requirement: `day` is a weekday name (template) or a date (override)."""

    grid_id: str
    day: str | dt.date
    shift_id: str
    role: str | None
    min: int
    max: int
    skill: str | None = None
    under_weight: int | None = None  # per missing person; None: the grid level's uncovered weight
    over_weight: int | None = None  # per person above `min`; None: weights.over_demand
    row: int | None = field(default=None, compare=False)

    @property
    def is_skill_row(self) -> bool:
        return self.skill is not None

    def counts(self, person: Person) -> bool:
        """The person counts for this row: of its role (any, without one) and with its skill."""
        return (self.role is None or person.role == self.role) and (self.skill is None or self.skill in person.skills)


@dataclass(frozen=True)
class Availability:
    person_id: str
    date: dt.date
    shift_id: str | None  # None: the whole day (every shift starting on that date)
    status: str
    row: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Request:
    """A person's wish to work (`on`) or not to work (`off`) a shift on a date; `weight` when unmet."""

    person_id: str
    date: dt.date
    shift_id: str
    request: str
    weight: int
    row: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Pin:
    person_id: str
    date: dt.date
    shift_id: str
    grid_id: str
    row: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Rules:
    min_rest_hours: float = 11
    max_consecutive_days: int = 6
    max_consecutive_nights: int = 3
    escort_roles: tuple[str, ...] = ("police", "auxiliary")
    max_shifts_per_week: dict[str, int] = field(
        default_factory=lambda: {"police": 5, "auxiliary": 5, "volunteer": 2}
    )
    # Optional rules over the whole horizon (docs/horizon-and-rules.md); None / empty: not applied.
    min_consecutive_days: int | None = None
    min_consecutive_days_off: int | None = None
    max_weekends: int | None = None
    min_total_minutes: int | None = None
    max_total_minutes: int | None = None
    max_shifts_per_type: dict[str, int] = field(default_factory=dict)
    forbidden_successions: tuple[tuple[str, str], ...] = ()  # (shift, shift on the next date)


@dataclass(frozen=True)
class Weights:
    uncovered: dict[int, int] = field(default_factory=lambda: {1: 1000, 2: 600, 3: 300, 4: 100})
    night_spread: int = 20
    weekend_spread: int = 10
    volunteer_idle: int = 30
    not_preferred: int = 1
    away_from_home: int = 2
    over_demand: int = 0  # per person above a demand row's `min` (rows may set their own)


@dataclass(frozen=True)
class Station:
    name: str
    people: tuple[Person, ...]
    grids: tuple[Grid, ...]
    shifts: tuple[Shift, ...]
    demand: tuple[DemandRow, ...]
    availability: tuple[Availability, ...] = ()
    pins: tuple[Pin, ...] = ()
    rules: Rules = field(default_factory=Rules)
    weights: Weights = field(default_factory=Weights)
    requests: tuple[Request, ...] = ()

    def __post_init__(self) -> None:
        issues = validate_station(self)
        if issues:
            raise StationDataError(issues)

    # Lookups used everywhere; cheap enough to rebuild on demand for a frozen object.
    def person(self, person_id: str) -> Person:
        return self.people_by_id[person_id]

    def with_people(self, people: Iterable[Person], **changes) -> Station:
        """This station for `people` only: their availability, pins and requests, then `changes` (which win)."""
        people = tuple(people)
        ids = {p.person_id for p in people}
        fields = {
            "availability": tuple(a for a in self.availability if a.person_id in ids),
            "pins": tuple(p for p in self.pins if p.person_id in ids),
            "requests": tuple(r for r in self.requests if r.person_id in ids),
        }
        return replace(self, people=people, **(fields | changes))

    @property
    def people_by_id(self) -> dict[str, Person]:
        return {p.person_id: p for p in self.people}

    @property
    def grids_by_id(self) -> dict[str, Grid]:
        return {g.grid_id: g for g in self.grids}

    @property
    def shifts_by_id(self) -> dict[str, Shift]:
        return {s.shift_id: s for s in self.shifts}

    def shift_cap(self, person: Person) -> int:
        """Most shifts a person may work in a week (personal override or role default)."""
        if person.max_shifts_per_week is not None:
            return person.max_shifts_per_week
        return self.rules.max_shifts_per_week[person.role]

    def person_rule(self, person: Person, name: str) -> int | None:
        """An optional per-person rule value: the person's own, else the station's (None: off)."""
        own = getattr(person, name)
        return own if own is not None else getattr(self.rules, name)

    def shift_type_caps(self, person: Person) -> dict[str, int]:
        """Most shifts of each shift type over the horizon: the station's, overridden per person."""
        return {**self.rules.max_shifts_per_type, **dict(person.max_shifts_per_type)}


def slot_status(statuses: dict, person_id: str, date: dt.date, shift_id: str, default: str | None = None) -> str | None:
    """A person's status on a shift from availability keyed (person, date, shift or None for the
    whole day): the shift's own row wins over the whole-day row, else `default`."""
    status = statuses.get((person_id, date, shift_id))
    return statuses.get((person_id, date, None), default) if status is None else status


def _duplicates(values, key, file, column):
    seen: set = set()
    for item in values:
        k = key(item)
        if k in seen:
            yield DataIssue(file, item.row, column, f"duplicate {column} {k!r}")
        seen.add(k)


def validate_station(st: Station) -> list[DataIssue]:
    """Every cross-reference and value check; the loader has already checked types."""
    issues: list[DataIssue] = []
    add = issues.append
    issues += _duplicates(st.people, lambda p: p.person_id, "people.csv", "person_id")
    issues += _duplicates(st.grids, lambda g: g.grid_id, "grids.csv", "grid_id")
    issues += _duplicates(st.shifts, lambda s: s.shift_id, "shifts.csv", "shift_id")
    grids, shifts, people = st.grids_by_id, st.shifts_by_id, st.people_by_id
    issues += _validate_rules(st)

    for p in st.people:
        if p.role not in ROLES:
            add(DataIssue("people.csv", p.row, "role", f"unknown role {p.role!r} (expected one of {', '.join(ROLES)})"))
        if p.home_grid is not None and p.home_grid not in grids:
            add(DataIssue("people.csv", p.row, "home_grid", f"unknown grid {p.home_grid!r}"))
        if p.max_shifts_per_week is not None and p.max_shifts_per_week < 0:
            add(DataIssue("people.csv", p.row, "max_shifts_per_week", "must not be negative"))
        if not p.name.strip():
            add(DataIssue("people.csv", p.row, "name", "empty name"))
        issues += _person_rule_issues(p, shifts)
    for g in st.grids:
        if g.level not in GRID_LEVELS:
            add(DataIssue("grids.csv", g.row, "level", f"level {g.level} is not one of 1, 2, 3, 4"))
    for s in st.shifts:
        if not 0 <= s.start < MINUTES_PER_DAY:
            add(DataIssue("shifts.csv", s.row, "start", "start must be between 00:00 and 23:59"))
        if not 0 <= s.end <= MINUTES_PER_DAY:
            add(DataIssue("shifts.csv", s.row, "end", "end must be between 00:00 and 24:00"))

    demand_keys: set = set()
    for d in st.demand:
        if d.grid_id not in grids:
            add(DataIssue("demand.csv", d.row, "grid_id", f"unknown grid {d.grid_id!r}"))
        if d.shift_id not in shifts:
            add(DataIssue("demand.csv", d.row, "shift_id", f"unknown shift {d.shift_id!r}"))
        if isinstance(d.day, str) and d.day not in WEEKDAYS:
            add(DataIssue("demand.csv", d.row, "day", f"{d.day!r} is neither mon..sun nor an ISO date"))
        if d.role is None and d.skill is None:
            add(DataIssue("demand.csv", d.row, "role", "role may be empty only when skill is given"))
        if d.role is not None and d.role not in ROLES:
            add(DataIssue("demand.csv", d.row, "role", f"unknown role {d.role!r}"))
        if d.min < 0:
            add(DataIssue("demand.csv", d.row, "min", f"min {d.min} is negative"))
        for column in ("under_weight", "over_weight"):
            if (getattr(d, column) or 0) < 0:
                add(DataIssue("demand.csv", d.row, column, "weights must be non-negative integers"))
        if d.max < 0:
            add(DataIssue("demand.csv", d.row, "max", f"max {d.max} is negative"))
        elif d.max < d.min and not d.is_skill_row:
            add(DataIssue("demand.csv", d.row, "max", f"min {d.min} is above max {d.max}"))
        key = (d.grid_id, d.day, d.shift_id, d.role, d.skill)
        if key in demand_keys:
            add(DataIssue("demand.csv", d.row, None, "duplicate requirement: the same grid, day, shift, role and skill appear on an earlier row"))
        demand_keys.add(key)

    avail_keys: set = set()
    for a in st.availability:
        if a.person_id not in people:
            add(DataIssue("availability.csv", a.row, "person_id", f"unknown person {a.person_id!r}"))
        if a.shift_id is not None and a.shift_id not in shifts:
            add(DataIssue("availability.csv", a.row, "shift_id", f"unknown shift {a.shift_id!r}"))
        if a.status not in STATUSES:
            add(DataIssue("availability.csv", a.row, "status", f"unknown status {a.status!r} (expected available, preferred or unavailable)"))
        key = (a.person_id, a.date, a.shift_id)
        if key in avail_keys:
            add(DataIssue("availability.csv", a.row, None, "duplicate row for the same person, date and shift"))
        avail_keys.add(key)

    pin_keys: set = set()
    for pin in st.pins:
        if pin.person_id not in people:
            add(DataIssue("pins.csv", pin.row, "person_id", f"unknown person {pin.person_id!r}"))
        if pin.shift_id not in shifts:
            add(DataIssue("pins.csv", pin.row, "shift_id", f"unknown shift {pin.shift_id!r}"))
        if pin.grid_id not in grids:
            add(DataIssue("pins.csv", pin.row, "grid_id", f"unknown grid {pin.grid_id!r}"))
        key = (pin.person_id, pin.date, pin.shift_id)
        if key in pin_keys:
            add(DataIssue("pins.csv", pin.row, None, "the same person is pinned twice to the same date and shift"))
        pin_keys.add(key)
    issues += _request_issues(st)
    return issues


# The optional per-person rules and the smallest value each accepts.
PERSON_RULES = {
    "min_consecutive_days": 1,
    "max_consecutive_days": 1,
    "min_consecutive_days_off": 1,
    "max_weekends": 0,
    "min_total_minutes": 0,
    "max_total_minutes": 0,
}


def _person_rule_issues(p: Person, shifts: dict) -> list[DataIssue]:
    out = []
    for name, least in PERSON_RULES.items():
        value = getattr(p, name)
        if value is not None and value < least:
            out.append(DataIssue("people.csv", p.row, name, f"must be at least {least}"))
    if None not in (p.min_total_minutes, p.max_total_minutes) and p.min_total_minutes > p.max_total_minutes:
        out.append(DataIssue("people.csv", p.row, "min_total_minutes", "is above max_total_minutes"))
    for shift_id, most in p.max_shifts_per_type:
        if shift_id not in shifts:
            out.append(DataIssue("people.csv", p.row, "max_shifts_per_type", f"unknown shift {shift_id!r}"))
        elif most < 0:
            out.append(DataIssue("people.csv", p.row, "max_shifts_per_type", f"{shift_id}: must not be negative"))
    return out


def _request_issues(st: Station) -> list[DataIssue]:
    out = []
    people, shifts, seen = st.people_by_id, st.shifts_by_id, set()
    for r in st.requests:
        if r.person_id not in people:
            out.append(DataIssue("requests.csv", r.row, "person_id", f"unknown person {r.person_id!r}"))
        if r.shift_id not in shifts:
            out.append(DataIssue("requests.csv", r.row, "shift_id", f"unknown shift {r.shift_id!r}"))
        if r.request not in REQUESTS:
            out.append(DataIssue("requests.csv", r.row, "request", f"unknown request {r.request!r} (expected on or off)"))
        if r.weight < 0:
            out.append(DataIssue("requests.csv", r.row, "weight", "weights must be non-negative integers"))
        key = (r.person_id, r.date, r.shift_id)
        if key in seen:
            out.append(DataIssue("requests.csv", r.row, None, "duplicate request for the same person, date and shift"))
        seen.add(key)
    return out


def _validate_rules(st: Station) -> list[DataIssue]:
    r, w = st.rules, st.weights
    out = []

    def bad(key, msg):
        out.append(DataIssue("station.toml", None, key, msg))

    if r.min_rest_hours < 0:
        bad("rules.min_rest_hours", "must not be negative")
    if r.max_consecutive_days < 1:
        bad("rules.max_consecutive_days", "must be at least 1")
    if r.max_consecutive_nights < 0:
        bad("rules.max_consecutive_nights", "must not be negative")
    for role in r.escort_roles:
        if role not in ROLES:
            bad("rules.escort_roles", f"unknown role {role!r}")
    for role in ROLES:
        cap = r.max_shifts_per_week.get(role)
        if cap is None:
            bad(f"rules.max_shifts_per_week.{role}", "missing")
        elif cap < 0:
            bad(f"rules.max_shifts_per_week.{role}", "must not be negative")
    for role in r.max_shifts_per_week:
        if role not in ROLES:
            bad(f"rules.max_shifts_per_week.{role}", f"unknown role {role!r}")
    out += _optional_rule_issues(st)
    for level in GRID_LEVELS:
        if level not in w.uncovered:
            bad(f"weights.uncovered.{level}", "missing")
    for level, value in w.uncovered.items():
        if level not in GRID_LEVELS:
            bad(f"weights.uncovered.{level}", "grid levels are 1, 2, 3 and 4")
        elif value < 0:
            bad(f"weights.uncovered.{level}", "weights must be non-negative integers")
    for name in ("night_spread", "weekend_spread", "volunteer_idle", "not_preferred", "away_from_home", "over_demand"):
        if getattr(w, name) < 0:
            bad(f"weights.{name}", "weights must be non-negative integers")
    return out


def _optional_rule_issues(st: Station) -> list[DataIssue]:
    r, shifts, out = st.rules, st.shifts_by_id, []

    def bad(key, msg):
        out.append(DataIssue("station.toml", None, key, msg))

    for name, least in PERSON_RULES.items():
        value = getattr(r, name)
        if name != "max_consecutive_days" and value is not None and value < least:  # that one is checked above
            bad(f"rules.{name}", f"must be at least {least}")
    if None not in (r.min_total_minutes, r.max_total_minutes) and r.min_total_minutes > r.max_total_minutes:
        bad("rules.min_total_minutes", "is above rules.max_total_minutes")
    for shift_id, most in r.max_shifts_per_type.items():
        if shift_id not in shifts:
            bad(f"rules.max_shifts_per_type.{shift_id}", f"unknown shift {shift_id!r}")
        elif most < 0:
            bad(f"rules.max_shifts_per_type.{shift_id}", "must not be negative")
    for pair in r.forbidden_successions:
        for shift_id in pair:
            if shift_id not in shifts:
                bad("rules.forbidden_successions", f"unknown shift {shift_id!r}")
    return out


@dataclass(frozen=True, order=True)
class Assignment:
    """One line of a roster: a person patrols a grid on a shift starting on a date."""

    date: dt.date
    shift_id: str
    grid_id: str
    person_id: str
