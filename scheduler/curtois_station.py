"""A Curtois-Qu benchmark instance as an engine station, and a roster back as benchmark triples.

The benchmark is solved by the engine itself: this module only maps its model onto ours, so
that the engine's objective equals the benchmark's (scheduler/curtois.py evaluates it).

- one grid of level 1 and one role (police; the escort rule concerns volunteers only);
- each shift type starts at 00:00 and lasts its length, is not a night shift, and the rest rule is
  off (0 hours): same-day shifts overlap, so one shift a day is the overlap rule, and shifts on
  consecutive days never touch;
- the staff limits become per-person rules (people.csv columns), the forbidden successions the
  station's forbidden_successions, the days off whole-day unavailability, the requests requests.csv;
- each cover line is a demand row with min = requirement, its own under and over weights and a
  max of the whole staff (the benchmark has no upper bound on cover);
- the weekly cap is raised out of the way and every fairness, volunteer and spread weight is 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from .curtois import CurtoisInstance
from .model import (
    MINUTES_PER_DAY,
    Assignment,
    Availability,
    DemandRow,
    Grid,
    Person,
    Request,
    Rules,
    Shift,
    Station,
    Weights,
)

START = dt.date(2024, 1, 1)  # a Monday, as day 0 of every benchmark instance
GRID = "ward"
ROLE = "police"


def to_station(instance: CurtoisInstance, start: dt.date = START) -> tuple[Station, dt.date]:
    """The engine station of a benchmark instance and the date of its day 0 (a Monday)."""
    if start.weekday() != 0:
        raise ValueError(f"day 0 of a Curtois instance is a Monday, {start} is not")
    date = [start + dt.timedelta(days=d) for d in range(instance.horizon)]
    shifts = tuple(_shift(s.shift_id, s.minutes) for s in instance.shifts)
    people = tuple(_person(member) for member in instance.staff)
    availability = tuple(
        Availability(staff_id, date[d], None, "unavailable")
        for staff_id, days in sorted(instance.days_off.items()) for d in sorted(days)
    )
    requests = tuple(
        Request(r.staff_id, date[r.day], r.shift_id, kind, r.weight)
        for kind, given in (("on", instance.on_requests), ("off", instance.off_requests)) for r in given
    )
    station = Station(
        name=instance.name,
        people=people,
        grids=(Grid(GRID, GRID, 1),),
        shifts=shifts,
        demand=_demand(instance, date),
        availability=availability,
        rules=Rules(
            min_rest_hours=0,
            max_consecutive_days=max((m.max_consecutive for m in instance.staff), default=1) or 1,
            # A week holds at most 7 * shift types shifts: a cap that high adds no constraint.
            max_shifts_per_week={ROLE: 7 * len(shifts), "auxiliary": 5, "volunteer": 2},
            forbidden_successions=tuple(
                (s.shift_id, then) for s in instance.shifts for then in sorted(s.forbidden_next)
            ),
        ),
        weights=Weights(uncovered=dict.fromkeys((1, 2, 3, 4), 0), night_spread=0, weekend_spread=0,
                        volunteer_idle=0, not_preferred=0, away_from_home=0, over_demand=0),
        requests=requests,
    )
    return station, start


def from_roster(roster: Iterable[Assignment], start: dt.date = START) -> list[tuple[str, int, str]]:
    """The benchmark's (staff_id, day, shift_id) triples of an engine roster, in day order."""
    return sorted(((a.person_id, (a.date - start).days, a.shift_id) for a in roster), key=lambda t: (t[1], t[0]))


def _shift(shift_id: str, minutes: int) -> Shift:
    if not 0 < minutes <= MINUTES_PER_DAY:
        raise ValueError(f"shift {shift_id} lasts {minutes} minutes; the engine's shifts last at most a day")
    return Shift(shift_id, shift_id, 0, minutes, night=False)


def _person(member) -> Person:
    return Person(
        member.staff_id, member.staff_id, ROLE,
        max_consecutive_days=max(1, member.max_consecutive),
        min_consecutive_days=member.min_consecutive if member.min_consecutive > 1 else None,
        min_consecutive_days_off=member.min_days_off if member.min_days_off > 1 else None,
        max_weekends=member.max_weekends,
        min_total_minutes=member.min_minutes,
        max_total_minutes=member.max_minutes,
        max_shifts_per_type=tuple(sorted(member.max_shifts.items())),
    )


def _demand(instance: CurtoisInstance, date: list[dt.date]) -> tuple[DemandRow, ...]:
    """A row for every day and shift (one without a cover line needs nobody and costs nothing extra)."""
    staff = len(instance.staff)
    cover = {(c.day, c.shift_id): c for c in instance.cover}
    rows = []
    for d in range(instance.horizon):
        for s in instance.shifts:
            c = cover.get((d, s.shift_id))
            need, under, over = (c.requirement, c.under_weight, c.over_weight) if c else (0, 0, 0)
            rows.append(DemandRow(GRID, date[d], s.shift_id, ROLE, need, max(need, staff), None, under, over))
    return tuple(rows)
