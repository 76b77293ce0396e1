"""scheduler.solve: stopping a running solve, progress reports, backend choice, the summary."""

from __future__ import annotations

import json
import threading
import time

import pytest

from scheduler.checker import check_roster
from scheduler.generate import generate_station
from scheduler.result import SolveStatus, StopToken
from scheduler.solve import solve
from scheduler.station_io import load_station
from tests.scheduler.stations import TINY, WEEK, all_backends, make_station

# Not proven optimal in a few seconds by either backend, yet both have a first roster soon: CP-SAT
# in about 1 s, CBC in about 10 s. (With 400 people CP-SAT first runs CBC's heuristics for up to
# 35 % of the time limit, and the suite would spend minutes here.)
STATION = dict(police=20, auxiliary=30, volunteers=150, grids=10, seed=1)
STOP_WITHIN_SECONDS = 10  # from the stop request to solve() returning


class Recorder:
    """A progress callback that keeps every report and signals the first one with a roster."""

    def __init__(self) -> None:
        self.reports = []
        self.first_roster = threading.Event()

    def __call__(self, progress) -> None:
        self.reports.append(progress)
        if progress.objective is not None:
            self.first_roster.set()

    @property
    def objectives(self) -> list[float]:
        return [p.objective for p in self.reports if p.objective is not None]


def assert_non_increasing(values: list[float]) -> None:
    assert all(later <= earlier for earlier, later in zip(values, values[1:], strict=False)), values


@all_backends
def test_stop_from_another_thread_returns_the_best_roster_so_far(backend):
    station = generate_station(**STATION)
    recorder = Recorder()
    token = StopToken()
    stop_requested: list[float] = []

    def stopper() -> None:
        if recorder.first_roster.wait(timeout=110):
            stop_requested.append(time.monotonic())
            token.stop()

    thread = threading.Thread(target=stopper, name="test-stopper", daemon=True)
    thread.start()
    result = solve(station, WEEK, backend=backend, time_limit=120, progress=recorder, stop=token)
    returned = time.monotonic()
    thread.join(timeout=1)

    assert stop_requested, f"no progress report with an objective before the solve ended: {result}"
    assert returned - stop_requested[0] < STOP_WITHIN_SECONDS, f"took {returned - stop_requested[0]:.1f} s to stop"
    assert result.stopped
    assert result.status in (SolveStatus.FEASIBLE, SolveStatus.OPTIMAL), f"{result} after {recorder.objectives}"
    assert result.roster
    report = check_roster(station, WEEK, result.roster)
    assert report.violations == [], [v.message for v in report.violations[:5]]
    assert (report.objective, report.terms) == (result.objective, result.terms)
    # The best roster so far: at least as good as the first one reported.
    assert result.objective <= recorder.objectives[0]
    assert_non_increasing(recorder.objectives)


@all_backends
def test_progress_objectives_never_increase(backend):
    improved = False
    for seed in (4, 7):
        station = generate_station(police=4, auxiliary=6, volunteers=12, grids=3, seed=seed)
        recorder = Recorder()
        # CP-SAT with two search threads reporting concurrently; CBC with one, so that its
        # sequence of incumbents is reproducible
        workers = 2 if backend == "cpsat" else 1
        result = solve(station, WEEK, backend=backend, time_limit=10, progress=recorder, workers=workers)
        assert result.status is SolveStatus.OPTIMAL
        objectives = recorder.objectives
        assert objectives, "no progress report with an objective"
        assert_non_increasing(objectives)
        assert result.objective == objectives[-1]
        elapsed = [p.elapsed for p in recorder.reports]
        assert elapsed == sorted(elapsed)
        improved |= len(set(objectives)) >= 2
    assert improved, "no solve improved on its first roster: the test saw no sequence to check"


def test_unknown_backend_raises_value_error():
    station = load_station(TINY)
    with pytest.raises(ValueError, match="gurobi"):
        solve(station, WEEK, backend="gurobi")
    with pytest.raises(ValueError, match="cpsat"):  # the message lists the backends there are
        solve(station, WEEK, backend="CPSAT")


@all_backends
def test_summary_is_json_serialisable(backend):
    result = solve(load_station(TINY), WEEK, backend=backend, time_limit=10)
    summary = json.loads(json.dumps(result.summary(), ensure_ascii=False))
    assert summary["status"] == "optimal" and summary["backend"] == backend
    assert summary["objective"] == 293 and summary["gap"] == 0
    assert summary["terms"] == result.terms and summary["assignments"] == len(result.roster)
    assert summary["stopped"] is False and summary["conflicts"] == []

    station = make_station(pins="p1 mon night g1\np1 tue day g1")  # the rest rule: infeasible
    result = solve(station, WEEK, backend=backend, time_limit=10)
    summary = json.loads(json.dumps(result.summary(), ensure_ascii=False))
    assert summary["status"] == "infeasible" and summary["objective"] is None
    assert len(summary["conflicts"]) == 1 and "min_rest_between_shifts" in summary["conflicts"][0]
    assert "王伟" in summary["conflicts"][0]


def test_a_built_formulation_is_freed_with_its_solve():
    """A long-running portal (or a search that builds thousands of small models) must not keep
    every model it ever built: nothing global may hold on to a formulation."""
    import gc
    import weakref

    from scheduler.backends.cpsat import CpSatBuilder
    from scheduler.formulation import Formulation
    from scheduler.prepare import prepare

    inst = prepare(make_station(), WEEK, 7)
    form = Formulation(inst, CpSatBuilder()).build()
    assert form.works  # built for real
    gone = weakref.ref(form)
    del form
    gc.collect()
    assert gone() is None


def test_cbc_runs_serially_on_a_small_model_and_with_the_workers_on_a_large_one(monkeypatch):
    # CBC's threaded search now and then hangs until its time limit (coin-or/Cbc#640); on a
    # small model threads bring nothing, so run_cbc runs CBC's serial code (no -threads, which is
    # CBC's 0: `-threads 1` would still start a worker thread and its locks) whatever is asked.
    from scheduler import cbc_run

    threads = []
    real = cbc_run.subprocess.Popen

    def recorded(args, **kwargs):  # the CBC command line as run_cbc starts it
        threads.append(int(args[args.index("-threads") + 1]) if "-threads" in args else 0)
        return real(args, **kwargs)

    monkeypatch.setattr(cbc_run.subprocess, "Popen", recorded)
    tiny = load_station(TINY)
    assert solve(tiny, WEEK, "pulp", time_limit=20, workers=2).status is SolveStatus.OPTIMAL
    assert threads[0] == 0
    threads.clear()
    monkeypatch.setattr(cbc_run, "THREADS_FROM_VARIABLES", 1)  # as if the tiny station were large
    assert solve(tiny, WEEK, "pulp", time_limit=20, workers=2).status is SolveStatus.OPTIMAL
    assert threads[0] == 2
