"""The one place that picks a backend: data in, result out."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections import defaultdict

from .backends.outcome import Hint, Outcome, SolveOptions
from .history import History
from .model import Assignment, Station
from .prepare import Instance, prepare
from .result import ProgressCallback, Result, SolveStatus, StopToken

BACKENDS = ("cpsat", "pulp")


def default_workers() -> int:
    return max(1, min(8, os.cpu_count() or 1))


def solve(
    station: Station,
    week_start: dt.date,
    backend: str = "cpsat",
    time_limit: float | None = 30.0,
    progress: ProgressCallback | None = None,
    stop: StopToken | None = None,
    *,
    days: int = 7,
    workers: int | None = None,
    gap_limit: float = 0.0,
    hint: list[Assignment] | None = None,
    log: bool = False,
    history: History | None = None,
    whole: bool = False,
    light_presolve: bool = False,
    day_flags: bool = False,
) -> Result:
    """Build the best roster for the horizon starting at week_start.

    `whole`: CP-SAT alone on the whole station's model, for callers that split the work themselves
    (no parts, no people a few at a time, no CBC warm start) and price the rosters with the checker
    (an unproven roster's objective is CP-SAT's, at least its cost, see SolveOptions.exact_terms).
    `light_presolve`, `day_flags`: see SolveOptions.

    A solve stopped through `stop` (or by the time limit) returns the best roster found so far.
    `history` (history.py) carries earlier weeks: the rules hold across the first date and the
    fairness spreads balance cumulative counts.
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    started = time.monotonic()
    inst = prepare(station, week_start, days, history)
    from .explain import explain_infeasible, static_conflicts

    conflicts = static_conflicts(inst)
    if conflicts:
        return Result(SolveStatus.INFEASIBLE, backend, conflicts=conflicts, wall_time=time.monotonic() - started)
    if backend == "cpsat" and hint is None and not whole:
        split = _solve_split(station, week_start, time_limit, days, workers, progress, stop, history, started)
        if split is not None:
            return split
    options = SolveOptions(
        time_limit=time_limit, workers=workers or default_workers(), gap_limit=gap_limit,
        progress=progress, stop=stop, hint=hint_from_roster(inst, hint) if hint else None, log=log,
        warm_start=not whole, exact_terms=not whole, light_presolve=light_presolve,
        day_flags=day_flags,
    )
    outcome = _run_backend(backend, inst, options)
    result = Result(
        outcome.status, backend, objective=outcome.objective, bound=outcome.bound,
        wall_time=time.monotonic() - started, terms=outcome.terms, stopped=outcome.stopped,
        time_to_first=outcome.time_to_first,
    )
    if outcome.status is SolveStatus.INFEASIBLE:
        result.conflicts = explain_infeasible(inst)
    elif result.has_roster:
        result.roster = roster_from_counts(inst, outcome)
    return result


def rosters_within(station: Station, week_start: dt.date, cost: int, *, days: int, most: int,
                   time_limit: float | None, stop: StopToken | None = None) -> tuple[list[list[Assignment]], bool]:
    """Every roster of a small station whose objective is at most `cost` (CP-SAT, one worker, a
    "works that date" flag per person and date), up to `most` of them, and whether that is all."""
    from .backends import cpsat

    inst = prepare(station, week_start, days, None)
    options = SolveOptions(time_limit=time_limit, workers=1, stop=stop, warm_start=False, day_flags=True)
    found, complete = cpsat.rosters_within(inst, cost, options, most)
    return [roster_from_counts(inst, out) for out in found], complete


def _solve_split(station, week_start, time_limit, days, workers, progress, stop, history, started) -> Result | None:
    """Models too big or too slow whole: stations with no hard rule between people a few people at a
    time (by_person.py; smaller ones whole first, given a minute or more), very large stations in
    groups of grids (decompose.py); None: solve it whole."""
    from . import by_person, decompose

    left = None if time_limit is None else max(1.0, time_limit - (time.monotonic() - started))
    common = dict(time_limit=left, days=days, workers=workers or default_workers(), progress=progress, stop=stop)
    if by_person.worth_it(station, days, history):
        result = by_person.solve_by_person(station, week_start, **common)
    elif by_person.whole_then_few_worth_it(station, history, left):
        result = by_person.solve_whole_then_few(station, week_start, **common)
    elif decompose.worth_it(station):
        result = decompose.solve_in_parts(station, week_start, history=history, **common)
    else:
        return None
    if result is not None:
        result.wall_time = time.monotonic() - started
    return result


def _run_backend(backend: str, inst: Instance, options: SolveOptions) -> Outcome:
    # Each backend is imported only when asked for, as the portal never loads a solver itself.
    if backend == "cpsat":
        from .backends import cpsat

        return cpsat.solve(inst, options)
    from .backends import pulp_cbc

    return pulp_cbc.solve(inst, options)


def solve_prepared(inst: Instance, backend: str, options: SolveOptions) -> Outcome:
    """Run a backend on an instance the caller prepared itself (e.g. with candidate people, see staffing.py)."""
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    return _run_backend(backend, inst, options)


def roster_from_counts(inst: Instance, outcome: Outcome) -> list[Assignment]:
    """Name the people behind the counts: pinned people go to their pinned grid first, then (when
    re-planning) people back to their previous grid, which the count of changes relies on."""
    pinned = {}
    for pin in inst.station.pins:
        slot = inst.slot_of(pin.date, pin.shift_id)
        if slot is not None:
            pinned[(inst.person_index(pin.person_id), slot.index)] = pin.grid_id
    previous = {}
    for (_c, grid_id, s), people in (inst.replan.previous.items() if inst.replan else ()):
        previous.update({(p, s): grid_id for p in people})
    workers = defaultdict(list)  # (class, slot) -> people working it
    for (p, s), value in sorted(outcome.works.items()):
        if value:
            workers[(inst.class_of[p], s)].append(p)
    places = defaultdict(dict)  # (class, slot) -> grid -> places left
    for (c, g, s), value in sorted(outcome.count.items()):
        if value:
            places[(c, s)][g] = value
    roster = []
    for key, people in workers.items():
        free = places[key]
        rest = people
        for wish in (pinned, previous):
            people, rest = rest, []
            for p in people:
                grid = wish.get((p, key[1]))
                if grid is not None and free.get(grid, 0) > 0:
                    free[grid] -= 1
                    roster.append(_assignment(inst, p, key[1], grid))
                else:
                    rest.append(p)
        open_places = [g for g, n in sorted(free.items()) for _ in range(n)]
        if len(open_places) != len(rest):
            raise RuntimeError(f"backend returned inconsistent counts for class {key[0]} at slot {key[1]}")
        roster.extend(_assignment(inst, p, key[1], g) for p, g in zip(rest, open_places, strict=True))
    return sorted(roster)


def _assignment(inst: Instance, p: int, s: int, grid_id: str) -> Assignment:
    slot = inst.slots[s]
    return Assignment(slot.date, slot.shift_id, grid_id, inst.people[p].person_id)


def hint_from_roster(inst: Instance, roster: list[Assignment]) -> Hint:
    """Turn a roster (e.g. last week's or a previous solve) into starting values for the model."""
    hint = Hint()
    for a in roster:
        slot = inst.slot_of(a.date, a.shift_id)
        if slot is None or a.person_id not in inst.station.people_by_id:
            continue
        p = inst.person_index(a.person_id)
        hint.works[(p, slot.index)] = 1
        key = (inst.class_of[p], a.grid_id, slot.index)
        hint.count[key] = hint.count.get(key, 0) + 1
    for p in range(len(inst.people)):
        for s in inst.slots:
            hint.works.setdefault((p, s.index), 0)
    return hint
