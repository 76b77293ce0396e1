"""Everyone's shift types re-planned at once on the days they work now (the days held): how much a
roster can gain without moving anyone's days.

    python3 benchmarks/tools/types_only.py Instance20 out/i20.csv 60
"""

from __future__ import annotations

import sys
import time

import lab

from scheduler import by_person
from scheduler.checker import check_roster
from scheduler.horizon import horizon_dates
from scheduler.model import Availability
from scheduler.sub_solves import solve_sub

if __name__ == "__main__":
    inst, station, start = lab.instance(sys.argv[1])
    roster, seconds = lab.roster(sys.argv[2], start), float(sys.argv[3])
    dates = horizon_dates(start, inst.horizon)
    before = check_roster(station, start, roster, inst.horizon)
    print("before", before.objective, {k: v for k, v in before.terms.items() if v})
    works = {(a.person_id, a.date) for a in roster}
    people = list(station.people)
    sub = by_person.few_station(station, people, [], dates)
    # Every day not worked now becomes a day off, in place of the rows it had (a shift's row would win).
    kept = tuple(a for a in sub.availability if (a.person_id, a.date) in works)
    off = tuple(Availability(p.person_id, d, None, "unavailable") for p in people for d in dates
                if (p.person_id, d) not in works)
    sub = sub.with_people(people, demand=sub.demand, availability=kept + off)
    began = time.monotonic()
    result = solve_sub(sub, start, inst.horizon, seconds, roster, 0.0, 2)
    print("solve", result.status.value, result.objective, result.bound, f"{time.monotonic() - began:.1f} s")
    after = check_roster(station, start, result.roster, inst.horizon)
    print("after", after.objective, {k: v for k, v in after.terms.items() if v}, "ok", after.ok)
