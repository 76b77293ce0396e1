"""Where a neighbourhood's time goes: drawing it (building the few's station) against CP-SAT, for
the smallest and largest size of each kind the engine uses there, from a saved roster; then
cProfile's top lines.

    python3 benchmarks/tools/move_profile.py Instance20 out/i20.csv
"""

from __future__ import annotations

import cProfile
import pstats
import random
import sys
import time

import lab

from scheduler import by_person
from scheduler.sub_solves import solve_sub

if __name__ == "__main__":
    inst, station, start = lab.instance(sys.argv[1])
    plan = lab.plan_from(station, start, inst.horizon, lab.roster(sys.argv[2], start))
    people, rng, profile = list(station.people), random.Random(1), cProfile.Profile()
    for kind, shape in enumerate(by_person._kinds(plan)):  # the kinds the engine draws for this station
        for size in (0, len(shape[0]) - 1):
            began = time.monotonic()
            move = by_person._next_move(plan, people, kind, shape, size, [], rng)
            drawn = time.monotonic()
            profile.enable()
            result = solve_sub(move.sub, start, inst.horizon, by_person.FEW_SECONDS, move.current, 0.0, 2)
            profile.disable()
            print(f"kind {kind}, {len(move.few)} people: draw {drawn - began:.2f} s, "
                  f"solve {time.monotonic() - drawn:.2f} s, {result.status.value} {result.objective}")
    pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
