"""One benchmark case, run inside its own process by bench_engine.py.

Every roster is verified before its row counts: a station's by the checker (scheduler/checker.py),
a Curtois solution by the benchmark's own evaluator (scheduler/curtois.py), which must find no broken
hard rule and the same objective as the engine.
"""

from __future__ import annotations

import datetime as dt
import resource
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

WEEK = dt.date(2026, 11, 23)
SEED = 2026
ONE_PERCENT = 0.01
PROGRESS_EVERY = 2.0  # seconds between progress lines in a log (a terminal line is rewritten in place)


@dataclass(frozen=True)
class Case:
    name: str  # demo-station, generated-400, Instance7
    kind: str  # "station" or "curtois"
    backend: str
    limit: float  # seconds
    source: object  # station: "fixture" or (police, auxiliary, volunteers, grids); curtois: the instance path

    @property
    def label(self) -> str:
        return f"{self.name}/{self.backend}"


class ProgressLine:
    """The solver's best and bound while it runs: rewritten in place on a terminal, every few seconds in a log."""

    def __init__(self, label: str, started: float):
        self.label, self.started = label, started
        self.tty = sys.stdout.isatty()
        self.printed_at = -PROGRESS_EVERY
        self.to_one_percent: float | None = None

    def __call__(self, p) -> None:
        now = time.monotonic() - self.started
        if self.to_one_percent is None and p.gap is not None and p.gap <= ONE_PERCENT:
            self.to_one_percent = now
        if not self.tty and now - self.printed_at < PROGRESS_EVERY:
            return
        self.printed_at = now
        gap = "-" if p.gap is None else f"{p.gap:.2%}"
        text = f"  {self.label}: {now:7.1f}s  best {_rounded(p.objective)}  bound {_rounded(p.bound)}  gap {gap}"
        print("\r" + text if self.tty else text, end="" if self.tty else "\n", flush=True)

    def finish(self) -> None:
        if self.tty:
            print(flush=True)


def _rounded(value) -> str:
    return "-" if value is None else f"{value:.0f}"


def peak_mb() -> float:
    """Peak resident memory of this process and its waited-for children (CBC runs as a child), in MB."""
    return max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
               resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024


def run_case(case: Case, queue) -> None:
    """The target of the case's process: puts one row (or the error) on the queue."""
    try:
        row = run_station(case) if case.kind == "station" else run_curtois(case)
    except BaseException as error:  # reported as a row, so one broken case does not stop the series
        row = {"status": "error", "error": f"{type(error).__name__}: {error}"}
    queue.put({"instance": case.name, "backend": case.backend, "limit": case.limit, **row, "peak_mb": peak_mb()})


def _timings(result, progress: ProgressLine) -> dict:
    to_one_percent = progress.to_one_percent
    if to_one_percent is None and result.gap is not None and result.gap <= ONE_PERCENT:
        to_one_percent = result.wall_time  # reached with the final answer at the latest
    return {"status": str(result.status), "bound": result.bound, "gap": result.gap, "first": result.time_to_first,
            "to_1pct": to_one_percent, "wall": result.wall_time}


def build_station(source):
    from scheduler.generate import generate_station
    from scheduler.station_io import load_station

    if source == "fixture":
        return load_station(ROOT / "fixtures" / "demo-station")
    police, auxiliary, volunteers, grids = source
    return generate_station(police=police, auxiliary=auxiliary, volunteers=volunteers, grids=grids, seed=SEED)


def run_station(case: Case) -> dict:
    from scheduler.checker import check_roster
    from scheduler.solve import solve

    station = build_station(case.source)
    started = time.monotonic()
    progress = ProgressLine(case.label, started)
    result = solve(station, WEEK, backend=case.backend, time_limit=case.limit, progress=progress, days=7)
    progress.finish()
    report = check_roster(station, WEEK, result.roster, 7) if result.has_roster else None
    return {
        "size": f"{len(station.people)} people, {len(station.grids)} grids, 7 d", "objective": result.objective,
        **_timings(result, progress),
        "verified": None if report is None else bool(report.ok and report.objective == result.objective),
    }


def run_curtois(case: Case) -> dict:
    from scheduler.curtois import evaluate, parse_instance, read_best_known, write_solution
    from scheduler.curtois_station import from_roster, to_station
    from scheduler.solve import solve

    path = Path(case.source)
    instance = parse_instance(path)
    best_file = path.parent / "best_known.csv"
    best = read_best_known(best_file).get(instance.name) if best_file.exists() else None
    station, start = to_station(instance)
    started = time.monotonic()
    progress = ProgressLine(case.label, started)
    result = solve(station, start, backend=case.backend, time_limit=case.limit, progress=progress,
                   days=instance.horizon)
    progress.finish()
    row = {"size": f"{len(instance.staff)} staff, {len(instance.shifts)} shift types, {instance.horizon} d",
           "objective": None, **_timings(result, progress), "verified": None,
           "best": None if best is None else best.upper, "distance_pct": None}
    if result.has_roster:
        triples = from_roster(result.roster, start)
        evaluation = evaluate(instance, triples)
        out = ROOT / "out" / "bench"
        out.mkdir(parents=True, exist_ok=True)
        write_solution(out / f"{instance.name}-{case.backend}-solution.csv", triples)
        row.update(objective=evaluation.objective, engine_objective=result.objective,
                   verified=evaluation.feasible and evaluation.objective == result.objective,
                   violations=len(evaluation.violations),
                   distance_pct=None if best is None else best.distance_pct(evaluation.objective))
    return row
