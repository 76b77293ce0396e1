"""Pins that cannot hold: status infeasible plus the smallest set of pins and rules in conflict.

Each station holds one conflict and, where it matters, pins that are not part of it; the answer
must name exactly the conflicting pins and rules, on both backends (PuLP's infeasible verdict is
explained too). Feasible pins are kept in the roster.
"""

from __future__ import annotations

from scheduler import rules as R
from scheduler.model import Pin, Rules
from scheduler.result import SolveStatus
from scheduler.solve import solve
from tests.scheduler.stations import DAY_ONLY, WEEK, all_backends, as_lines, make_station, solve_checked

OFFICERS = """
p1 王伟 police
p2 李娜 police cap=2
a1 张强 auxiliary
v1 刘阿姨 volunteer home=g1
"""
DEMAND = """
g1 * day police 1 1
g1 * day auxiliary 0 1
g1 * day volunteer 0 1
g1 * night police 1 1
g2 * day police 0 1
"""


def pins_of(station, text: str) -> set[Pin]:
    """The station's Pin objects for lines `person date shift grid` (a subset of its pins)."""
    wanted = make_station(pins=text).pins
    keys = {(p.person_id, p.date, p.shift_id, p.grid_id) for p in wanted}
    found = {p for p in station.pins if (p.person_id, p.date, p.shift_id, p.grid_id) in keys}
    assert len(found) == len(wanted)
    return found


def the_conflict(station, backend: str):
    """Solve; there must be exactly one conflict, said in words, and no roster."""
    result = solve(station, WEEK, backend=backend, time_limit=10)
    assert result.status is SolveStatus.INFEASIBLE, str(result)
    assert result.roster == [] and result.objective is None
    assert len(result.conflicts) == 1, [c.message for c in result.conflicts]
    conflict = result.conflicts[0]
    for rule in conflict.rules:
        assert rule in R.HARD_RULES and rule in conflict.message
    for pin in conflict.pins:
        assert station.person(pin.person_id).name in conflict.message
        assert pin.date.isoformat() in conflict.message
    return conflict


@all_backends
def test_two_pins_breaking_the_rest_rule(backend):
    # Monday night ends Tuesday 06:00, two hours before Tuesday day. The Thursday pin of the same
    # person and the pin of p2 are fine and must not be named.
    pins = """
    p1 mon night g1
    p1 tue day g1
    p1 thu day g1
    p2 mon day g1
    """
    station = make_station(OFFICERS, DEMAND, pins=pins)
    conflict = the_conflict(station, backend)
    assert conflict.rules == (R.MIN_REST_BETWEEN_SHIFTS,)
    assert set(conflict.pins) == pins_of(station, "p1 mon night g1\np1 tue day g1")
    assert len(conflict.pins) == 2


@all_backends
def test_pins_beyond_the_weekly_cap(backend):
    # p2 may work 2 shifts a week (people.csv override) and is pinned to 3; p1's pin is fine.
    pins = """
    p2 mon day g1
    p2 wed day g1
    p2 fri day g1
    p1 tue day g1
    """
    station = make_station(OFFICERS, DEMAND, pins=pins)
    conflict = the_conflict(station, backend)
    assert conflict.rules == (R.MAX_SHIFTS_PER_WEEK,)
    assert set(conflict.pins) == pins_of(station, "p2 mon day g1\np2 wed day g1\np2 fri day g1")
    assert len(conflict.pins) == 3


@all_backends
def test_pin_on_an_unavailable_slot(backend):
    station = make_station(OFFICERS, DEMAND, availability="p1 tue * unavailable",
                           pins="p1 tue day g1\np1 thu day g1")
    conflict = the_conflict(station, backend)
    assert conflict.rules == (R.RESPECT_AVAILABILITY,)
    assert set(conflict.pins) == pins_of(station, "p1 tue day g1")


@all_backends
def test_volunteer_pinned_where_they_did_not_opt_in(backend):
    station = make_station(OFFICERS, DEMAND, availability="v1 mon day preferred",
                           pins="v1 mon day g1\nv1 tue day g1\np1 tue day g1")
    conflict = the_conflict(station, backend)
    assert conflict.rules == (R.RESPECT_AVAILABILITY,)
    assert set(conflict.pins) == pins_of(station, "v1 tue day g1")


@all_backends
def test_more_pins_than_max_on_a_grid(backend):
    # g1 day takes one police officer; g2 day takes one too, so p1 there is fine.
    station = make_station(
        OFFICERS + "p3 王强 police", DEMAND, pins="p1 mon day g1\np2 mon day g1\np3 mon day g2"
    )
    conflict = the_conflict(station, backend)
    assert conflict.rules == (R.MAX_PER_ROLE,)
    assert set(conflict.pins) == pins_of(station, "p1 mon day g1\np2 mon day g1")


@all_backends
def test_volunteer_pinned_where_every_escort_is_away(backend):
    # Both officers and the auxiliary are on leave on Monday: nobody can escort v1 on g1.
    station = make_station(
        OFFICERS,
        DEMAND,
        availability="p1 mon * unavailable\np2 mon * unavailable\na1 mon * unavailable\nv1 mon day preferred",
        pins="v1 mon day g1\np1 tue day g1",
    )
    conflict = the_conflict(station, backend)
    assert conflict.rules == (R.ESCORT_REQUIRED,)
    assert set(conflict.pins) == pins_of(station, "v1 mon day g1")


@all_backends
def test_volunteer_pinned_where_the_only_escort_is_pinned_elsewhere(backend):
    # Escorts are police only; p2 is on leave, so p1, pinned to g2, cannot escort v1 on g1.
    station = make_station(
        OFFICERS,
        DEMAND,
        rules=Rules(escort_roles=("police",)),
        availability="p2 mon * unavailable\nv1 mon day preferred",
        pins="v1 mon day g1\np1 mon day g2\na1 mon day g1",
    )
    conflict = the_conflict(station, backend)
    assert conflict.rules == (R.ESCORT_REQUIRED,)
    assert set(conflict.pins) == pins_of(station, "v1 mon day g1\np1 mon day g2")


@all_backends
def test_pin_to_a_grid_without_demand_for_the_role(backend):
    # g1 night asks for police only; g2 has no evening rows at all.
    station = make_station(OFFICERS, DEMAND, pins="a1 mon night g1\np1 tue day g1")
    conflict = the_conflict(station, backend)
    assert conflict.rules == (R.ROLE_MATCHES_DEMAND,)
    assert set(conflict.pins) == pins_of(station, "a1 mon night g1")

    station = make_station(OFFICERS, DEMAND, pins="p1 wed evening g2")
    conflict = the_conflict(station, backend)
    assert conflict.rules == (R.ROLE_MATCHES_DEMAND,)
    assert set(conflict.pins) == pins_of(station, "p1 wed evening g2")


@all_backends
def test_feasible_pins_are_kept(backend):
    station = make_station(
        """
        p1 王伟 police
        p2 李娜 police
        a1 张强 auxiliary
        v1 刘阿姨 volunteer home=g1
        v2 赵大爷 volunteer home=g1
        """,
        """
        g1 mon day police 1
        g1 mon day volunteer 1
        g2 mon day police 1
        g2 mon day auxiliary 0 1
        g2 mon day volunteer 0 1
        """,
        shifts=DAY_ONLY,
        availability="v1 mon day preferred\nv2 mon day available",
        # p1 and p2 are interchangeable for the model: the roster must still name p1 on g2.
        # The last pin is in another week and plays no part.
        pins="p1 mon day g2\na1 mon day g2\nv1 mon day g1\nv2 mon day g2\np2 2026-12-01 day g1",
    )
    result = solve_checked(station, backend)
    assert as_lines(result) == {
        ("p1", "mon", "day", "g2"),
        ("a1", "mon", "day", "g2"),
        ("v1", "mon", "day", "g1"),
        ("v2", "mon", "day", "g2"),
        ("p2", "mon", "day", "g1"),
    }
    # v2 patrols away from home (2) on a slot only marked available (1).
    assert result.objective == 2 + 1
