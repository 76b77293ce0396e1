"""Stations whose hard rules are each about one person, rostered a few people at a time.

Where no hard rule ties two people together (no volunteers to escort, no demand row's `max` that
the station's people of that role could exceed) and no objective term compares people (the night
and weekend spreads weigh 0), people interact only through the cover of the demand rows. Then a
few people can be re-planned with everyone else kept: their station is the same station with the
demand rows lowered by what the others already cover. Counting the others out changes the
objective by a constant only (below `min` a person covers a gap, above it they cost `over`, as
in the whole station), so a better roster for the few is a better roster for the whole station.

The engine solves such stations this way from a few thousand person-slots or six weeks up (smaller
ones with a minute or more: the whole model first, then the few at a time): people one by one
first (each the best roster for themselves against what the earlier ones cover, the places few
of the later ones could cover weighing more), then again and again a few of them together (over
the whole horizon, on a window of days, or on every weekend day), each a small model of the same
formulation (with one "works that date" flag per person and date, SolveOptions.day_flags). It is how the Curtois-Qu
Instances 22-24 (up to 150 people, 32 shift types, 364 days, 1.7M person-slots) get a roster at
all, and it beats the whole model on the long instances below them (docs/solver-notes.md). On
stations of up to four weeks and a size (twelve weeks with minutes for it; columns.worth_it), column
generation comes between the first roster and the few at a time, and gives a bound; elsewhere
this path gives none (the whole model's would take longer than the search). With two workers or
more and 20 s or more, the small solves run two at a time in worker processes (sub_solves.py).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import random
import time
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass, replace
from statistics import fmean

from . import columns
from .formulation import calendar_weekends, under_weight
from .history import History
from .horizon import demand_in_force, horizon_dates
from .model import Assignment, Availability, Person, Station, slot_status
from .result import Progress, ProgressCallback, Result, SolveStatus, StopToken
from .sub_solves import runner

log = logging.getLogger(__name__)

# From this many person-slots (people x shifts x days) a separable station goes a few people at a
# time. Measured on Curtois-Qu at 120 s (docs/solver-notes.md): better than the whole model on every
# instance above it tried (Instance20 12,355 against 28,362; Instance13 3,178 against 7,356), and
# the only way to a roster for Instances 22-24, whose whole model gets none in 600 s. Starting the
# whole model from this roster (a hint) for the last 60% of the time was worse on 5 of 6.
BY_PERSON_FROM = 5_000
# And from this many days, whatever the size: over six weeks and more the window neighbourhoods beat
# CP-SAT's own search on the whole model. Instance16 (20 people, 56 days, 3,360 person-slots) at
# 600 s: 3,350 (+3.9% of best known) against 3,768 whole; Instance14 (42 days) at 120 s 1,344
# against 1,478. Instance8 (3,360 person-slots too, 28 days) stays better whole (1,417 against
# 2,050 at 120 s), so size alone cannot tell.
BY_PERSON_FROM_DAYS = 42
# Below those sizes a separable station is solved whole, and with this many seconds or more only for
# WHOLE_SHARE of them: a few people at a time then go on from the whole model's roster. CP-SAT on the
# whole model finds the cover; the neighbourhoods then trade requests between people at the same
# cover, which its own search hardly does. Instance8 at 600 s: 1,361, 1,371 and 1,447 against one
# whole run of 1,417; Instances 4-7 and 9 unchanged (docs/solver-notes.md).
WHOLE_THEN_FEW_FROM = 60.0
WHOLE_SHARE = 0.5
# Where column generation runs (columns.worth_it) the whole model gets less and the columns more
# (COLUMNS_SHARE): their integer program over the columns near the LP finds the cover as well, and
# needs minutes (Instance7 at 600 s: 1,056, its best known, against 1,057-1,059 with the whole
# model on half the time and the columns on half the rest).
WHOLE_SHARE_BEFORE_COLUMNS = 0.25
# The first pass, one person at a time, gets at most this share of the time: each person between
# FIRST_SECONDS and MOST_FIRST_SECONDS, stopped at a relative gap of FIRST_GAP (the gap of a
# person's own model; its objective includes the demand the others leave, so 0.1% is a first good
# roster). One person of Instance24 (364 days x 32 shifts) takes about 0.6 s to build and 0.5-1.7 s
# to a first roster; more time per person buys little, as the few at a time re-plan everyone.
FIRST_SHARE = 0.4
FIRST_SECONDS = 1.0
MOST_FIRST_SECONDS = 2.0
FIRST_GAP = 0.001
# With a short time limit those bounds do not fit: Instance24 at 150 s and Instances 20-22 at 30 s
# had no roster at all (Instance24: 150 people at 2 s each, two at a time). When the solves so far
# say that everyone would not have a roster within FIRST_SHARE_SHORT of the time left, each person
# gets less, so that they would, counting what a solve costs beyond its limit (station, model,
# presolve; FIRST_OVERHEAD until measured), but not below LEAST_FIRST_SECONDS; and CP-SAT presolves
# lightly. A person of Instance24 then costs 0.4-0.8 s beyond the limit, against 2-2.5 s with the
# full presolve, where many found no roster in time and had to be solved again.
FIRST_SHARE_SHORT = 0.85
FIRST_OVERHEAD = 0.5
LEAST_FIRST_SECONDS = 0.3
# In the first pass a person's station weighs a place left short up to 1 + SCARCE_WEIGHT times its
# own weight, the more the fewer of the people still to come could cover it: taken alone, a person
# fills any place, and the places only a few can fill stay short. First rosters of Curtois Instances
# 15, 18, 19 and 20: 8,494 / 7,474 / 7,253 / 15,435 against 11,891 / 11,952 / 16,392 / 28,836 (10
# and 1,000 did about as well as 100, 1 and 3 less; docs/solver-notes.md).
SCARCE_WEIGHT = 100
# On stations small enough (columns.COLUMNS_UP_TO), column generation gets this share of the time
# left after the first roster, the neighbourhoods the rest (docs/solver-notes.md; 0.5 until the
# columns near the LP needed more).
COLUMNS_SHARE = 0.75
FEW = (2, 3, 4, 6)  # people re-planned together over the whole horizon
IN_WINDOW = (4, 6, 8, 12, 16, 24, 32)  # people re-planned together on WINDOW_DAYS consecutive days
# People re-planned together on every Saturday and Sunday of the horizon (where people have a most
# weekends rule): which weekends each works is a choice over the whole horizon, and a window of
# days or a few people cannot trade a weekend between people.
ON_WEEKENDS = IN_WINDOW
WEEKENDS = "weekends"
WINDOW_DAYS = 14
# Many people re-planned together on FEW_DAYS consecutive days: who works which shift on those days,
# everyone's totals held by the days around them. It trades minutes and requests between many people
# at once, which the kinds above, a few people at a time or fewer people on more days, do not reach.
ON_FEW_DAYS = (16, 32, 64, 128, 256)
FEW_DAYS = 3
MANY_ON_FEW_DAYS = True
# This share of them on SCATTERED_DAYS single days drawn anywhere in the horizon instead: a person
# may take a requested shift on one day and give up another far from it, its cover taken by someone
# else giving up a third, which consecutive days do not hold. A share of the kind's turns, not a
# kind of its own, which would take turns from the others (docs/solver-notes.md).
SCATTERED_SHARE = 0.5
SCATTERED_DAYS = 6
SCATTERED = "scattered"
# At a size of the whole station, the kind waits for the running moves and runs alone (_takes_everyone).
# Off: measured no better in the engine yet, where the kind has a quarter of the turns (solver notes).
EVERYONE_ALONE = False
KIND_NAMES = {None: "few", WINDOW_DAYS: "window", WEEKENDS: "weekends", FEW_DAYS: "few days",
              SCATTERED: "scattered"}  # each kind's name in the log, by its window
TARGETED = 0.5  # share of neighbourhoods built around a place left short rather than at random
FEW_SECONDS = 3.0
# A kind's neighbourhoods grow only while CP-SAT proves them optimal within this share of their
# seconds: those it proves near the limit gain less a second than the size below them.
GROW_WITHIN = 1 / 3
# And only when the last one gained nothing: a size that still finds better rosters is not yet
# exhausted (GROW_ON_GAIN True: they grew on every quick proof, gain or not).
GROW_ON_GAIN = False
STALLED_ROUNDS = 3  # without a time limit, stop after this many neighbourhoods per person bring nothing
CHECK_RESERVE = 0.05  # share of the time kept for the checker on the whole station
SEED = 2026


def separable(station: Station, history: History | None) -> bool:
    """True when every hard rule is about one person and the objective compares nobody."""
    if history is not None or any(p.role == "volunteer" for p in station.people):
        return False
    if station.weights.night_spread or station.weights.weekend_spread:
        return False
    headcount = Counter(p.role for p in station.people)
    return all(row.max >= (headcount[row.role] if row.role else len(station.people)) for row in station.demand)


def person_slots(station: Station, days: int) -> int:
    return len(station.people) * len(station.shifts) * days


def worth_it(station: Station, days: int, history: History | None) -> bool:
    big = person_slots(station, days) >= BY_PERSON_FROM or days >= BY_PERSON_FROM_DAYS
    return big and separable(station, history)


def whole_then_few_worth_it(station: Station, history: History | None, time_limit: float | None) -> bool:
    return time_limit is not None and time_limit >= WHOLE_THEN_FEW_FROM and separable(station, history)


def solve_whole_then_few(
    station: Station, week_start: dt.date, *, time_limit: float, days: int, workers: int,
    progress: ProgressCallback | None = None, stop: StopToken | None = None,
) -> Result:
    """The whole model for a share of the time, then a few people at a time from its roster.

    The whole model's bound stays a bound of the station: the neighbourhoods only lower the
    objective towards it, and a roster that meets it is optimal.
    """
    from .checker import check_roster
    from .solve import solve

    started = time.monotonic()
    columns_seconds = COLUMNS_SHARE * (1 - WHOLE_SHARE_BEFORE_COLUMNS) * time_limit  # what they would get
    share = WHOLE_SHARE_BEFORE_COLUMNS if columns.worth_it(station, days, columns_seconds) else WHOLE_SHARE
    whole = solve(station, week_start, "cpsat", time_limit=time_limit * share, progress=progress, stop=stop,
                  days=days, workers=workers, whole=True)
    if not whole.has_roster or whole.status is SolveStatus.OPTIMAL or whole.stopped:
        if whole.has_roster:  # CP-SAT's objective on an unproven roster is only at least its cost
            report = check_roster(station, week_start, whole.roster, days)
            whole.objective, whole.terms = report.objective, dict(report.terms)
        return whole

    offset = time.monotonic() - started

    def later(p: Progress) -> None:  # the few's progress, on the whole solve's clock and with its bound
        bounds = [b for b in (whole.bound, p.bound) if b is not None]
        progress(Progress(p.elapsed + offset, p.objective, max(bounds) if bounds else None))

    result = solve_by_person(station, week_start, time_limit=time_limit - offset, days=days, workers=workers,
                             progress=later if progress else None, stop=stop, start=whole.roster)
    result.bound = max((b for b in (whole.bound, result.bound) if b is not None), default=None)
    result.time_to_first = whole.time_to_first
    if result.bound is not None and result.objective <= result.bound:
        result.status = SolveStatus.OPTIMAL
    return result


def few_station(station: Station, few: list[Person], others: list[Assignment], dates: list[dt.date], *,
                window: set[dt.date] | None = None, current: list[Assignment] = (),
                demand: dict | None = None) -> Station:
    """The station of `few` people, its demand lowered by what the `others` cover (rows by date).

    With a `window` of dates, the few are re-planned on those dates only: elsewhere each may work
    at most the shift of their `current` roster. The demand rows outside the window where none of
    them works are left out; they no longer depend on the few, so the objective changes by a
    constant again, and the model shrinks to the window.
    """
    there = _present(station, others)
    worked = {(a.grid_id, a.date, a.shift_id) for a in current}
    rows = []
    for key, in_force in (demand or demand_in_force(station, dates)).items():
        if window is not None and key[1] not in window and key not in worked:
            continue
        present = there.get(key, [])
        for row in in_force:
            covered = _covered(row, present)
            rows.append(replace(row, day=key[1], min=max(0, row.min - covered), max=max(0, row.max - covered)))
    changes = {"demand": tuple(rows)}
    if window is not None:
        changes["availability"] = _held_outside(station, few, dates, window, current)
    return station.with_people(few, **changes)


def _present(station: Station, roster: list[Assignment]) -> dict[tuple[str, dt.date, str], list[Person]]:
    """(grid, date, shift) -> the people the roster has there."""
    by_id = station.people_by_id  # a property that builds the dict: once, not per assignment
    there: dict[tuple[str, dt.date, str], list[Person]] = {}
    for a in roster:
        there.setdefault((a.grid_id, a.date, a.shift_id), []).append(by_id[a.person_id])
    return there


def _covered(row, present: list[Person]) -> int:
    """How many of `present` count for a demand row (its role and skill)."""
    return sum(1 for p in present if row.counts(p))


def _held_outside(station: Station, few: list[Person], dates: list[dt.date], window: set[dt.date],
                  current: list[Assignment]) -> tuple[Availability, ...]:
    """The few's availability as given inside the window; outside it, only their current shifts."""
    ids = {p.person_id for p in few}
    given = [a for a in station.availability if a.person_id in ids]
    status = {(a.person_id, a.date, a.shift_id): a.status for a in given}
    rows = [a for a in given if a.date in window]
    rows += [Availability(p.person_id, date, None, "unavailable") for p in few for date in dates if date not in window]
    for a in current:  # a per-shift row beats a whole-day one; keep the status the shift has now
        if a.date not in window:
            now = slot_status(status, a.person_id, a.date, a.shift_id, "available")
            rows.append(Availability(a.person_id, a.date, a.shift_id, now))
    return tuple(rows)


class _Plan:
    """The roster being improved, person by person, and the time left."""

    def __init__(self, station, week_start, days, workers, time_limit, progress, stop):
        self.station, self.week_start, self.days, self.workers = station, week_start, days, workers
        self.dates = horizon_dates(week_start, days)
        self.started = time.monotonic()
        self.deadline = None if time_limit is None else self.started + time_limit * (1 - CHECK_RESERVE)
        self.progress, self.stop = progress, stop
        self.rosters: dict[str, list[Assignment]] = {}
        self.version = 0  # counts the rosters kept: a few's station built at another version is stale
        self.tried = self.kept = 0  # neighbourhoods solved and kept, for the log
        self.bound: float | None = None  # of the whole station, from column generation
        self.demand = demand_in_force(station, self.dates)
        # Saturdays and Sundays as the most weekends rule counts them (a weekend neighbourhood's days).
        self.weekends = calendar_weekends(self.dates)
        self.weekend_dates = {self.dates[d] for days in self.weekends for d in days}
        self.status = {(a.person_id, a.date, a.shift_id): a.status for a in station.availability}

    def everyone(self) -> list[Assignment]:
        """The whole station's roster: everyone's current one."""
        return [a for r in self.rosters.values() for a in r]

    def short(self) -> list[tuple[str, dt.date, str]]:
        """(grid, date, shift) where a demand row is below its min with everyone's roster."""
        there = _present(self.station, self.everyone())
        return [key for key, rows in self.demand.items() if any(_covered(row, there.get(key, [])) < row.min for row in rows)]

    def can_cover(self, person: Person, key: tuple[str, dt.date, str], caps: dict | None = None) -> bool:
        """The person may work there: available, a shift type they may work, a row of their role."""
        _grid, date, shift_id = key
        caps = self.station.shift_type_caps(person) if caps is None else caps
        if slot_status(self.status, person.person_id, date, shift_id) == "unavailable" or caps.get(shift_id) == 0:
            return False
        return any(row.role in (None, person.role) for row in self.demand[key])

    def coverable(self, person: Person) -> list[tuple[str, dt.date, str]]:
        """Every place the person may work (see can_cover)."""
        caps = self.station.shift_type_caps(person)
        return [key for key in self.demand if self.can_cover(person, key, caps)]

    def left(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.monotonic()

    def seconds(self, most: float) -> float:
        left = self.left()
        return most if left is None else min(most, left)

    def stopped(self) -> bool:
        left = self.left()
        return self.stopped_by_caller() or (left is not None and left <= 0)

    def stopped_by_caller(self) -> bool:
        return self.stop is not None and self.stop.stopped

    def others(self, few: list[Person]) -> list[Assignment]:
        ids = {p.person_id for p in few}
        return [a for pid, roster in self.rosters.items() if pid not in ids for a in roster]

    def few_station(self, few: list[Person], window: set[dt.date] | None = None) -> tuple[Station, list[Assignment]]:
        """The few's station against everyone else's current roster, and the few's own (the hint)."""
        hint = [a for p in few for a in self.rosters.get(p.person_id, [])]
        return few_station(self.station, few, self.others(few), self.dates, window=window, current=hint,
                           demand=self.demand), hint

    def cost(self) -> int:
        """The whole station's objective with everyone's current roster."""
        return self.price(self.station, self.everyone()).objective

    def price(self, sub: Station, roster: list[Assignment]):
        from .checker import check_roster

        return check_roster(sub, self.week_start, roster, self.days)


@dataclass
class _Move:
    """A neighbourhood handed to the runner: who, which kind, on which days, against which rosters."""

    few: list[Person]
    kind: int
    window: set[dt.date] | None
    sub: Station
    current: list[Assignment]  # the few's rosters when drawn; nobody else re-plans them meanwhile
    version: int
    began: float
    name: str = ""  # the kind's, for the log (KIND_NAMES)


def solve_by_person(
    station: Station, week_start: dt.date, *, time_limit: float | None, days: int, workers: int,
    progress: ProgressCallback | None = None, stop: StopToken | None = None, start: list[Assignment] | None = None,
) -> Result:
    """People one by one (or everyone's roster in `start`), then a few at a time until the time is
    up; checked whole at the end."""
    plan = _Plan(station, week_start, days, workers, time_limit, progress, stop)
    people = list(station.people)
    if plan.stopped():  # before anyone has a roster (and before starting processes for nothing)
        return _no_roster(plan, SolveStatus.NO_SOLUTION)
    run = runner(workers, time_limit, stop)
    try:
        if start is None:
            failed = _first_pass(plan, people, run)
            if failed is not None:
                return failed
        else:
            for p in people:
                plan.rosters[p.person_id] = [a for a in start if a.person_id == p.person_id]
        first = time.monotonic() - plan.started
        bound = _columns_bound(plan, people, run)
        objective = None if bound is not None and plan.cost() <= bound else _improve(plan, people, run)
    finally:
        run.close()
    log.info("by person: first roster after %.1f s; %d neighbourhoods, %d kept", first, plan.tried, plan.kept)
    roster = sorted(plan.everyone())
    report = plan.price(station, roster)
    if not report.ok:  # cannot happen by construction; never hand out a roster that breaks a rule
        raise RuntimeError(f"the people's rosters together break {len(report.violations)} rule(s): "
                           f"{report.violations[0]}")
    if objective is not None and objective != report.objective:
        raise RuntimeError(f"re-planning a few people lost track of the objective: {objective} != {report.objective}")
    if progress:
        progress(Progress(time.monotonic() - plan.started, report.objective, bound))
    proven = bound is not None and report.objective <= bound
    return Result(SolveStatus.OPTIMAL if proven else SolveStatus.FEASIBLE, "cpsat", objective=report.objective,
                  bound=bound, terms=dict(report.terms), roster=roster, wall_time=time.monotonic() - plan.started,
                  time_to_first=first, stopped=plan.stopped_by_caller())


def _columns_bound(plan: _Plan, people: list[Person], run) -> float | None:
    """Column generation on a station small enough, with a time limit: it may lower the plan's
    roster, and its bound (rounded up: objectives are integers) holds for the whole station."""
    seconds = None if plan.deadline is None else COLUMNS_SHARE * plan.left()
    if not (seconds is not None and columns.worth_it(plan.station, plan.days, seconds) and len(people) >= 2):
        return None
    bound = columns.improve_by_columns(plan, people, run, seconds).bound
    plan.bound = None if bound is None else float(math.ceil(bound - 1e-6))
    if plan.progress:
        plan.progress(Progress(time.monotonic() - plan.started, plan.cost(), plan.bound))
    return plan.bound


def _first_pass(plan: _Plan, people: list[Person], run) -> Result | None:
    """Everyone's first roster, each against the rosters of those done before; None when all have one.

    With several solves at once, a person does not see those solved beside them: a few places
    may be covered twice, which the neighbourhoods then undo.
    """
    waiting, running = list(people), {}
    pace = _Pace()
    coverable = {p.person_id: plan.coverable(p) for p in people}
    weekend_share = {p.person_id: _weekend_share(plan, p) for p in people}

    def counts(person: Person, key) -> float:  # how far a person still to come counts as able there
        return weekend_share[person.person_id] if key[1] in plan.weekend_dates else 1.0

    able: Counter = Counter()  # by those still without a roster
    for p in people:
        for key in coverable[p.person_id]:
            able[key] += counts(p, key)
    while waiting or running:
        while waiting and len(running) < run.capacity:
            if plan.stopped():  # stopped before everyone has a roster: there is no roster to give
                return _no_roster(plan, SolveStatus.NO_SOLUTION)
            person, began = waiting.pop(0), time.monotonic()
            seconds, short = first_seconds(plan.left(), len(waiting) + len(running) + 1, run.capacity, pace)
            for key in coverable[person.person_id]:
                able[key] -= counts(person, key)
            sub = _scarce_first(plan.station, plan.few_station([person])[0], able)
            running[run.submit(sub, plan.week_start, plan.days, seconds, None, FIRST_GAP, short)] = \
                (person, sub, seconds, short, began)
        done, _ = wait(running, return_when=FIRST_COMPLETED)
        for future in done:
            person, sub, seconds, short, began = running.pop(future)
            result = future.result()
            pace.add(time.monotonic() - began, seconds, short)
            if not result.has_roster and result.status is not SolveStatus.INFEASIBLE and not plan.stopped():
                # A hard one: again with more time, beside the others (solved here, it held them up).
                seconds = plan.seconds(4 * seconds)
                again = run.submit(sub, plan.week_start, plan.days, seconds, None, FIRST_GAP, short)
                running[again] = (person, sub, seconds, short, time.monotonic())
                continue
            if not result.has_roster:
                status = SolveStatus.INFEASIBLE if result.status is SolveStatus.INFEASIBLE else SolveStatus.NO_SOLUTION
                return _no_roster(plan, status, result.conflicts)
            plan.rosters[person.person_id] = result.roster
            if plan.progress:
                plan.progress(Progress(time.monotonic() - plan.started, None, None))
    return None


def first_seconds(left: float | None, remaining: int, capacity: int, pace: _Pace) -> tuple[float, bool]:
    """CP-SAT's seconds for the next person's first roster, and whether the time is short.

    `remaining` people (this one included) are still without one, solved `capacity` at a time, at
    the `pace` of the solves so far.

    Normally FIRST_SHARE of the time left shared among them, within FIRST_SECONDS and
    MOST_FIRST_SECONDS; solves side by side share the cores, so each gets `capacity` times that, as
    much of them as it would alone (Instance24 with 2 s each, two at a time: first roster 348,654,
    end 230,069 against 161,289). Less when the time left is short (FIRST_SHARE_SHORT).
    Without a time limit, MOST_FIRST_SECONDS: a person's model proves slowly and the few at a time
    re-plan them anyway.
    """
    if left is None:
        return MOST_FIRST_SECONDS * capacity, False
    usual = max(FIRST_SECONDS, min(MOST_FIRST_SECONDS, FIRST_SHARE * left / remaining)) * capacity
    # Measured, not assumed: many people prove their roster well within the usual seconds.
    if pace.usual is None or remaining / capacity * pace.usual <= FIRST_SHARE_SHORT * left:
        return usual, False
    return max(LEAST_FIRST_SECONDS, FIRST_SHARE_SHORT * left * capacity / remaining - pace.beyond), True


class _Pace:
    """How long the first pass's solves take: the mean wall time of those with the usual seconds
    (None before the first), and the mean of what any solve costs beyond its limit."""

    def __init__(self):
        self.usual_walls: list[float] = []
        self.beyonds: list[float] = []

    def add(self, wall: float, seconds: float, short: bool) -> None:
        self.beyonds.append(max(0.0, wall - seconds))
        if not short:
            self.usual_walls.append(wall)

    @property
    def usual(self) -> float | None:
        return fmean(self.usual_walls) if self.usual_walls else None

    @property
    def beyond(self) -> float:
        return fmean(self.beyonds) if self.beyonds else FIRST_OVERHEAD


def _weekend_share(plan: _Plan, person: Person) -> float:
    """The share of the horizon's weekends a person may work (their most weekends rule; 1 without).

    In the first pass a person counts for a weekend place only by this share: with a most weekends
    rule, those still to come can cover only so many of the weekend places they are able to, and
    weekends are where long Curtois-Qu rosters are left short. First rosters of Instances 13, 19, 21,
    22 and 24: 7,111 / 8,806 / 32,645 / 55,373 / 119,330 against 7,930 / 9,636 / 41,938 / 64,456 /
    132,161 counting everyone in full (docs/solver-notes.md).
    """
    most = plan.station.person_rule(person, "max_weekends")
    return 1.0 if most is None or not plan.weekends else min(1.0, most / len(plan.weekends))


def _scarce_first(station: Station, sub: Station, able: Counter) -> Station:
    """A person's first-pass station with the places few of those still to come could cover weighing
    more (up to 1 + SCARCE_WEIGHT times), in proportion to the people still missing there."""
    grids = station.grids_by_id  # a property that builds the dict: once, not per row
    rows = []
    for row in sub.demand:
        if row.min > 0:
            base = under_weight(row, station.weights.uncovered, grids[row.grid_id].level)
            scarcity = min(1.0, row.min / (able[(row.grid_id, row.day, row.shift_id)] + 1))
            row = replace(row, under_weight=round(base * (1 + SCARCE_WEIGHT * scarcity)))
        rows.append(row)
    return replace(sub, demand=tuple(rows))


def _no_roster(plan: _Plan, status: SolveStatus, conflicts=()) -> Result:
    return Result(status, "cpsat", conflicts=list(conflicts), wall_time=time.monotonic() - plan.started,
                  stopped=plan.stopped_by_caller())


def _improve(plan: _Plan, people: list[Person], run) -> int | None:
    """A few people at a time re-planned against everyone else; kept when the whole gets better."""
    if plan.stopped() or len(people) < 2:
        return None
    objective = plan.cost()
    log.info("by person: first roster %d after %.1f s", objective, time.monotonic() - plan.started)
    if plan.progress:
        plan.progress(Progress(time.monotonic() - plan.started, objective, plan.bound))
    rng = random.Random(SEED)
    kinds = _kinds(plan)  # taken in turn
    size = [0] * len(kinds)
    step = stalled = 0
    running: dict = {}
    while True:
        # Without a time limit: until many neighbourhoods in a row bring nothing (a local optimum).
        while len(running) < run.capacity and not plan.stopped() \
                and (plan.deadline is not None or stalled < STALLED_ROUNDS * len(people)):
            kind = step % len(kinds)
            if running and _takes_everyone(kinds[kind], size[kind], people):
                break  # its turn waits for the running ones to end
            step += 1
            move = _next_move(plan, people, kind, kinds[kind], size[kind], running.values(), rng)
            if move is None:  # everyone is being re-planned already: wait for one
                break
            running[run.submit(move.sub, plan.week_start, plan.days, plan.seconds(FEW_SECONDS), move.current)] = move
        if not running:
            return objective
        done, _ = wait(running, return_when=FIRST_COMPLETED)
        for future in done:
            move = running.pop(future)
            result = future.result()
            stalled += 1
            gain = _keep_if_better(plan, move, result)
            size[move.kind] = _next_size(size[move.kind], len(kinds[move.kind][0]), result, gain)
            if gain:
                objective -= gain
                stalled = 0
                if plan.progress:
                    plan.progress(Progress(time.monotonic() - plan.started, objective, plan.bound))
                if plan.bound is not None and objective <= plan.bound:
                    plan.deadline = time.monotonic()  # proven optimal: hand out no more moves


def _kinds(plan: _Plan) -> list[tuple[tuple[int, ...], int | str | None]]:
    """The kinds of neighbourhood for this station, each (its sizes, its window): a few people over
    the whole horizon (what a person's totals need), more people over a window of days (what
    swapping shifts on a day needs), on long horizons with a most weekends rule more people on every
    weekend day (who works which weekend), and many people on a few consecutive days or on single
    days anywhere (chains of swaps between many people). Each grows while CP-SAT proves its models
    well within their time and they gain nothing (_next_size)."""
    long = plan.days >= 2 * WINDOW_DAYS
    return [(FEW, None)] + ([(IN_WINDOW, WINDOW_DAYS)] if long else []) \
        + ([(ON_WEEKENDS, WEEKENDS)] if long and _weekends_capped(plan.station) else []) \
        + ([(ON_FEW_DAYS, FEW_DAYS)] if MANY_ON_FEW_DAYS and plan.days >= 2 * FEW_DAYS else [])


def _takes_everyone(shape, size: int, people: list[Person]) -> bool:
    """A kind of many people at a size of the whole station: it runs alone, with everyone in it
    (EVERYONE_ALONE). A chain of swaps through the people a running move holds is cut otherwise,
    and on a tight cover nearly every chain runs through someone (docs/solver-notes.md)."""
    sizes, window_days = shape
    return EVERYONE_ALONE and window_days == FEW_DAYS and sizes[size] >= len(people)


def _next_size(size: int, sizes: int, result: Result, gain: int) -> int:
    """A kind's next size (an index into its `sizes`): smaller when CP-SAT did not prove the last
    one optimal; larger when it proved it optimal within GROW_WITHIN of its seconds and it gained
    nothing (GROW_ON_GAIN: whether or not it gained); else the same."""
    if result.status is not SolveStatus.OPTIMAL:
        return max(size - 1, 0)
    if gain and not GROW_ON_GAIN:
        return size
    return min(size + 1, sizes - 1) if result.wall_time <= GROW_WITHIN * FEW_SECONDS else size


def _next_move(plan: _Plan, people: list[Person], kind: int, shape, size: int, running, rng) -> _Move | None:
    """The next neighbourhood of this kind, drawn from the people in no running one (None: nobody left)."""
    sizes, window_days = shape
    busy = {p.person_id for move in running for p in move.few}
    free = [p for p in people if p.person_id not in busy]
    if not free:
        return None
    few, around = _pick(plan, free, sizes[size], rng)
    if window_days == FEW_DAYS and plan.days >= 2 * SCATTERED_DAYS and rng.random() < SCATTERED_SHARE:
        window_days = SCATTERED
    window = None
    if window_days == WEEKENDS:
        window = plan.weekend_dates
    elif window_days == SCATTERED:  # the short place's date, if any, and others anywhere
        others = [d for d in plan.dates if d != around]
        window = set(rng.sample(others, SCATTERED_DAYS - (around is not None))) | ({around} if around else set())
    elif window_days:
        day = plan.dates.index(around) if around else rng.randrange(plan.days)
        first = min(max(0, day - window_days // 2), plan.days - window_days)
        window = set(plan.dates[first:first + window_days])
    sub, current = plan.few_station(few, window)
    return _Move(few, kind, window, sub, current, plan.version, time.monotonic(), KIND_NAMES[window_days])


def _weekends_capped(station: Station) -> bool:
    """Someone has a most weekends rule (their own or the station's)."""
    return any(station.person_rule(p, "max_weekends") is not None for p in station.people)


def _keep_if_better(plan: _Plan, move: _Move, result: Result) -> int:
    """Keeps the few's new roster when the checker prices it below their current one; the gain, or 0.

    A move solved while another was kept saw the others' old rosters: its station is built again
    and both rosters priced on it. Their own rules hold whatever the others do (separable).
    """
    if not result.has_roster:
        return 0
    plan.tried += 1
    stale = move.version != plan.version
    sub = plan.few_station(move.few, move.window)[0] if stale else move.sub
    current = plan.price(sub, move.current)
    # CP-SAT's objective is at least the new roster's cost (its terms are not settled exactly).
    new = plan.price(sub, result.roster) if stale or result.objective < current.objective else current
    log.debug("by person: %s, %d people, window %s, %s in %.1f s, %d -> %d", move.name, len(move.few),
              len(move.window) if move.window else None, result.status.value, time.monotonic() - move.began,
              current.objective, new.objective)
    if not (new.ok and new.objective < current.objective):
        return 0
    plan.kept += 1
    plan.version += 1
    for p in move.few:
        plan.rosters[p.person_id] = [a for a in result.roster if a.person_id == p.person_id]
    return current.objective - new.objective


def _pick(plan: _Plan, people: list[Person], n: int, rng: random.Random) -> tuple[list[Person], dt.date | None]:
    """`n` people to re-plan: half of the time around a place left short, with people who could
    cover it among them (and the date to centre a window on); else at random."""
    n = min(n, len(people))
    short = plan.short() if rng.random() < TARGETED else []
    if not short:
        return rng.sample(people, n), None
    key = rng.choice(short)
    able = [p for p in people if plan.can_cover(p, key)]
    few = rng.sample(able, min(len(able), max(1, n // 2)))
    rest = [p for p in people if p not in few]
    return few + rng.sample(rest, n - len(few)), key[1]
