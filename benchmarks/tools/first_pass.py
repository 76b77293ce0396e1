"""The first pass alone (everyone's first roster, one person at a time), timed person by person:

    python3 benchmarks/tools/first_pass.py Instance22 600 [--save SOL.csv]

SECONDS is the time limit the whole solve would have (the first pass takes its share of it). Prints
each solve's CP-SAT seconds against its wall time, those solved again, and the first roster's
objective and terms.
"""

from __future__ import annotations

import time
from statistics import fmean

import lab

from scheduler import by_person

if __name__ == "__main__":  # the worker processes import this file again
    parser = lab.arguments(__doc__, save=True)
    args = parser.parse_args()
    lab.set_constants(args.settings)
    solves: list[tuple[float, float, bool]] = []
    add = by_person._Pace.add

    def timed(pace, wall, seconds, short):
        solves.append((wall, seconds, short))
        add(pace, wall, seconds, short)

    by_person._Pace.add = timed
    by_person._improve = lambda *a: None  # the first roster only
    by_person._columns_bound = lambda *a: None
    inst, station, start = lab.instance(args.name)
    began = time.monotonic()
    result = by_person.solve_by_person(station, start, time_limit=args.seconds, days=inst.horizon, workers=2)
    wall = time.monotonic() - began
    ev = lab.evaluated(inst, result.roster, start, args.save)
    again = len(solves) - len(station.people)
    print(f"{len(station.people)} people, {len(solves)} solves ({again} again), first roster after {wall:.1f} s")
    print(f"CP-SAT seconds given: mean {fmean(s for _w, s, _ in solves):.2f}; wall: mean "
          f"{fmean(w for w, _s, _ in solves):.2f}, most {max(w for w, _s, _ in solves):.2f}; "
          f"beyond the limit: mean {fmean(max(0.0, w - s) for w, s, _ in solves):.2f}; short {sum(x for *_, x in solves)}")
    print(f"objective {ev.objective} terms {dict(ev.terms)} ok {not ev.violations}")
