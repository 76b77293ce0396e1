"""Re-planning a published roster with minimal change (issue 6, item 1).

New facts (unavailability, demand, people added or removed) come in through the Station; the
previous roster comes in as assignments. The order of what matters is lexicographic:
1. coverage (the weighted uncovered demand, as in the usual objective);
2. the number of changed assignments: previous assignments not kept (same date, shift and grid)
   plus new ones;
3. the usual objective.
Two solves: stage 1 minimizes W * uncovered + changes with W one more than the most changes
possible (formulation.replan_objective), which is exactly lexicographic for 1 and 2; stage 2 holds
both at stage 1's values and minimizes the usual objective, so the result reports the usual
terms and the checker agrees with it. Each stage starts from a hint: the previous roster, then
stage 1's roster (CP-SAT uses hints; CBC starts from its own heuristics).

Assignments whose shift started at or before `now` never move: they become pins of the station
the re-plan solves (`ReplanResult.station`), and nobody is added to a started shift. `now` is a
naive local datetime in the station's time (Asia/Shanghai: the stations are in China, and shift
times in shifts.csv are local); None means nothing has started.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace

from .backends.outcome import Hint, Outcome, SolveOptions
from .checker import check_roster
from .history import History
from .horizon import horizon_dates
from .model import Assignment, Availability, Pin, Station, slot_status
from .prepare import Instance, prepare
from .replan_goal import CHANGED, CHANGES, FINAL, ReplanGoal
from .result import ProgressCallback, Result, SolveStatus, StopToken
from .solve import BACKENDS, default_workers, hint_from_roster, roster_from_counts, solve_prepared

KINDS = ("moved", "added", "released")
STAGE_ONE_SHARE = 0.5  # of the time limit; stage 2 gets what is left
WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


@dataclass(frozen=True)
class Change:
    kind: str  # moved | added | released
    person_id: str
    before: Assignment | None
    after: Assignment | None
    name: str = ""  # the person's name ("" for a person no longer in the station)

    def describe(self, lang: str = "zh") -> str:
        if lang not in ("zh", "en"):
            raise ValueError(f"unknown language {lang!r}; use zh or en")
        return _describe_zh(self) if lang == "zh" else _describe_en(self)


@dataclass
class ReplanResult:
    result: Result
    changes: list[Change] = field(default_factory=list)
    station: Station | None = None  # the station as re-planned: started assignments pinned
    changed_in_model: int | None = None  # stage 1's count of changed assignments (a move is two)

    @property
    def changed_assignments(self) -> int:
        """Changed assignments by the change list: a move changes two (one lost, one new)."""
        return sum(2 if c.kind == "moved" else 1 for c in self.changes)

    @property
    def counts(self) -> dict[str, int]:
        return {kind: sum(1 for c in self.changes if c.kind == kind) for kind in KINDS}


def replan(
    station: Station,
    week_start: dt.date,
    previous: list[Assignment],
    *,
    now: dt.datetime | None = None,
    backend: str = "cpsat",
    time_limit: float = 30,
    days: int = 7,
    progress: ProgressCallback | None = None,
    stop: StopToken | None = None,
    history: History | None = None,
    workers: int | None = None,
) -> ReplanResult:
    """Repair `previous` for the facts in `station`, changing as few assignments as possible."""
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    started_at = time.monotonic()
    horizon = set(horizon_dates(week_start, days))
    previous = sorted({a for a in previous if a.date in horizon})
    fixed = keep_started(station, week_start, previous, now)
    inst = prepare(fixed, week_start, days, history)
    from .explain import explain_infeasible, static_conflicts

    conflicts = static_conflicts(inst)
    if conflicts:
        return ReplanResult(Result(SolveStatus.INFEASIBLE, backend, conflicts=conflicts,
                                   wall_time=time.monotonic() - started_at), [], fixed)
    inst.replan = previous_goal(inst, previous, now)
    options = SolveOptions(time_limit=time_limit * STAGE_ONE_SHARE, workers=workers or default_workers(),
                           progress=progress, stop=stop, hint=hint_from_roster(inst, previous))
    first = solve_prepared(inst, backend, options)
    if first.status is SolveStatus.INFEASIBLE:
        result = Result(SolveStatus.INFEASIBLE, backend, conflicts=explain_infeasible(inst),
                        wall_time=time.monotonic() - started_at)
        return ReplanResult(result, [], fixed)
    if first.status not in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
        return ReplanResult(Result(first.status, backend, stopped=first.stopped,
                                   wall_time=time.monotonic() - started_at), [], fixed)
    first_roster = roster_from_counts(inst, first)
    result = _final_stage(inst, first, first_roster, backend, options, started_at, time_limit)
    return ReplanResult(result, diff(station, previous, result.roster), fixed, first.terms[CHANGED])


def _final_stage(inst: Instance, first: Outcome, first_roster: list[Assignment], backend: str,
                 options: SolveOptions, started_at: float, time_limit: float) -> Result:
    """Stage 2; a stop (or no roster) here keeps stage 1's roster, with its terms from the checker."""
    report = check_roster(inst.station, inst.week_start, first_roster, inst.days, history=inst.history)
    stopped = options.stop is not None and options.stop.stopped
    final = None
    if not stopped:
        inst.replan = replace(inst.replan, stage=FINAL, most_uncovered=report.terms["uncovered"],
                              most_changes=first.terms[CHANGED])
        left = max(1.0, time_limit - (time.monotonic() - started_at))
        final = solve_prepared(inst, backend, replace(options, time_limit=left,
                                                      hint=Hint(works=first.works, count=first.count)))
    wall = time.monotonic() - started_at
    if final is None or final.status not in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
        return Result(SolveStatus.FEASIBLE, backend, objective=report.objective, wall_time=wall,
                      terms=dict(report.terms), roster=first_roster, stopped=True,
                      time_to_first=first.time_to_first)
    return Result(final.status, backend, objective=final.objective, bound=final.bound, wall_time=wall,
                  terms=final.terms, stopped=final.stopped, time_to_first=first.time_to_first,
                  roster=roster_from_counts(inst, final))


# --- the past stays as it was -------------------------------------------------------------------
def slot_start(date: dt.date, shift_start: int) -> dt.datetime:
    """A shift's local start (shift times are minutes after the local midnight of its date)."""
    return dt.datetime.combine(date, dt.time()) + dt.timedelta(minutes=shift_start)


def has_started(station: Station, date: dt.date, shift_id: str, now: dt.datetime | None) -> bool:
    return now is not None and slot_start(date, station.shifts_by_id[shift_id].start) <= now


def keep_started(station: Station, week_start: dt.date, previous: list[Assignment],
                 now: dt.datetime | None) -> Station:
    """The station with every started assignment (of a person still there) pinned.

    What happened stays: a started assignment is kept even if new facts say its person was
    unavailable (that slot is marked available for them), as a re-plan cannot undo the past.
    """
    people, grids, shifts = station.people_by_id, station.grids_by_id, station.shifts_by_id
    pinned = {(p.person_id, p.date, p.shift_id) for p in station.pins}
    pins, availability = list(station.pins), list(station.availability)
    for a in previous:
        known = a.person_id in people and a.grid_id in grids and a.shift_id in shifts
        if not known or not has_started(station, a.date, a.shift_id, now):
            continue
        if (a.person_id, a.date, a.shift_id) not in pinned:
            pins.append(Pin(a.person_id, a.date, a.shift_id, a.grid_id))
            pinned.add((a.person_id, a.date, a.shift_id))
        if _status(station, people[a.person_id], a.date, a.shift_id) == "unavailable":
            availability = [r for r in availability if (r.person_id, r.date, r.shift_id) != (a.person_id, a.date,
                                                                                                 a.shift_id)]
            availability.append(Availability(a.person_id, a.date, a.shift_id, "available"))
    if len(pins) == len(station.pins) and len(availability) == len(station.availability):
        return station
    return replace(station, pins=tuple(pins), availability=tuple(availability))


def _status(station: Station, person, date: dt.date, shift_id: str) -> str:
    """As prepare.py resolves it: a per-shift row beats a whole-day row beats the role default."""
    rows = {(r.person_id, r.date, r.shift_id): r.status for r in station.availability if r.person_id == person.person_id}
    default = "unavailable" if person.role == "volunteer" else "available"
    return slot_status(rows, person.person_id, date, shift_id, default)


def previous_goal(inst: Instance, previous: list[Assignment], now: dt.datetime | None) -> ReplanGoal:
    """The previous roster in model terms: who of which class was on which grid in which slot."""
    people = inst.station.people_by_id
    where: dict[tuple[int, str, int], list[int]] = defaultdict(list)
    seen: set[tuple[int, int]] = set()
    for a in previous:
        slot = inst.slot_of(a.date, a.shift_id)
        if a.person_id not in people or slot is None:
            continue  # a person who left, or a shift that no longer exists: released
        p = inst.person_index(a.person_id)
        if (p, slot.index) not in seen:  # a person is on one grid per slot
            seen.add((p, slot.index))
            where[(inst.class_of[p], a.grid_id, slot.index)].append(p)
    started = frozenset(s.index for s in inst.slots if has_started(inst.station, s.date, s.shift_id, now))
    return ReplanGoal({k: tuple(v) for k, v in where.items()}, len(seen), started, CHANGES)


# --- the list of changes -----------------------------------------------------------------------
def diff(station: Station, previous: list[Assignment], roster: list[Assignment]) -> list[Change]:
    """Per person: a lost and a new assignment pair up as a move (the same date first), the rest
    are added or released. Previous assignments of people no longer in the station are released."""
    before, after = set(previous), set(roster)
    lost, gained = defaultdict(list), defaultdict(list)
    for a in sorted(before - after):
        lost[a.person_id].append(a)
    for a in sorted(after - before):
        gained[a.person_id].append(a)
    names = {p.person_id: p.name for p in station.people}
    changes = []
    for pid in sorted(set(lost) | set(gained)):
        old, new = lost[pid], gained[pid]
        for a in list(old):
            same_day = next((b for b in new if b.date == a.date), None)
            if same_day is not None:
                old.remove(a)
                new.remove(same_day)
                changes.append(Change("moved", pid, a, same_day, names.get(pid, "")))
        for a, b in zip(list(old), list(new), strict=False):
            old.remove(a)
            new.remove(b)
            changes.append(Change("moved", pid, a, b, names.get(pid, "")))
        changes += [Change("released", pid, a, None, names.get(pid, "")) for a in old]
        changes += [Change("added", pid, None, b, names.get(pid, "")) for b in new]
    return sorted(changes, key=lambda c: ((c.before or c.after).date, c.person_id, c.kind))


def _when_zh(a: Assignment) -> str:
    return f"{a.date.month}月{a.date.day}日({WEEKDAYS_ZH[a.date.weekday()]}) {a.shift_id}班 网格{a.grid_id}"


def _when_en(a: Assignment) -> str:
    return f"{a.date.strftime('%a')} {a.date.isoformat()}, shift {a.shift_id}, grid {a.grid_id}"


def _describe_zh(c: Change) -> str:
    who = f"{c.name}({c.person_id})" if c.name else c.person_id
    if c.kind == "moved":
        return f"{who}：由 {_when_zh(c.before)} 调整为 {_when_zh(c.after)}"
    if c.kind == "added":
        return f"{who}：新增 {_when_zh(c.after)}"
    return f"{who}：撤下 {_when_zh(c.before)}"


def _describe_en(c: Change) -> str:
    who = f"{c.name} ({c.person_id})" if c.name else c.person_id
    if c.kind == "moved":
        return f"{who} moves from {_when_en(c.before)} to {_when_en(c.after)}"
    if c.kind == "added":
        return f"{who} is added on {_when_en(c.after)}"
    return f"{who} is released from {_when_en(c.before)}"
