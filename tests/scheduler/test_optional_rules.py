"""The optional rules and terms (docs/horizon-and-rules.md), solved to optimality on both backends.

As in test_rules_on_backends.py, each instance is built so that ignoring the rule gives a strictly
better objective, and `solve_checked` asks the independent checker for no violation and the same
objective and terms. The test week starts Monday 2026-11-23; grid g1 is level 1 (1000 a missing
person). Shift `day` is 08:00-16:00.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from scheduler import rules as R
from scheduler.checker import check_roster
from scheduler.model import DemandRow, Person, Request, Rules, Weights
from scheduler.result import SolveStatus
from scheduler.solve import solve
from tests.scheduler.stations import DAY_ONLY, WEEK, all_backends, as_lines, make_station, solve_checked

ZERO_TERMS = dict.fromkeys(R.OBJECTIVE_TERMS, 0)


def terms(**nonzero: int) -> dict[str, int]:
    return ZERO_TERMS | nonzero


def with_people(station, **changes_by_person):
    """The station with some people's fields changed, e.g. p2={"min_total_minutes": 480}."""
    people = tuple(dataclasses.replace(p, **changes_by_person.get(p.person_id, {})) for p in station.people)
    return dataclasses.replace(station, people=people)


def day(name: str) -> dt.date:
    return WEEK + dt.timedelta(days=("mon", "tue", "wed", "thu", "fri", "sat", "sun").index(name))


# ---------------------------------------------------------------------------------------------
# Hard rules


@all_backends
def test_min_consecutive_days(backend):
    station = make_station("p1 王伟 police", "g1 mon day police 1\ng1 wed day police 1\ng1 sun day police 1",
                           shifts=DAY_ONLY, rules=Rules(min_consecutive_days=2))
    result = solve_checked(station, backend)
    # Only the three demand dates can be worked. Monday alone touches the horizon's start and Sunday
    # alone its end, so both are allowed; Wednesday alone is a run of 1 inside: missing, 1000.
    assert result.objective == 1000
    assert as_lines(result) == {("p1", "mon", "day", "g1"), ("p1", "sun", "day", "g1")}


@all_backends
def test_min_consecutive_days_off(backend):
    station = make_station("p1 王伟 police", "g1 tue day police 1\ng1 thu day police 1",
                           shifts=DAY_ONLY, rules=Rules(min_consecutive_days_off=2))
    result = solve_checked(station, backend)
    # Tuesday and Thursday leave Wednesday as a single day off between work: one of them is missing.
    # (Monday off and Friday..Sunday off touch the horizon's ends and are allowed.)
    assert result.objective == 1000
    assert len(result.roster) == 1


@all_backends
def test_max_weekends(backend):
    station = make_station("p1 王伟 police", "g1 sat day police 1\ng1 sun day police 1",
                           shifts=DAY_ONLY, rules=Rules(max_weekends=1))
    result = solve_checked(station, backend, days=14)
    # Two weekends in 14 days; Saturday and Sunday of one weekend count once: p1 works one whole
    # weekend and the other weekend's two shifts are missing, 2 * 1000.
    assert result.objective == 2000
    assert len({a.date.isocalendar()[1] for a in result.roster}) == 1 and len(result.roster) == 2


@all_backends
def test_min_total_minutes_per_person(backend):
    station = make_station("p1 王伟 police\np2 李娜 police", "g1 mon day police 1", shifts=DAY_ONLY)
    station = with_people(station, p2={"min_total_minutes": 480})
    station = dataclasses.replace(station, requests=(Request("p2", WEEK, "day", "off", 5),))
    result = solve_checked(station, backend)
    # p2 must work 480 minutes, and the only shift there is, Monday's, is one p2 asked to have off: 5.
    # Ignoring the rule, p1 would take it for 0.
    assert result.terms == terms(requests=5)
    assert as_lines(result) == {("p2", "mon", "day", "g1")}


@all_backends
def test_max_total_minutes(backend):
    station = make_station("p1 王伟 police", "g1 mon day police 1\ng1 tue day police 1",
                           shifts=DAY_ONLY, rules=Rules(max_total_minutes=600))
    result = solve_checked(station, backend)
    assert result.objective == 1000  # 600 minutes hold one 480-minute shift, not two
    assert len(result.roster) == 1


@all_backends
def test_max_shifts_per_type_and_a_personal_override(backend):
    demand = "g1 mon day police 1\ng1 tue day police 1\ng1 wed day police 1"
    station = make_station("p1 王伟 police", demand, shifts=DAY_ONLY, rules=Rules(max_shifts_per_type={"day": 2}))
    assert solve_checked(station, backend).objective == 1000  # two day shifts, the third is missing
    own = with_people(station, p1={"max_shifts_per_type": (("day", 3),)})
    assert solve_checked(own, backend).objective == 0  # p1's own cap of 3 wins over the station's 2


@all_backends
def test_personal_max_consecutive_days(backend):
    station = make_station("p1 王伟 police", "g1 mon day police 1\ng1 tue day police 1\ng1 wed day police 1",
                           shifts=DAY_ONLY)
    result = solve_checked(with_people(station, p1={"max_consecutive_days": 2}), backend)
    assert result.objective == 1000  # the station allows 6 in a row, p1 only 2


@all_backends
def test_forbidden_successions(backend):
    station = make_station("p1 王伟 police", "g1 mon late police 1\ng1 tue early police 1",
                           shifts="early 06:00 14:00\nlate 14:00 22:00",
                           rules=Rules(min_rest_hours=0, forbidden_successions=(("late", "early"),)))
    result = solve_checked(station, backend)
    # late Monday then early Tuesday has 8 hours of rest, allowed by the rest rule (0 h) but forbidden
    assert result.objective == 1000
    assert len(result.roster) == 1


# ---------------------------------------------------------------------------------------------
# Objective terms


@all_backends
def test_over_demand_with_station_and_row_weights(backend):
    station = make_station("p1 王伟 police\np2 李娜 police", "g1 mon day police 1 2", shifts=DAY_ONLY,
                           pins="p1 mon day g1", weights=Weights(over_demand=3))
    station = dataclasses.replace(station, requests=(Request("p2", WEEK, "day", "on", 10),))
    result = solve_checked(station, backend)
    # p1 is pinned there; p2 asks for Monday too (10 if refused), which puts one person above min:
    # 3 < 10, so both work.
    assert result.terms == terms(over_demand=3)
    row = dataclasses.replace(station.demand[0], over_weight=20)
    result = solve_checked(dataclasses.replace(station, demand=(row,)), backend)
    # The row's own weight 20 > 10: p2's request is refused instead.
    assert result.terms == terms(requests=10)


@all_backends
def test_requests_on_and_off(backend):
    station = make_station("p1 王伟 police\np2 李娜 police", "g1 mon day police 1", shifts=DAY_ONLY)
    requests = (
        Request("p1", day("mon"), "day", "off", 7),
        Request("p2", day("mon"), "day", "off", 4),
        Request("p2", day("tue"), "day", "on", 2),  # no demand on Tuesday: cannot be granted
    )
    result = solve_checked(dataclasses.replace(station, requests=requests), backend)
    assert result.terms == terms(requests=4 + 2)
    assert as_lines(result) == {("p2", "mon", "day", "g1")}


@all_backends
def test_under_weight_of_a_demand_row(backend):
    station = make_station("p1 王伟 police", "g1 mon day police 1\ng1 tue day police 1", shifts=DAY_ONLY,
                           availability="p1 mon * unavailable\np1 tue * unavailable")
    rows = (dataclasses.replace(station.demand[0], under_weight=7), station.demand[1])
    result = solve_checked(dataclasses.replace(station, demand=rows), backend)
    assert result.terms == terms(uncovered=7 + 1000)  # Monday's row its own 7, Tuesday's the level's 1000


# ---------------------------------------------------------------------------------------------
# Horizons of any length: calendar weeks


def _solve_from(station, backend: str, start: dt.date, days: int):
    result = solve(station, start, backend=backend, time_limit=20, days=days)
    assert result.status is SolveStatus.OPTIMAL
    report = check_roster(station, start, result.roster, days)
    assert report.violations == []
    assert (report.objective, report.terms) == (result.objective, result.terms)
    return result


@all_backends
def test_weekly_cap_per_calendar_week_prorated_when_cut(backend):
    station = make_station("p1 王伟 police", "g1 * day police 1", shifts=DAY_ONLY)
    wednesday = WEEK + dt.timedelta(days=2)
    result = _solve_from(station, backend, wednesday, 7)
    # Wed..Sun is 5 dates of one calendar week: cap ceil(5 * 5 / 7) = 4; Mon..Tue of the next: ceil(10/7) = 2.
    # 6 of 7 shifts: 1000 (a 7-day block from Wednesday would allow 5 and miss 2000).
    assert result.objective == 1000
    per_week = {}
    for a in result.roster:
        per_week[a.date.isocalendar()[1]] = per_week.get(a.date.isocalendar()[1], 0) + 1
    assert sorted(per_week.values()) == [2, 4]


@all_backends
def test_four_weeks(backend):
    station = make_station("p1 王伟 police\np2 李娜 police", "g1 * day police 1", shifts=DAY_ONLY,
                           rules=Rules(max_consecutive_days=3, max_weekends=2))
    result = _solve_from(station, backend, WEEK, 28)
    # 28 shifts for two people with 5 a week each: coverable in shift count, and 3 in a row at most
    # works (e.g. p1 Mon-Wed, p2 Thu-Sat ...), but each may work only 2 of the 4 weekends: two people
    # cover at most 4 weekends, each weekend needs someone on Saturday and Sunday -> all covered.
    assert result.objective == 0
    assert len(result.roster) == 28


def test_max_shifts_per_week_checker_uses_calendar_weeks():
    station = make_station("p1 王伟 police", "g1 * day police 1", shifts=DAY_ONLY,
                           rules=Rules(max_shifts_per_week={"police": 2, "auxiliary": 5, "volunteer": 2}))
    saturday = WEEK + dt.timedelta(days=5)
    from tests.scheduler.test_checker import roster

    # A 7-day horizon from Saturday cuts two calendar weeks: Sat..Sun (cap ceil(2 * 2 / 7) = 1) and
    # Mon..Fri (cap ceil(2 * 5 / 7) = 2). Sat + Mon + Tue keeps both (one 7-day block would hold 3 > 2).
    lines = roster("p1 2026-11-28 day g1\np1 2026-11-30 day g1\np1 2026-12-01 day g1")
    assert check_roster(station, saturday, lines, 7).violations == []
    report = check_roster(station, saturday, roster("p1 2026-11-28 day g1\np1 2026-11-29 day g1"), 7)
    assert [(v.rule, v.date) for v in report.violations] == [(R.MAX_SHIFTS_PER_WEEK, saturday)]


# ---------------------------------------------------------------------------------------------
# Defaults keep today's model


def test_defaults_are_off():
    rules = Rules()
    assert (rules.min_consecutive_days, rules.min_consecutive_days_off, rules.max_weekends,
            rules.min_total_minutes, rules.max_total_minutes) == (None,) * 5
    assert rules.max_shifts_per_type == {} and rules.forbidden_successions == ()
    assert Weights().over_demand == 0
    person = Person("p1", "A", "police")
    assert person.max_shifts_per_type == () and person.min_consecutive_days is None
    assert DemandRow("g1", "mon", "day", "police", 1, 1).under_weight is None


# ---------------------------------------------------------------------------------------------
# Pins against an optional rule: the explanation names the rule


@all_backends
def test_pins_breaking_an_optional_rule_are_explained(backend):
    station = make_station("p1 王伟 police", "g1 mon late police 1\ng1 tue early police 1",
                           shifts="early 06:00 14:00\nlate 14:00 22:00", pins="p1 mon late g1\np1 tue early g1",
                           rules=Rules(min_rest_hours=0, forbidden_successions=(("late", "early"),)))
    result = solve(station, WEEK, backend=backend, time_limit=20)
    assert result.status is SolveStatus.INFEASIBLE
    assert [c.rules for c in result.conflicts] == [(R.FORBIDDEN_SUCCESSIONS,)]
    assert len(result.conflicts[0].pins) == 2


@all_backends
def test_a_minimum_the_data_cannot_meet_is_explained_without_pins(backend):
    station = make_station("p1 王伟 police\np2 李娜 police", "g1 mon day police 1", shifts=DAY_ONLY,
                           availability="p2 * * unavailable")
    station = with_people(station, p2={"min_total_minutes": 480})  # p2 is on leave all week
    result = solve(station, WEEK, backend=backend, time_limit=20)
    assert result.status is SolveStatus.INFEASIBLE
    assert [(c.rules, c.pins) for c in result.conflicts] == [((R.MIN_TOTAL_MINUTES,), ())]
    assert "cannot satisfy min_total_minutes" in result.conflicts[0].message


@all_backends
def test_weekend_spread_over_two_weeks(backend):
    station = make_station("p1 王伟 police\np2 李娜 police", "g1 sat day police 1", shifts=DAY_ONLY,
                           availability="p2 2026-11-28 * unavailable")
    result = solve_checked(station, backend, days=14)
    # Two Saturdays, one person each. p2 is on leave the first, so p1 works it; the spread is taken
    # over the horizon, not per week: p2 takes the second Saturday and the spread is 1 - 1 = 0.
    # (Per week it would be 1 in each week whatever the roster: 2 * 10.)
    assert result.objective == 0
    assert as_lines(result) == {("p1", "sat", "day", "g1"), ("p2", "2026-12-05", "day", "g1")}
