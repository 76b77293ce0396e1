"""Every roster of a small station at or under a cost (solve.rosters_within), against brute force."""

from __future__ import annotations

import datetime as dt
import itertools

from scheduler.checker import check_roster
from scheduler.model import Assignment
from scheduler.solve import rosters_within

from .stations import WEEK, make_station

ONE_GRID = "g1 三堡街夜市 1"
SHIFTS = """
day 08:00 16:00
night 22:00 06:00
"""
DEMAND = """
g1 * day police 1 1
g1 * night police 1 1
"""
DAYS = 5


def _every_roster_by_brute_force(station) -> dict[frozenset, int]:
    """Each roster of the one person (a shift or none on each day) that keeps every rule, with its cost."""
    person = station.people[0].person_id
    found = {}
    for choice in itertools.product((None, "day", "night"), repeat=DAYS):
        roster = [Assignment(WEEK + dt.timedelta(days=d), shift, "g1", person)
                  for d, shift in enumerate(choice) if shift is not None]
        report = check_roster(station, WEEK, roster, DAYS)
        if report.ok:
            found[frozenset(roster)] = report.objective
    return found


def test_every_roster_at_or_under_a_cost_is_found_and_no_other():
    station = make_station("p1 王伟 police", DEMAND, grids=ONE_GRID, shifts=SHIFTS)
    everything = _every_roster_by_brute_force(station)
    costs = sorted(set(everything.values()))
    cost = costs[len(costs) // 3]  # some rosters under it, more above
    wanted = {roster for roster, c in everything.items() if c <= cost}
    assert 1 < len(wanted) < len(everything)

    found, complete = rosters_within(station, WEEK, cost, days=DAYS, most=10_000, time_limit=30)
    assert complete
    assert {frozenset(r) for r in found} == wanted
    assert len(found) == len(wanted)  # each roster once


def test_at_most_the_number_asked_for_and_then_not_complete():
    station = make_station("p1 王伟 police", DEMAND, grids=ONE_GRID, shifts=SHIFTS)
    everything = _every_roster_by_brute_force(station)
    found, complete = rosters_within(station, WEEK, max(everything.values()), days=DAYS, most=3, time_limit=30)
    assert len(found) == 3 and not complete
    assert all(frozenset(r) in everything for r in found)
