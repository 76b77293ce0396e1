"""Where a roster's unmet requests fall, by weight:

    python3 benchmarks/tools/requests_left.py Instance20 out/i20.csv

On-requests not met: on a day the person must be off, a shift type they may not work, a day they
are off, or another shift type that day; then those on days off split into weekdays and weekends,
and weekends where the person already works their most weekends. Off-requests violated last.
"""

from __future__ import annotations

import sys
from collections import Counter

import lab

from scheduler.curtois import read_solution

SATURDAY = 5  # day 0 is a Monday


def unmet(inst, triples) -> tuple[Counter, Counter]:
    """Weights of the on-requests not met, by why (and of the off-requests violated), and of those
    on days off, by weekday or weekend (at the person's most weekends or not)."""
    works = {(p, d): s for p, d, s in triples}
    staff = {m.staff_id: m for m in inst.staff}
    weekends = Counter()
    for p, d, _s in triples:
        if d % 7 >= SATURDAY:
            weekends[(p, d // 7)] = 1
    per_person = Counter(p for p, _w in weekends)
    why, off_days = Counter(), Counter()
    for r in inst.on_requests:
        shift = works.get((r.staff_id, r.day))
        if shift == r.shift_id:
            continue
        if r.day in inst.days_off.get(r.staff_id, ()):
            why["must be off"] += r.weight
        elif staff[r.staff_id].max_shifts.get(r.shift_id, 1) == 0:
            why["may not work the type"] += r.weight
        elif shift is not None:
            why["another type"] += r.weight
        else:
            why["day off"] += r.weight
            if r.day % 7 < SATURDAY:
                off_days["weekday"] += r.weight
            elif not weekends[(r.staff_id, r.day // 7)] and per_person[r.staff_id] >= staff[r.staff_id].max_weekends:
                off_days["weekend, at most weekends"] += r.weight
            else:
                off_days["weekend"] += r.weight
    for r in inst.off_requests:
        if works.get((r.staff_id, r.day)) == r.shift_id:
            why["off-request worked"] += r.weight
    return why, off_days


if __name__ == "__main__":
    inst, _station, _start = lab.instance(sys.argv[1])
    why, off_days = unmet(inst, read_solution(sys.argv[2]))
    print("unmet by why:", dict(why))
    print("on days off:", dict(off_days))
