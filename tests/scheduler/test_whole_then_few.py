"""Separable stations below people-at-a-time's sizes: the whole model first, then a few people at a
time from its roster (by_person.solve_whole_then_few)."""

from __future__ import annotations

import sys

from scheduler import by_person
from scheduler.curtois import evaluate
from scheduler.curtois_station import from_roster
from scheduler.result import SolveStatus
from scheduler.solve import solve

from .stations import curtois as _curtois
from .stations import needs_bench


@needs_bench
def test_the_few_go_on_from_the_whole_models_roster_and_keep_its_bound(monkeypatch):
    instance, station, start = _curtois("Instance4")  # not proven in seconds
    solve_module = sys.modules["scheduler.solve"]  # the module; `scheduler.solve` is also the function
    wholes, starts = [], []
    real_solve, real_few = solve_module.solve, by_person.solve_by_person
    # the whole model's solve: on the station itself (the neighbourhoods' are on the few's stations)
    monkeypatch.setattr(solve_module, "solve", lambda *a, **k: _kept(wholes if a[0] is station else [], real_solve(*a, **k)))
    monkeypatch.setattr(by_person, "solve_by_person", lambda *a, **k: starts.append(k["start"]) or real_few(*a, **k))
    seen = []
    result = by_person.solve_whole_then_few(station, start, time_limit=12, days=instance.horizon, workers=2,
                                            progress=seen.append)
    [whole] = wholes
    assert starts == [whole.roster]
    evaluation = evaluate(instance, from_roster(result.roster, start))
    assert evaluation.violations == [] and result.objective == evaluation.objective
    whole_cost = evaluate(instance, from_roster(whole.roster, start)).objective
    assert result.objective <= whole_cost  # the neighbourhoods keep only what lowers it
    # The bound is the whole model's or better (the columns' own, where they run).
    assert whole.bound <= result.bound <= 1716 <= result.objective  # best known
    assert result.time_to_first == whole.time_to_first
    # Progress goes on from the whole model's time and still tells its bound.
    elapsed = [p.elapsed for p in seen]
    assert elapsed == sorted(elapsed) and seen[-1].bound >= whole.bound and seen[-1].elapsed > 6


def _kept(store: list, result):
    store.append(result)
    return result


@needs_bench
def test_a_whole_model_proven_optimal_is_the_answer():
    instance, station, start = _curtois("Instance1")  # proven in about a second
    result = by_person.solve_whole_then_few(station, start, time_limit=30, days=instance.horizon, workers=2)
    assert result.status is SolveStatus.OPTIMAL and result.objective == 607 == result.bound
    assert result.wall_time < 15


@needs_bench
def test_solve_takes_this_way_for_separable_stations_given_enough_time(monkeypatch):
    instance, station, start = _curtois("Instance2")
    calls = []
    real = by_person.solve_whole_then_few
    monkeypatch.setattr(by_person, "solve_whole_then_few", lambda *a, **k: calls.append(k) or real(*a, **k))
    monkeypatch.setattr(by_person, "WHOLE_THEN_FEW_FROM", 5)
    result = solve(station, start, time_limit=6, days=instance.horizon)
    assert len(calls) == 1 and result.has_roster
    assert evaluate(instance, from_roster(result.roster, start)).objective == result.objective
    solve(station, start, time_limit=4, days=instance.horizon)  # less time: the whole model alone
    assert len(calls) == 1
    assert not by_person.whole_then_few_worth_it(station, None, None)
