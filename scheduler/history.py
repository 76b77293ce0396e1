"""What earlier weeks hand to the next solve: the roster's tail and cumulative fairness counts.

The tail (assignments dated before the plan's first date) lets the rest, consecutive-days,
consecutive-nights and forbidden-succession rules hold across the boundary: a night on Sunday
blocks Monday's day shift, and a run of worked days goes on counting. The counts (nights,
weekend shifts, total shifts per person from earlier weeks) are added to this week's counts in
the night and weekend spread terms, so fairness is balanced over weeks, not within one week.
The look-back is the caller's: they pass the rosters (or totals) of the weeks they want counted.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from .model import MINUTES_PER_DAY, Assignment, Station


@dataclass(frozen=True)
class PastCounts:
    """One person's shifts in earlier weeks."""

    nights: int = 0
    weekends: int = 0  # shifts starting on a Saturday or Sunday
    shifts: int = 0


@dataclass(frozen=True)
class History:
    tail: tuple[Assignment, ...] = ()  # the previous roster's assignments before the plan's first date
    counts: dict[str, PastCounts] = field(default_factory=dict)  # person_id -> earlier weeks' counts

    def past(self, person_id: str) -> PastCounts:
        return self.counts.get(person_id, PastCounts())

    def tail_before(self, week_start: dt.date) -> list[Assignment]:
        return sorted(a for a in self.tail if a.date < week_start)

    @classmethod
    def from_rosters(cls, station: Station, week_start: dt.date, rosters: list[Iterable[Assignment]]) -> History:
        """History from earlier rosters, oldest first: the newest gives the tail, all give the counts.

        Only assignments dated before week_start are used (a roster overlapping the new plan
        contributes its earlier part); an assignment in two rosters counts once. Raises ValueError
        naming the assignment when a shift is unknown to the station, as its times would be.
        """
        rosters = [list(r) for r in rosters]
        earlier = sorted({a for r in rosters for a in r if a.date < week_start})
        shifts = station.shifts_by_id
        unknown = [a for a in earlier if a.shift_id not in shifts]
        if unknown:
            a = unknown[0]
            raise ValueError(f"{len(unknown)} earlier assignment(s) name a shift the station does not have, "
                             f"e.g. {a.person_id} on {a.date}: shift {a.shift_id!r}")
        tail = tuple(a for a in (rosters[-1] if rosters else ()) if a.date < week_start)
        return cls(tail=tail, counts=count_shifts(station, earlier))


def count_shifts(station: Station, assignments: Iterable[Assignment]) -> dict[str, PastCounts]:
    shifts = station.shifts_by_id
    nights, weekends, total = Counter(), Counter(), Counter()
    for a in assignments:
        total[a.person_id] += 1
        nights[a.person_id] += shifts[a.shift_id].night
        weekends[a.person_id] += a.date.weekday() >= 5
    return {pid: PastCounts(nights[pid], weekends[pid], total[pid]) for pid in total}


def tail_end_minutes(station: Station, week_start: dt.date, a: Assignment) -> int | None:
    """When a tail assignment ends, in minutes after midnight of week_start (None: unknown shift)."""
    shift = station.shifts_by_id.get(a.shift_id)
    if shift is None:
        return None
    return (a.date - week_start).days * MINUTES_PER_DAY + shift.start + shift.duration
