"""Where by_person's small solves run: here, one at a time, or in worker processes, several at once.

Why processes: the Python around each small solve (lowering the demand, preparing the station,
building the model) holds the GIL and leaves a core idle, and a small model keeps CP-SAT's
workers only partly busy. Two processes, each with as many CP-SAT workers as the caller asked
for, solve about twice the neighbourhoods in the same time (Curtois Instance13 at 120 s: 49 ->
96). One CP-SAT worker per process was worse on the long instances: alone, CP-SAT runs no
first-solution or LNS worker, and a person's first roster over 182 days came late and poor
(docs/solver-notes.md). The processes are spawned, not forked: the parent may be running
CP-SAT threads.

A caller's stop reaches the processes through a shared event: a solve running there stops within
a tenth of a second (CP-SAT polls it), and one not yet started returns at once with no roster.
Before, a solve there ran to its own limit, up to 16 s for a first roster tried again, and a
cancelled portal job waited for it.

A spawned process imports the caller's main script again; one without an `if __name__ ==
"__main__":` guard breaks the pool, and the solves then run here, one at a time, as they would
without processes.
"""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from .model import Assignment, Station
from .result import Result, SolveStatus, StopToken

log = logging.getLogger(__name__)

# Two processes, as measured (docs/solver-notes.md); each has the caller's CP-SAT workers, so more
# processes would multiply the threads on the machine.
PROCESSES = 2
# With less time than this, starting the processes (about a second each, to import OR-Tools) costs
# more than they bring.
PROCESSES_FROM = 20.0


def solve_sub(sub: Station, week_start: dt.date, days: int, seconds: float | None, hint: list[Assignment] | None,
              gap: float, workers: int, stop: StopToken | None = None, light: bool = False) -> Result:
    """One small station solved whole by CP-SAT from a hint (see solve(..., whole=True)), with a
    "works that date" flag per person and date (SolveOptions.day_flags); `light`: a light presolve
    (SolveOptions.light_presolve)."""
    from .solve import solve

    if stop is not None and stop.stopped:  # nothing: solve() would spend seconds on a quick roster nobody takes
        return Result(status=SolveStatus.NO_SOLUTION, backend="cpsat", stopped=True)
    return solve(sub, week_start, "cpsat", time_limit=seconds, days=days, workers=workers, stop=stop,
                 hint=hint, whole=True, gap_limit=gap, light_presolve=light, day_flags=True)


def rosters_within_sub(sub: Station, week_start: dt.date, days: int, cost: int, most: int, seconds: float,
                       stop: StopToken | None = None) -> tuple[list[list[Assignment]], bool]:
    """Every roster of a small station at or under `cost` (solve.rosters_within), up to `most`."""
    from .solve import rosters_within

    if stop is not None and stop.stopped:
        return [], False
    return rosters_within(sub, week_start, cost, days=days, most=most, time_limit=seconds, stop=stop)


class InProcess:
    """One solve at a time in this process, with all the CP-SAT workers and the caller's stop."""

    def __init__(self, workers: int, stop: StopToken | None):
        self.capacity, self.workers, self.stop = 1, workers, stop

    def submit(self, sub: Station, week_start: dt.date, days: int, seconds: float | None,
               hint: list[Assignment] | None, gap: float = 0.0, light: bool = False) -> Future:
        done: Future = Future()
        done.set_result(solve_sub(sub, week_start, days, seconds, hint, gap, self.workers, self.stop, light))
        return done

    def rosters_within(self, sub: Station, week_start: dt.date, days: int, cost: int, most: int,
                       seconds: float) -> Future:
        done: Future = Future()
        done.set_result(rosters_within_sub(sub, week_start, days, cost, most, seconds, self.stop))
        return done

    def close(self) -> None:
        pass


class Processes:
    """`count` solves at once, each in its own process with `workers` CP-SAT workers; the caller's
    `stop` stops them all."""

    def __init__(self, count: int, workers: int, stop: StopToken | None = None):
        self.capacity, self.workers = count, workers
        spawn = multiprocessing.get_context("spawn")
        stopped = spawn.Event()  # the processes' copy of the caller's stop (_share_stop)
        self.pool = ProcessPoolExecutor(count, mp_context=spawn, initializer=_share_stop, initargs=(stopped,))
        if stop is not None:
            stop.on_stop(stopped.set)
        # Start them all now and import the solver there: a pool that cannot start fails here.
        for ready in [self.pool.submit(_import_solver) for _ in range(count)]:
            ready.result()

    def submit(self, sub: Station, week_start: dt.date, days: int, seconds: float | None,
               hint: list[Assignment] | None, gap: float = 0.0, light: bool = False) -> Future:
        return self.pool.submit(_solve_there, sub, week_start, days, seconds, hint, gap, self.workers, light)

    def rosters_within(self, sub: Station, week_start: dt.date, days: int, cost: int, most: int,
                       seconds: float) -> Future:
        return self.pool.submit(_rosters_within_there, sub, week_start, days, cost, most, seconds)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def _import_solver() -> None:
    from . import solve  # noqa: F401


_caller_stop: StopToken | None = None  # in a worker process: the caller's stop, shared


def _share_stop(event) -> None:
    global _caller_stop
    _caller_stop = StopToken(event)


def _solve_there(sub: Station, week_start: dt.date, days: int, seconds: float | None,
                 hint: list[Assignment] | None, gap: float, workers: int, light: bool) -> Result:
    """solve_sub in a worker process, under the caller's stop."""
    return solve_sub(sub, week_start, days, seconds, hint, gap, workers, _caller_stop, light)


def _rosters_within_there(sub: Station, week_start: dt.date, days: int, cost: int, most: int,
                          seconds: float) -> tuple[list[list[Assignment]], bool]:
    return rosters_within_sub(sub, week_start, days, cost, most, seconds, _caller_stop)


def runner(workers: int, time_limit: float | None, stop: StopToken | None) -> InProcess | Processes:
    """Two processes with two or more workers and time enough to start them; else this process."""
    if workers >= 2 and (time_limit is None or time_limit >= PROCESSES_FROM):
        try:
            return Processes(PROCESSES, workers, stop)
        except (BrokenProcessPool, OSError) as e:
            log.warning("solving here, one at a time: worker processes did not start (%s)", e)
    return InProcess(workers, stop)
