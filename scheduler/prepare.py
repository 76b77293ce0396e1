"""Everything the backends need about one planning horizon, computed once from the data.

Both backends build their models from this, so they cannot disagree about what the data
means. The model is aggregated: a person decides *which shifts* to work (`works` variables),
and per (class, grid, slot) a count says *how many of a class* patrol there. People of one
class are interchangeable for every grid-dependent rule and term (same role, same relevant
skills and, for volunteers, same home grid), so any spread of the class's workers over the
counted grids is equally good; `solve` turns counts back into names. This removes the
symmetry of putting interchangeable people on interchangeable grids, which otherwise
keeps the proven bound of CP-SAT far from the optimum.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .history import History
from .horizon import demand_in_force, horizon_dates, is_weekend
from .model import MINUTES_PER_DAY, DemandRow, Person, Station

if TYPE_CHECKING:
    from .replan_goal import ReplanGoal


@dataclass(frozen=True)
class Slot:
    """A shift on a date; times are minutes after midnight of the horizon's first date."""

    index: int
    date: dt.date
    day_index: int
    shift_id: str
    start: int
    end: int
    night: bool
    weekend: bool


@dataclass(frozen=True)
class PersonClass:
    """Interchangeable people for every grid-dependent rule and term."""

    index: int
    role: str
    skills: frozenset[str]  # only the skills some skill row asks for
    home_grid: str | None  # volunteers only: the away_from_home term depends on it


@dataclass
class RoleDemand:
    """The non-skill demand row of one role at a (grid, slot)."""

    row: DemandRow
    level: int


@dataclass
class Instance:
    station: Station
    week_start: dt.date
    days: int
    dates: list[dt.date]
    slots: list[Slot]
    people: list[Person]
    status: dict[tuple[int, int], str]  # (person index, slot index) -> available/preferred/unavailable
    classes: list[PersonClass]
    class_of: list[int]  # person index -> class index
    members: dict[int, list[int]] = field(default_factory=dict)  # class index -> person indices
    role_demand: dict[tuple[str, int, str], RoleDemand] = field(default_factory=dict)  # (grid, slot, role)
    skill_demand: dict[tuple[str, int], list[DemandRow]] = field(default_factory=dict)  # (grid, slot)
    rest_cliques: list[list[int]] = field(default_factory=list)  # slot sets of which one person works one
    history: History | None = None  # earlier weeks: the tail and cumulative counts (history.py)
    replan: ReplanGoal | None = None  # set by replan.py: the previous roster and the stage of the re-plan
    # Candidate people (staffing what-if): person index -> cost if they work at all. They are left out
    # of the fairness terms, which are about the station's own people.
    hire_cost: dict[int, int] = field(default_factory=dict)

    # --- derived lookups -------------------------------------------------------------
    def grid_level(self, grid_id: str) -> int:
        return self.station.grids_by_id[grid_id].level

    def is_available(self, p: int, s: int) -> bool:
        return self.status[(p, s)] != "unavailable"

    def slot_of(self, date: dt.date, shift_id: str) -> Slot | None:
        return self._slot_index.get((date, shift_id))

    def person_index(self, person_id: str) -> int:
        return self._person_index[person_id]

    def slots_on_day(self, d: int) -> list[Slot]:
        return self._day_slots.get(d, [])

    def __post_init__(self) -> None:
        self._slot_index = {(s.date, s.shift_id): s for s in self.slots}
        self._day_slots: dict[int, list[Slot]] = {}
        for s in self.slots:
            self._day_slots.setdefault(s.day_index, []).append(s)
        self._person_index = {p.person_id: i for i, p in enumerate(self.people)}


def prepare(station: Station, week_start: dt.date, days: int = 7, history: History | None = None) -> Instance:
    dates = horizon_dates(week_start, days)
    slots = _slots(station, dates)
    people = list(station.people)
    status = _availability(station, people, slots)
    role_demand, skill_demand = _demand(station, dates, slots)
    asked_skills = {row.skill for rows in skill_demand.values() for row in rows}
    classes, class_of = _classes(people, asked_skills)
    inst = Instance(
        station=station, week_start=week_start, days=days, dates=dates, slots=slots, people=people,
        status=status, classes=classes, class_of=class_of, role_demand=role_demand,
        skill_demand=skill_demand, history=history,
    )
    for p, c in enumerate(class_of):
        inst.members.setdefault(c, []).append(p)
    inst.rest_cliques = _rest_cliques(slots, station.rules.min_rest_hours)
    return inst


def _slots(station: Station, dates: list[dt.date]) -> list[Slot]:
    out = []
    for d_index, day in enumerate(dates):
        for shift in sorted(station.shifts, key=lambda s: (s.start, s.shift_id)):
            start = d_index * MINUTES_PER_DAY + shift.start
            out.append(Slot(len(out), day, d_index, shift.shift_id, start, start + shift.duration,
                            shift.night, is_weekend(day)))
    return out


def _availability(station: Station, people: list[Person], slots: list[Slot]) -> dict[tuple[int, int], str]:
    """Resolve each person's status per slot: a per-shift row beats a whole-day row beats the role default."""
    whole_day: dict[tuple[str, dt.date], str] = {}
    per_shift: dict[tuple[str, dt.date, str], str] = {}
    for a in station.availability:
        if a.shift_id is None:
            whole_day[(a.person_id, a.date)] = a.status
        else:
            per_shift[(a.person_id, a.date, a.shift_id)] = a.status
    status = {}
    for p, person in enumerate(people):
        default = "unavailable" if person.role == "volunteer" else "available"
        for s in slots:
            st = per_shift.get((person.person_id, s.date, s.shift_id))
            if st is None:
                st = whole_day.get((person.person_id, s.date), default)
            status[(p, s.index)] = st
    return status


def _demand(station: Station, dates, slots):
    by_key = {(s.date, s.shift_id): s.index for s in slots}
    role_demand: dict[tuple[str, int, str], RoleDemand] = {}
    skill_demand: dict[tuple[str, int], list[DemandRow]] = defaultdict(list)
    for (grid_id, day, shift_id), rows in demand_in_force(station, dates).items():
        s = by_key[(day, shift_id)]
        level = station.grids_by_id[grid_id].level
        for row in rows:
            if row.is_skill_row:
                skill_demand[(grid_id, s)].append(row)
            else:
                role_demand[(grid_id, s, row.role)] = RoleDemand(row, level)
    return role_demand, dict(skill_demand)


def _classes(people: list[Person], asked_skills: set[str]) -> tuple[list[PersonClass], list[int]]:
    index: dict[tuple, int] = {}
    classes: list[PersonClass] = []
    class_of = []
    for person in people:
        home = person.home_grid if person.role == "volunteer" else None
        key = (person.role, frozenset(person.skills & asked_skills), home)
        if key not in index:
            index[key] = len(classes)
            classes.append(PersonClass(len(classes), *key))
        class_of.append(index[key])
    return classes, class_of


def _rest_cliques(slots: list[Slot], min_rest_hours: float) -> list[list[int]]:
    """Maximal sets of slots of which one person can work at most one.

    Two slots conflict when they overlap or the gap between them is below the minimum rest,
    i.e. when their intervals stretched by the rest, [start, end + rest), overlap. That is an
    interval graph, whose maximal cliques are the slots stretched over each start time; one
    constraint per clique is much stronger for the LP than one per conflicting pair.
    """
    rest = round(min_rest_hours * 60)
    order = sorted(slots, key=lambda o: o.start)
    starts = [o.start for o in order]
    reach = max((o.end - o.start for o in slots), default=0) + rest  # no slot reaches further back
    times = sorted(set(starts))
    cliques = []
    for t in times:
        near = order[bisect.bisect_left(starts, t - reach):bisect.bisect_right(starts, t)]
        cliques.append(frozenset(o.index for o in near if o.end + rest > t))
    # A clique of start t can only lie inside the next start's clique: an interval of it that
    # reached a later start passes the next one too.
    maximal = {tuple(sorted(c)) for c, later in zip(cliques, cliques[1:] + [frozenset()], strict=True)
               if len(c) > 1 and not c < later}
    return [list(c) for c in sorted(maximal)]
