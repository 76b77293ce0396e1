"""Solver benchmark: the engine on stations of growing size and on the Curtois-Qu benchmark.

    python3 benchmarks/bench_engine.py                        # everything, one case after the other
    python3 benchmarks/bench_engine.py --quick                # the demo station and Curtois Instance1
    python3 benchmarks/bench_engine.py --only 'Instance1?' generated-400/cpsat
    python3 benchmarks/bench_engine.py --quick --time-limit 5 # a smoke test
    python3 benchmarks/bench_engine.py --curtois-time-limit 120  # the series in about an hour

The series: the demo station and generated stations of 150, 400, 1,800 and 5,000 people (seed 2026;
both backends up to 400 people, CP-SAT only above, as CBC does not build and solve those models in
the time), then the 24 Curtois-Qu instances (CP-SAT). Time limits per case: 30 s up to 400 people,
120 s for 1,800 and 5,000, 600 s per Curtois instance; --time-limit sets one limit for all.

Each case runs in its own process, so its peak memory is its own (CBC's child process included).
Every roster is verified: by the checker for a station, by the benchmark's evaluator for Curtois.
The full series writes docs/benchmarks.md (rewritten after each case, so a stopped run keeps its
rows); a partial run (--quick, --only or --time-limit) writes out/benchmarks-partial.md instead,
unless --out says otherwise.
"""

from __future__ import annotations

import argparse
import datetime as dt
import fnmatch
import multiprocessing as mp
import os
import queue as queues
import sys
import time
from pathlib import Path

from bench_runs import ROOT, SEED, WEEK, Case, run_case

CURTOIS = ROOT.parent / "shared" / "bench" / "curtois"
FULL_OUT = ROOT / "docs" / "benchmarks.md"
PARTIAL_OUT = ROOT / "out" / "benchmarks-partial.md"
SMALL_LIMIT, LARGE_LIMIT, CURTOIS_LIMIT = 30.0, 120.0, 600.0
LARGEST_FOR_PULP = 400  # people
# (name, (police, auxiliary, volunteers, grids)): the 400-person mix (10% police, 15% auxiliaries,
# 75% volunteers, a grid per 20 people) scaled up and down.
GENERATED = [
    ("generated-150", (15, 22, 113, 8)),
    ("generated-400", (40, 60, 300, 20)),
    ("generated-1800", (180, 270, 1350, 90)),
    ("generated-5000", (500, 750, 3750, 250)),
]
QUICK = ("demo-station", "Instance1")
GRACE = 300  # seconds past its limit before a case that does not end is killed


def station_cases(limit: float | None) -> tuple[list[Case], list[str]]:
    cases = [Case("demo-station", "station", backend, limit or SMALL_LIMIT, "fixture") for backend in ("cpsat", "pulp")]
    skipped = []
    for name, mix in GENERATED:
        people = sum(mix[:3])
        own_limit = SMALL_LIMIT if people <= LARGEST_FOR_PULP else LARGE_LIMIT
        cases.append(Case(name, "station", "cpsat", limit or own_limit, mix))
        if people <= LARGEST_FOR_PULP:
            cases.append(Case(name, "station", "pulp", limit or own_limit, mix))
        else:
            skipped.append(f"{name}/pulp")
    return cases, skipped


def curtois_cases(limit: float | None, folder: Path) -> list[Case]:
    return [Case(f"Instance{n}", "curtois", "cpsat", limit or CURTOIS_LIMIT, folder / f"Instance{n}.txt")
            for n in range(1, 25)]


def chosen(cases: list[Case], patterns: list[str] | None) -> list[Case]:
    """The cases whose name or name/backend matches a pattern (shell wildcards allowed)."""
    if not patterns:
        return cases
    return [c for c in cases if any(fnmatch.fnmatchcase(c.name, p) or fnmatch.fnmatchcase(c.label, p)
                                    for p in patterns)]


def run_in_process(case: Case) -> dict:
    """Run one case in a fresh process; a crash or a hang becomes a row, not the end of the series."""
    ctx = mp.get_context("spawn")
    results = ctx.Queue()
    proc = ctx.Process(target=run_case, args=(case, results), name=case.label)
    proc.start()
    deadline = time.monotonic() + case.limit + GRACE
    row = None
    try:
        while row is None:
            try:
                row = results.get(timeout=1.0)
            except queues.Empty:
                if not proc.is_alive():
                    row = {"status": f"crashed (exit code {proc.exitcode})"}
                elif time.monotonic() > deadline:
                    proc.kill()
                    row = {"status": f"killed after {case.limit + GRACE:.0f} s"}
    except KeyboardInterrupt:
        proc.kill()
        raise
    finally:
        proc.join()
    return {"instance": case.name, "backend": case.backend, "limit": case.limit, **row}


# --------------------------------------------------------------------------- the table

COLUMNS = ("instance", "size", "backend", "limit s", "status", "objective", "bound", "gap", "first roster s",
           "1% gap s", "wall s", "peak MB", "verified", "best known", "vs best known")


def _fmt(value, pattern="{}"):
    return "-" if value is None else pattern.format(value)


def table_row(r: dict) -> str:
    verified = {True: "yes", False: "NO", None: "-"}[r.get("verified")]
    cells = (
        r["instance"], r.get("size", "-"), r["backend"], _fmt(r["limit"], "{:g}"), r["status"],
        _fmt(r.get("objective")), _fmt(r.get("bound"), "{:.0f}"), _fmt(r.get("gap"), "{:.2%}"),
        _fmt(r.get("first"), "{:.1f}"), _fmt(r.get("to_1pct"), "{:.1f}"), _fmt(r.get("wall"), "{:.1f}"),
        _fmt(r.get("peak_mb"), "{:.0f}"), verified, _fmt(r.get("best")), _fmt(r.get("distance_pct"), "{:+.2f}%"),
    )
    return "| " + " | ".join(str(c) for c in cells) + " |"


def markdown(rows: list[dict], skipped: list[str], command: str, finished: bool) -> str:
    lines = [
        "# Engine benchmarks", "",
        f"Measured on {dt.date.today().isoformat()} with `{command}` on this machine ({os.cpu_count()} cores); "
        f"stations planned for the week of {WEEK}, generated with seed {SEED}."
        + ("" if finished else " **The run was still going or stopped: rows are missing.**"), "",
        "Columns: objective is the engine's for a station and the benchmark's own for a Curtois instance; "
        "gap is (objective - bound) / objective; first roster and 1% gap are seconds from the start of the solve; "
        "verified: the checker (stations) or the benchmark's evaluator (Curtois) finds no broken hard rule and "
        "the same objective; vs best known: how far above the best known solution (shared/bench/curtois/"
        "best_known.csv).", "",
    ]
    lines += [f"CBC (pulp) runs on the stations of up to {LARGEST_FOR_PULP} people only, not on larger ones nor on "
              "the Curtois instances: it does not build and solve those models within their limits."
              + (f" Not run here for that reason: {', '.join(skipped)}." if skipped else ""), ""]
    lines += ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS), *map(table_row, rows)]
    return "\n".join(lines) + "\n"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="only the demo station and Curtois Instance1")
    parser.add_argument("--only", nargs="+", metavar="PATTERN",
                        help="cases by name or name/backend, wildcards allowed (demo-station, generated-400/pulp, "
                             "'Instance1?')")
    parser.add_argument("--time-limit", type=float, metavar="SECONDS", help="one time limit for every case")
    parser.add_argument("--curtois-time-limit", type=float, metavar="SECONDS",
                        help=f"the Curtois instances' limit (default {CURTOIS_LIMIT:g}); the stations keep theirs")
    parser.add_argument("--curtois-dir", type=Path, default=CURTOIS, help=f"default {CURTOIS}")
    parser.add_argument("--out", type=Path, help=f"the table's file (default {FULL_OUT.relative_to(ROOT)} for the "
                        f"full series, {PARTIAL_OUT.relative_to(ROOT)} for a partial run)")
    args = parser.parse_args(argv)
    for option, value in (("--time-limit", args.time_limit), ("--curtois-time-limit", args.curtois_time_limit)):
        if value is not None and value <= 0:
            parser.error(f"{option} must be positive, not {value:g}")
    return args


def all_cases(args) -> tuple[list[Case], list[str]]:
    """Every case of the series with the limits the options give (before --only and --quick)."""
    cases, skipped = station_cases(args.time_limit)
    cases += curtois_cases(args.curtois_time_limit or args.time_limit, args.curtois_dir)
    return cases, skipped


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cases, skipped = all_cases(args)
    patterns = list(QUICK) if args.quick else []
    patterns += args.only or []
    cases = chosen(cases, patterns)
    skipped = [s for s in skipped if not patterns or any(fnmatch.fnmatchcase(s, p + "*") for p in patterns)]
    if not cases:
        print(f"No case matches {' '.join(patterns)}.", file=sys.stderr)
        return 2
    partial = bool(patterns or args.time_limit or args.curtois_time_limit)
    out = args.out or (PARTIAL_OUT if partial else FULL_OUT)
    command = " ".join(["python3 benchmarks/bench_engine.py", *(sys.argv[1:] if argv is None else argv)])
    print(f"{len(cases)} case(s), one after the other; the table goes to {out}")
    if skipped:
        print(f"Not run: {', '.join(skipped)} (no CBC above {LARGEST_FOR_PULP} people nor on Curtois)")
    rows: list[dict] = []
    for number, case in enumerate(cases, start=1):
        print(f"[{number}/{len(cases)}] {case.label} (limit {case.limit:g} s)", flush=True)
        try:
            rows.append(run_in_process(case))
        except KeyboardInterrupt:
            print(f"\nInterrupted: {out} holds the {len(rows)} finished case(s).", file=sys.stderr)
            return 130
        print(table_row(rows[-1]), flush=True)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(markdown(rows, skipped, command, finished=number == len(cases)), encoding="utf-8")
    print("\n" + markdown(rows, skipped, command, finished=True))
    failed = [r["instance"] + "/" + r["backend"] for r in rows if r.get("verified") is not True]
    if failed:
        print(f"Not verified (no roster, or the checker disagrees): {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
