"""Solve a Curtois instance as `run.py curtois` does, with the solver's log on the terminal.

    python3 benchmarks/tools/runlog.py Instance20 600 [module.CONST=value ...] [--save SOLUTION.csv]
    DEBUG=by_person python3 benchmarks/tools/runlog.py Instance20 600 > out/i20.log 2>&1

DEBUG names scheduler modules whose debug lines to show (by_person: every neighbourhood, the input
of kinds.py). The last line: `END name objective bound B wall S terms {...} ok True`, the objective
and hard rules by the benchmark's own evaluator.
"""

from __future__ import annotations

import logging
import os
import time

import lab

from scheduler.solve import solve

if __name__ == "__main__":  # the solver's worker processes import this file again
    parser = lab.arguments(__doc__, save=True)
    args = parser.parse_args()
    for name, value in lab.set_constants(args.settings):
        print("set", name, "=", value)
    logging.basicConfig(level=logging.INFO, format="%(relativeCreated)8.0f %(name)s %(message)s")
    for module in filter(None, os.environ.get("DEBUG", "").split(",")):
        logging.getLogger(f"scheduler.{module}").setLevel(logging.DEBUG)
    inst, station, start = lab.instance(args.name)
    began = time.monotonic()
    result = solve(station, start, "cpsat", args.seconds, days=inst.horizon)
    ev = lab.evaluated(inst, result.roster, start, args.save)
    print(f"END {args.name} {ev.objective} bound {result.bound} wall {time.monotonic() - began:.1f} "
          f"terms {dict(ev.terms)} ok {not ev.violations}")
