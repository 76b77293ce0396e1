"""Cover first (backends/cpsat.py): the full model alone for a few seconds (full_first), then,
unless that proved it, the uncovered demand alone for a third of the time, then the full
objective from that roster. Checked on Curtois instances, where a missing person costs 100
and a request a few points: the rosters stay valid, their reported cost is never below what the
checker finds, progress never goes up across the two phases, and a stop in the first phase still
hands back a priced roster.
"""

from __future__ import annotations

import threading
import time

from scheduler import rules as R
from scheduler.backends import cpsat
from scheduler.backends.outcome import Outcome, SolveOptions
from scheduler.checker import check_roster
from scheduler.curtois import evaluate
from scheduler.curtois_station import from_roster
from scheduler.formulation import Formulation
from scheduler.prepare import prepare
from scheduler.result import SolveStatus, StopToken
from scheduler.solve import roster_from_counts, solve

from .stations import curtois as _curtois
from .stations import needs_bench

pytestmark = needs_bench


def _first_phase(name: str, seconds: float):
    instance, station, start = _curtois(name)
    inst = prepare(station, start, instance.horizon)
    builder = cpsat.CpSatBuilder()
    form = Formulation(inst, builder).build()
    options = SolveOptions(time_limit=seconds / cpsat.COVER_FIRST_SHARE, workers=2)
    assert cpsat.cover_first_worth_it(inst, form, options)
    cheapest = cpsat.cover_first(builder, form, options, started=time.monotonic())
    assert cheapest is not None
    check = lambda outcome: check_roster(station, start, roster_from_counts(inst, outcome), instance.horizon)  # noqa: E731
    return builder, form, cheapest, check


def test_an_unproven_first_phase_hints_its_best_cover_to_the_full_model():
    builder, form, cheapest, check = _first_phase("Instance5", 8.0)

    # Every variable of the full model is hinted: CP-SAT starts from a complete roster.
    proto = builder.model.proto
    assert len(proto.solution_hint.vars) == len(proto.variables)
    hinted = dict(zip(proto.solution_hint.vars, proto.solution_hint.values, strict=True))
    roster = Outcome(SolveStatus.FEASIBLE, works={key: hinted[var.index] for key, var in form.works.items()},
                     count={key: hinted[var.index] for key, var in form.count.items()})
    hinted_report, cheapest_report = check(roster), check(cheapest)
    assert hinted_report.ok and cheapest_report.ok
    # The hint is the last roster of a search on cover alone: no cover missing beyond the cheapest's.
    assert hinted_report.terms[R.UNCOVERED] <= cheapest_report.terms[R.UNCOVERED]
    # The cheapest is reported at no less than its cost (CP-SAT's terms are bounds when not minimised).
    assert cheapest_report.objective <= cheapest.objective


def test_a_proven_first_phase_leaves_the_full_model_unhinted():
    # Instance1's cover alone is proven in well under a second: no hint is needed then.
    builder, _form, cheapest, check = _first_phase("Instance1", 10.0)
    assert len(builder.model.proto.solution_hint.vars) == 0
    assert check(cheapest).ok and check(cheapest).objective <= cheapest.objective


def test_a_stop_in_the_first_phase_returns_a_priced_roster():
    instance, station, start = _curtois("Instance5")
    token = StopToken()
    reports = []
    stopped_at = threading.Event()

    def progress(p):
        reports.append(p)
        if p.objective is not None and not stopped_at.is_set():
            stopped_at.set()
            token.stop()

    result = solve(station, start, "cpsat", time_limit=120, progress=progress, stop=token, days=instance.horizon)

    assert result.stopped and result.status is SolveStatus.FEASIBLE
    assert result.wall_time < 30  # the first phase alone would have run for 40 s
    report = check_roster(station, start, result.roster, instance.horizon)
    assert report.ok, report.violations[:3]
    assert (report.objective, report.terms) == (result.objective, result.terms)
    assert evaluate(instance, from_roster(result.roster, start)).objective == result.objective
    assert result.objective <= reports[-1].objective  # what progress showed is held, or better


def test_progress_never_goes_up_across_the_two_phases():
    instance, station, start = _curtois("Instance4")
    reports = []
    result = solve(station, start, "cpsat", time_limit=cpsat.COVER_FIRST_FROM, progress=reports.append,
                   days=instance.horizon)

    objectives = [p.objective for p in reports if p.objective is not None]
    assert objectives, "no progress with an objective"
    assert all(later <= earlier for earlier, later in zip(objectives, objectives[1:], strict=False)), objectives
    assert result.has_roster and result.objective <= objectives[-1]
    assert result.time_to_first is not None and result.time_to_first < cpsat.COVER_FIRST_FROM / 3
    assert evaluate(instance, from_roster(result.roster, start)).objective == result.objective


def test_short_solves_and_hinted_solves_skip_the_first_phase(monkeypatch):
    instance, station, start = _curtois("Instance1")
    calls = []
    monkeypatch.setattr(cpsat, "full_first", lambda *a, **k: calls.append("full") or Outcome(SolveStatus.NO_SOLUTION))
    monkeypatch.setattr(cpsat, "cover_first", lambda *a, **k: calls.append("cover") or None)

    short = solve(station, start, "cpsat", time_limit=cpsat.COVER_FIRST_FROM - 1, days=instance.horizon)
    hinted = solve(station, start, "cpsat", time_limit=cpsat.COVER_FIRST_FROM, days=instance.horizon,
                   hint=short.roster)
    assert calls == []
    solve(station, start, "cpsat", time_limit=cpsat.COVER_FIRST_FROM, days=instance.horizon)
    assert calls == ["full", "cover"]
    assert short.objective == hinted.objective == 607


def test_a_station_the_full_model_proves_at_once_skips_cover_first(monkeypatch):
    # Instance1 is proven in well under FULL_FIRST_SECONDS: no cover phase, no second search.
    instance, station, start = _curtois("Instance1")
    calls = []
    monkeypatch.setattr(cpsat, "cover_first", lambda *a, **k: calls.append(a) or None)
    result = solve(station, start, "cpsat", time_limit=cpsat.COVER_FIRST_FROM, days=instance.horizon)
    assert calls == []
    assert result.status is SolveStatus.OPTIMAL and result.objective == 607
    assert result.wall_time < cpsat.FULL_FIRST_SECONDS


def test_an_unproven_full_first_hands_its_roster_and_bound_on(monkeypatch):
    instance, station, start = _curtois("Instance5")  # not proven in 2 s (its bound stays far below)
    monkeypatch.setattr(cpsat, "FULL_FIRST_SECONDS", 2.0)
    seen = {}
    real_full, real_cover = cpsat.full_first, cpsat.cover_first

    def full(*a, **k):
        seen["first"] = real_full(*a, **k)
        return seen["first"]

    def cover(*a, **k):
        seen["cheapest"] = a[4]
        return real_cover(*a, **k)

    monkeypatch.setattr(cpsat, "full_first", full)
    monkeypatch.setattr(cpsat, "cover_first", cover)
    result = solve(station, start, "cpsat", time_limit=cpsat.COVER_FIRST_FROM, days=instance.horizon)

    first = seen["first"]
    assert first.status is SolveStatus.FEASIBLE and first.values  # every variable, for a hint
    assert seen["cheapest"] is first
    assert result.objective <= first.objective
    assert result.bound is not None and result.bound >= first.bound - 1e-6
    assert evaluate(instance, from_roster(result.roster, start)).objective == result.objective


def test_a_proven_cover_phase_hints_the_cheapest_roster_found_before():
    instance, station, start = _curtois("Instance1")
    inst = prepare(station, start, instance.horizon)
    builder = cpsat.CpSatBuilder()
    form = Formulation(inst, builder).build()
    options = SolveOptions(time_limit=cpsat.COVER_FIRST_FROM, workers=2)
    first = cpsat.full_first(builder, form, options, time.monotonic(), None)
    assert first.values and len(builder.model.proto.solution_hint.vars) == 0

    cheapest = cpsat.cover_first(builder, form, options, time.monotonic(), first)

    assert cheapest.objective <= first.objective
    proto = builder.model.proto
    hinted = dict(zip(proto.solution_hint.vars, proto.solution_hint.values, strict=True))
    assert len(hinted) == len(proto.variables)
    assert all(hinted[var.index] == round(first.values[name]) for name, var in builder.variables.items())
