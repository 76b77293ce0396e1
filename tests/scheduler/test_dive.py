"""Diving over the columns (scheduler/dive.py), where the master's LP is unsettled beyond four weeks,
and the stalled LP that starts it (columns.lp_stalled)."""

from __future__ import annotations

import math
import time
from types import SimpleNamespace

from scheduler import columns, dive
from scheduler.checker import check_roster
from scheduler.curtois import evaluate
from scheduler.curtois_station import from_roster
from scheduler.sub_solves import InProcess

from .stations import curtois_first_roster, needs_bench


def _master_after_rounds(name: str, rounds: int):
    """A Curtois instance's plan (everyone's first-pass roster) and a master priced `rounds` times."""
    instance, station, start, plan = curtois_first_roster(name)
    run = InProcess(2, None)
    master = columns.Master(station, start, instance.horizon, plan.demand)
    for p in station.people:
        master.add(p, plan.rosters[p.person_id])
    for _ in range(rounds):
        _lp, duals, mine, _values = master.lp()
        columns.price(master, list(station.people), duals, columns.SCALE, (duals, mine), run, plan, 2.0)
    return instance, station, start, plan, master, run


def test_the_lp_stops_when_it_barely_moves_and_its_bound_is_still_far_below():
    rounds = columns.STALLED_ROUNDS
    flat = [1000.0 + 0.01 * (rounds - k) for k in range(rounds + 1)]
    far, near = 1000.0 * (1 - 2 * columns.BOUND_FAR), 1000.0 * (1 - columns.BOUND_FAR / 2)
    assert columns.lp_stalled(flat, far)
    assert not columns.lp_stalled(flat, near)  # it settles soon: the columns near it will run
    assert not columns.lp_stalled(flat, None)
    assert not columns.lp_stalled(flat[1:], far)  # too few rounds to tell
    moving = [1000.0 + 10 * (rounds - k) for k in range(rounds + 1)]
    assert not columns.lp_stalled(moving, far)


def test_the_likeliest_column_of_each_person_is_fixed_the_surest_first():
    people = [SimpleNamespace(person_id=pid) for pid in "ABCDEFGHIJ"]
    cols = [SimpleNamespace(person_id=pid) for pid in "ABCDEFGHIJ" for _ in range(2)]
    # Each person's two columns share their one unit; person A..J's best value rises with the letter,
    # and J's is whole.
    values = []
    for k in range(10):
        best = 0.5 + 0.05 * k if k < 9 else 1.0
        values += [best, 1.0 - best]
    chosen = dive._likeliest(SimpleNamespace(columns=cols), people, values)
    assert chosen == {"J": 18, "I": 16}  # a share of 0.2 of ten: two, the surest (J is whole anyway)
    chosen = dive._likeliest(SimpleNamespace(columns=cols), people[:5], values)
    assert chosen == {"E": 8}  # at least one


@needs_bench
def test_the_lp_takes_a_fixed_column_whole():
    instance, station, start, plan, master, run = _master_after_rounds("Instance2", 2)
    person = station.people[0]
    mine = [j for j, c in enumerate(master.columns) if c.person_id == person.person_id]
    assert len(mine) >= 2
    lp, _, _, values = master.lp()
    least = min(mine, key=lambda j: values[j])
    fixed_lp, _, _, fixed_values = master.lp({person.person_id: least})
    assert fixed_values[least] == 1.0 and all(fixed_values[j] == 0 for j in mine if j != least)
    assert fixed_lp >= lp - 1e-6  # a restriction of the LP


@needs_bench
def test_a_dive_to_the_end_is_a_roster_of_columns_that_keeps_every_rule(monkeypatch):
    monkeypatch.setattr(dive, "CLIMB", 100.0)  # the LP never climbs that far: everyone is fixed
    instance, station, start, plan, master, run = _master_after_rounds("Instance3", 3)
    roster = dive.dive(master, list(station.people), run, plan, time.monotonic() + 60)
    _assert_keeps_every_rule(instance, station, start, roster)
    assert all(_on_a_column(master, roster, p.person_id) for p in station.people)  # the dive fixed them all


@needs_bench
def test_where_the_lp_climbs_the_dive_stops_and_cp_sat_plans_the_people_still_free(monkeypatch):
    instance, station, start, plan, master, run = _master_after_rounds("Instance3", 3)
    real_lp = master.lp
    # With anybody fixed, the LP has climbed: the dive fixes one share and stops.
    monkeypatch.setattr(master, "lp", lambda fixed=None: _raised(real_lp(fixed), 1e6 if fixed else 0))
    solves = []
    real_submit = run.submit
    monkeypatch.setattr(run, "submit", lambda sub, *a: solves.append(sub) or real_submit(sub, *a))
    real_likeliest, chosen = dive._likeliest, []
    monkeypatch.setattr(dive, "_likeliest", lambda *a, **k: chosen.append(real_likeliest(*a, **k)) or chosen[-1])
    roster = dive.dive(master, list(station.people), run, plan, time.monotonic() + 60)
    _assert_keeps_every_rule(instance, station, start, roster)
    planned = [sub for sub in solves if len(sub.people) > 1]  # pricing solves a person at a time
    assert len(planned) == 1
    free = {p.person_id for p in planned[0].people}
    # One step fixed a share (and anyone the LP took whole); the hint took every free person's likeliest.
    step, hint = chosen
    assert len(step) >= math.ceil(dive.FIX_SHARE * len(station.people))
    assert free == {p.person_id for p in station.people} - set(step) == set(hint)
    assert all(_on_a_column(master, roster, p.person_id) for p in station.people if p.person_id not in free)
    # CP-SAT planned the free people whole (Instance3 is small): no other roster of theirs does
    # better around those fixed, their first-pass one included.
    fixed_part = [a for a in roster if a.person_id not in free]
    first_pass = fixed_part + [a for pid in free for a in plan.rosters[pid]]
    cost = check_roster(station, start, roster, instance.horizon).objective
    assert cost <= check_roster(station, start, first_pass, instance.horizon).objective


def _on_a_column(master, roster, person_id: str) -> bool:
    """The person's roster is one of their columns."""
    mine = frozenset((a.grid_id, a.date, a.shift_id) for a in roster if a.person_id == person_id)
    return any(c.person_id == person_id and c.places == mine for c in master.columns)


def _raised(lp_result, by: float):
    lp, duals, mine, values = lp_result
    return lp + by, duals, mine, values


def _assert_keeps_every_rule(instance, station, start, roster):
    report = check_roster(station, start, roster, instance.horizon)
    evaluation = evaluate(instance, from_roster(roster, start))
    assert report.ok and evaluation.violations == [] and report.objective == evaluation.objective


@needs_bench
def test_a_dive_out_of_time_fixes_nobody():
    instance, station, start, plan, master, run = _master_after_rounds("Instance2", 1)
    assert dive.dive(master, list(station.people), run, plan, time.monotonic() - 1) is None


@needs_bench
def test_column_generation_beyond_four_weeks_dives_when_the_lp_is_unsettled_at_its_time(monkeypatch):
    instance, station, start, plan = curtois_first_roster("Instance3")
    before = plan.cost()
    monkeypatch.setattr(columns, "COLUMNS_SHORT_DAYS", 7)  # Instance3's two weeks count as long
    real_price, real_dive = columns.price, columns.dive
    # Every round prices a column below the duals and gives no bound: the LP never settles.
    monkeypatch.setattr(columns, "price", lambda *a: (max(1, real_price(*a)[0]), None))
    dives, integer_programs = [], []
    monkeypatch.setattr(columns, "dive", lambda *a: dives.append(1) or real_dive(*a))
    monkeypatch.setattr(columns.Master, "best_roster", lambda *a: integer_programs.append(1) or (None, False))
    outcome = columns.improve_by_columns(plan, list(station.people), InProcess(2, None), 30)
    assert outcome.rounds >= 2 and dives == [1] and integer_programs == []
    roster = [a for r in plan.rosters.values() for a in r]
    evaluation = evaluate(instance, from_roster(roster, start))
    assert evaluation.violations == [] and evaluation.objective == plan.cost() == before - outcome.gain


@needs_bench
def test_up_to_four_weeks_an_unsettled_lp_leaves_the_roster_to_the_integer_program(monkeypatch):
    instance, station, start, plan = curtois_first_roster("Instance3")
    real_price = columns.price
    monkeypatch.setattr(columns, "price", lambda *a: (max(1, real_price(*a)[0]), None))
    dives, integer_programs = [], []
    monkeypatch.setattr(columns, "dive", lambda *a: dives.append(1))
    monkeypatch.setattr(columns.Master, "best_roster", lambda *a: integer_programs.append(1) or (None, False))
    columns.improve_by_columns(plan, list(station.people), InProcess(2, None), 20)
    assert dives == [] and integer_programs == [1]
