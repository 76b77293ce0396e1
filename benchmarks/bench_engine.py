"""Solver benchmark: how fast and how well the engine rosters stations of growing size.

    python benchmarks/bench_engine.py                 # the default series
    python benchmarks/bench_engine.py --quick         # demo station only

Each case runs in its own process so that peak memory is its own (CBC's child included).
Prints a table and writes it to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WEEK = dt.date(2026, 11, 23)
# (name, station recipe, backend, time limit in seconds)
CASES = [
    ("demo-station", "fixture", "cpsat", 60),
    ("demo-station", "fixture", "pulp", 60),
    ("generated-400", (40, 60, 300, 20), "cpsat", 30),
    ("generated-400", (40, 60, 300, 20), "pulp", 30),
]


def _station(recipe):
    from scheduler.generate import generate_station
    from scheduler.station_io import load_station

    if recipe == "fixture":
        return load_station(ROOT / "fixtures" / "demo-station")
    police, auxiliary, volunteers, grids = recipe
    return generate_station(police=police, auxiliary=auxiliary, volunteers=volunteers, grids=grids, seed=2026)


def _run(case, queue) -> None:
    from scheduler.checker import check_roster
    from scheduler.solve import solve

    name, recipe, backend, limit = case
    station = _station(recipe)
    started = time.monotonic()
    to_1pct: list[float] = []

    def progress(p):
        if not to_1pct and p.gap is not None and p.gap <= 0.01:
            to_1pct.append(time.monotonic() - started)
        print(f"\r  {name} {backend}: {p.elapsed:6.1f}s best={p.objective} bound={p.bound}", end="", flush=True)

    result = solve(station, WEEK, backend=backend, time_limit=limit, progress=progress)
    print()
    report = check_roster(station, WEEK, result.roster) if result.has_roster else None
    peak_mb = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    queue.put({
        "instance": name, "people": len(station.people), "backend": backend, "status": str(result.status),
        "objective": result.objective, "bound": result.bound, "gap": result.gap,
        "first": result.time_to_first, "to_1pct": to_1pct[0] if to_1pct else None,
        "wall": result.wall_time, "peak_mb": peak_mb,
        "checked": None if report is None else (report.ok and report.objective == result.objective),
    })


def _fmt(value, pattern="{}"):
    return "-" if value is None else pattern.format(value)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="only the demo station")
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    args = parser.parse_args()
    cases = [c for c in CASES if not args.quick or c[1] == "fixture"]
    ctx = mp.get_context("spawn")
    rows = []
    for case in cases:
        queue = ctx.Queue()
        proc = ctx.Process(target=_run, args=(case, queue))
        proc.start()
        rows.append(queue.get())
        proc.join()
    header = ("| instance | people | backend | status | objective | bound | gap | first roster s | 1% gap s "
              "| wall s | peak MB | checker agrees |")
    lines = [header, "|" + "---|" * 12]
    for r in rows:
        lines.append(
            f"| {r['instance']} | {r['people']} | {r['backend']} | {r['status']} | {_fmt(r['objective'])} "
            f"| {_fmt(r['bound'], '{:.0f}')} | {_fmt(r['gap'], '{:.2%}')} | {_fmt(r['first'], '{:.1f}')} "
            f"| {_fmt(r['to_1pct'], '{:.1f}')} | {r['wall']:.1f} | {r['peak_mb']:.0f} | {_fmt(r['checked'])} |"
        )
    table = "\n".join(lines)
    print(table)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(
        f"# Engine benchmarks\n\nMeasured on {dt.date.today().isoformat()} with "
        f"`python benchmarks/bench_engine.py` (2 cores; week {WEEK}).\n\n{table}\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
