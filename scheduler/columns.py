"""Column generation for stations with no ties between people (by_person.separable).

Every roster of one person that keeps their own rules is a column: what it costs the person
alone (requests, preferences) and which demand rows it counts for. The master chooses one
column per person so that the cover terms and the people's own costs are least. Its LP
relaxation is solved by CBC; its duals price the demand rows, and each person's best column
against those prices is found by CP-SAT on the person's own station, the rows re-weighted by
their prices (`pricing_station`). The master solved as an integer program over the columns
found (CBC, from the current rosters) gives the roster. Each round's prices also give a bound
of the whole station (a Lagrangian relaxation of the demand rows), far tighter than the compact
model's: it proves Curtois-Qu Instance11 optimal (3,443) in 120 s, where the whole model's bound
stays 0.4% below.

Once the LP settles, the columns near it (NearLp): every roster of each person whose reduced cost
is small, enumerated by CP-SAT, joins the master. A roster cheaper than the one in hand can only
be made of such columns, so the master over them finds rosters the priced columns miss (Instance6
1,950 and Instance7 1,056, their best known, against 1,952 and 1,062 before), and where they are
all found it proves the roster optimal above the LP (Instance1: 607, LP 558).

Measured on Curtois-Qu at 120 s (docs/solver-notes.md): Instance4 1,716 (best known), Instance6
1,952 (best known 1,950; 2,028-2,046 before, also at 600 s), Instance11 3,443. On longer horizons
and larger stations the LP does not settle in the time and the share given to it is lost
(Instance17, 56 days: 7,123 against 6,515 without; Instance12, 16,800 person-slots: 5,071 against
4,723), so the engine uses it up to COLUMNS_MOST_DAYS days and COLUMNS_UP_TO person-slots, and
beyond four weeks only with minutes for it: Instance15 (42 days) at 600 s, 4,063 and 4,055 against
4,128-4,920 without, its rosters' requests 210-216 against 278-294; Instance16 (56 days) 3,225, its
best known value, against 3,339-3,440; Instance18 (84 days) 4,466 and 4,560 against 4,798-5,374.

Beyond four weeks, where the LP barely moves while its bound is far (lp_stalled), has not settled
when its time is up, or has settled with no time left for the columns near it, a dive (dive.py)
makes the roster instead of the master's integer program, whose rosters over the columns priced
are far from the LP (Instance15: 6,043-6,349, LP 3,823.7). The dive stops where its LP climbs and
CP-SAT plans the people still free: Instance15 at 600 s ends at 3,844-4,047 (benchmark 3,844,
+0.42%) against 4,055-4,080 with the integer program.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
from collections import Counter
from dataclasses import dataclass, replace

from .dive import dive
from .formulation import under_weight
from .model import Assignment, Person, Station

log = logging.getLogger(__name__)

COLUMNS_UP_TO = 12_000  # person-slots (people x shift types x days)
COLUMNS_MOST_DAYS = 84
# Beyond four weeks the LP takes minutes to settle (Curtois Instance15, 42 days: 55 rounds in
# 425 s; Instance16, 56 days: 42 rounds in 357 s; Instance18, 84 days: 77 rounds in 425 s), so a
# longer horizon gets column generation only with this many seconds for it.
COLUMNS_SHORT_DAYS = 28
COLUMNS_LONG_SECONDS = 300.0
# Beyond four weeks the LP stops after STALLED_ROUNDS rounds that lower it by less than
# STALLED_SHARE of its value in all, if its bound is still more than BOUND_FAR below it. Instance15
# stalls from round 45 (3,823.8, bound 3,811.7) and settles only at round 65 (345 s of 425 at
# 600 s). Instance16 stalls at round 32 with its bound within 0.1%: it settles ten rounds later, the
# columns near its LP then run and its bound comes within 1 of its best known value (3,224, 3,225).
# Instance17 does not stop either, and its settled bound proves its best known 5,746 optimal.
STALLED_ROUNDS = 5
STALLED_SHARE = 0.0005
BOUND_FAR = 0.002
SCALE = 100  # prices and the person's own weights are scaled and rounded to CP-SAT's integers
SMOOTHING = 0.5  # the prices a round uses: this share of the last round's, the rest the LP's new duals
PRICE_SECONDS = 2.0
IP_SHARE = 0.2  # of the time given, kept for the integer program over the columns
# Columns near the LP (NearLp), after the master's integer program over the columns priced:
# every column of reduced cost up to each of NEAR_STEPS in turn (or up to what a cheaper roster
# could use, if less), each step followed by the master's integer program on NEAR_IP_SHARE of the
# time left (the last step's: all of it); each person's enumeration at most NEAR_SECONDS and
# NEAR_ENUMERATION_SHARE of the time left, and a share (at least NEAR_LEAST) of the columns the
# master may still take up to NEAR_MOST, about what CBC's integer program handles in a minute or
# two; those cut short are asked again with what the others left, up to NEAR_MORE_SECONDS.
NEAR_STEPS = (1.0, 4.0, 16.0, math.inf)
NEAR_IP_SHARE = 0.5
NEAR_SECONDS = 10.0
NEAR_MORE_SECONDS = 40.0  # for the people cut short, with what the others left
NEAR_ENUMERATION_SHARE = 0.5
NEAR_MOST = 40_000
NEAR_LEAST = 500
LP_TOLERANCE = 1e-3  # of CBC's LP value
NEAR_SCALE = 10_000  # finer than SCALE: the rounding would let in columns beyond the threshold


@dataclass(frozen=True)
class _Row:
    key: tuple[str, dt.date, str]
    row: object  # the demand row, dated
    under: int  # per person missing below min
    over: int  # per person above min


@dataclass
class _Column:
    person_id: str
    roster: list[Assignment]
    places: frozenset  # (grid, date, shift) worked: what tells two rosters of a person apart
    cost: int  # the person's own terms
    rows: list[int]  # indices of the rows it counts for


class Master:
    """The columns found so far and the master problem over them."""

    def __init__(self, station: Station, week_start: dt.date, days: int, demand: dict):
        self.station, self.week_start, self.days = station, week_start, days
        grids = station.grids_by_id
        weights = station.weights
        self.rows: list[_Row] = []
        for key, in_force in demand.items():
            for row in in_force:
                under = under_weight(row, weights.uncovered, grids[row.grid_id].level) if row.min > 0 else 0
                over = row.over_weight if row.over_weight is not None else weights.over_demand
                over = 0 if row.skill is not None else over  # skill rows count no headcount (checker.over_demand)
                self.rows.append(_Row(key, replace(row, day=key[1]), under, over))
        self.at: dict[tuple, list[int]] = {}
        for i, r in enumerate(self.rows):
            self.at.setdefault(r.key, []).append(i)
        free = tuple(replace(r.row, min=0, under_weight=0, over_weight=0) for r in self.rows)
        self.own = {p.person_id: station.with_people([p], demand=free) for p in station.people}
        self.columns: list[_Column] = []
        self.seen: set[tuple[str, frozenset]] = set()

    def add(self, person: Person, roster: list[Assignment]) -> _Column | None:
        """The person's roster as a column (None when it is known already)."""
        from .checker import check_roster

        places = _places(roster)
        marker = (person.person_id, places)
        if marker in self.seen:
            return None
        report = check_roster(self.own[person.person_id], self.week_start, roster, self.days)
        if not report.ok:  # cannot happen: a pricing station keeps every rule of the person's
            raise RuntimeError(f"a priced roster of {person.person_id} breaks {report.violations[0]}")
        rows = [i for a in roster for i in self.at.get((a.grid_id, a.date, a.shift_id), ())
                if self.rows[i].row.counts(person)]
        column = _Column(person.person_id, list(roster), places, report.objective, rows)
        self.seen.add(marker)
        self.columns.append(column)
        return column

    def problem(self, relax: bool, fixed: dict[str, int] | None = None):
        """The master as a PuLP problem, its y variables by column, its constraints of the people
        (one column each) and of the rows (in the order of self.rows), and each row's short and
        over variables (short None where the row's min is 0). `fixed`: a person's column (by
        index) that they must take."""
        import pulp

        prob = pulp.LpProblem("master", pulp.LpMinimize)
        cat = pulp.LpContinuous if relax else pulp.LpBinary
        taken = set((fixed or {}).values())
        y = [prob.add_variable(f"y_{j}", 1 if j in taken else 0, 1, cat=cat) for j in range(len(self.columns))]
        mine: dict[str, list] = {p.person_id: [] for p in self.station.people}
        counted: list[list] = [[] for _ in self.rows]
        for j, column in enumerate(self.columns):
            mine[column.person_id].append(y[j])
            for i in column.rows:
                counted[i].append(y[j])
        objective = [c.cost * y[j] for j, c in enumerate(self.columns)]
        people, rows, slacks = {}, [], []
        for k, person in enumerate(self.station.people):
            people[person.person_id] = pulp.lpSum(mine[person.person_id]) == 1
            prob.addConstraint(people[person.person_id], f"person_{k}")
        for i, r in enumerate(self.rows):
            # count + short - over == min: below min the short ones cost `under`, above it `over`.
            short = prob.add_variable(f"short_{i}", 0, r.row.min) if r.row.min > 0 else None
            over = prob.add_variable(f"over_{i}", 0, None)
            slacks.append((short, over))
            short = 0 if short is None else short
            objective += [r.under * short, r.over * over]
            rows.append(pulp.lpSum(counted[i]) + short - over == r.row.min)
            prob.addConstraint(rows[-1], f"row_{i}")
        prob += pulp.lpSum(objective)
        return prob, y, people, rows, slacks

    def duals(self) -> tuple[float, list[float], dict[str, float]]:
        """The LP's optimum, each row's price and each person's (their one-column constraint)."""
        return self.lp()[:3]

    def lp(self, fixed: dict[str, int] | None = None) -> tuple[float, list[float], dict[str, float], list[float]]:
        """The LP (with the `fixed` people's columns taken): its optimum, each row's price, each
        person's, and each column's value."""
        import pulp

        from .cbc_run import cbc_binary

        prob, y, people, rows, _ = self.problem(relax=True, fixed=fixed)
        prob.solve(pulp.COIN_CMD(path=cbc_binary(), msg=False, threads=1))
        if prob.status != pulp.LpStatusOptimal:
            raise RuntimeError(f"the master LP ended {pulp.LpStatus[prob.status]}")
        return (pulp.value(prob.objective), [c.pi or 0.0 for c in rows],
                {pid: c.pi or 0.0 for pid, c in people.items()}, [v.varValue or 0.0 for v in y])

    def best_roster(self, seconds: float, current: dict[str, list[Assignment]],
                    stop=None) -> tuple[list[Assignment] | None, bool]:
        """The master solved over the columns as an integer program, from the current rosters; and
        whether CBC proved it optimal over them."""
        from .cbc_run import run_cbc

        prob, y, _, _, slacks = self.problem(relax=False)
        self.start_from(current, y, slacks)
        run = run_cbc(prob, time_limit=max(1.0, seconds), threads=1, stop=stop, mip_start=True)
        if run.status not in ("optimal", "feasible"):
            return None, False
        roster = [a for j, c in enumerate(self.columns) if run.values.get(y[j].name, 0) > 0.5 for a in c.roster]
        return roster, run.status == "optimal" and not run.stopped

    def start_from(self, current: dict[str, list[Assignment]], y: list, slacks: list) -> None:
        """The problem's initial values: each person's current roster, each row's short and over
        where those rosters leave it."""
        now = {pid: _places(r) for pid, r in current.items()}
        counted = Counter()
        for j, column in enumerate(self.columns):
            chosen = now.get(column.person_id) == column.places
            y[j].setInitialValue(1 if chosen else 0)
            counted.update(column.rows if chosen else ())
        # The rows' short and over variables start where the rosters leave them: CBC takes a start
        # only as a whole, and with them unset it rejected every one ("mipstart values could not
        # be used"; Instance12's master started from nothing and ended at 8,484 over rosters of 7,565).
        for i, (short, over) in enumerate(slacks):
            if short is not None:
                short.setInitialValue(max(0, self.rows[i].row.min - counted[i]))
            over.setInitialValue(max(0, counted[i] - self.rows[i].row.min))

    def reduced_cost(self, column: _Column, prices: list[float], mine: float) -> float:
        return column.cost - sum(prices[i] for i in column.rows) - mine


def price(master: Master, people: list[Person], prices: list[float], scale: int, at: tuple, run, plan,
          seconds: float) -> tuple[int, float | None]:
    """Each person's best roster at `prices` into the master (a pricing round): how many of them
    are new columns priced below the LP's duals `at` (row prices, people's prices), and the
    Lagrangian bound at `prices` (None where a pricing has no bound)."""
    duals, mine = at
    futures = {}
    for p in people:
        sub, offset = pricing_station(master, p, prices, scale)
        futures[run.submit(sub, plan.week_start, plan.days, seconds, None, 0.0)] = (p, offset)
    added, least = 0, sum(pi * r.row.min for r, pi in zip(master.rows, prices, strict=True))
    for future, (person, offset) in futures.items():
        result = future.result()
        if least is not None and result.bound is not None:
            least += (result.bound - offset) / scale  # the person's least reduced cost, at most
        else:
            least = None
        if result.has_roster:
            column = master.add(person, result.roster)
            added += column is not None and master.reduced_cost(column, duals, mine[person.person_id]) < -1e-6
    return added, least


def pricing_station(master: Master, person: Person, prices: list[float], scale: int = SCALE) -> tuple[Station, float]:
    """The person's own station, each demand row weighted by its price (times `scale`, rounded): a
    positive price is earned by working there (a row of min 1 and that under weight), a negative
    one paid (min 0 and that over weight). Its objective on a roster x is K + scale * (x's own
    cost - the prices of x's rows), K the positive scaled prices, up to the rounding; returned
    beside the station is what turns its bound into a bound of that reduced cost (K and the worst
    the rounding can do)."""
    rows, constant, rounding = [], 0, 0.0
    for r, price in zip(master.rows, prices, strict=True):
        scaled = round(scale * price) if r.row.counts(person) else 0
        if scaled > 0:
            rows.append(replace(r.row, min=1, under_weight=scaled, over_weight=0))
            constant += scaled
        else:
            rows.append(replace(r.row, min=0, under_weight=0, over_weight=max(0, -scaled)))
        if r.row.counts(person):
            rounding += max(0.0, scale * price - scaled)  # a row worked earns at most this much more
    station = master.station
    requests = tuple(replace(q, weight=q.weight * scale) for q in station.requests if q.person_id == person.person_id)
    w = station.weights
    weights = replace(w, not_preferred=w.not_preferred * scale, away_from_home=w.away_from_home * scale)
    return station.with_people([person], demand=tuple(rows), requests=requests, weights=weights), constant + rounding


@dataclass
class Outcome:
    gain: int  # how much the plan's roster got cheaper
    bound: float | None  # a lower bound of the whole station's objective (Lagrangian), if every pricing had one
    rounds: int
    columns: int


def improve_by_columns(plan, people: list[Person], run, seconds: float) -> Outcome:
    """Column generation for `seconds` from the plan's rosters, then the master as an integer
    program; the plan takes its roster when the checker prices it lower.

    Each round also gives a bound (Lagrangian relaxation of the demand rows at the round's prices
    pi, within [-over, under] of each row): sum of pi * min, less what buying short costs where pi
    is above `under`, plus each person's least reduced cost, taken from CP-SAT's bound on their
    pricing station. It holds for every roster of the station, not only for the columns."""
    started = time.monotonic()
    deadline = started + seconds
    if seconds < 3 * PRICE_SECONDS:  # not even a round and the integer program
        return Outcome(0, None, 0, 0)
    master = Master(plan.station, plan.week_start, plan.days, plan.demand)
    for p in people:
        master.add(p, plan.rosters[p.person_id])
    cost = plan.cost()
    smoothed, exact, rounds, lp, best_bound = None, False, 0, None, None
    converged, history = False, []
    while time.monotonic() < deadline - max(PRICE_SECONDS, IP_SHARE * seconds) and not plan.stopped_by_caller():
        lp, duals, mine = master.duals()
        # Smoothed prices take fewer rounds to settle (the LP's duals jump from round to round).
        mixed = duals if smoothed is None or exact else \
            [SMOOTHING * a + (1 - SMOOTHING) * b for a, b in zip(smoothed, duals, strict=True)]
        smoothed = [min(r.under, max(-r.over, price)) for r, price in zip(master.rows, mixed, strict=True)]
        seconds_each = min(PRICE_SECONDS, max(0.5, deadline - time.monotonic()))
        # The LP's own duals are priced finely: at SCALE's rounding the rounds end with columns
        # still below them (Instance7: every step near the LP found some).
        added, least = price(master, people, smoothed, NEAR_SCALE if exact else SCALE, (duals, mine), run, plan,
                             seconds_each)
        if least is not None and (best_bound is None or least > best_bound):
            best_bound = least
        rounds += 1
        log.debug("columns: round %d, LP %.2f, %d below the duals, bound %s", rounds, lp, added, best_bound)
        if best_bound is not None and math.ceil(best_bound - 1e-6) >= min(cost, math.ceil(lp - 1e-6)):
            converged = math.ceil(best_bound - 1e-6) < cost
            break  # the roster in hand is optimal, or the LP cannot go lower
        history.append(lp)
        if plan.days > COLUMNS_SHORT_DAYS and lp_stalled(history, best_bound):
            break  # what is left goes to a dive and the neighbourhoods
        if not added:
            if exact:
                converged = True
                break  # no column prices below the LP's own duals: the LP is at its optimum
            exact = True  # the smoothed prices found nothing: from now on the LP's own
    # A bound at or below 0 says nothing (no term is negative): early prices are far from the LP's.
    outcome = Outcome(0, best_bound if best_bound is not None and best_bound > 0 else None, rounds, len(master.columns))
    stop = plan.stop.event if plan.stop is not None else None
    near_deadline = deadline - IP_SHARE * seconds
    near = NearLp(master, people, run, plan, near_deadline) \
        if converged and near_deadline - time.monotonic() >= 2 * PRICE_SECONDS else None
    # Beyond four weeks, the LP stalled, unsettled at the end of its time, or settled with no time
    # left for the columns near it: the columns priced seldom make a roster near the LP whole (the
    # integer program over them neither), diving does.
    roster = dive(master, people, run, plan, deadline) if near is None and plan.days > COLUMNS_SHORT_DAYS else None
    if roster is None:
        share = NEAR_IP_SHARE if near is not None else 1.0
        roster, _ = master.best_roster(share * (deadline - time.monotonic()), plan.rosters, stop)
    cost -= _keep(plan, people, roster, cost, outcome)
    if near is not None:
        near.improve(cost, outcome, deadline, stop)
    outcome.columns = len(master.columns)
    log.info("columns: %d rounds, %d columns, LP %.1f, %.1f s", rounds, len(master.columns), lp or 0,
             time.monotonic() - started)
    return outcome


def lp_stalled(history: list[float], bound: float | None) -> bool:
    """The LP's values round by round barely move (less than STALLED_SHARE in STALLED_ROUNDS
    rounds) while the bound is still far below (more than BOUND_FAR): settling would take long."""
    lp = history[-1]
    return len(history) > STALLED_ROUNDS and history[-1 - STALLED_ROUNDS] - lp < STALLED_SHARE * lp \
        and bound is not None and lp - bound > BOUND_FAR * lp


def _keep(plan, people: list[Person], roster: list[Assignment] | None, cost: int, outcome: Outcome) -> int:
    """The master's roster becomes the plan's when the checker prices it below `cost`; the gain."""
    if roster is None:
        return 0
    after = plan.price(plan.station, roster)
    if not (after.ok and after.objective < cost):
        return 0
    plan.version += 1
    for p in people:
        plan.rosters[p.person_id] = [a for a in roster if a.person_id == p.person_id]
    outcome.gain += cost - after.objective
    return cost - after.objective


class NearLp:
    """Every column whose reduced cost at the LP's optimal duals is small, person by person.

    Why: at the LP's optimum every roster of the station costs the LP's value plus the reduced
    costs of its columns (each at least 0 once no column prices below the duals; the cover
    variables' too). A roster cheaper than the one in hand (cost - 1 at most) is therefore made
    of columns of reduced cost at most cost - 1 - LP, and the master over all of them finds it.
    On Curtois-Qu Instance6 (LP 1,949.0) every such column of 16 of its 18 people, and 20,000 of
    the other two, gave the best known 1,950 where the master over the priced columns gave 1,958;
    Instance7 1,056 (its best known) from 1,067 with those of reduced cost 1 or less. Those
    columns are many where the gap is wide (Instance6: up to 20,000 a person within 1.0 of the
    LP), so they are taken in steps, the nearest first (NEAR_STEPS), each person up to a share of
    what the master may still take (NEAR_MOST), more for those cut short. When every person's are
    all there (the enumeration complete) and none prices below the duals, the master's integer
    optimum over them is the station's: a bound.
    """

    def __init__(self, master: Master, people: list[Person], run, plan, deadline: float):
        self.master, self.people, self.run, self.plan, self.deadline = master, people, run, plan, deadline
        self.lp, self.duals, self.mine = master.duals()
        self.within = -1.0  # the reduced cost up to which every column is known (below 0: none)
        self.asked = -1.0  # the reduced cost up to which columns were asked for at these duals

    def improve(self, cost: int, outcome: Outcome, deadline: float, stop) -> None:
        """The steps: columns up to each of NEAR_STEPS (at most what a cheaper roster could use),
        each followed by the master's integer program, until one proves the roster in hand optimal."""
        for most in NEAR_STEPS:
            threshold = min(most, cost - 1 - self.lp)
            if threshold <= self.asked or self.full() or not self.enumerate(threshold):
                break  # nothing more to ask for (the master lowered the roster), the master is full, or no time
            # CBC seldom proves the master optimal well before its limit (Instance7: 700 columns,
            # LP 1,054.1, rosters 1,057), so only the last step's program gets all the time left.
            last = self.asked >= cost - 1 - self.lp - 1e-6 or self.full()
            share = 1.0 if last else NEAR_IP_SHARE
            roster, optimal = self.master.best_roster(share * (deadline - time.monotonic()), self.plan.rosters, stop)
            cost -= _keep(self.plan, self.people, roster, cost, outcome)
            if self.proves(cost, optimal):
                outcome.bound = float(cost)
                return

    def full(self) -> bool:
        return len(self.master.columns) >= NEAR_MOST

    def enumerate(self, threshold: float) -> bool:
        """Adds every column of reduced cost up to `threshold`; False when there is no time for it.
        When some price below the duals (the LP was not at its optimum after all), the LP is solved
        again with them and nothing is proven until every column is asked for again."""
        started = time.monotonic()
        left = self.deadline - started
        if threshold < -LP_TOLERANCE or left < 2 * PRICE_SECONDS:
            return False
        # A roster at the LP's value (Instance10: 4,631) is made of columns at reduced cost 0,
        # which the LP's rounding may put a hair below the gap.
        threshold = max(threshold, 0.0) + 1e-6
        seconds = min(NEAR_SECONDS, NEAR_ENUMERATION_SHARE * left * self.run.capacity / len(self.people))
        more = max(NEAR_LEAST, (NEAR_MOST - len(self.master.columns)) // len(self.people))
        complete, below, cut = self._ask(self.people, threshold, more, seconds)
        if cut and not below:
            # Most people have few columns near the LP and a few have thousands (Instance7: one
            # person 3,627 at reduced cost 0, the others 2-366): those cut short get what the
            # others left of the columns and of the time.
            more = (NEAR_MOST - len(self.master.columns)) // len(cut)
            time_left = NEAR_ENUMERATION_SHARE * left - (time.monotonic() - started)
            seconds = min(NEAR_MORE_SECONDS, time_left * self.run.capacity / len(cut))
            if more >= NEAR_LEAST and seconds > PRICE_SECONDS:  # the others' are all found already
                complete, below, cut = self._ask(cut, threshold, more, seconds)
        log.info("columns: every column within %.2f of the LP %.1f: %d in all, complete %s, below %s", threshold,
                 self.lp, len(self.master.columns), complete, below)
        if below:
            self.within = self.asked = -1.0
            self.lp, self.duals, self.mine = self.master.duals()
        else:
            self.asked = threshold
            self.within = threshold if complete else self.within
        return True

    def _ask(self, people: list[Person], threshold: float, more: int, seconds: float) -> tuple[bool, bool, list[Person]]:
        """Each person's columns up to `threshold` into the master, at most `more` new ones each:
        whether all were found, whether one priced below the duals, and the people cut short."""
        held = Counter(column.person_id for column in self.master.columns)
        futures = {}
        for p in people:
            sub, offset = pricing_station(self.master, p, self.duals, NEAR_SCALE)
            # The pricing objective is offset + NEAR_SCALE * (reduced cost + the person's dual), less the rounding.
            cap = math.floor(offset + NEAR_SCALE * (self.mine[p.person_id] + threshold))
            # The rosters found include those the master holds already: those come on top.
            most = held[p.person_id] + more
            futures[self.run.rosters_within(sub, self.plan.week_start, self.plan.days, cap, most, seconds)] = p
        below, cut = False, []
        for future, person in futures.items():
            rosters, whole = future.result()
            if not whole:
                cut.append(person)
            for roster in rosters:
                column = self.master.add(person, roster)
                if column is not None:
                    below |= self.master.reduced_cost(column, self.duals, self.mine[person.person_id]) < -1e-6
        return not cut, below, cut

    def proves(self, cost: int, optimal: bool) -> bool:
        """The roster in hand (`cost`) is the station's optimum: every column a cheaper one could use
        is known and the master's integer optimum over them is no cheaper."""
        return optimal and self.within >= 0 and cost - 1 - self.lp <= self.within


def worth_it(station: Station, days: int, seconds: float | None) -> bool:
    """Column generation pays on this station with `seconds` for it (None: no time limit)."""
    if days > COLUMNS_MOST_DAYS or len(station.people) * len(station.shifts) * days > COLUMNS_UP_TO:
        return False
    return days <= COLUMNS_SHORT_DAYS or (seconds is not None and seconds >= COLUMNS_LONG_SECONDS)


def _places(roster: list[Assignment]) -> frozenset:
    return frozenset((a.grid_id, a.date, a.shift_id) for a in roster)
