"""The few at a time again from a saved roster (sizes from the smallest, fresh draws; no columns):
what the neighbourhoods still gain from there, with solver constants set for the run.

    python3 benchmarks/tools/restart.py Instance20 out/i20.csv 150 [module.CONST=value ...] [--seed N]
"""

from __future__ import annotations

import time

import lab

from scheduler import by_person

if __name__ == "__main__":  # the worker processes import this file again
    parser = lab.arguments(__doc__, solution=True)
    parser.add_argument("--seed", type=int, default=by_person.SEED)
    args = parser.parse_args()
    lab.set_constants(args.settings + [f"by_person.SEED={args.seed}"])
    by_person._columns_bound = lambda *a: None
    inst, station, start = lab.instance(args.name)
    roster = lab.roster(args.solution, start)
    before = lab.evaluated(inst, roster, start).objective
    began = time.monotonic()
    result = by_person.solve_by_person(station, start, time_limit=args.seconds, days=inst.horizon, workers=2,
                                       start=roster)
    ev = lab.evaluated(inst, result.roster, start)
    print(f"{args.name} {' '.join(args.settings)} seed {args.seed}: {before} -> {ev.objective} in "
          f"{time.monotonic() - began:.0f} s; terms {dict(ev.terms)} ok {not ev.violations}")
