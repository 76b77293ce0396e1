"""Stations whose hard rules are each about one person, rostered a few people at a time (by_person.py).

The method rests on one claim: re-planning a few people against the demand the others leave
changes the whole station's objective by exactly what it changes the few's station's objective.
The first tests check that claim on random rosters; the others that a solve this way gives a
roster the checker and the benchmark's own evaluator accept.
"""

from __future__ import annotations

import datetime as dt
import random
from concurrent.futures import Future, wait
from dataclasses import replace

import pytest

from scheduler import by_person, sub_solves
from scheduler.checker import check_roster
from scheduler.curtois import evaluate
from scheduler.curtois_station import GRID, from_roster
from scheduler.horizon import horizon_dates
from scheduler.model import Assignment, Request, Weights
from scheduler.prepare import prepare
from scheduler.result import Result, SolveStatus, StopToken
from scheduler.solve import solve

from .stations import WEEK, make_station, needs_bench
from .stations import curtois as _curtois


def _random_roster(station, dates, people, rng: random.Random, share: float = 0.4) -> list[Assignment]:
    """Any roster at all (rules may break): the claim is about objectives, which the checker always gives."""
    return [Assignment(day, shift.shift_id, GRID, p.person_id)
            for p in people for day in dates if rng.random() < share
            for shift in [rng.choice(station.shifts)]]


@needs_bench
@pytest.mark.parametrize("name", ["Instance2", "Instance4"])
def test_replanning_a_few_changes_the_whole_objective_by_what_it_changes_theirs(name):
    instance, station, start = _curtois(name)
    dates = horizon_dates(start, instance.horizon)
    rng = random.Random(7)
    for _ in range(4):
        few = rng.sample(list(station.people), 3)
        others = _random_roster(station, dates, [p for p in station.people if p not in few], rng)
        sub = by_person.few_station(station, few, others, dates)
        one, two = (_random_roster(station, dates, few, rng, share) for share in (0.3, 0.7))
        whole = [check_roster(station, start, others + r, instance.horizon).objective for r in (one, two)]
        theirs = [check_roster(sub, start, r, instance.horizon).objective for r in (one, two)]
        assert whole[0] != whole[1]  # the two rosters of the few differ in cost, so the test can fail
        assert whole[0] - whole[1] == theirs[0] - theirs[1]


def _window_of(dates, rng: random.Random, length: int = 14) -> set[dt.date]:
    first = rng.randrange(len(dates) - length + 1)
    return set(dates[first:first + length])


@needs_bench
def test_replanning_a_few_on_a_window_of_days_changes_the_whole_objective_by_what_it_changes_theirs():
    instance, station, start = _curtois("Instance4")
    dates = horizon_dates(start, instance.horizon)
    rng = random.Random(11)
    for _ in range(4):
        few = rng.sample(list(station.people), 3)
        others = _random_roster(station, dates, [p for p in station.people if p not in few], rng)
        current = _random_roster(station, dates, few, rng)
        window = _window_of(dates, rng)
        sub = by_person.few_station(station, few, others, dates, window=window, current=current)
        outside = [a for a in current if a.date not in window]
        # Rosters the window model allows: new shifts inside it, the current ones (some dropped) outside.
        one, two = ([a for a in _random_roster(station, dates, few, rng, share) if a.date in window]
                    + [a for a in outside if rng.random() < keep] for share, keep in ((0.3, 1.0), (0.7, 0.6)))
        whole = [check_roster(station, start, others + r, instance.horizon).objective for r in (one, two)]
        theirs = [check_roster(sub, start, r, instance.horizon).objective for r in (one, two)]
        assert whole[0] != whole[1]
        assert whole[0] - whole[1] == theirs[0] - theirs[1]


@needs_bench
def test_outside_the_window_the_few_can_only_keep_their_current_shifts():
    instance, station, start = _curtois("Instance4")
    dates = horizon_dates(start, instance.horizon)
    rng = random.Random(3)
    few = rng.sample(list(station.people), 2)
    off = {(a.person_id, a.date) for a in station.availability if a.status == "unavailable"}
    current = [a for a in _random_roster(station, dates, few, rng) if (a.person_id, a.date) not in off]
    window = set(dates[7:21])
    sub = by_person.few_station(station, few, [], dates, window=window, current=current)
    inst = prepare(sub, start, instance.horizon)
    open_slots = {(inst.people[p].person_id, inst.slots[s].date, inst.slots[s].shift_id)
                  for (p, s), status in inst.status.items() if status != "unavailable"}
    kept = {(a.person_id, a.date, a.shift_id) for a in current if a.date not in window}
    assert {key for key in open_slots if key[1] not in window} == kept
    # Inside the window the given days off still hold, and every other shift is open.
    inside = {(p.person_id, d, s.shift_id) for p in few for d in window for s in station.shifts
              if (p.person_id, d) not in off}
    assert {key for key in open_slots if key[1] in window} == inside
    # Demand outside the window is left out but where the few work now.
    assert {(r.day, r.shift_id) for r in sub.demand if r.day not in window} == {(d, s) for _, d, s in kept}


POLICE = """
p1 王伟 police
p2 李娜 police
p3 陈刚 police skills=first_aid
"""
ROOMY = """
g1 * day police 1 3
g1 * night police 2 3
g1 mon day - 1 3 skill=first_aid
g2 * day police 0 3
"""


def _police_station(demand: str = ROOMY, **kwargs):
    return make_station(POLICE, demand, weights=Weights(night_spread=0, weekend_spread=0), **kwargs)


def test_the_others_lower_min_and_max_of_the_rows_they_count_for():
    station = _police_station()
    dates = horizon_dates(WEEK, 7)
    others = [Assignment(WEEK, "day", "g1", "p1"), Assignment(WEEK, "day", "g1", "p3"),
              Assignment(WEEK, "night", "g1", "p1")]
    sub = by_person.few_station(station, [station.people_by_id["p2"]], others, dates)
    rows = {(r.grid_id, r.day, r.shift_id, r.skill): (r.min, r.max) for r in sub.demand}
    assert rows[("g1", WEEK, "day", None)] == (0, 1)  # two others there: 1 - 2 is no one, 3 - 2 one more at most
    assert rows[("g1", WEEK, "day", "first_aid")] == (0, 2)  # only p3 has the skill
    assert rows[("g1", WEEK, "night", None)] == (1, 2)
    assert rows[("g1", WEEK + dt.timedelta(days=1), "day", None)] == (1, 3)  # nobody else on Tuesday
    assert all(isinstance(r.day, dt.date) for r in sub.demand)  # weekday rows became rows by date
    assert [p.person_id for p in sub.people] == ["p2"]


def test_only_stations_without_ties_between_people_are_separable():
    assert by_person.separable(_police_station(), None)
    assert not by_person.separable(make_station(), None)  # a volunteer to escort, spreads weighted
    # A max below the headcount ties people: one more there is one fewer for someone else.
    assert not by_person.separable(_police_station(ROOMY + "g2 tue night police 0 2"), None)
    spreads = make_station(POLICE, ROOMY, weights=Weights(night_spread=1, weekend_spread=0))
    assert not by_person.separable(spreads, None)


@needs_bench
def test_a_curtois_instance_solved_a_few_people_at_a_time_passes_both_checkers():
    instance, station, start = _curtois("Instance2")
    result = by_person.solve_by_person(station, start, time_limit=12, days=instance.horizon, workers=2)
    # OPTIMAL when column generation's bound meets the roster (tests/scheduler/test_columns.py)
    assert result.status in (SolveStatus.FEASIBLE, SolveStatus.OPTIMAL) and result.time_to_first is not None
    evaluation = evaluate(instance, from_roster(result.roster, start))
    report = check_roster(station, start, result.roster, instance.horizon)
    assert evaluation.violations == [] and report.violations == []
    assert result.objective == report.objective == evaluation.objective
    assert result.objective >= 828  # the proven optimum


@needs_bench
def test_a_month_re_planned_also_on_windows_of_days_passes_both_checkers(monkeypatch):
    instance, station, start = _curtois("Instance4")  # 28 days: windows of 14 days are taken in turn
    windows = []
    real = by_person.few_station
    monkeypatch.setattr(by_person, "few_station", lambda *a, **k: windows.append(k.get("window")) or real(*a, **k))
    # Without the columns, which may prove the first roster optimal and leave no neighbourhood to take.
    monkeypatch.setattr(by_person.columns, "worth_it", lambda *a: False)
    result = by_person.solve_by_person(station, start, time_limit=15, days=instance.horizon, workers=2)
    assert any(w is not None and len(w) == by_person.WINDOW_DAYS for w in windows)
    # Every person has a most weekends rule: the people re-planned on all Saturdays and Sundays too.
    weekends = {start + dt.timedelta(days=d) for d in range(instance.horizon) if d % 7 in (5, 6)}
    assert weekends in windows
    # And many people on a few consecutive days.
    few_days = [sorted(w) for w in windows if w is not None and len(w) == by_person.FEW_DAYS]
    assert few_days and all(w[-1] - w[0] == dt.timedelta(days=by_person.FEW_DAYS - 1) for w in few_days)
    evaluation = evaluate(instance, from_roster(result.roster, start))
    assert evaluation.violations == [] and result.objective == evaluation.objective >= 1716  # best known


def test_weekend_neighbourhoods_only_where_someone_has_a_most_weekends_rule():
    station = _police_station(ROOMY)
    assert not by_person._weekends_capped(station)
    one = replace(station, people=(replace(station.people[0], max_weekends=2),) + station.people[1:])
    assert by_person._weekends_capped(one)
    assert by_person._weekends_capped(replace(station, rules=replace(station.rules, max_weekends=3)))


@needs_bench
def test_long_horizons_go_a_few_people_at_a_time_through_solve(monkeypatch):
    instance, station, start = _curtois("Instance1")
    calls = []
    real = by_person.solve_by_person
    monkeypatch.setattr(by_person, "solve_by_person", lambda *a, **k: calls.append(1) or real(*a, **k))
    monkeypatch.setattr(by_person, "BY_PERSON_FROM", 0)
    result = solve(station, start, time_limit=8, days=instance.horizon)
    assert calls and result.has_roster
    assert evaluate(instance, from_roster(result.roster, start)).objective == result.objective
    # The threshold is about size: the same station below it is solved whole.
    monkeypatch.setattr(by_person, "BY_PERSON_FROM", 10**9)
    assert solve(station, start, time_limit=8, days=instance.horizon).has_roster and len(calls) == 1


@needs_bench
def test_a_small_station_over_a_long_horizon_goes_a_few_people_at_a_time():
    _instance, station, _start = _curtois("Instance1")  # 8 people, 1 shift type
    assert not by_person.worth_it(station, 14, None)
    assert by_person.worth_it(station, by_person.BY_PERSON_FROM_DAYS, None)
    assert not by_person.worth_it(station, by_person.BY_PERSON_FROM_DAYS - 1, None)
    # ... unless a rule ties people together, as the fairness spreads do
    spread = replace(station, weights=replace(station.weights, night_spread=1))
    assert not by_person.worth_it(spread, by_person.BY_PERSON_FROM_DAYS, None)


@needs_bench
def test_a_stop_before_everyone_has_a_roster_gives_no_roster_at_once():
    instance, station, start = _curtois("Instance4")
    stop = StopToken()
    stop.stop()
    result = by_person.solve_by_person(station, start, time_limit=60, days=instance.horizon, workers=2, stop=stop)
    assert result.status is SolveStatus.NO_SOLUTION and result.stopped and result.wall_time < 5


def test_a_person_who_cannot_meet_their_own_rules_makes_the_station_infeasible():
    station = _police_station()
    station = replace(station, people=tuple(replace(p, min_total_minutes=7 * 24 * 60) if p.person_id == "p2" else p
                                            for p in station.people))
    result = by_person.solve_by_person(station, WEEK, time_limit=20, days=7, workers=2)
    assert result.status is SolveStatus.INFEASIBLE and not result.roster


def test_without_a_time_limit_the_search_ends_at_a_local_optimum():
    station = _police_station()
    result = by_person.solve_by_person(station, WEEK, time_limit=None, days=7, workers=2)
    assert result.status is SolveStatus.FEASIBLE
    report = check_roster(station, WEEK, result.roster, 7)
    assert report.ok and report.objective == result.objective


@needs_bench
def test_with_worker_processes_the_roster_passes_both_checkers(monkeypatch):
    instance, station, start = _curtois("Instance4")
    runners = []
    real_runner = by_person.runner
    monkeypatch.setattr(sub_solves, "PROCESSES_FROM", 0.0)
    monkeypatch.setattr(by_person, "runner", lambda *a: runners.append(real_runner(*a)) or runners[-1])
    result = by_person.solve_by_person(station, start, time_limit=15, days=instance.horizon, workers=2)
    assert isinstance(runners[0], sub_solves.Processes)
    evaluation = evaluate(instance, from_roster(result.roster, start))
    assert evaluation.violations == [] and result.objective == evaluation.objective >= 1716  # best known


@needs_bench
def test_a_move_solved_while_another_was_kept_is_priced_against_the_others_as_they_are_now():
    """Two moves drawn at once (as with two worker processes) see the same rosters; once the first
    is kept, the second's gain must be counted on the others' new rosters, or the running
    objective drifts from the checker's."""
    instance, station, start = _curtois("Instance4")
    people = list(station.people)
    plan = by_person._Plan(station, start, instance.horizon, 2, None, None, None)
    here = sub_solves.InProcess(2, None)
    assert by_person._first_pass(plan, people, here) is None
    whole = plan.price(station, [a for r in plan.rosters.values() for a in r]).objective
    rng = random.Random(7)
    first = by_person._next_move(plan, people, 0, (by_person.FEW, None), 2, [], rng)
    second = by_person._next_move(plan, people, 0, (by_person.FEW, None), 2, [first], rng)
    assert not {p.person_id for p in first.few} & {p.person_id for p in second.few}
    solved = [here.submit(move.sub, start, instance.horizon, 10.0,
                          [a for p in move.few for a in plan.rosters[p.person_id]]).result()
              for move in (first, second)]
    gains = [by_person._keep_if_better(plan, move, result) for move, result in zip((first, second), solved, strict=True)]
    assert gains[0] > 0 and second.version != plan.version  # the second was solved against old rosters
    after = plan.price(station, [a for r in plan.rosters.values() for a in r])
    assert after.ok and after.objective == whole - sum(gains)


@needs_bench
def test_many_people_on_a_few_days_take_everyone_no_other_move_holds(monkeypatch):
    """The kind that trades shifts between many people on a few days draws from the people free
    of the running moves, up to its size, and its days are consecutive dates of the horizon, or
    for a share of its turns single dates anywhere."""
    instance, station, start = _curtois("Instance4")
    people = list(station.people)
    monkeypatch.setattr(by_person, "SCATTERED_SHARE", 0.0)
    plan = by_person._Plan(station, start, instance.horizon, 2, None, None, None)
    assert by_person._first_pass(plan, people, sub_solves.InProcess(2, None)) is None
    kinds = by_person._kinds(plan)
    kind = kinds.index((by_person.ON_FEW_DAYS, by_person.FEW_DAYS))
    rng = random.Random(3)
    few = by_person._next_move(plan, people, 0, kinds[0], 0, [], rng)
    largest = len(by_person.ON_FEW_DAYS) - 1
    many = by_person._next_move(plan, people, kind, kinds[kind], largest, [few], rng)
    assert many.name == "few days"
    held = {p.person_id for p in few.few}
    assert {p.person_id for p in many.few} == {p.person_id for p in people} - held  # size above the station's
    dates = sorted(many.window)
    assert len(dates) == by_person.FEW_DAYS and dates[-1] - dates[0] == dt.timedelta(days=by_person.FEW_DAYS - 1)
    assert set(dates) <= set(plan.dates)
    smallest = by_person._next_move(plan, people, kind, kinds[kind], 0, [few], rng)
    assert len(smallest.few) == min(by_person.ON_FEW_DAYS[0], len(people) - len(held))
    # A share of its turns on single days anywhere: as many dates, a short place's date among them.
    monkeypatch.setattr(by_person, "SCATTERED_SHARE", 1.0)
    short = plan.short()
    assert short  # the first pass leaves places short on Instance4
    scattered = [by_person._next_move(plan, people, kind, kinds[kind], largest, [few], rng) for _ in range(20)]
    assert all(m.name == "scattered" and len(m.window) == by_person.SCATTERED_DAYS for m in scattered)
    assert all(m.window <= set(plan.dates) for m in scattered)
    assert any(max(m.window) - min(m.window) > dt.timedelta(days=by_person.SCATTERED_DAYS) for m in scattered)
    assert any(key[1] in m.window for m in scattered for key in short)
    assert {p.person_id for p in scattered[0].few} == {p.person_id for p in people} - held
    # Switched off, the kind is not drawn.
    monkeypatch.setattr(by_person, "MANY_ON_FEW_DAYS", False)
    assert (by_person.ON_FEW_DAYS, by_person.FEW_DAYS) not in by_person._kinds(plan)


def test_the_first_pass_counts_those_still_to_come_at_weekends_by_their_most_weekends(monkeypatch):
    """p1 may work one shift and asks for Friday; p2 may work no weekend. Counted in full, p2 seems
    able to work Saturday as well as Friday, and p1 takes Friday; counted by their share of the
    weekends (none), p2 can only work Friday, so p1 takes Saturday and both places are covered."""
    station = make_station("p1 王伟 police\np2 李娜 police", "g1 fri day police 1 2\ng1 sat day police 1 2",
                           weights=Weights(night_spread=0, weekend_spread=0))
    friday = WEEK + dt.timedelta(days=4)
    p1, p2 = station.people
    station = replace(station, people=(replace(p1, max_total_minutes=480), replace(p2, max_weekends=0)),
                      requests=(Request("p1", friday, "day", "on", 5),))

    def first_roster():
        plan = by_person._Plan(station, WEEK, 7, 1, None, None, None)
        assert by_person._first_pass(plan, list(station.people), sub_solves.InProcess(1, None)) is None
        report = plan.price(station, [a for r in plan.rosters.values() for a in r])
        return report, [a.date for a in plan.rosters["p1"]]

    assert by_person._weekend_share(by_person._Plan(station, WEEK, 7, 1, None, None, None), station.people[1]) == 0
    report, p1_days = first_roster()
    assert report.ok and report.terms["uncovered"] == 0 and p1_days == [friday + dt.timedelta(days=1)]
    monkeypatch.setattr(by_person, "_weekend_share", lambda plan, person: 1.0)  # everyone counted in full
    report, p1_days = first_roster()
    assert report.terms["uncovered"] > 0 and p1_days == [friday]


def test_the_first_pass_leaves_to_those_still_to_come_what_they_can_cover(monkeypatch):
    """Alone, p1 would rather work Monday's day shift (a request), but only p1 may work nights:
    taking the night leaves the day to p2 or p3, and the first roster covers both."""
    station = make_station(POLICE, "g1 mon day police 1 3\ng1 mon night police 1 3",
                           weights=Weights(night_spread=0, weekend_spread=0))
    no_nights = (("night", 0),)
    people = tuple(p if p.person_id == "p1" else replace(p, max_shifts_per_type=no_nights) for p in station.people)
    station = replace(station, people=people, requests=(Request("p1", WEEK, "day", "on", 5),))

    def first_roster():
        plan = by_person._Plan(station, WEEK, 7, 1, None, None, None)
        assert by_person._first_pass(plan, list(station.people), sub_solves.InProcess(1, None)) is None
        report = plan.price(station, [a for r in plan.rosters.values() for a in r])
        return report, [a.shift_id for a in plan.rosters["p1"]]

    report, p1 = first_roster()
    assert report.ok and report.terms["uncovered"] == 0 and p1 == ["night"]
    monkeypatch.setattr(by_person, "SCARCE_WEIGHT", 0)  # each for themselves: the night stays short
    report, p1 = first_roster()
    assert report.terms["uncovered"] > 0 and p1 == ["day"]


def _pace(*solves):
    pace = by_person._Pace()
    for wall, seconds, short in solves:
        pace.add(wall, seconds, short)
    return pace


def test_with_time_enough_each_person_gets_the_usual_seconds_and_the_full_presolve():
    # 10 people, 100 s left: 40% of it is 4 s each, held to 2 s, doubled for two solves side by side
    usual = 2 * by_person.MOST_FIRST_SECONDS
    assert by_person.first_seconds(100.0, 10, 2, _pace()) == (usual, False)  # nothing measured yet
    assert by_person.first_seconds(100.0, 10, 2, _pace((4.6, usual, False))) == (usual, False)
    assert by_person.first_seconds(None, 10, 2, _pace((40.0, usual, False))) == (usual, False)


def test_people_who_prove_their_roster_soon_keep_the_usual_seconds_however_many_are_left():
    # 120 people in 60 s would not fit at 2 s each, but they take 0.3 s
    pace = _pace((0.3, 2.0, False), (0.3, 2.0, False))
    assert by_person.first_seconds(60.0, 120, 2, pace) == (2.0, False)


@pytest.mark.parametrize("left, remaining, capacity, wall", [(60.0, 150, 2, 2.6), (30.0, 100, 2, 3.0),
                                                              (20.0, 40, 1, 1.2)])
def test_with_little_time_everyone_still_gets_a_first_roster_within_the_time_left(left, remaining, capacity, wall):
    """Instance24 (150 people) at 150 s had no roster at all: each person had at least 1 s."""
    usual = by_person.FIRST_SECONDS * capacity
    pace = _pace((wall, usual, False))
    seconds, short = by_person.first_seconds(left, remaining, capacity, pace)
    assert short and by_person.LEAST_FIRST_SECONDS <= seconds < usual
    if seconds > by_person.LEAST_FIRST_SECONDS:  # each costs its seconds and what it cost beyond, `capacity` at a time
        beyond = wall - usual
        assert remaining / capacity * (seconds + beyond) == pytest.approx(by_person.FIRST_SHARE_SHORT * left)


class _FailingOnce:
    """Runs in this process, but each person's first solve finds no roster (a hard one)."""

    def __init__(self):
        self.here, self.capacity, self.calls = sub_solves.InProcess(1, None), 1, []

    def submit(self, sub, week_start, days, seconds, hint, gap=0.0, light=False):
        person = sub.people[0].person_id
        self.calls.append((person, seconds, light))
        if sum(1 for p, _, _ in self.calls if p == person) == 1:
            future = Future()
            future.set_result(Result(SolveStatus.NO_SOLUTION, "cpsat"))
            return future
        return self.here.submit(sub, week_start, days, seconds, hint, gap, light)


def test_a_person_without_a_roster_in_their_seconds_is_solved_again_with_four_times_as_many():
    station = _police_station()
    plan = by_person._Plan(station, WEEK, 7, 1, 30.0, None, None)
    run = _FailingOnce()
    assert by_person._first_pass(plan, list(station.people), run) is None
    assert set(plan.rosters) == {p.person_id for p in station.people}
    for person in plan.rosters:
        (_, first, light), (_, again, light_again) = [c for c in run.calls if c[0] == person]
        assert again == pytest.approx(4 * first) and light == light_again
    report = plan.price(station, [a for r in plan.rosters.values() for a in r])
    assert report.ok


def test_when_the_time_is_short_the_first_pass_presolves_lightly(monkeypatch):
    station = _police_station()
    monkeypatch.setattr(by_person, "first_seconds", lambda *args: (0.7, True))
    plan = by_person._Plan(station, WEEK, 7, 1, 30.0, None, None)
    run = _FailingOnce()
    assert by_person._first_pass(plan, list(station.people), run) is None
    assert all(light for _, _, light in run.calls)
    assert sorted({round(seconds, 6) for _, seconds, _ in run.calls}) == [0.7, 2.8]  # again with 4 times as many


def test_a_kind_grows_only_while_its_neighbourhoods_are_proven_optimal_well_within_their_seconds_and_gain_nothing(
        monkeypatch):
    quick = by_person.GROW_WITHIN * by_person.FEW_SECONDS / 2
    slow = (by_person.GROW_WITHIN + 1) / 2 * by_person.FEW_SECONDS  # proven, but near the limit

    def proven(wall):
        return Result(SolveStatus.OPTIMAL, "cpsat", wall_time=wall)

    assert by_person._next_size(1, 4, proven(quick), gain=0) == 2
    assert by_person._next_size(3, 4, proven(quick), gain=0) == 3  # the largest stays the largest
    assert by_person._next_size(1, 4, proven(slow), gain=0) == 1
    assert by_person._next_size(1, 4, proven(quick), gain=5) == 1  # it still gains at this size: stay
    assert by_person._next_size(1, 4, Result(SolveStatus.FEASIBLE, "cpsat", wall_time=quick), gain=5) == 0
    assert by_person._next_size(0, 4, Result(SolveStatus.NO_SOLUTION, "cpsat", wall_time=slow), gain=0) == 0
    monkeypatch.setattr(by_person, "GROW_ON_GAIN", True)
    assert by_person._next_size(1, 4, proven(quick), gain=5) == 2


@needs_bench
def test_many_people_at_the_size_of_the_station_run_alone(monkeypatch):
    """A move of the few-days kind as large as the station waits for the running moves and runs
    alone, with everyone in it; the others still run two at a time."""
    instance, station, start = _curtois("Instance4")  # 10 people: every size of the kind takes them all
    monkeypatch.setattr(by_person, "EVERYONE_ALONE", True)
    people = list(station.people)
    plan = by_person._Plan(station, start, instance.horizon, 2, 6, None, None)
    run = sub_solves.InProcess(2, None)
    assert by_person._first_pass(plan, people, run) is None
    run.capacity = 2  # two at once, as the worker processes (its futures are done when handed out)
    sizes, submit = {}, run.submit

    def submit_and_note(sub, *args, **kwargs):
        future = submit(sub, *args, **kwargs)
        sizes[future] = len(sub.people)
        return future

    waited = []

    def wait_and_note(futures, **kwargs):
        waited.append([sizes[f] for f in futures])
        return wait(futures, **kwargs)

    monkeypatch.setattr(run, "submit", submit_and_note)
    monkeypatch.setattr(by_person, "wait", wait_and_note)
    by_person._improve(plan, people, run)
    alone = [w for w in waited if len(people) in w]
    assert alone and all(w == [len(people)] for w in alone)
    assert any(len(w) == 2 for w in waited)
    kinds = by_person._kinds(plan)
    many = kinds.index((by_person.ON_FEW_DAYS, by_person.FEW_DAYS))
    assert by_person._takes_everyone(kinds[many], 0, people) and not by_person._takes_everyone(kinds[0], 3, people)
    monkeypatch.setattr(by_person, "EVERYONE_ALONE", False)
    assert not by_person._takes_everyone(kinds[many], 0, people)
