"""Neighbourhoods of one shape, drawn again and again from a saved roster, two at a time, as the
engine's own search would (by_person's moves and keep rule): what a shape gains from there.

    python3 benchmarks/tools/from_roster.py Instance20 out/i20.csv 90 --days all --people 3

--days: all (the whole horizon), weekends (every Saturday and Sunday), fri-mon, thu-tue, a number
N: N consecutive days drawn afresh each time, or N+M+...: blocks of N, M, ... consecutive days, each
drawn afresh and free to overlap (1+1+1+1+1+1: up to six single days anywhere). --people 0: everyone.
"""

from __future__ import annotations

import argparse
import random
import time
from concurrent.futures import FIRST_COMPLETED, wait

import lab

from scheduler import by_person
from scheduler.sub_solves import runner

WEEKDAYS = {"all": None, "weekends": (5, 6), "fri-mon": (4, 5, 6, 0), "thu-tue": (3, 4, 5, 6, 0, 1)}

if __name__ == "__main__":  # the worker processes import this file again
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name")
    parser.add_argument("solution")
    parser.add_argument("seconds", type=float)
    parser.add_argument("--days", default="all", help="|".join(WEEKDAYS) + ", N or N+M+... days")
    parser.add_argument("--people", type=int, default=3)
    parser.add_argument("--each", type=float, default=by_person.FEW_SECONDS, help="CP-SAT seconds per neighbourhood")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--save", help="write the roster here (staff_id,day,shift_id)")
    args = parser.parse_args()
    inst, station, start = lab.instance(args.name)
    plan = lab.plan_from(station, start, inst.horizon, lab.roster(args.solution, start))
    people, rng = list(station.people), random.Random(args.seed)
    size = args.people or len(people)

    def window() -> set | None:
        if args.days.replace("+", "").isdigit():  # N, or N+M: blocks of consecutive days drawn afresh
            days = set()
            for n in map(int, args.days.split("+")):
                first = rng.randrange(len(plan.dates) - n + 1)
                days |= set(plan.dates[first:first + n])
            return days
        weekdays = WEEKDAYS[args.days]
        return None if weekdays is None else {d for d in plan.dates if d.weekday() in weekdays}

    run = runner(2, 1000.0, None)
    before, began, running, optimal = plan.cost(), time.monotonic(), {}, 0
    try:
        while running or time.monotonic() - began < args.seconds:
            while len(running) < run.capacity and time.monotonic() - began < args.seconds:
                busy = {p.person_id for move in running.values() for p in move.few}
                free = [p for p in people if p.person_id not in busy]
                if len(free) < size:
                    break
                few, days = rng.sample(free, size), window()
                sub, current = plan.few_station(few, days)
                move = by_person._Move(few, 0, days, sub, current, plan.version, time.monotonic())
                running[run.submit(sub, start, inst.horizon, args.each, current)] = move
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                result = future.result()
                optimal += result.status is by_person.SolveStatus.OPTIMAL
                by_person._keep_if_better(plan, running.pop(future), result)
    finally:
        run.close()
    print(f"{args.days}, {args.people} people: {before} -> {plan.cost()} in {time.monotonic() - began:.0f} s; "
          f"tried {plan.tried}, kept {plan.kept}, proven {optimal}")
    print("terms", lab.evaluated(inst, plan.everyone(), start, args.save).terms)
