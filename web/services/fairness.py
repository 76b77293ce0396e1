"""How evenly a roster shares the work: nights, weekend shifts and all shifts per person.

A night is a shift whose `night` flag is set and a weekend shift one starting on a Saturday or
Sunday (`scheduler.horizon.is_weekend`), the same readings as the checker's night_spread and
weekend_spread terms.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from scheduler import Assignment
from scheduler import model as m
from scheduler.horizon import is_weekend

MEASURES = ("nights", "weekend", "total")
SORTS = ("role",) + MEASURES


@dataclass(frozen=True)
class PersonLoad:
    person: m.Person
    nights: int
    weekend: int
    total: int


@dataclass(frozen=True)
class Fairness:
    rows: list[PersonLoad]
    average: dict[str, float]  # per measure, over every person of the station
    role_average: dict[str, dict[str, float]]  # role -> measure -> average over that role
    most: dict[str, int]  # per measure, the largest value (the scale of the bars)

    def percent(self, measure: str, value: float) -> float:
        """Where `value` sits on the bar of `measure`, 0-100."""
        top = self.most[measure]
        return round(100 * value / top, 1) if top else 0.0


def person_loads(station: m.Station, assignments: Iterable[Assignment]) -> list[PersonLoad]:
    """One row per person of the station (also those with no shift), in people.csv order."""
    shifts = station.shifts_by_id
    counts = {measure: Counter() for measure in MEASURES}
    for a in assignments:
        shift = shifts.get(a.shift_id)
        if shift is None:
            continue  # the checker reports an unknown shift; it is nobody's night or weekend
        counts["total"][a.person_id] += 1
        counts["nights"][a.person_id] += shift.night
        counts["weekend"][a.person_id] += is_weekend(a.date)
    return [PersonLoad(p, counts["nights"][p.person_id], counts["weekend"][p.person_id], counts["total"][p.person_id])
            for p in station.people]


def _average(rows: list[PersonLoad], measure: str) -> float:
    return round(sum(getattr(r, measure) for r in rows) / len(rows), 2) if rows else 0.0


def sort_rows(rows: list[PersonLoad], by: str) -> list[PersonLoad]:
    """By role (police, auxiliary, volunteer, then name) or by a measure, largest first."""
    if by in MEASURES:
        return sorted(rows, key=lambda r: (-getattr(r, by), m.ROLES.index(r.person.role), r.person.person_id))
    return sorted(rows, key=lambda r: (m.ROLES.index(r.person.role), r.person.person_id))


def fairness(station: m.Station, assignments: Iterable[Assignment], sort: str | None = None) -> Fairness:
    rows = person_loads(station, assignments)
    by_role = {role: [r for r in rows if r.person.role == role] for role in m.ROLES}
    return Fairness(
        rows=sort_rows(rows, sort if sort in SORTS else "role"),
        average={measure: _average(rows, measure) for measure in MEASURES},
        role_average={role: {measure: _average(members, measure) for measure in MEASURES}
                      for role, members in by_role.items() if members},
        most={measure: max((getattr(r, measure) for r in rows), default=0) for measure in MEASURES},
    )
