"""Gap explanations across the week boundary: the previous roster's tail blocks people, and the words say so."""

from __future__ import annotations

import datetime as dt

from scheduler import rules as R
from scheduler.gaps import explain_gaps
from scheduler.gaps.blockers import PREVIOUS_WEEK
from scheduler.history import History
from scheduler.model import Assignment, Rules
from tests.scheduler.stations import WEEK, make_station

GRIDS = "g1 火车站广场 1"
SHIFTS = """
day 08:00 16:00
night 22:00 06:00
"""
PEOPLE = """
p1 王伟 police
p2 李娜 police
"""
MONDAY_DAY = "g1 mon day police 1"
P2_AWAY = "p2 mon * unavailable"


def before(person: str, shift: str, *days_back: int) -> tuple[Assignment, ...]:
    return tuple(Assignment(WEEK - dt.timedelta(days=d), shift, "g1", person) for d in days_back)


def station(rules: Rules | None = None):
    return make_station(PEOPLE, MONDAY_DAY, grids=GRIDS, shifts=SHIFTS, availability=P2_AWAY, rules=rules)


def reason_of(explanation, person_id: str):
    return next(r for r in explanation.reasons if person_id in r.person_ids)


def test_last_sundays_night_is_named_as_the_rest_block():
    history = History(tail=before("p1", "night", 1))
    [gap] = explain_gaps(station(), WEEK, [], history=history)
    reason = reason_of(gap, "p1")
    assert (reason.reason, reason.rule) == ("rest", R.MIN_REST_BETWEEN_SHIFTS)
    assert reason.details == (((-1, "night", PREVIOUS_WEEK), ("p1",)),)
    assert "1人因休息规则（上周日night）不能排" in gap.zh
    assert "blocked by the rest rule (night on last week's Sun)" in gap.en


def test_without_history_the_same_person_is_free():
    [gap] = explain_gaps(station(), WEEK, [])
    assert reason_of(gap, "p1").reason == "free"


def test_a_run_of_days_from_last_week_blocks_monday():
    history = History(tail=before("p1", "day", 3, 2, 1))  # Fri, Sat, Sun of the previous week
    [gap] = explain_gaps(station(Rules(max_consecutive_days=3)), WEEK, [], history=history)
    reason = reason_of(gap, "p1")
    assert (reason.reason, reason.rule) == ("consecutive_days", R.MAX_CONSECUTIVE_DAYS)
    assert "最多3天，连上周" in gap.zh and "at most 3, counting last week" in gap.en


def test_a_forbidden_succession_from_last_sunday_blocks_monday():
    rules = Rules(min_rest_hours=0, forbidden_successions=(("night", "day"),))
    history = History(tail=before("p1", "night", 1))
    [gap] = explain_gaps(station(rules), WEEK, [], history=history)
    reason = reason_of(gap, "p1")
    assert (reason.reason, reason.rule) == ("succession", R.FORBIDDEN_SUCCESSIONS)
    assert "上周日night" in gap.zh


def test_an_older_tail_shift_does_not_block():
    history = History(tail=before("p1", "night", 3))  # Friday night: rest enough before Monday's day shift
    [gap] = explain_gaps(station(), WEEK, [], history=history)
    assert reason_of(gap, "p1").reason == "free"


def test_run_py_solve_and_check_explain_the_gap_with_history(tmp_path):
    import json

    from scheduler.export import write_roster_csv
    from scheduler.station_io import save_station
    from tests.test_cli import run

    folder, last_week, out = tmp_path / "station", tmp_path / "last_week.csv", tmp_path / "out"
    save_station(station(), folder)
    write_roster_csv(last_week, station(), list(before("p1", "night", 1)))
    done = run("solve", folder, "--week", WEEK.isoformat(), "--out", out, "--history", last_week)
    assert done.returncode == 0, done.stderr
    assert "上周日night" in done.stdout and "night on last week's Sun" in (out / "gaps.txt").read_text(encoding="utf-8")
    empty = tmp_path / "empty.csv"
    write_roster_csv(empty, station(), [])
    checked = run("check", folder, empty, "--week", WEEK.isoformat(), "--history", last_week, "--json")
    [gap] = json.loads(checked.stdout)["gaps"]
    assert {r["reason"]: r["person_ids"] for r in gap["reasons"]} == {"on_leave": ["p2"], "rest": ["p1"]}
