"""Rules across the week boundary and fairness over weeks (scheduler/history.py), on both backends,
with the checker given the same History."""

from __future__ import annotations

import datetime as dt

import pytest

from scheduler import rules as R
from scheduler.checker import check_roster
from scheduler.history import History, PastCounts
from scheduler.model import Assignment, Rules
from scheduler.result import SolveStatus
from scheduler.solve import solve
from tests.scheduler.stations import WEEK, all_backends, make_station, roster

GRIDS = "g1 火车站广场 1"
SHIFTS = """
day 08:00 16:00
night 22:00 06:00
"""
SUNDAY = WEEK - dt.timedelta(days=1)


def earlier(person: str, shift: str, *days_back: int) -> tuple[Assignment, ...]:
    return tuple(Assignment(WEEK - dt.timedelta(days=d), shift, "g1", person) for d in days_back)


def solved(station, backend: str, history: History | None):
    """Solve to optimality; the checker, given the same history, agrees on everything."""
    result = solve(station, WEEK, backend=backend, time_limit=20, history=history)
    assert result.status is SolveStatus.OPTIMAL, result
    report = check_roster(station, WEEK, result.roster, history=history)
    assert report.violations == [], [v.message for v in report.violations]
    assert (report.objective, report.terms) == (result.objective, result.terms)
    return result


def monday(shift: str, rules: Rules | None = None):
    """One police officer, who alone could fill the one place on Monday's `shift`."""
    return make_station("p1 王伟 police", f"g1 mon {shift} police 1", grids=GRIDS, shifts=SHIFTS, rules=rules)


@all_backends
def test_a_night_on_sunday_blocks_mondays_day_shift(backend):
    station = monday("day")
    assert solved(station, backend, None).terms["uncovered"] == 0
    history = History(tail=earlier("p1", "night", 1))
    result = solved(station, backend, history)
    assert result.roster == [] and result.terms["uncovered"] == 1000


@all_backends
@pytest.mark.parametrize(("shift", "tail", "rules"), [
    ("day", earlier("p1", "day", 1, 2, 3, 4, 5, 6), Rules(max_consecutive_days=6)),
    ("night", earlier("p1", "night", 1, 2, 3), Rules(max_consecutive_nights=3, min_rest_hours=8)),
], ids=["days", "nights"])
def test_a_run_of_work_goes_on_counting_across_the_boundary(backend, shift, tail, rules):
    station = monday(shift, rules)
    assert solved(station, backend, History(tail=tail[:-1])).terms["uncovered"] == 0  # one day short of the limit
    assert solved(station, backend, History(tail=tail)).roster == []


@all_backends
def test_forbidden_succession_holds_across_the_boundary(backend):
    station = monday("day", Rules(min_rest_hours=0, forbidden_successions=(("day", "day"),)))
    assert solved(station, backend, History(tail=earlier("p1", "day", 2))).terms["uncovered"] == 0
    assert solved(station, backend, History(tail=earlier("p1", "day", 1))).roster == []


@all_backends
def test_cumulative_nights_decide_who_gets_this_weeks_nights(backend):
    station = make_station("p1 王伟 police\np2 李娜 police", "g1 mon night police 1\ng1 wed night police 1",
                           grids=GRIDS, shifts=SHIFTS)
    alone = solved(station, backend, None)
    assert sorted(a.person_id for a in alone.roster) == ["p1", "p2"]  # one each: this week's spread 0
    history = History(counts={"p1": PastCounts(nights=4, shifts=4)})
    result = solved(station, backend, history)
    assert [a.person_id for a in result.roster] == ["p2", "p2"]  # p2 catches up: spread 4 - 2
    assert result.terms["night_spread"] == 2 * 20


@all_backends
def test_cumulative_weekend_shifts_are_balanced_too(backend):
    station = make_station("p1 王伟 police\np2 李娜 police", "g1 sat day police 1\ng1 sun day police 1",
                           grids=GRIDS, shifts=SHIFTS)
    result = solved(station, backend, History(counts={"p2": PastCounts(weekends=3)}))
    assert [a.person_id for a in result.roster] == ["p1", "p1"]


@pytest.mark.parametrize(("shift", "tail", "rules", "rule"), [
    ("day", earlier("p1", "night", 1), None, R.MIN_REST_BETWEEN_SHIFTS),
    ("day", earlier("p1", "day", 1, 2), Rules(max_consecutive_days=2), R.MAX_CONSECUTIVE_DAYS),
    ("night", earlier("p1", "night", 1, 2), Rules(max_consecutive_nights=2), R.MAX_CONSECUTIVE_NIGHTS),
    ("day", earlier("p1", "day", 1), Rules(forbidden_successions=(("day", "day"),)), R.FORBIDDEN_SUCCESSIONS),
], ids=["rest", "days", "nights", "succession"])
def test_the_checker_catches_a_roster_that_breaks_a_rule_across_the_boundary(shift, tail, rules, rule):
    station = monday(shift, rules)
    first_shift = roster(f"p1 mon {shift} g1")
    assert check_roster(station, WEEK, first_shift).ok
    broken = check_roster(station, WEEK, first_shift, history=History(tail=tail))
    assert [v.rule for v in broken.violations] == [rule]
    assert broken.violations[0].person_id == "p1"


def test_the_checker_counts_earlier_weeks_in_the_spreads():
    station = make_station("p1 王伟 police\np2 李娜 police\na1 张强 auxiliary",
                           "g1 sat night police 1\ng1 sat night auxiliary 0 1", grids=GRIDS, shifts=SHIFTS)
    history = History(counts={"p1": PastCounts(nights=5, weekends=2), "a1": PastCounts(nights=9)})
    report = check_roster(station, WEEK, roster("p2 sat night g1"), history=history)
    # police nights 5 vs 1, weekends 2 vs 1; one auxiliary alone has no spread
    assert report.terms["night_spread"] == 4 * 20 and report.terms["weekend_spread"] == 1 * 10


def test_the_checker_ignores_breaches_inside_the_tail():
    history = History(tail=earlier("p1", "day", 1, 2, 3, 4, 5, 6, 7, 8))  # 8 days in a row, all before
    assert check_roster(monday("day"), WEEK, [], history=history).ok


def test_history_from_rosters_the_newest_gives_the_tail_all_give_the_counts():
    station = make_station("p1 王伟 police\np2 李娜 police", "g1 mon night police 1", grids=GRIDS, shifts=SHIFTS)
    older = [Assignment(WEEK - dt.timedelta(days=9), "night", "g1", "p1"),  # a Saturday
             Assignment(WEEK - dt.timedelta(days=8), "day", "g1", "p2")]
    newer = [Assignment(SUNDAY, "night", "g1", "p1"), Assignment(WEEK, "day", "g1", "p2")]  # one inside the plan
    history = History.from_rosters(station, WEEK, [older, newer])
    assert history.tail == (newer[0],)
    assert history.past("p1") == PastCounts(nights=2, weekends=2, shifts=2)
    assert history.past("p2") == PastCounts(nights=0, weekends=1, shifts=1)
    with pytest.raises(ValueError, match="shift 'late'"):
        History.from_rosters(station, WEEK, [[Assignment(SUNDAY, "late", "g1", "p1")]])
