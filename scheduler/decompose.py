"""Very large stations solved in parts: the grids split into groups, each with the people who serve there.

The aggregated model grows with volunteer classes (one per home grid) times grids times slots: a
5,000-person station has ~890k variables, takes ~17 s and ~0.9 GB to build for CP-SAT alone, and
CBC's copy for the warm start as much again. Split into groups of grids, every part is the size of
a station the engine solves well, and the parts together are far smaller than the whole (the count
variables grow with the square of the grids).

Each part is a station of its own: its grids and their demand rows; the volunteers whose home grid
is there; police and auxiliaries (per role and skill set) spread over the parts in proportion to
their role's demand; people with pins go to the part of their pinned grid. Every hard rule is
either about one person (who is in one part) or about one grid and shift (in one part), so rosters
of the parts put together break no rule; the checker confirms it on the whole station and gives
the objective. The parts cannot trade people, and each balances its own fairness spreads, so the
roster is good rather than optimal; the bound for the whole comes from its LP relaxation (LpBound),
computed beside the parts where it fits in time and memory.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, replace

from .history import History
from .model import Person, Station
from .result import Progress, ProgressCallback, Result, SolveStatus, StopToken

# Above this many people the whole-station model does not get a good roster within minutes (measured:
# 1,800 people whole, 744997 after 120 s with the first roster at 50 s and 1.7 GB peak; in parts
# 137405 at 0.95% of the LP bound. 5,000 people: 17 s to build for CP-SAT, 27 s and 1.6 GB more for
# CBC's copy).
DECOMPOSE_ABOVE_PEOPLE = 1000
# Parts of about 600 people when each gets half a minute or more: on the 1,800-person station
# (120 s) 3 parts gave 137405 (0.95% above the LP bound), 5 parts of ~400 141474 (3.8%), 8 parts of
# ~250 143261-179135: the bigger the parts, the less is lost by not trading people between them.
# With less time per part (5,000 people in 120 s) parts of ~250, which CP-SAT solves without the
# CBC warm start and gives a first roster in under a second.
PART_PEOPLE = 600
MIN_PART_SECONDS = 30.0
SMALL_PART_PEOPLE = 250
# With small parts, the first pass gets this share of the time and the parts furthest from their
# own bound get the rest, started from their roster: a few parts are much harder than the others.
FIRST_PASS_SHARE = 0.75
SECOND_PASS_PARTS = 6
MIN_SECOND_PASS_SECONDS = 3.0
QUICK_SECONDS = 1.0
CHECK_RESERVE = 0.08  # share of the time kept for the checker on the whole station


# Up to this many people the whole station's LP relaxation (CLP, one thread, beside the parts) gives
# a bound within the time: 1,800 people, 140k variables, 50-70 s. 5,000 people: 27 s to build and
# 1.6 GB for PuLP's copy alone, so no bound there.
LP_BOUND_UP_TO_PEOPLE = 2500


def worth_it(station: Station) -> bool:
    return len(station.people) > DECOMPOSE_ABOVE_PEOPLE


@dataclass
class Part:
    grids: list[str]
    people: list[Person]


def how_many_parts(people: int, time_limit: float | None) -> int:
    parts = max(1, math.ceil(people / PART_PEOPLE))
    if time_limit is not None and time_limit / parts < MIN_PART_SECONDS:
        parts = max(1, math.ceil(people / SMALL_PART_PEOPLE))
    # Every part well below the size that is split again (an uneven split must not recurse).
    return max(parts, math.ceil(people / DECOMPOSE_ABOVE_PEOPLE) + 1)


def split(station: Station, parts: int) -> list[Part] | None:
    """Groups of grids with their people; None when pins tie a person to grids of two groups."""
    grids = sorted(station.grids, key=lambda g: (g.community or "", g.grid_id))
    size = math.ceil(len(grids) / parts)
    groups = [[g.grid_id for g in grids[i:i + size]] for i in range(0, len(grids), size)]
    group_of = {g: i for i, group in enumerate(groups) for g in group}
    pinned: dict[str, set[int]] = defaultdict(set)
    for pin in station.pins:
        pinned[pin.person_id].add(group_of[pin.grid_id])
    if any(len(where) > 1 for where in pinned.values()):
        return None
    members: list[list[Person]] = [[] for _ in groups]
    spread_out: dict[str, list[Person]] = defaultdict(list)  # role -> people, in order of their skills
    for person in station.people:
        if person.person_id in pinned:
            members[next(iter(pinned[person.person_id]))].append(person)
        elif person.role == "volunteer" and person.home_grid in group_of:
            members[group_of[person.home_grid]].append(person)
        else:
            spread_out[person.role].append(person)
    demand = _role_demand(station, group_of, len(groups))
    for role, people in sorted(spread_out.items()):
        # People of one skill set in a row go to different groups: each group gets its share of every skill.
        _share(sorted(people, key=lambda p: (sorted(p.skills), p.person_id)), demand[role], members)
    return [Part(group, people) for group, people in zip(groups, members, strict=True)]


def _role_demand(station: Station, group_of: dict[str, int], groups: int) -> dict[str, list[float]]:
    """Per role, the sum of the demand rows' minimums in each group (a role nobody asks for: even).
    Weighting them by the cost of a gap was worse (1,800 people: 160651 against 145930): the officers
    then gather on level-1 grids and the volunteers elsewhere lose their escorts."""
    out: dict[str, list[float]] = defaultdict(lambda: [1.0] * groups)
    totals: dict[str, list[float]] = defaultdict(lambda: [0.0] * groups)
    for row in station.demand:
        if row.role is not None:
            totals[row.role][group_of[row.grid_id]] += row.min
    for role, weights in totals.items():
        if sum(weights) > 0:
            out[role] = weights
    return out


def _share(people: list[Person], weights: list[float], members: list[list[Person]]) -> None:
    """Hand people out one by one to the group furthest below its share (largest remainder)."""
    given = [0] * len(weights)
    total = sum(weights)
    for n, person in enumerate(people, start=1):
        g = max(range(len(weights)), key=lambda i: weights[i] / total * n - given[i])
        given[g] += 1
        members[g].append(person)


def part_station(station: Station, part: Part, number: int) -> Station:
    grids = set(part.grids)
    # Only a volunteer's home grid means anything to the model; an officer's may lie in another part.
    people = (p if p.home_grid in grids or p.home_grid is None else replace(p, home_grid=None)
              for p in part.people)
    return station.with_people(
        people, name=f"{station.name} part {number}",
        grids=tuple(g for g in station.grids if g.grid_id in grids),
        demand=tuple(r for r in station.demand if r.grid_id in grids),
    )


def solve_in_parts(
    station: Station, week_start: dt.date, *, time_limit: float | None, days: int, workers: int,
    progress: ProgressCallback | None = None, stop: StopToken | None = None, history: History | None = None,
    parts: list[Part] | None = None,
) -> Result | None:
    """Solve the parts one after the other with CP-SAT, each with its share of the time left; with
    many small parts, a second pass gives the time kept back to the parts furthest from their bound.

    None when the station cannot be split (a person pinned in two groups): the caller solves it whole.
    """
    from .checker import check_roster

    started = time.monotonic()
    parts = parts or split(station, how_many_parts(len(station.people), time_limit))
    if parts is None:
        return None
    usable = None if time_limit is None else time_limit * (1 - CHECK_RESERVE)
    lp = LpBound(station, week_start, days, history, usable) if len(station.people) <= LP_BOUND_UP_TO_PEOPLE \
        else None
    subs = [part_station(station, part, number) for number, part in enumerate(parts, start=1)]
    first_pass = usable if usable is None or len(parts) * MIN_PART_SECONDS <= usable else FIRST_PASS_SHARE * usable
    results: list[Result] = []
    for number, sub in enumerate(subs):
        share = _share_of(first_pass, started, len(subs) - number, stop)
        result = _solve_part(sub, week_start, share, days, workers, history, stop)
        if result.status is SolveStatus.INFEASIBLE or not result.has_roster:
            _ = lp and lp.bound()  # ends CBC
            if result.status is SolveStatus.INFEASIBLE:
                return replace(result, backend="cpsat", wall_time=time.monotonic() - started)
            return Result(SolveStatus.NO_SOLUTION, "cpsat", wall_time=time.monotonic() - started,
                          stopped=stop is not None and stop.stopped)
        results.append(result)
        if progress:
            progress(Progress(time.monotonic() - started, None, None))
    first = time.monotonic() - started
    _second_pass(subs, results, week_start, usable, started, days, workers, history, stop)
    roster = [a for result in results for a in result.roster]
    bound = lp.bound() if lp else None
    report = check_roster(station, week_start, roster, days, history)
    if not report.ok:  # cannot happen by construction; never hand out a roster that breaks a rule
        raise RuntimeError(f"the parts' rosters together break {len(report.violations)} rule(s): "
                           f"{report.violations[0]}")
    if progress:
        progress(Progress(time.monotonic() - started, report.objective, bound))
    return Result(SolveStatus.FEASIBLE, "cpsat", objective=report.objective, bound=bound, terms=dict(report.terms),
                  roster=sorted(roster), wall_time=time.monotonic() - started, time_to_first=first,
                  stopped=stop is not None and stop.stopped)


def _share_of(budget: float | None, started: float, parts_left: int, stop: StopToken | None) -> float | None:
    if stop is not None and stop.stopped:
        return QUICK_SECONDS  # a quick roster for each part left, rather than none
    if budget is None:
        return None
    return max(QUICK_SECONDS, (budget - (time.monotonic() - started)) / parts_left)


def _solve_part(sub: Station, week_start, share, days, workers, history, stop, hint=None) -> Result:
    from .solve import solve

    return solve(sub, week_start, "cpsat", time_limit=share, days=days, workers=workers, history=history,
                 stop=None if share == QUICK_SECONDS else stop, hint=hint)


def _second_pass(subs, results: list[Result], week_start, usable, started, days, workers, history, stop) -> None:
    """Parts whose roster is furthest above their own bound again, from their roster (a hint)."""
    if usable is None:
        return
    unproven = [i for i, r in enumerate(results) if r.status is not SolveStatus.OPTIMAL and r.bound is not None]
    worst = sorted(unproven, key=lambda i: results[i].bound - results[i].objective)[:SECOND_PASS_PARTS]
    for n, i in enumerate(worst):
        if stop is not None and stop.stopped:
            return
        share = (usable - (time.monotonic() - started)) / (len(worst) - n)
        if share < MIN_SECOND_PASS_SECONDS:
            return
        again = _solve_part(subs[i], week_start, share, days, workers, history, stop, hint=results[i].roster)
        if again.has_roster and again.objective is not None and again.objective < results[i].objective:
            results[i] = again


class LpBound:
    """The whole station's LP relaxation solved by CLP in the background (CBC is a child process):
    its optimum is a lower bound for the whole station, which the parts alone cannot give."""

    def __init__(self, station: Station, week_start: dt.date, days: int, history: History | None,
                 time_limit: float | None):
        import pulp

        from .backends.pulp_cbc import PulpBuilder
        from .formulation import Formulation
        from .prepare import prepare

        builder = PulpBuilder()
        Formulation(prepare(station, week_start, days, history), builder).build()
        for var in builder.problem.variables():
            var.cat = pulp.LpContinuous
        self.problem = builder.problem
        self.stop = threading.Event()
        self.run = None
        self.thread = threading.Thread(target=self._solve, args=(time_limit,), name="lp-bound", daemon=True)
        self.thread.start()

    def _solve(self, time_limit: float | None) -> None:
        from .cbc_run import run_cbc

        # Barrier: 50 s against 73 s for the dual simplex on the 1,800-person station.
        self.run = run_cbc(self.problem, time_limit=time_limit, threads=1, stop=self.stop, options=("-barrier",))

    def bound(self) -> float | None:
        """The LP's optimum rounded up (objectives are integers), or None if it is not solved yet."""
        if self.thread.is_alive():
            self.stop.set()
        self.thread.join()
        if self.run is None or self.run.status != "optimal" or self.run.objective is None:
            return None
        return float(math.ceil(self.run.objective - 1e-6))
