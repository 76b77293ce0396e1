"""Column generation (scheduler/columns.py): the master, the pricing station, the whole loop."""

from __future__ import annotations

import math
import random
import time
from concurrent.futures import Future
from types import SimpleNamespace

from scheduler import by_person, columns
from scheduler.checker import check_roster
from scheduler.curtois import evaluate
from scheduler.curtois_station import from_roster
from scheduler.result import SolveStatus
from scheduler.sub_solves import InProcess

from .stations import curtois, curtois_first_roster, needs_bench


@needs_bench
def test_with_one_column_per_person_the_master_lp_costs_what_the_roster_does():
    instance, station, start, plan = curtois_first_roster("Instance2")
    master = columns.Master(station, start, instance.horizon, plan.demand)
    for p in station.people:
        master.add(p, plan.rosters[p.person_id])
    lp, _prices, _people = master.duals()
    roster = [a for r in plan.rosters.values() for a in r]
    assert round(lp) == check_roster(station, start, roster, instance.horizon).objective


@needs_bench
def test_the_masters_integer_program_starts_from_the_rosters_in_hand_whole():
    """CBC takes a start only when every variable has a value that keeps every constraint: the
    rows' short and over ones too (unset, it rejected every start)."""
    import pulp

    instance, station, start, plan = curtois_first_roster("Instance2")
    master = columns.Master(station, start, instance.horizon, plan.demand)
    for p in station.people:
        master.add(p, plan.rosters[p.person_id])
        other = [a for a in plan.rosters[p.person_id] if a.date != start]  # a second column: the first day off
        if check_roster(master.own[p.person_id], start, other, instance.horizon).ok:
            master.add(p, other)
    assert len(master.columns) > len(station.people)
    prob, y, _, _, slacks = master.problem(relax=False)
    master.start_from(plan.rosters, y, slacks)
    assert sum(v.varValue for v in y) == len(station.people)
    assert all(c.value() is not None and abs(c.value()) < 1e-9 for c in prob.constraints())
    roster = [a for r in plan.rosters.values() for a in r]
    assert pulp.value(prob.objective) == check_roster(station, start, roster, instance.horizon).objective


@needs_bench
def test_the_pricing_station_prices_a_roster_by_its_reduced_cost_up_to_a_constant():
    instance, station, start, plan = curtois_first_roster("Instance2")
    master = columns.Master(station, start, instance.horizon, plan.demand)
    person = station.people[0]
    rng = random.Random(7)
    prices = [rng.uniform(-3, 120) for _ in master.rows]
    sub, offset = columns.pricing_station(master, person, prices)
    own = plan.rosters[person.person_id]
    other = plan.rosters[station.people[1].person_id]  # someone else's roster, kept if the person may work it
    other = [a.__class__(a.date, a.shift_id, a.grid_id, person.person_id) for a in other]
    priced = []
    for roster in (own, other):
        report = check_roster(sub, start, roster, instance.horizon)
        if not report.ok:
            continue
        column = master.add(person, roster)
        scaled = sum(round(columns.SCALE * prices[i]) for i in column.rows)
        exact = columns.SCALE * (column.cost - sum(prices[i] for i in column.rows))
        priced.append((report.objective, columns.SCALE * column.cost - scaled, exact))
    assert priced, "neither roster keeps the person's rules"
    constant = sum(round(columns.SCALE * p) for p in prices if round(columns.SCALE * p) > 0)
    for objective, rounded, exact in priced:
        assert objective == constant + rounded
        # less the offset, the pricing objective is at most the exact reduced cost, whatever the rounding
        assert constant <= offset and objective - offset <= exact + 1e-6


@needs_bench
def test_column_generation_lowers_a_first_roster_and_both_checkers_agree():
    instance, station, start, plan = curtois_first_roster("Instance3")
    before = check_roster(station, start, [a for r in plan.rosters.values() for a in r], instance.horizon).objective
    outcome = columns.improve_by_columns(plan, list(station.people), InProcess(2, None), 40)
    gain = outcome.gain
    roster = [a for r in plan.rosters.values() for a in r]
    report = check_roster(station, start, roster, instance.horizon)
    evaluation = evaluate(instance, from_roster(roster, start))
    assert report.ok and evaluation.violations == []
    assert gain > 0 and report.objective == evaluation.objective == before - gain
    assert report.objective >= 1001  # the proven optimum
    assert outcome.bound is not None and outcome.bound <= 1001  # a bound of every roster, not only the columns


@needs_bench
def test_the_bound_of_column_generation_proves_a_small_instance_optimal():
    instance, station, start = curtois("Instance2")
    result = by_person.solve_by_person(station, start, time_limit=30, days=instance.horizon, workers=2)
    evaluation = evaluate(instance, from_roster(result.roster, start))
    assert evaluation.violations == [] and result.objective == evaluation.objective == 828  # the proven optimum
    assert result.status is SolveStatus.OPTIMAL and result.bound == 828


@needs_bench
def test_the_columns_near_the_lp_prove_an_optimum_above_the_lp():
    # Instance1's LP is 558 and its optimum 607: the LP's bound alone stays 49 below. Every column
    # of reduced cost up to 48 is few here, and the master over them proves 607.
    instance, station, start, plan = curtois_first_roster("Instance1")
    outcome = columns.improve_by_columns(plan, list(station.people), InProcess(2, None), 60)
    roster = [a for r in plan.rosters.values() for a in r]
    evaluation = evaluate(instance, from_roster(roster, start))
    assert evaluation.violations == [] and evaluation.objective == plan.cost() == 607
    assert outcome.bound == 607


def test_the_columns_near_the_lp_stop_at_the_step_that_proves_the_roster_optimal(monkeypatch):
    # A stand-in master: the LP at 100, the roster in hand at 103. The step up to 1 finds every
    # column and none below the duals, and the master's proven optimum lowers the roster to 102:
    # 102 - 1 - 100 = 1, so every column a cheaper roster could use is known, and 102 is optimal.
    asked = []
    near = columns.NearLp(_Master(), [], None, SimpleNamespace(rosters={}), 0.0)

    def enumerate_(threshold):
        asked.append(threshold)
        near.asked = near.within = threshold + 1e-6
        return True

    monkeypatch.setattr(near, "enumerate", enumerate_)
    monkeypatch.setattr(columns, "NEAR_STEPS", (1.0, 4.0, math.inf))
    monkeypatch.setattr(columns, "_keep", lambda plan, people, roster, cost, outcome: 1)
    outcome = columns.Outcome(0, None, 0, 0)
    near.improve(103, outcome, 0.0, None)
    assert asked == [1.0] and outcome.bound == 102.0


@needs_bench
def test_the_few_at_a_time_stop_once_the_roster_meets_the_bound(monkeypatch):
    # A stand-in bound 1 below the first roster: the first neighbourhood kept meets it and ends the search.
    instance, station, start = curtois("Instance4")
    monkeypatch.setattr(columns, "improve_by_columns",
                        lambda plan, *a: columns.Outcome(0, plan.cost() - 1, 0, 0))
    result = by_person.solve_by_person(station, start, time_limit=60, days=instance.horizon, workers=2)
    assert result.status is SolveStatus.OPTIMAL and result.wall_time < 30


class _Run:
    """Stand-in worker processes: each person has `have` columns near the LP, in order."""
    capacity = 2

    def __init__(self, have: dict[str, int]):
        self.have, self.asked = have, []

    def rosters_within(self, person, week_start, days, cap, most, seconds):
        self.asked.append((person.person_id, most))
        done = Future()
        n = self.have[person.person_id]
        done.set_result(([(person.person_id, i) for i in range(min(n, most))], n <= most))
        return done


class _Master:
    """Stand-in master: the LP at `lp`, every column at reduced cost 0.5, its integer program
    proven optimal at once."""

    def __init__(self, lp: float = 100.0):
        self.lp, self.columns, self.seen = lp, [], set()

    def duals(self):
        return self.lp, [], {"A": 0.0, "B": 0.0}

    def add(self, person, roster):
        if roster in self.seen:
            return None
        self.seen.add(roster)
        self.columns.append(SimpleNamespace(person_id=person.person_id))
        return self.columns[-1]

    def reduced_cost(self, column, duals, mine):
        return 0.5

    def best_roster(self, seconds, current, stop):
        return ["roster"], True


def _near(monkeypatch, have: dict[str, int], lp: float = 100.0) -> tuple[columns.NearLp, _Run]:
    monkeypatch.setattr(columns, "pricing_station", lambda master, person, duals, scale: (person, 0.0))
    run = _Run(have)
    people = [SimpleNamespace(person_id=p) for p in have]
    plan = SimpleNamespace(week_start=None, days=28)
    return columns.NearLp(_Master(lp), people, run, plan, time.monotonic() + 600), run


def test_the_people_cut_short_near_the_lp_get_the_columns_the_others_left(monkeypatch):
    # Two people share 5,000 columns near the LP: A has 3 of them, B 4,000. Each is first asked
    # for 2,500; B, cut short, is asked again for its own 2,500 and the 2,497 A left, and then
    # every column is known.
    monkeypatch.setattr(columns, "NEAR_MOST", 5000)
    near, run = _near(monkeypatch, {"A": 3, "B": 4000})
    assert near.enumerate(1.0)
    assert run.asked == [("A", 2500), ("B", 2500), ("B", 4997)]
    assert len(near.master.columns) == 4003 and near.within >= 1.0


def test_a_roster_at_the_lps_value_is_looked_for_though_the_lp_rounds_above_it(monkeypatch):
    # The LP at 4,631 plus CBC's rounding and a roster of 4,632: a cheaper one (4,631) would be
    # made of columns at reduced cost 0, so they are asked for; a gap truly below 0 asks nothing.
    near, run = _near(monkeypatch, {"A": 3, "B": 4}, lp=4631.00005)
    assert near.enumerate(4632 - 1 - near.lp)
    assert [p for p, _ in run.asked] == ["A", "B"] and near.within >= 0
    assert not near.enumerate(-0.5)


@needs_bench
def test_column_generation_takes_up_to_twelve_weeks_and_beyond_four_only_with_minutes_for_it():
    _instance, four_weeks, _start = curtois("Instance11")  # 50 people, 6 shift types: 8,400 person-slots
    assert columns.worth_it(four_weeks, 28, 30.0)
    assert columns.worth_it(four_weeks, 28, None)  # four weeks: whatever the time
    _instance, six_weeks, _start = curtois("Instance15")  # 45 people, 6 shift types, 42 days: 11,340
    assert columns.worth_it(six_weeks, 42, columns.COLUMNS_LONG_SECONDS)
    assert not columns.worth_it(six_weeks, 42, columns.COLUMNS_LONG_SECONDS - 1)
    assert not columns.worth_it(six_weeks, 42, None)
    _instance, eight_weeks, _start = curtois("Instance16")  # 20 people, 3 shift types, 56 days: 3,360
    assert columns.worth_it(eight_weeks, 56, columns.COLUMNS_LONG_SECONDS)
    assert not columns.worth_it(eight_weeks, 56, 60.0)
    _instance, twelve_weeks, _start = curtois("Instance18")  # 22 people, 3 shift types, 84 days: 5,544
    assert columns.worth_it(twelve_weeks, 84, columns.COLUMNS_LONG_SECONDS)
    assert not columns.worth_it(twelve_weeks, 84, 60.0)
    assert not columns.worth_it(twelve_weeks, 91, 3600.0)  # not measured beyond twelve weeks
    _instance, larger, _start = curtois("Instance12")  # 16,800 person-slots
    assert not columns.worth_it(larger, 28, 3600.0)


@needs_bench
def test_a_six_week_station_gets_column_generation_only_with_minutes_for_it(monkeypatch):
    instance, station, start = curtois("Instance15")
    calls = []
    monkeypatch.setattr(columns, "improve_by_columns",
                        lambda plan, people, run, seconds: calls.append(seconds) or SimpleNamespace(bound=None))
    plan = by_person._Plan(station, start, instance.horizon, 2, 60, None, None)
    assert by_person._columns_bound(plan, list(station.people), InProcess(2, None)) is None and calls == []
    plan = by_person._Plan(station, start, instance.horizon, 2, 600, None, None)
    by_person._columns_bound(plan, list(station.people), InProcess(2, None))
    assert len(calls) == 1 and calls[0] >= columns.COLUMNS_LONG_SECONDS
