"""The roster model, written once against a small modelling interface.

Each hard rule and each objective term is one method named after it (the names in
rules.py). The CP-SAT and PuLP backends each implement `ModelBuilder`, so both build the
very same rules from the very same data and report the same objective.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable, Iterable
from typing import Any, Protocol

from . import rules as R
from .history import tail_end_minutes
from .prepare import Instance
from .replan_goal import CHANGED, CHANGES, COVERAGE_FIRST

Expr = Any  # a backend's linear expression or variable
# Up to this many shifts a day, "works that day" is their sum, written out in every rule that
# needs it; with more (Curtois Instance24: 32 shift types) one 0/1 flag equal to the sum keeps the
# windows of the run rules short (30M terms in all before, most of them repeated sums). Not lower:
# with flags from 5 shifts up, CP-SAT found no roster for Instance20 (6 shifts) in 120 s, with
# sums 22865. A few people's model (by_person) is the other way round: with flags from 2 shifts up
# (Formulation's `day_flags`) CP-SAT proves one person of Instance20 in 0.1-0.7 s instead of 1-2 s,
# and gets a person of Instances 22 and 23 to within 0.01% of their bound in 3 s instead of 0.02-0.06%.
SUMMED_SHIFTS_A_DAY = 12
HIRED = "hired"  # the term of candidate people used (Instance.hire_cost); only in staffing what-ifs


class ModelBuilder(Protocol):
    def bool_var(self, name: str) -> Expr: ...
    def int_var(self, lo: int, hi: int, name: str) -> Expr: ...
    def total(self, items: Iterable[Expr]) -> Expr: ...
    def add(self, constraint: Any, tag: Hashable | None) -> None:
        """Add a linear constraint; `tag` names the rule (or ("pin", Pin)) it belongs to."""
    def at_most_one(self, variables: list[Expr], tag: Hashable | None) -> None: ...
    def minimize(self, objective: Expr) -> None: ...
    def upper_bound(self, var: Expr) -> int: ...


class Formulation:
    """Builds variables, hard rules and objective terms for one instance."""

    def __init__(self, inst: Instance, m: ModelBuilder, *, explain: bool = False, day_flags: bool = False):
        """`day_flags`: "works that date" as one 0/1 flag from two shifts a date up (SUMMED_SHIFTS_A_DAY)."""
        self.inst, self.m, self.explain = inst, m, explain
        self.summed_up_to = 1 if day_flags else SUMMED_SHIFTS_A_DAY
        self.works: dict[tuple[int, int], Expr] = {}  # (person, slot) -> 0/1
        self.count: dict[tuple[int, str, int], Expr] = {}  # (class, grid, slot) -> people of the class there
        self.terms: dict[str, Expr] = {}
        self.at_place: dict[tuple[str, int], list[tuple[int, Expr]]] = defaultdict(list)  # (grid, slot) -> counts
        self._names = 0
        self._shifts_of: dict[int, list] = defaultdict(list)  # person -> [(slot, works var)] in slot order
        self._on_day: dict[tuple[int, int], list] = defaultdict(list)  # (person, day) -> [(slot, works var)]
        # Variable names use indices: ids may hold characters a solver's file format rejects.
        self._grid_no = {g.grid_id: i for i, g in enumerate(inst.station.grids)}
        self.escorted: dict[tuple[str, int], Expr] = {}  # (grid, slot) -> 1 when an escort is there
        self.pins = [p for p in inst.station.pins if inst.slot_of(p.date, p.shift_id)]
        self._worked: dict[tuple[int, int], Expr | None] = {}  # (person, day) -> exactly 1 when working
        self._exclusive_days: dict[int, bool] = {}
        self._cliques: list[set[int]] | None = None
        self.counted_by_works: set[tuple[int, str, int]] = set()  # count keys whose variable is a works one

    def build(self, *, objective: bool = True, fixed: tuple[dict, dict] | None = None) -> Formulation:
        """Add every rule and term; `fixed` = (works, count) values pins the roster to evaluate it."""
        can_work = self._can_work()
        counts = self._class_counts(can_work)
        self.works_variables(can_work, counts)
        self.count_variables(counts)
        if fixed is not None:
            self.fix_roster(*fixed)
        self.workers_fill_counts()
        self.keep_pins()
        self.min_rest_between_shifts()
        self.max_shifts_per_week()
        self.max_consecutive_days()
        self.max_consecutive_nights()
        self.max_per_role()
        self.escort_required()
        self.min_consecutive_days()
        self.min_consecutive_days_off()
        self.max_weekends()
        self.min_total_minutes()
        self.max_total_minutes()
        self.max_shifts_per_type()
        self.forbidden_successions()
        self.rules_across_previous_days()
        self.keep_the_past()
        if objective:
            w = self.inst.station.weights
            self.terms = {
                R.UNCOVERED: self.uncovered(),
                R.NIGHT_SPREAD: self._weighted(w.night_spread, lambda: self.spread(R.NIGHT_SPREAD, lambda s: s.night)),
                R.WEEKEND_SPREAD: self._weighted(w.weekend_spread,
                                                 lambda: self.spread(R.WEEKEND_SPREAD, lambda s: s.weekend)),
                R.VOLUNTEER_IDLE: self._weighted(w.volunteer_idle, self.volunteer_idle),
                R.NOT_PREFERRED: self._weighted(w.not_preferred, self.not_preferred),
                R.AWAY_FROM_HOME: self._weighted(w.away_from_home, self.away_from_home),
                R.OVER_DEMAND: self.over_demand(),
                R.REQUESTS: self.requests(),
            }
            if self.inst.hire_cost:
                self.terms[HIRED] = self.hired()
            if self.inst.replan is not None:
                self.replan_objective()
            else:
                self.m.minimize(self.m.total(self.terms.values()))
        return self

    # --- variables ---------------------------------------------------------------------
    def works_variables(self, can_work: list[tuple[int, int]], counts: dict[tuple[int, str, int], int]) -> None:
        """respect_availability: a person works only slots they are available for (`can_work`) and
        where their class is needed (`counts`, see _class_counts)."""
        inst = self.inst
        needed = {(c, s) for (c, _g, s) in counts}
        for (p, s) in can_work:
            if (inst.class_of[p], s) in needed:
                self.works[(p, s)] = self.m.bool_var(f"w_{p}_{s}")
                self._shifts_of[p].append((inst.slots[s], self.works[(p, s)]))
                self._on_day[(p, inst.slots[s].day_index)].append((inst.slots[s], self.works[(p, s)]))

    def count_variables(self, counts: dict[tuple[int, str, int], int]) -> None:
        """role_matches_demand: a class is counted only where a demand row of its role is in force.

        A class with one member who could work the slot, counted on one grid only, is counted by
        that member's works variable itself: the same 0/1. In a few people's station (by_person)
        most slots are open to one of them only: a person of Curtois Instance24 has 8,904 variables
        before presolve instead of 19,400 (with the shift types they never work left out).
        """
        members = defaultdict(list)
        for (p, s), var in self.works.items():
            members[(self.inst.class_of[p], s)].append(var)
        grids = defaultdict(int)
        for (c, _g, s) in counts:
            grids[(c, s)] += 1
        for (c, grid_id, s), ub in counts.items():
            alone = members[(c, s)]
            if len(alone) == 1 and grids[(c, s)] == 1:
                var = alone[0]
                self.counted_by_works.add((c, grid_id, s))
            else:
                var = self.m.int_var(0, ub, f"n_{c}_{self._grid_no[grid_id]}_{s}")
            self.count[(c, grid_id, s)] = var
            self.at_place[(grid_id, s)].append((c, var))

    def _can_work(self) -> list[tuple[int, int]]:
        """(person, slot) pairs a person is available for, leaving out shift types capped at 0
        (max_shifts_per_type: never that type; Curtois Instance24: a third of a person's 32)."""
        inst = self.inst
        never = {p: {t for t, most in inst.station.shift_type_caps(person).items() if most <= 0}
                 for p, person in enumerate(inst.people)}
        return [(p, s) for (p, s), status in inst.status.items()
                if status != "unavailable" and inst.slots[s].shift_id not in never[p]]

    def _class_counts(self, can_work: list[tuple[int, int]]) -> dict[tuple[int, str, int], int]:
        """(class, grid, slot) -> most members counted there, for each class a demand row counts."""
        inst = self.inst
        available = defaultdict(int)  # (class, slot) -> members available
        for (p, s) in can_work:
            available[(inst.class_of[p], s)] += 1
        bounds = {}
        for (grid_id, s, role), demand in inst.role_demand.items():
            for cls in inst.classes:
                n = available[(cls.index, s)]
                ub = n if self.explain else min(n, demand.row.max)
                if cls.role == role and ub > 0:
                    bounds[(cls.index, grid_id, s)] = ub
        return bounds

    def fix_roster(self, works: dict, count: dict) -> None:
        """Pin who works where, so a solve only settles the objective terms of that roster.

        A search stopped early may hold term variables above what its roster costs (they are
        only bounded from below); solving again with the roster fixed makes them exact.
        """
        for key, var in self.works.items():
            self.m.add(var == works.get(key, 0), None)
        for key, var in self.count.items():
            self.m.add(var == count.get(key, 0), None)

    def workers_fill_counts(self) -> None:
        """The people of a class who work a slot are exactly the ones counted on its grids."""
        by_class_slot = defaultdict(list)
        for (c, g, s), var in self.count.items():
            if (c, g, s) not in self.counted_by_works:  # the works variable itself: nothing to tie
                by_class_slot[(c, s)].append(var)
        workers = defaultdict(list)
        for (p, s), var in self.works.items():
            workers[(self.inst.class_of[p], s)].append(var)
        for key, counted in by_class_slot.items():
            self.m.add(self.m.total(workers[key]) == self.m.total(counted), None)

    # --- hard rules --------------------------------------------------------------------
    def keep_pins(self) -> None:
        """Pinned assignments are in the roster (pins the data already rules out are reported by explain)."""
        per_place = defaultdict(list)
        for pin in self.pins:
            p = self.inst.person_index(pin.person_id)
            s = self.inst.slot_of(pin.date, pin.shift_id).index
            self.m.add(self.works[(p, s)] == 1, ("pin", pin))
            per_place[(self.inst.class_of[p], pin.grid_id, s)].append(pin)
        for key, pins in per_place.items():
            for k, pin in enumerate(pins, start=1):  # the k-th pin of a class there needs k people counted
                self.m.add(self.count[key] >= k, ("pin", pin))

    def min_rest_between_shifts(self) -> None:
        """No overlapping shifts and at least min_rest_hours between two shifts of a person."""
        for p in range(len(self.inst.people)):
            for clique in self.inst.rest_cliques:
                vars_ = [self.works[(p, s)] for s in clique if (p, s) in self.works]
                if len(vars_) > 1:
                    self.m.at_most_one(vars_, R.MIN_REST_BETWEEN_SHIFTS)

    def max_shifts_per_week(self) -> None:
        """At most the weekly number of shifts in each calendar week (Monday to Sunday) of the
        horizon; a week the horizon cuts gets the cap prorated to its dates, rounded up."""
        for p, person in enumerate(self.inst.people):
            cap = self.inst.station.shift_cap(person)
            for block in calendar_weeks(self.inst.dates):
                vars_ = [v for d in block for v in self._works_on_day(p, d)]
                week_cap = prorated_cap(cap, len(block))
                if len(vars_) > week_cap:
                    self.m.add(self.m.total(vars_) <= week_cap, R.MAX_SHIFTS_PER_WEEK)

    def max_consecutive_days(self) -> None:
        """At most max_consecutive_days working dates in a row (the person's own limit if set)."""
        station = self.inst.station
        for p, person in enumerate(self.inst.people):
            most = station.person_rule(person, "max_consecutive_days")
            self._max_in_a_row(p, most, lambda s: True, R.MAX_CONSECUTIVE_DAYS)

    def max_consecutive_nights(self) -> None:
        """At most max_consecutive_nights night shifts on consecutive dates."""
        for p in range(len(self.inst.people)):
            self._max_in_a_row(p, self.inst.station.rules.max_consecutive_nights, lambda s: s.night,
                               R.MAX_CONSECUTIVE_NIGHTS)

    def max_per_role(self) -> None:
        """At most `max` people of a role on a grid and shift."""
        for (grid_id, s, role), demand in self.inst.role_demand.items():
            counted = self._counted(grid_id, s, role=role)
            if counted and (self.explain or len(counted) > 1):
                self.m.add(self.m.total(counted) <= demand.row.max, R.MAX_PER_ROLE)

    def escort_required(self) -> None:
        """Wherever a volunteer patrols, someone of an escort role patrols the same grid and shift."""
        escort_roles = set(self.inst.station.rules.escort_roles)
        if "volunteer" in escort_roles:
            return
        places = {(g, s) for (c, g, s) in self.count if self.inst.classes[c].role == "volunteer"}
        for grid_id, s in sorted(places):
            volunteers = self._counted(grid_id, s, role="volunteer")
            escorts = [v for r in escort_roles for v in self._counted(grid_id, s, role=r)]
            # The tightest valid big-M keeps the LP bound honest: with the row's max rather than
            # the volunteers available, the LP cannot buy a whole team with a sliver of an escort.
            most = sum(self._upper(grid_id, s, "volunteer"))
            if not self.explain:
                most = min(most, self.inst.role_demand[(grid_id, s, "volunteer")].row.max)
            if not escorts:
                for v in volunteers:
                    self.m.add(v == 0, R.ESCORT_REQUIRED)
                continue
            escorted = self.m.bool_var(f"escorted_{self._grid_no[grid_id]}_{s}")
            self.escorted[(grid_id, s)] = escorted
            self.m.add(self.m.total(volunteers) <= most * escorted, R.ESCORT_REQUIRED)
            self.m.add(self.m.total(escorts) >= escorted, R.ESCORT_REQUIRED)

    # --- optional rules (nothing is added unless the station or a person sets them) -------
    def min_consecutive_days(self) -> None:
        """A run of working dates lasts at least the minimum; runs touching the horizon's first
        or last date are exempt (they may continue outside it), as in the Curtois-Qu benchmark."""
        for p, least in self._people_with("min_consecutive_days"):
            x = self._worked_days(p)
            for d in range(1, self.inst.days):
                if x[d] is None:
                    continue
                for later in range(d + 1, min(d + least, self.inst.days)):
                    # working d but not d-1 starts a run, which must still be on at `later`
                    self.m.add(x[d] - _or0(self.m, x[d - 1]) - _or0(self.m, x[later]) <= 0, R.MIN_CONSECUTIVE_DAYS)

    def min_consecutive_days_off(self) -> None:
        """A run of days off lasts at least the minimum; runs touching either end are exempt."""
        for p, least in self._people_with("min_consecutive_days_off"):
            x = self._worked_days(p)
            for d in range(1, self.inst.days):
                if x[d - 1] is None:
                    continue  # d-1 is off anyway, so no run of rest starts on d
                for later in range(d + 1, min(d + least, self.inst.days)):
                    if x[later] is None:
                        continue  # `later` is off anyway
                    self.m.add(x[d - 1] - _or0(self.m, x[d]) + x[later] <= 1, R.MIN_CONSECUTIVE_DAYS_OFF)

    def max_weekends(self) -> None:
        """At most the number of calendar weekends (Saturday and/or Sunday worked) in the horizon."""
        weekends = calendar_weekends(self.inst.dates)
        for p, most in self._people_with("max_weekends"):
            x = self._worked_days(p)
            worked = []
            for days in weekends:
                flags = [x[d] for d in days if x[d] is not None]
                if len(flags) == 1:
                    worked.append(flags[0])
                elif flags:
                    self._names += 1
                    weekend = self.m.bool_var(f"weekend_{p}_{self._names}")
                    for flag in flags:
                        self.m.add(weekend >= flag, None)
                    worked.append(weekend)
            if len(worked) > most:
                self.m.add(self.m.total(worked) <= most, R.MAX_WEEKENDS)

    def min_total_minutes(self) -> None:
        """At least the total minutes of shifts over the horizon."""
        for p, least in self._people_with("min_total_minutes"):
            if least > 0:
                self.m.add(self._minutes(p) >= least, R.MIN_TOTAL_MINUTES)

    def max_total_minutes(self) -> None:
        """At most the total minutes of shifts over the horizon."""
        for p, most in self._people_with("max_total_minutes"):
            if sum(slot.end - slot.start for slot, _v in self._shifts_of[p]) > most:
                self.m.add(self._minutes(p) <= most, R.MAX_TOTAL_MINUTES)

    def max_shifts_per_type(self) -> None:
        """At most the number of shifts of each shift type over the horizon."""
        for p, person in enumerate(self.inst.people):
            caps = self.inst.station.shift_type_caps(person)
            of_type = defaultdict(list)
            for slot, var in self._shifts_of[p]:
                if slot.shift_id in caps:
                    of_type[slot.shift_id].append(var)
            for shift_id, most in caps.items():
                vars_ = of_type[shift_id]
                if len(vars_) > most:
                    self.m.add(self.m.total(vars_) <= most, R.MAX_SHIFTS_PER_TYPE)

    def forbidden_successions(self) -> None:
        """No shift `b` on the date after a shift `a`, for each forbidden pair (a, b).

        Where a person can work only one shift a day anyway, the shifts with the same forbidden
        followers and those followers form one clique: one constraint per group and date instead
        of one per pair (Curtois Instance24: 20x fewer rows), and a tighter LP.
        """
        inst = self.inst
        followers: dict[str, set[str]] = defaultdict(set)
        for first, then in inst.station.rules.forbidden_successions:
            followers[first].add(then)
        groups: dict[frozenset[str], list[str]] = defaultdict(list)  # followers -> shifts they may not follow
        for first, then in sorted(followers.items()):
            groups[frozenset(then)].append(first)
        one_a_day = [self._one_a_day(d) for d in range(inst.days)]
        for p in range(len(inst.people)):
            tomorrow = self._by_shift(p, 0)
            for d in range(inst.days - 1):
                today, tomorrow = tomorrow, self._by_shift(p, d + 1)
                if not today or not tomorrow:
                    continue
                cliques = one_a_day[d] and one_a_day[d + 1]
                for then, firsts in groups.items():
                    before = [today[f] for f in firsts if f in today]
                    after = [tomorrow[t] for t in then if t in tomorrow]
                    if not before or not after:
                        continue
                    if cliques:
                        self.m.add(self.m.total(before + after) <= 1, R.FORBIDDEN_SUCCESSIONS)
                    else:
                        for earlier in before:
                            for later in after:
                                self.m.add(earlier + later <= 1, R.FORBIDDEN_SUCCESSIONS)

    # --- objective terms (unweighted unless the weight differs per item) ----------------
    def uncovered(self) -> Expr:
        """Missing people per demand row, weighted by the grid's level."""
        weights = self.inst.station.weights.uncovered
        parts = []
        for (grid_id, s, role), demand in self.inst.role_demand.items():
            short = self._shortfall(demand.row, self._counted(grid_id, s, role=role))
            escorted = self.escorted.get((grid_id, s)) if role == "volunteer" else None
            if escorted is not None and demand.row.min > 0:
                # Valid and much stronger for the LP than the big-M alone: without an escort
                # the whole volunteer requirement is missing, not just a fraction of it.
                self.m.add(short + demand.row.min * escorted >= demand.row.min, None)
            parts.append(under_weight(demand.row, weights, demand.level) * short)
        for (grid_id, s), rows in self.inst.skill_demand.items():
            level = self.inst.grid_level(grid_id)
            for row in rows:
                counted = self._counted(grid_id, s, role=row.role, skill=row.skill)
                parts.append(under_weight(row, weights, level) * self._shortfall(row, counted))
        return self.m.total(parts)

    def over_demand(self) -> Expr:
        """People above a role row's `min`, weighted by the row's over_weight or weights.over_demand."""
        default = self.inst.station.weights.over_demand
        parts = []
        for (grid_id, s, role), demand in self.inst.role_demand.items():
            weight = demand.row.over_weight if demand.row.over_weight is not None else default
            counted = self._counted(grid_id, s, role=role)
            most = sum(self.m.upper_bound(v) for v in counted)
            if not weight or most <= demand.row.min:
                continue
            if demand.row.min == 0:
                parts.append(weight * self.m.total(counted))  # everyone there is above it: no variable
            else:
                self._names += 1
                over = self.m.int_var(0, most - demand.row.min, f"over_{self._names}")
                self.m.add(over >= self.m.total(counted) - demand.row.min, None)
                parts.append(weight * over)
        return self.m.total(parts)

    def requests(self) -> Expr:
        """Weights of requests to work a shift not granted and of requests not to work one not kept."""
        inst, parts = self.inst, []
        for r in inst.station.requests:
            slot = inst.slot_of(r.date, r.shift_id)
            if slot is None or r.weight == 0:
                continue
            var = self.works.get((inst.person_index(r.person_id), slot.index))
            if r.request == "on":
                parts.append(r.weight if var is None else r.weight - r.weight * var)
            elif var is not None:
                parts.append(r.weight * var)
        return self.m.total(parts)

    def spread(self, name: str, counts: callable) -> Expr:
        """Per role (police, auxiliaries): most minus fewest such shifts among people available for one."""
        inst = self.inst
        parts = []
        for role in ("police", "auxiliary"):
            eligible = [p for p, person in enumerate(inst.people) if person.role == role and p not in inst.hire_cost
                        and any(counts(s) and inst.is_available(p, s.index) for s in inst.slots)]
            if len(eligible) < 2:
                continue
            past = self._past_counts(name, eligible)
            most_possible = sum(1 for s in inst.slots if counts(s)) + max(past)
            hi = self.m.int_var(0, most_possible, f"{name}_{role}_most")
            lo = self.m.int_var(0, most_possible, f"{name}_{role}_fewest")
            per_person = [self._plus(self.m.total(self._works_on(p, counts)), n)
                          for p, n in zip(eligible, past, strict=True)]
            for n in per_person:
                self.m.add(hi >= n, None)
                self.m.add(lo <= n, None)
            self._spread_of_total(per_person, hi, lo)
            parts.append(hi - lo)
        return self.m.total(parts)

    def _spread_of_total(self, per_person, hi, lo) -> None:
        """The bound on the role's total too: lets the solver see that a spread of 0 needs a
        total that is a multiple of the number of people (proof times on the demo station
        dropped from over 30 s to about 10 s)."""
        everyone = self.m.total(per_person)
        self.m.add(everyone <= len(per_person) * hi, None)
        self.m.add(everyone >= len(per_person) * lo, None)

    def volunteer_idle(self) -> Expr:
        """Volunteers who offered at least one slot and got no shift."""
        inst = self.inst
        parts = []
        for p, person in enumerate(inst.people):
            if person.role != "volunteer" or p in inst.hire_cost or not any(inst.is_available(p, s.index)
                                                                             for s in inst.slots):
                continue
            vars_ = self._works_on(p, lambda s: True)
            if not vars_:
                parts.append(1)  # offered, but nothing they could fill: idle whatever we do
                continue
            idle = self.m.bool_var(f"idle_{p}")
            self.m.add(idle + self.m.total(vars_) >= 1, None)
            parts.append(idle)
        return self.m.total(parts)

    def not_preferred(self) -> Expr:
        """Volunteer shifts on slots marked available rather than preferred."""
        inst = self.inst
        return self.m.total(var for (p, s), var in self.works.items()
                            if inst.people[p].role == "volunteer" and inst.status[(p, s)] == "available")

    def away_from_home(self) -> Expr:
        """Volunteer shifts on a grid other than their home grid."""
        return self.m.total(var for (c, g, _s), var in self.count.items()
                            if self.inst.classes[c].home_grid not in (None, g))

    def hired(self) -> Expr:
        """The cost of each candidate person (Instance.hire_cost) who works at all. Candidates of one
        class are interchangeable, so they are used in order: that removes their symmetry."""
        parts, previous = [], {}
        for p, cost in self.inst.hire_cost.items():
            vars_ = self._works_on(p, lambda s: True)
            if not vars_:
                continue
            used = self.m.bool_var(f"hired_{p}")
            for var in vars_:
                self.m.add(used >= var, None)
            c = self.inst.class_of[p]
            if c in previous:
                self.m.add(previous[c] >= used, None)
            previous[c] = used
            parts.append(cost * used)
        return self.m.total(parts)

    # --- earlier weeks (history.py) and re-planning (replan.py) --------------------------
    def rules_across_previous_days(self) -> None:
        """Rest, consecutive days and nights and forbidden successions hold across the first date,
        against the previous roster's tail (a night on Sunday blocks Monday's day shift)."""
        inst = self.inst
        if inst.history is None:
            return
        tail = defaultdict(list)
        for a in inst.history.tail_before(inst.week_start):
            if a.person_id in inst.station.people_by_id and a.shift_id in inst.station.shifts_by_id:
                tail[inst.person_index(a.person_id)].append(a)
        for p, earlier in tail.items():
            self._rest_after_tail(p, earlier)
            self._runs_from_tail(p, earlier)
            self._successions_after_tail(p, earlier)

    def _rest_after_tail(self, p: int, earlier: list) -> None:
        station, rest = self.inst.station, round(self.inst.station.rules.min_rest_hours * 60)
        end = max(tail_end_minutes(station, self.inst.week_start, a) for a in earlier)
        for slot, var in self._shifts_of[p]:
            if slot.start < end + rest:
                self.m.add(var == 0, R.MIN_REST_BETWEEN_SHIFTS)

    def _runs_from_tail(self, p: int, earlier: list) -> None:
        station, week_start = self.inst.station, self.inst.week_start
        worked = {(a.date - week_start).days for a in earlier}
        nights = {(a.date - week_start).days for a in earlier if station.shifts_by_id[a.shift_id].night}
        most_days = station.person_rule(self.inst.people[p], "max_consecutive_days")
        self._window_from_tail(p, worked, most_days, lambda s: True, R.MAX_CONSECUTIVE_DAYS)
        self._window_from_tail(p, nights, station.rules.max_consecutive_nights, lambda s: s.night,
                               R.MAX_CONSECUTIVE_NIGHTS)

    def _window_from_tail(self, p: int, past_days: set[int], most: int, which, tag: str) -> None:
        """Every window of most+1 dates that starts before the plan holds at most `most` matching dates."""
        flags: dict[int, Expr | None] = {}
        for back in range(1, most + 1):
            before = sum(1 for d in range(-back, 0) if d in past_days)
            if before == 0:
                continue
            for d in range(min(most + 1 - back, self.inst.days)):
                if d not in flags:
                    vars_ = self._works_on_day(p, d, which)
                    flags[d] = self._day_flag(p, d, vars_, f"{tag}_across")
            window = [flags[d] for d in range(min(most + 1 - back, self.inst.days)) if flags[d] is not None]
            if len(window) > most - before:
                self.m.add(self.m.total(window) <= most - before, tag)

    def _successions_after_tail(self, p: int, earlier: list) -> None:
        inst = self.inst
        last = {a.shift_id for a in earlier if a.date == inst.week_start - dt.timedelta(days=1)}
        for first, then in inst.station.rules.forbidden_successions:
            slot = inst.slot_of(inst.week_start, then)
            var = self.works.get((p, slot.index)) if first in last and slot is not None else None
            if var is not None:
                self.m.add(var == 0, R.FORBIDDEN_SUCCESSIONS)

    def _past_counts(self, name: str, eligible: list[int]) -> list[int]:
        """Earlier weeks' nights or weekend shifts of each person, less the fewest: the spread is the
        same, and the solver's bounds stay small."""
        if self.inst.history is None:
            return [0] * len(eligible)
        what = {R.NIGHT_SPREAD: "nights", R.WEEKEND_SPREAD: "weekends"}[name]
        raw = [getattr(self.inst.history.past(self.inst.people[p].person_id), what) for p in eligible]
        return [n - min(raw) for n in raw]

    @staticmethod
    def _plus(expr: Expr, n: int) -> Expr:
        return expr + n if n else expr  # without history the model is the very same as before

    def keep_the_past(self) -> None:
        """Re-planning: nobody is added to a shift that has started (who works it is pinned by replan.py)."""
        goal = self.inst.replan
        if goal is None or not goal.started:
            return
        pinned = {(self.inst.person_index(pin.person_id), self.inst.slot_of(pin.date, pin.shift_id).index)
                  for pin in self.pins}
        for (p, s), var in self.works.items():
            if s in goal.started and (p, s) not in pinned:
                self.m.add(var == 0, R.KEEP_PINS)

    def replan_objective(self) -> None:
        """Stage 1: weighted uncovered demand first, then changed assignments. The weight is one
        more than the most changes possible (every previous assignment dropped and every place
        filled anew), so one unit of uncovered demand outweighs any number of changes: exactly
        lexicographic. Stage 2 holds both at stage 1's values and minimizes the usual objective."""
        goal = self.inst.replan
        uncovered, changes = self.terms[R.UNCOVERED], self.changed_assignments()
        if goal.stage == CHANGES:
            most_changes = goal.previous_total + sum(self.m.upper_bound(v) for v in self.count.values())
            self.terms = {COVERAGE_FIRST: (most_changes + 1) * uncovered, CHANGED: changes}
        else:
            self.m.add(uncovered <= goal.most_uncovered, None)
            self.m.add(changes <= goal.most_changes, None)
        self.m.minimize(self.m.total(self.terms.values()))

    def changed_assignments(self) -> Expr:
        """Previous assignments not kept plus new ones: previous + assigned - 2 * kept.

        Counted per (class, grid, slot), which is exact although the counts carry no names: the
        naming (solve.roster_from_counts) puts pinned people on their grid, then each previous
        person of the class who still works the slot back on their previous grid, so there
        kept = min(count - newly pinned there, previous people of the class there still working),
        and the grids do not compete (a person had one grid per slot).
        """
        goal, inst = self.inst.replan, self.inst
        pinned = defaultdict(set)
        for pin in self.pins:
            p = inst.person_index(pin.person_id)
            pinned[(inst.class_of[p], pin.grid_id, inst.slot_of(pin.date, pin.shift_id).index)].add(p)
        kept = []
        for key, people in goal.previous.items():
            count, s = self.count.get(key), key[2]
            working = [self.works[(p, s)] for p in people if (p, s) in self.works]
            if count is None or not working:
                continue
            self._names += 1
            var = self.m.int_var(0, min(len(working), self.m.upper_bound(count)), f"kept_{self._names}")
            self.m.add(var <= count - len(pinned[key] - set(people)), None)
            self.m.add(var <= self.m.total(working), None)
            kept.append(var)
        return goal.previous_total + self.m.total(self.count.values()) - 2 * self.m.total(kept)

    # --- helpers -----------------------------------------------------------------------
    def _works_on(self, p: int, which) -> list[Expr]:
        return [var for slot, var in self._shifts_of[p] if which(slot)]

    def _by_shift(self, p: int, d: int) -> dict[str, Expr]:
        return {slot.shift_id: var for slot, var in self._on_day.get((p, d), ())}

    def _works_on_day(self, p: int, d: int, which=None) -> list[Expr]:
        """The person's works variables of shifts starting on date d (those `which` accepts)."""
        return [var for slot, var in self._on_day.get((p, d), ()) if which is None or which(slot)]

    def _counted(self, grid_id: str, s: int, *, role: str | None, skill: str | None = None) -> list[Expr]:
        classes = self.inst.classes
        return [var for c, var in self.at_place.get((grid_id, s), ())
                if role in (None, classes[c].role) and (skill is None or skill in classes[c].skills)]

    def _upper(self, grid_id: str, s: int, role: str) -> list[int]:
        return [self.m.upper_bound(var) for c, var in self.at_place.get((grid_id, s), ())
                if self.inst.classes[c].role == role]

    def _shortfall(self, row, counted: list[Expr]) -> Expr:
        if row.min == 0:
            return self.m.total([])
        if sum(self.m.upper_bound(v) for v in counted) <= row.min:
            # Never above the minimum: the shortfall is exactly what is missing, a linear term
            # and no variable (most demand rows of a few people's sub-station).
            return row.min - self.m.total(counted)
        self._names += 1
        short = self.m.int_var(0, row.min, f"short_{self._names}")
        self.m.add(short + self.m.total(counted) >= row.min, None)
        return short

    def _max_in_a_row(self, p: int, most: int, which, tag: str) -> None:
        """In every window of most+1 consecutive dates, at most `most` dates with a matching shift."""
        inst = self.inst
        if inst.days <= most:
            return
        per_day = [self._works_on_day(p, d, which) for d in range(inst.days)]
        on_day = [self._day_flag(p, d, vars_, tag) for d, vars_ in enumerate(per_day)]
        for first in range(inst.days - most):
            window = [v for v in on_day[first:first + most + 1] if v is not None]
            if len(window) > most:
                self.m.add(self.m.total(window) <= most, tag)

    def _weighted(self, weight: int, term) -> Expr:
        """weight * term, where a term weighted 0 adds no variables to the model at all."""
        return weight * term() if weight else self.m.total([])

    def _people_with(self, name: str) -> list[tuple[int, int]]:
        """(person index, value) of everyone an optional rule applies to."""
        station = self.inst.station
        values = [(p, station.person_rule(person, name)) for p, person in enumerate(self.inst.people)]
        return [(p, v) for p, v in values if v is not None]

    def _minutes(self, p: int) -> Expr:
        return self.m.total((slot.end - slot.start) * var for slot, var in self._shifts_of[p])

    def _worked_days(self, p: int) -> list[Expr | None]:
        return [self._worked_day(p, d) for d in range(self.inst.days)]

    def _worked_day(self, p: int, d: int) -> Expr | None:
        """Exactly 1 when the person works a shift starting on date d (None: cannot work that date).

        Unlike _day_flag this is also bounded from above: the minimum rules need both sides.
        """
        if (p, d) not in self._worked:
            vars_ = self._works_on_day(p, d)
            if not vars_:
                flag = None
            elif len(vars_) == 1 or self._one_a_day(d):
                flag = self._exactly_one_of(vars_, f"day_{p}_{d}")
            else:
                flag = self.m.bool_var(f"day_{p}_{d}")
                for v in vars_:
                    self.m.add(flag >= v, None)
                self.m.add(flag <= self.m.total(vars_), None)
            self._worked[(p, d)] = flag
        return self._worked[(p, d)]

    def _day_flag(self, p: int, d: int, vars_: list[Expr], tag: str) -> Expr | None:
        """An expression that is 1 when the person works (a matching shift) on date d."""
        if not vars_:
            return None
        if len(vars_) == 1 or self._one_a_day(d):
            if len(vars_) > self.summed_up_to and len(vars_) == len(self._on_day[(p, d)]):
                return self._worked_day(p, d)  # every shift of the day: the one flag of the day
            return self._exactly_one_of(vars_, f"{tag}_{p}_{d}")
        flag = self.m.bool_var(f"{tag}_{p}_{d}")
        for v in vars_:
            self.m.add(flag >= v, None)
        return flag

    def _exactly_one_of(self, vars_: list[Expr], name: str) -> Expr:
        """1 when one of `vars_` is worked, where at most one of them can be: their sum, or with many
        shifts a 0/1 flag equal to it (SUMMED_SHIFTS_A_DAY)."""
        if len(vars_) <= self.summed_up_to:
            return self.m.total(vars_)
        flag = self.m.bool_var(name)
        self.m.add(flag == self.m.total(vars_), None)
        return flag

    def _one_a_day(self, d: int) -> bool:
        """At most one shift starting on date d per person, which the model may rely on (not when
        explaining infeasibility, where the rest rule itself may be switched off)."""
        return not self.explain and self._exclusive(d)

    def _exclusive(self, d: int) -> bool:
        """True when the rest rule already lets a person work at most one shift starting on date d."""
        # Kept on the formulation: functools.cache on a method would keep every formulation (and its
        # model) alive for the life of the process.
        if d not in self._exclusive_days:
            if self._cliques is None:
                self._cliques = [set(c) for c in self.inst.rest_cliques]
            day_slots = {s.index for s in self.inst.slots_on_day(d)}
            self._exclusive_days[d] = any(day_slots <= c for c in self._cliques)
        return self._exclusive_days[d]


def calendar_weeks(dates) -> list[list[int]]:
    """Day indexes of the horizon grouped by calendar week (Monday to Sunday)."""
    weeks: dict[tuple[int, int], list[int]] = defaultdict(list)
    for d, date in enumerate(dates):
        weeks[date.isocalendar()[:2]].append(d)
    return list(weeks.values())


def calendar_weekends(dates) -> list[list[int]]:
    """Day indexes of the Saturday and Sunday of each calendar week the horizon touches."""
    weekends: dict[tuple[int, int], list[int]] = defaultdict(list)
    for d, date in enumerate(dates):
        if date.weekday() >= 5:
            weekends[date.isocalendar()[:2]].append(d)
    return list(weekends.values())


def prorated_cap(cap: int, days: int) -> int:
    """The weekly cap for a calendar week of which the horizon holds `days` dates, rounded up."""
    return cap if days >= 7 else -(-cap * days // 7)


def under_weight(row, weights: dict[int, int], level: int) -> int:
    """A demand row's weight per missing person: its own, else its grid level's."""
    return row.under_weight if row.under_weight is not None else weights[level]


def _or0(m: ModelBuilder, expr: Expr | None) -> Expr:
    return m.total([]) if expr is None else expr

