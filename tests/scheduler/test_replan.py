"""Re-planning with minimal change (scheduler/replan.py), on both backends.

The station has many equally good rosters, so a solve from scratch is free to reshuffle: only
the minimal-change objective keeps everything that does not have to move where it was.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from scheduler.checker import check_roster
from scheduler.model import Availability
from scheduler.replan import Change, diff, replan
from scheduler.result import SolveStatus, StopToken
from tests.scheduler.stations import WEEK, all_backends, make_station, roster

PEOPLE = """
p1 王伟 police
p2 李娜 police
p3 张强 police
p4 赵敏 police cap=2
"""
GRIDS = """
g1 火车站广场 1
g2 幸福里小区 2
"""
DEMAND = """
g1 * day police 1
g2 * day police 1
"""
PREVIOUS = roster("""
p1 mon day g1
p1 tue day g1
p1 wed day g1
p1 thu day g1
p1 fri day g1
p2 mon day g2
p2 tue day g2
p2 wed day g2
p2 thu day g2
p2 fri day g2
p3 sat day g1
p3 sun day g1
p4 sat day g2
p4 sun day g2
""")
WED, THU = WEEK + dt.timedelta(days=2), WEEK + dt.timedelta(days=3)


def station(availability: str = "", demand: str = DEMAND, people: str = PEOPLE):
    return make_station(people, demand, grids=GRIDS, shifts="day 08:00 16:00", availability=availability)


def accepted(replanned) -> None:
    """A roster, the checker finds no violation and agrees on the objective and every term."""
    result = replanned.result
    assert result.has_roster, result
    report = check_roster(replanned.station, WEEK, result.roster)
    assert report.violations == [], [v.message for v in report.violations]
    assert (report.objective, report.terms) == (result.objective, result.terms)
    # the model counts changes per (class, grid, slot); the named roster must change exactly that many
    removed = sum(1 for c in replanned.changes if c.name == "")  # people no longer in the station: not counted
    assert replanned.changed_in_model == replanned.changed_assignments - removed


def test_the_previous_roster_is_valid_and_covers_everything():
    report = check_roster(station(), WEEK, PREVIOUS)
    assert report.ok and report.terms["uncovered"] == 0


@all_backends
def test_one_absence_is_repaired_by_exactly_one_swap(backend):
    absent = station("p1 wed * unavailable")
    replanned = replan(absent, WEEK, PREVIOUS, backend=backend, time_limit=20)
    accepted(replanned)
    # p2 is on g2 that day and p4 has used up its two shifts: p3 is the only one-swap repair
    assert replanned.changes == [
        Change("released", "p1", PREVIOUS[2], None, "王伟"),
        Change("added", "p3", None, dataclasses.replace(PREVIOUS[2], person_id="p3"), "张强"),
    ]
    assert set(replanned.result.roster) ^ set(PREVIOUS) == {PREVIOUS[2], replanned.changes[1].after}
    assert replanned.result.terms["uncovered"] == 0
    assert replanned.counts == {"moved": 0, "added": 1, "released": 1}


@all_backends
def test_nothing_changes_when_nothing_has_to(backend):
    replanned = replan(station(), WEEK, PREVIOUS, backend=backend, time_limit=20)
    accepted(replanned)
    assert replanned.changes == [] and sorted(replanned.result.roster) == sorted(PREVIOUS)


@all_backends
def test_assignments_that_started_before_now_never_move(backend):
    # Monday now needs two police on g1, p1 falls ill from Wednesday on; it is Wednesday 09:00.
    demand = DEMAND + "g1 2026-11-23 day police 2\n"
    facts = station("p1 wed * unavailable\np1 thu * unavailable", demand=demand)
    now = dt.datetime(2026, 11, 25, 9, 0)
    replanned = replan(facts, WEEK, PREVIOUS, now=now, backend=backend, time_limit=20)
    accepted(replanned)
    started = [a for a in PREVIOUS if a.date <= WED]
    assert set(started) <= set(replanned.result.roster)  # p1's Wednesday shift had begun: it stands
    assert [a for a in replanned.result.roster if a.date <= WED] == sorted(started)  # nobody added to the past
    report = check_roster(replanned.station, WEEK, replanned.result.roster)
    assert sum(row.missing for row in report.coverage if row.date == WEEK) == 1  # Monday's new place stays open
    assert {(c.kind, c.person_id, (c.before or c.after).date) for c in replanned.changes} == {
        ("released", "p1", THU), ("added", "p3", THU)}


@all_backends
def test_a_person_removed_from_the_station_is_released(backend):
    without_p2 = station(people="\n".join(line for line in PEOPLE.splitlines() if not line.startswith("p2")))
    replanned = replan(without_p2, WEEK, PREVIOUS, backend=backend, time_limit=20)
    accepted(replanned)
    released = [c for c in replanned.changes if c.person_id == "p2"]
    assert [c.kind for c in released] == ["released"] * 5 and all(c.name == "" for c in released)
    # p3 can take three more shifts, p4 none: three of p2's five places are filled, nobody else moves
    assert replanned.result.terms["uncovered"] == 2 * 600
    assert {c.kind for c in replanned.changes if c.person_id != "p2"} == {"added"}
    assert set(PREVIOUS) - set(replanned.result.roster) == {a for a in PREVIOUS if a.person_id == "p2"}


def test_coverage_comes_before_changes():
    # Covering p1's Wednesday takes two changes (release and add); leaving it open takes one: the
    # objective still prefers coverage, as one place of demand outweighs any number of changes.
    absent = station("p1 wed * unavailable")
    replanned = replan(absent, WEEK, PREVIOUS, time_limit=20)
    assert replanned.result.terms["uncovered"] == 0 and len(replanned.changes) == 2


def test_changes_are_described_in_both_languages():
    before = PREVIOUS[2]
    moved = Change("moved", "p1", before, dataclasses.replace(before, date=THU, grid_id="g2"), "王伟")
    assert moved.describe("zh") == "王伟(p1)：由 11月25日(周三) day班 网格g1 调整为 11月26日(周四) day班 网格g2"
    assert moved.describe("en") == ("王伟 (p1) moves from Wed 2026-11-25, shift day, grid g1 "
                                    "to Thu 2026-11-26, shift day, grid g2")
    assert Change("released", "x9", before, None).describe("en").startswith("x9 is released from Wed")
    with pytest.raises(ValueError, match="unknown language"):
        moved.describe("fr")


def test_diff_pairs_a_persons_lost_and_new_assignment_as_a_move():
    after = [dataclasses.replace(PREVIOUS[0], grid_id="g2"), *PREVIOUS[1:]]
    changes = diff(station(), PREVIOUS, after)
    assert [(c.kind, c.before, c.after) for c in changes] == [("moved", PREVIOUS[0], after[0])]


def test_a_started_assignment_stands_even_if_its_person_is_now_unavailable():
    facts = station("p1 mon * unavailable")
    replanned = replan(facts, WEEK, PREVIOUS, now=dt.datetime(2026, 11, 23, 12, 0), time_limit=20)
    assert replanned.result.status is SolveStatus.OPTIMAL
    assert PREVIOUS[0] in replanned.result.roster and replanned.changes == []
    assert Availability("p1", WEEK, "day", "available") in replanned.station.availability


def test_a_stop_before_the_second_stage_keeps_the_first_stages_roster():
    stop = StopToken()
    stop.stop()
    replanned = replan(station("p1 wed * unavailable"), WEEK, PREVIOUS, time_limit=20, stop=stop)
    result = replanned.result
    assert result.has_roster and result.stopped
    report = check_roster(replanned.station, WEEK, result.roster)
    assert report.ok and (report.objective, report.terms) == (result.objective, result.terms)


def test_the_past_that_new_facts_contradict_is_reported_not_rewritten():
    # Monday's demand on g1 was withdrawn after p1's Monday shift had begun: the shift stands (a pin),
    # and a pin where no police may be is a conflict named in words.
    facts = station(demand=DEMAND + "g1 2026-11-23 day police 0 0\n")
    replanned = replan(facts, WEEK, PREVIOUS, now=dt.datetime(2026, 11, 23, 9, 0), time_limit=20)
    assert replanned.result.status is SolveStatus.INFEASIBLE and replanned.changes == []
    assert [c.rules for c in replanned.result.conflicts] == [("max_per_role",)]
    assert "p1" in replanned.result.conflicts[0].message
