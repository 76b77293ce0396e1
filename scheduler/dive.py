"""Diving: a roster near the master's LP where the master's integer program finds none.

Why: on long horizons the LP settles far below any roster the columns priced make up (Curtois
Instance15, 42 days: LP 3,823.7 over 2,102 columns, 44 of its 45 people fractional; the integer
program over them, by CBC or CP-SAT, 6,043-6,655). A person's columns were priced against
everyone's fractional rosters, so few of them fit together whole. Diving fixes people a share at
a time, each to the column the LP takes most of, and prices the others again against those fixed,
so that their columns fit around them. The LP stays near its value most of the way (Instance15:
3,840 with 28 of 45 fixed) and climbs at the end, as the last people find no column that fits:
diving to the end gave rosters of 4,618-5,599 (docs/solver-notes.md, twentieth session). So the
dive stops where its LP has climbed CLIMB above where it began, and CP-SAT plans the people still
free against those fixed, hinted with their likeliest columns (Instance15: 3,949 from 17 free
people in 120 s, twenty-first session).
Up to four weeks the columns near a settled LP do better (Instance8, sixth session: a dive's
roster was no better at the end), so only longer horizons dive (columns.improve_by_columns).
"""

from __future__ import annotations

import logging
import math
import time

from .model import Assignment, Person

log = logging.getLogger(__name__)

FIX_SHARE = 0.2  # of the people still free, fixed each step (those the LP takes whole too)
WHOLE = 0.99  # an LP value this high: the column is the person's already
ROUNDS = 3  # pricing rounds of the free people at most between two steps
CLIMB = 0.01  # the LP this far above its value before the first step: the columns no longer fit
REST_SHARE = 0.5  # of the time left when the dive begins, kept for CP-SAT on the people still free


def dive(master, people: list[Person], run, plan, deadline: float) -> list[Assignment] | None:
    """The roster the dive ends at: the people fixed on their columns, the others planned by CP-SAT
    (on their current roster when it finds none). None when it fixed nobody."""
    from .columns import PRICE_SECONDS, SCALE, price

    fixed: dict[str, int] = {}
    steps, began, values = 0, None, None
    dive_until = deadline - REST_SHARE * (deadline - time.monotonic())
    while len(fixed) < len(people) and not plan.stopped_by_caller():
        free = [p for p in people if p.person_id not in fixed]
        for _ in range(ROUNDS):
            if time.monotonic() > dive_until - PRICE_SECONDS:
                break
            lp, duals, mine, _ = master.lp(fixed)
            seconds = min(PRICE_SECONDS, max(0.5, deadline - time.monotonic()))
            added, _ = price(master, free, duals, SCALE, (duals, mine), run, plan, seconds)
            log.debug("dive: LP %.2f, %d of %d free people priced below it", lp, added, len(free))
            if not added:
                break
        lp, _, _, values = master.lp(fixed)
        began = lp if began is None else began
        if time.monotonic() > dive_until or lp > (1 + CLIMB) * began:
            break
        fixed.update(_likeliest(master, free, values))
        steps += 1
        log.debug("dive: step %d, LP %.2f, %d of %d fixed", steps, lp, len(fixed), len(people))
    if not fixed:
        return None
    log.info("dive: %d steps, %d of %d people fixed", steps, len(fixed), len(people))
    taken = [a for j in fixed.values() for a in master.columns[j].roster]
    free = [p for p in people if p.person_id not in fixed]
    return taken + _the_rest(master, free, taken, values, run, plan, deadline)


def _the_rest(master, free: list[Person], taken: list[Assignment], values, run, plan,
              deadline: float) -> list[Assignment]:
    """The free people's roster by CP-SAT against those fixed, from their likeliest columns."""
    from .by_person import few_station

    if not free:
        return []
    likeliest = _likeliest(master, free, values, share=1.0)
    hint = [a for j in likeliest.values() for a in master.columns[j].roster]
    sub = few_station(plan.station, free, taken, plan.dates, demand=plan.demand)
    began = time.monotonic()
    result = run.submit(sub, plan.week_start, plan.days, max(1.0, deadline - began), hint).result()
    log.info("dive: CP-SAT on the %d people still free, %s in %.1f s", len(free), result.status.value,
             time.monotonic() - began)
    if result.has_roster:
        return result.roster
    return [a for p in free for a in plan.rosters[p.person_id]]


def _likeliest(master, free: list[Person], values: list[float], share: float = FIX_SHARE) -> dict[str, int]:
    """The free people to fix now, each to the column the LP takes most of: a share of them, the
    surest first, and every one the LP takes whole."""
    best: dict[str, tuple[float, int]] = {}
    for j, column in enumerate(master.columns):
        if values[j] > best.get(column.person_id, (-1.0, -1))[0]:
            best[column.person_id] = (values[j], j)
    ranked = sorted((best[p.person_id] + (p.person_id,) for p in free if p.person_id in best), reverse=True)
    count = max(1, math.ceil(share * len(free)))
    return {pid: j for k, (value, j, pid) in enumerate(ranked) if k < count or value >= WHOLE}
