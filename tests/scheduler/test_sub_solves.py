"""Where by_person's small solves run (sub_solves.py): here, or several at once in worker processes."""

from __future__ import annotations

from concurrent.futures import wait
from concurrent.futures.process import BrokenProcessPool

from scheduler import sub_solves
from scheduler.result import SolveStatus

from .stations import WEEK, make_station

POLICE = """
p1 王伟 police
p2 李娜 police
p3 陈刚 police
"""
DEMAND = """
g1 mon day police 1 1
g1 tue night police 1 1
g1 wed day police 2 2
"""


def test_a_station_solved_in_worker_processes_is_solved_as_here():
    station = make_station(POLICE, DEMAND)
    here = sub_solves.InProcess(2, None).submit(station, WEEK, 7, 10.0, None).result()
    processes = sub_solves.Processes(2, 1)
    try:
        futures = [processes.submit(station, WEEK, 7, 10.0, None) for _ in range(2)]
        wait(futures)
    finally:
        processes.close()
    for future in futures:
        there = future.result()
        assert there.status is here.status is SolveStatus.OPTIMAL
        assert there.objective == here.objective and len(there.roster) == len(here.roster) == 4


def test_processes_only_with_two_workers_and_time_to_start_them():
    assert isinstance(sub_solves.runner(1, 600, None), sub_solves.InProcess)
    assert isinstance(sub_solves.runner(2, sub_solves.PROCESSES_FROM / 2, None), sub_solves.InProcess)


def test_when_the_processes_cannot_start_the_solves_run_here(monkeypatch):
    def broken(count, workers, stop):
        raise BrokenProcessPool("a child process terminated abruptly")

    monkeypatch.setattr(sub_solves, "Processes", broken)
    assert isinstance(sub_solves.runner(2, 600, None), sub_solves.InProcess)


def test_a_light_presolve_skips_probing_and_finds_the_same_optimum():
    from ortools.sat.python import cp_model

    from scheduler.backends.cpsat import parameters
    from scheduler.backends.outcome import SolveOptions

    solver = cp_model.CpSolver()
    parameters(solver, SolveOptions(light_presolve=True))
    assert solver.parameters.cp_model_probing_level == 0 and solver.parameters.max_presolve_iterations == 1
    parameters(solver := cp_model.CpSolver(), SolveOptions())
    assert solver.parameters.cp_model_probing_level > 0
    station = make_station(POLICE, DEMAND)
    full = sub_solves.InProcess(2, None).submit(station, WEEK, 7, 10.0, None).result()
    light = sub_solves.InProcess(2, None).submit(station, WEEK, 7, 10.0, None, light=True).result()
    assert light.status is full.status is SolveStatus.OPTIMAL and light.objective == full.objective


def test_a_small_solve_builds_its_model_with_day_flags(monkeypatch):
    from scheduler.backends import cpsat

    seen = []
    real = cpsat.Formulation

    def spy(inst, builder, **kwargs):
        seen.append(kwargs.get("day_flags"))
        return real(inst, builder, **kwargs)

    monkeypatch.setattr(cpsat, "Formulation", spy)
    result = sub_solves.InProcess(2, None).submit(make_station(POLICE, DEMAND), WEEK, 7, 10.0, None).result()
    assert result.status is SolveStatus.OPTIMAL
    assert seen and all(seen)


def test_the_callers_stop_reaches_a_solve_in_a_worker_process():
    """A cancelled job does not wait for the solves in the processes to reach their own limit."""
    import time

    from scheduler.generate import generate_station
    from scheduler.result import StopToken

    # 400 people: far from proven in the minute each solve is given.
    station = generate_station(police=40, auxiliary=60, volunteers=300, grids=20, seed=2026)
    stop = StopToken()
    processes = sub_solves.Processes(1, 2, stop)
    try:
        running = processes.submit(station, WEEK, 7, 60.0, None)
        time.sleep(8)  # into CP-SAT's search
        stop.stop()
        stopped_at = time.monotonic()
        result = running.result(timeout=50)
        waited = time.monotonic() - stopped_at
        after = processes.submit(station, WEEK, 7, 60.0, None).result(timeout=50)
    finally:
        processes.close()
    assert result.stopped and waited < 30
    assert after.stopped and after.status is SolveStatus.NO_SOLUTION and not after.roster
