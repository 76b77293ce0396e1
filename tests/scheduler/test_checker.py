"""Tests of the independent roster checker (scheduler/checker.py).

Stations are built from a few text lines (see `make_station`); every hard rule gets a roster that
breaks that rule only, and every objective term a roster whose value is worked out by hand.
"""

from __future__ import annotations

import datetime as dt

import pytest

from scheduler import rules as R
from scheduler.checker import RULE_CHECKS, TERMS, CheckReport, check_roster, format_report
from scheduler.model import Assignment, Availability, DemandRow, Grid, Person, Pin, Rules, Shift, Station, Weights

WEEK = dt.date(2026, 11, 23)  # a Monday
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

PEOPLE = """
p1 王伟 police
p2 李娜 police
a1 张强 auxiliary
v1 刘阿姨 volunteer home=g1
"""
GRIDS = """
g1 三堡街夜市 1
g2 幸福小区 4
"""
SHIFTS = """
day 08:00 16:00
evening 16:00 24:00
night 22:00 06:00
"""
DEMAND = """
g1 * day police 1 2
g1 * day auxiliary 0 1
g1 * day volunteer 0 1
g1 * evening police 0 1
g1 * evening volunteer 0 1
g1 * night police 1 1
g2 * day police 0 1
"""


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _date(token: str) -> dt.date:
    """`mon` .. `sun`: that day of the test week; otherwise an ISO date."""
    if token in DAY_NAMES:
        return WEEK + dt.timedelta(days=DAY_NAMES.index(token))
    return dt.date.fromisoformat(token)


def _lines(text: str) -> list[list[str]]:
    return [line.split() for line in text.strip().splitlines() if line.strip()]


def _options(tokens: list[str]) -> dict[str, str]:
    return dict(token.split("=", 1) for token in tokens)


def make_station(
    people: str = PEOPLE,
    demand: str = DEMAND,
    *,
    grids: str = GRIDS,
    shifts: str = SHIFTS,
    availability: str = "",
    pins: str = "",
    rules: Rules | None = None,
    weights: Weights | None = None,
) -> Station:
    """A Station from whitespace-separated lines:

    people:       id name role [home=GRID] [skills=a;b] [cap=N]
    grids:        id name level
    shifts:       id HH:MM HH:MM [night|day]   (default: night when it covers 00:00-05:00)
    demand:       grid day shift role min [max] [skill=TAG]   (day: mon..sun, * for every weekday, or
                  an ISO date; role - for a skill row of any role; max defaults to min)
    availability: person date shift|* status   (date: mon..sun of the test week, * for all seven, or ISO)
    pins:         person date shift grid
    """
    person_rows = []
    for pid, name, role, *rest in _lines(people):
        opts = _options(rest)
        skills = frozenset(opts["skills"].split(";")) if "skills" in opts else frozenset()
        cap = int(opts["cap"]) if "cap" in opts else None
        person_rows.append(Person(pid, name, role, opts.get("home"), skills, cap))
    grid_rows = [Grid(gid, name, int(level)) for gid, name, level in _lines(grids)]
    shift_rows = []
    for sid, start, end, *flag in _lines(shifts):
        s, e = _minutes(start), _minutes(end)
        night = flag[0] == "night" if flag else Shift.covers_small_hours(s, e)
        shift_rows.append(Shift(sid, sid, s, e, night))
    demand_rows = []
    for grid_id, day, shift_id, role, low, *rest in _lines(demand):
        high = int(rest[0]) if rest and "=" not in rest[0] else int(low)
        skill = _options([t for t in rest if "=" in t]).get("skill")
        days = DAY_NAMES if day == "*" else [day if day in DAY_NAMES else dt.date.fromisoformat(day)]
        for d in days:
            demand_rows.append(DemandRow(grid_id, d, shift_id, None if role == "-" else role, int(low), high, skill))
    avail_rows = []
    for pid, date, shift_id, status in _lines(availability):
        dates = DAY_NAMES if date == "*" else [date]
        for d in dates:
            avail_rows.append(Availability(pid, _date(d), None if shift_id == "*" else shift_id, status))
    pin_rows = [Pin(pid, _date(date), sid, gid) for pid, date, sid, gid in _lines(pins)]
    return Station(
        "测试派出所",
        tuple(person_rows),
        tuple(grid_rows),
        tuple(shift_rows),
        tuple(demand_rows),
        tuple(avail_rows),
        tuple(pin_rows),
        rules or Rules(),
        weights or Weights(),
    )


def roster(text: str) -> list[Assignment]:
    """Lines `person date shift grid` (date as in availability)."""
    return [Assignment(_date(date), sid, gid, pid) for pid, date, sid, gid in _lines(text)]


def check(station: Station, text: str, days: int = 7) -> CheckReport:
    return check_roster(station, WEEK, roster(text), days)


def broken(report: CheckReport) -> list[str]:
    return [v.rule for v in report.violations]


# ---------------------------------------------------------------------------------------------
# The API shape


def test_every_rule_and_term_has_a_check_in_order():
    assert list(RULE_CHECKS) == list(R.HARD_RULES)
    assert list(TERMS) == list(R.OBJECTIVE_TERMS)
    report = check(make_station(), "")
    assert list(report.terms) == list(R.OBJECTIVE_TERMS)
    assert report.objective == sum(report.terms.values())


def test_valid_roster_has_no_violations():
    station = make_station(availability="v1 mon * preferred", pins="p1 mon day g1")
    report = check(
        station,
        """
        p1 mon day g1
        a1 mon day g1
        v1 mon day g1
        p2 mon night g1
        p1 tue night g1
        p2 wed day g2
        """,
    )
    assert report.violations == []
    assert report.ok


# ---------------------------------------------------------------------------------------------
# role_matches_demand


def test_role_without_demand_of_that_role():
    report = check(make_station(), "a1 mon night g1")  # g1 night asks for police only
    assert broken(report) == [R.ROLE_MATCHES_DEMAND]
    v = report.violations[0]
    assert (v.person_id, v.date, v.shift_id, v.grid_id) == ("a1", WEEK, "night", "g1")
    assert "张强 (a1)" in v.message and "2026-11-23" in v.message and "night" in v.message and "g1" in v.message


def test_no_demand_rows_means_nobody_may_be_assigned():
    report = check(make_station(), "p1 mon evening g2")  # g2 has day rows only
    assert broken(report) == [R.ROLE_MATCHES_DEMAND]


def test_skill_rows_add_no_headcount():
    station = make_station(demand="g2 mon day - 1 skill=driver", people="p1 王伟 police skills=driver")
    assert broken(check(station, "p1 mon day g2")) == [R.ROLE_MATCHES_DEMAND]


def test_assignment_outside_the_week_or_with_unknown_ids():
    report = check(make_station(), "p1 2026-11-30 day g1\np9 mon day g1\np1 tue day g9\np2 wed lunch g1")
    assert broken(report) == [R.ROLE_MATCHES_DEMAND] * 4
    messages = " | ".join(v.message for v in report.violations)
    assert "outside the planning week" in messages
    assert "unknown person 'p9'" in messages and "unknown grid 'g9'" in messages and "unknown shift 'lunch'" in messages
    assert report.coverage and all(row.assigned == 0 for row in report.coverage)  # ignored elsewhere


# ---------------------------------------------------------------------------------------------
# Demand in force: date rows replace the weekday rows of that grid and shift only


def test_date_override_replaces_weekday_rows():
    station = make_station(
        demand="""
        g1 wed day police 1
        g1 2026-11-25 day auxiliary 1
        g1 wed night police 1
        g2 wed day police 1
        """
    )
    # 2026-11-25 is the Wednesday of the test week: only the auxiliary row applies to g1 day.
    ok = """
    a1 wed day g1
    p1 wed night g1
    p2 wed day g2
    p2 2026-12-02 day g1
    """
    report = check(station, ok, days=14)
    assert report.violations == []
    wednesday_g1_day = [
        (r.role, r.required, r.assigned)
        for r in report.coverage
        if r.date == _date("wed") and r.grid_id == "g1" and r.shift_id == "day"
    ]
    assert wednesday_g1_day == [("auxiliary", 1, 1)]
    # the next Wednesday has no date row, so the weekday police row applies there
    next_wed = [
        (r.role, r.assigned)
        for r in report.coverage
        if r.date == dt.date(2026, 12, 2) and r.grid_id == "g1" and r.shift_id == "day"
    ]
    assert next_wed == [("police", 1)]
    assert broken(check(station, "p1 wed day g1")) == [R.ROLE_MATCHES_DEMAND]


# ---------------------------------------------------------------------------------------------
# respect_availability


def test_officer_on_leave():
    station = make_station(availability="p1 mon * unavailable")
    report = check(station, "p1 mon day g1")
    assert broken(report) == [R.RESPECT_AVAILABILITY]
    assert "王伟 (p1)" in report.violations[0].message


def test_volunteer_who_did_not_opt_in():
    station = make_station(availability="v1 tue * available")
    assert broken(check(station, "p1 mon day g1\nv1 mon day g1")) == [R.RESPECT_AVAILABILITY]
    assert broken(check(station, "p1 tue day g1\nv1 tue day g1")) == []


def test_shift_row_takes_precedence_over_whole_day_row():
    station = make_station(
        availability="""
        p1 mon * unavailable
        p1 mon day available
        v1 tue * available
        v1 tue evening unavailable
        """
    )
    assert broken(check(station, "p1 mon day g1")) == []
    assert broken(check(station, "p1 mon night g1")) == [R.RESPECT_AVAILABILITY]
    assert broken(check(station, "p1 tue day g1\nv1 tue day g1")) == []
    assert broken(check(station, "p1 tue evening g1\nv1 tue evening g1")) == [R.RESPECT_AVAILABILITY]


def test_whole_day_row_covers_shifts_starting_that_date_only():
    station = make_station(availability="p1 tue * unavailable")
    assert broken(check(station, "p1 mon night g1")) == []  # starts Monday, ends Tuesday 06:00
    assert broken(check(station, "p1 tue night g1")) == [R.RESPECT_AVAILABILITY]


# ---------------------------------------------------------------------------------------------
# keep_pins


def test_pin_missing_from_roster():
    station = make_station(pins="p1 mon day g1\np2 2026-12-01 day g1")  # the second pin is outside the week
    report = check(station, "p1 mon day g2")  # right person, date and shift, wrong grid
    assert broken(report) == [R.KEEP_PINS]
    assert report.violations[0].grid_id == "g1"
    assert broken(check(station, "p1 mon day g1")) == []


# ---------------------------------------------------------------------------------------------
# min_rest_between_shifts


def test_night_crossing_midnight_then_day_shift_breaks_rest():
    report = check(make_station(), "p1 mon night g1\np1 tue day g1")  # 06:00 -> 08:00: 2 hours of rest
    assert broken(report) == [R.MIN_REST_BETWEEN_SHIFTS]
    v = report.violations[0]
    assert (v.date, v.shift_id) == (_date("tue"), "day")
    assert broken(check(make_station(), "p1 mon night g1\np1 tue evening g1")) == [R.MIN_REST_BETWEEN_SHIFTS]  # 10h
    assert broken(check(make_station(), "p1 mon night g1\np1 tue night g1")) == []  # 16h


def test_shift_ending_at_midnight():
    # evening ends Monday 24:00, day starts Tuesday 08:00: exactly 8 hours of rest
    assert broken(check(make_station(rules=Rules(min_rest_hours=8)), "p1 mon evening g1\np1 tue day g1")) == []
    assert broken(check(make_station(rules=Rules(min_rest_hours=8.5)), "p1 mon evening g1\np1 tue day g1")) == [
        R.MIN_REST_BETWEEN_SHIFTS
    ]


def test_shift_ending_at_its_start_lasts_a_whole_day():
    station = make_station(
        shifts="full 08:00 08:00 day\nday 08:00 16:00", demand="g1 * full police 1\ng1 * day police 1"
    )
    # full runs Monday 08:00 to Tuesday 08:00, so Tuesday's day shift follows with no rest
    assert broken(check(station, "p1 mon full g1\np1 tue day g1")) == [R.MIN_REST_BETWEEN_SHIFTS]
    assert broken(check(station, "p1 mon full g1\np1 wed day g1")) == []


def test_a_long_shift_is_checked_against_every_shift_that_starts_before_its_rest_ends():
    station = make_station(
        shifts="full 08:00 08:00 day\nshort 09:00 10:00\nlate 10:00 12:00",
        demand="g1 * full police 1\ng1 * short police 1\ng1 * late police 1",
    )
    # By start: Monday full (to Tuesday 08:00), Monday short (inside it), Tuesday late (2h after
    # full ends, a day after short): short is rested before late, full is not.
    report = check(station, "p1 mon full g1\np1 mon short g1\np1 tue late g1")
    assert [(v.date, v.shift_id) for v in report.violations] == [(_date("mon"), "short"), (_date("tue"), "late")]


def test_overlapping_shifts():
    assert broken(check(make_station(), "p1 mon day g1\np1 mon day g2")) == [R.MIN_REST_BETWEEN_SHIFTS]
    assert broken(check(make_station(), "p1 mon day g1\np1 mon day g1")) == [R.MIN_REST_BETWEEN_SHIFTS]
    report = check(make_station(rules=Rules(min_rest_hours=0)), "p1 mon evening g1\np1 mon night g1")  # 22-24
    assert broken(report) == [R.MIN_REST_BETWEEN_SHIFTS]
    assert "overlaps" in report.violations[0].message


# ---------------------------------------------------------------------------------------------
# max_shifts_per_week


def test_personal_weekly_cap():
    station = make_station(people="p1 王伟 police cap=2")
    report = check(station, "p1 mon day g1\np1 wed day g1\np1 fri day g1")
    assert broken(report) == [R.MAX_SHIFTS_PER_WEEK]
    assert broken(check(station, "p1 mon day g1\np1 wed day g1")) == []


def test_role_default_weekly_cap():
    station = make_station(rules=Rules(max_shifts_per_week={"police": 1, "auxiliary": 5, "volunteer": 2}))
    assert broken(check(station, "p1 mon day g1\np1 wed day g1")) == [R.MAX_SHIFTS_PER_WEEK]


def test_weekly_cap_counts_per_7_day_block_of_a_longer_horizon():
    station = make_station(people="p1 王伟 police cap=3")
    # fri, sat, sun of week 1 and mon of week 2: 3 + 1, although 4 fall within seven days
    assert broken(check(station, "p1 fri day g1\np1 sat day g1\np1 sun day g1\np1 2026-11-30 day g1", 14)) == []
    week2 = "p1 2026-11-30 day g1\np1 2026-12-02 day g1\np1 2026-12-04 day g1\np1 2026-12-06 day g1"
    report = check(station, week2, 14)
    assert broken(report) == [R.MAX_SHIFTS_PER_WEEK]
    assert report.violations[0].date == dt.date(2026, 11, 30)
    assert "4 shifts from mon 2026-11-30 to sun 2026-12-06, at most 3" in report.violations[0].message


# ---------------------------------------------------------------------------------------------
# max_consecutive_days and max_consecutive_nights


def test_consecutive_days():
    station = make_station(rules=Rules(max_consecutive_days=3))
    report = check(station, "p1 mon day g1\np1 tue day g1\np1 wed day g1\np1 thu day g1")
    assert broken(report) == [R.MAX_CONSECUTIVE_DAYS]
    assert report.violations[0].date == _date("mon")
    assert broken(check(station, "p1 mon day g1\np1 tue day g1\np1 wed day g1\np1 fri day g1")) == []


def test_consecutive_nights():
    station = make_station(rules=Rules(max_consecutive_nights=2))
    assert broken(check(station, "p1 mon night g1\np1 tue night g1\np1 wed night g1")) == [R.MAX_CONSECUTIVE_NIGHTS]
    assert broken(check(station, "p1 mon night g1\np1 tue night g1\np1 thu night g1")) == []
    # evening (16:00-24:00) is not a night shift
    assert broken(check(station, "p1 mon evening g1\np1 tue evening g1\np1 wed evening g1")) == []


# ---------------------------------------------------------------------------------------------
# max_per_role


def test_more_people_of_a_role_than_max():
    report = check(make_station(), "p1 mon night g1\np2 mon night g1")  # g1 night: police max 1
    assert broken(report) == [R.MAX_PER_ROLE]
    assert "王伟 (p1)" in report.violations[0].message and "李娜 (p2)" in report.violations[0].message


def test_skill_rows_set_no_maximum():
    station = make_station(
        people="p1 王伟 police skills=driver\np2 李娜 police skills=driver",
        demand="g1 mon day police 1 2\ng1 mon day police 1 skill=driver",  # skill row max defaults to 1
    )
    assert broken(check(station, "p1 mon day g1\np2 mon day g1")) == []


# ---------------------------------------------------------------------------------------------
# escort_required


def test_volunteer_without_escort():
    station = make_station(availability="v1 mon * available")
    report = check(station, "v1 mon day g1\np1 mon day g2")
    assert broken(report) == [R.ESCORT_REQUIRED]
    assert report.violations[0].person_id == "v1"
    assert broken(check(station, "v1 mon day g1\na1 mon day g1")) == []


def test_escort_roles_come_from_the_rules():
    station = make_station(availability="v1 mon * available", rules=Rules(escort_roles=("police",)))
    assert broken(check(station, "v1 mon day g1\na1 mon day g1")) == [R.ESCORT_REQUIRED]
    assert broken(check(station, "v1 mon day g1\np1 mon day g1")) == []


# ---------------------------------------------------------------------------------------------
# Objective terms (default weights: uncovered 1000/600/300/100, night 20, weekend 10, idle 30,
# not_preferred 1, away_from_home 2, unless a test says otherwise)


UNCOVERED_DEMAND = """
g1 mon day police 2
g1 mon day - 1 skill=driver
g1 mon day auxiliary 0 1
g1 mon day auxiliary 1 skill=first_aid
g2 mon day auxiliary 1
"""


def test_uncovered():
    people = "p1 王伟 police\np2 李娜 police skills=driver;first_aid\na1 张强 auxiliary"
    station = make_station(people, UNCOVERED_DEMAND)
    # p1 alone at g1 (level 1): police 2-1=1, driver 1-0=1, first_aid auxiliary 1-0=1 -> 3 * 1000;
    # g2 (level 4): auxiliary 1-0=1 -> 1 * 100. Mon rows only, so no other day counts. Total 3100.
    assert check(station, "p1 mon day g1").terms[R.UNCOVERED] == 3100
    # p1, p2 at g1 and a1 at g2: police 0, driver 0 (p2, any role), first_aid needs an auxiliary: p2
    # does not count -> 1 * 1000; g2 0. Total 1000.
    report = check(station, "p1 mon day g1\np2 mon day g1\na1 mon day g2")
    assert report.terms[R.UNCOVERED] == 1000
    assert [(r.grid_id, r.role, r.skill, r.required, r.assigned, r.missing) for r in report.coverage] == [
        ("g1", "police", None, 2, 2, 0),
        ("g1", None, "driver", 1, 1, 0),
        ("g1", "auxiliary", None, 0, 0, 0),
        ("g1", "auxiliary", "first_aid", 1, 0, 1),
        ("g2", "auxiliary", None, 1, 1, 0),
    ]
    assert all(r.date == WEEK and r.shift_id == "day" for r in report.coverage)
    # more people than needed never makes up for a missing one: police 3 of 2 and driver 2 of 1
    # are 0 missing (not -1 each); first_aid auxiliary still 1 * 1000. Total 1000.
    over = make_station(people + "\np3 赵敏 police skills=driver", UNCOVERED_DEMAND)
    assert check(over, "p1 mon day g1\np2 mon day g1\np3 mon day g1\na1 mon day g2").terms[R.UNCOVERED] == 1000


def test_night_spread():
    people = "p1 A police\np2 B police\np3 C police\na1 D auxiliary\na2 E auxiliary\nv1 F volunteer"
    station = make_station(people, availability="p3 * night unavailable\nv1 * night available")
    report = check(
        station,
        """
        p1 mon night g1
        p1 wed night g1
        p1 fri night g1
        p2 tue night g1
        p2 thu day g1
        a1 thu night g1
        a2 sat night g1
        """,
    )
    # police: p1 3 nights, p2 1 (the day shift does not count), p3 is unavailable for every night
    # and left out -> 3 - 1 = 2; auxiliaries 1 - 1 = 0; volunteers never count. (2 + 0) * 20 = 40
    assert report.terms[R.NIGHT_SPREAD] == 40


def test_weekend_spread():
    people = "p1 A police\np2 B police\np3 C police\na1 D auxiliary\na2 E auxiliary"
    station = make_station(people, availability="p3 sat * unavailable\np3 sun * unavailable")
    report = check(
        station,
        """
        p1 sat day g1
        p1 sun day g1
        p2 fri night g1
        p2 sun night g1
        a1 sat day g1
        """,
    )
    # police: p1 2, p2 1 (Friday's night starts on Friday), p3 left out -> 2 - 1 = 1;
    # auxiliaries: a1 1, a2 0 -> 1. (1 + 1) * 10 = 20
    assert report.terms[R.WEEKEND_SPREAD] == 20


def test_spread_is_zero_when_nobody_is_available():
    station = make_station("p1 A police", availability="p1 * * unavailable")
    report = check(station, "p1 sat night g1")
    assert report.terms[R.NIGHT_SPREAD] == 0 and report.terms[R.WEEKEND_SPREAD] == 0


def test_volunteer_idle():
    people = "p1 A police\nv1 B volunteer\nv2 C volunteer\nv3 D volunteer\nv4 E volunteer\nv5 F volunteer"
    station = make_station(
        people,
        shifts="day 08:00 16:00",
        demand="g1 * day police 1 2\ng1 * day volunteer 0 1",
        availability="""
        v1 mon * available
        v2 mon * unavailable
        v3 tue * available
        v3 tue day unavailable
        v4 wed day preferred
        v5 2026-12-07 * available
        """,
    )
    # v1 offered and got nothing -> idle; v2 never offered; v3's only shift that day is unavailable;
    # v4 works; v5 offered outside the week. 1 * 30 = 30
    assert check(station, "p1 wed day g1\nv4 wed day g1").terms[R.VOLUNTEER_IDLE] == 30


def test_not_preferred():
    people = "p1 A police\nv1 B volunteer\nv2 C volunteer\nv3 D volunteer\nv4 E volunteer"
    station = make_station(
        people,
        availability="""
        p1 mon * available
        v1 mon * preferred
        v1 mon day available
        v2 tue * available
        v2 tue day preferred
        v3 wed * available
        v4 thu day preferred
        """,
        weights=Weights(not_preferred=5),
    )
    text = "\n".join(
        f"p1 {d} day g1\n{v} {d} day g1" for v, d in (("v1", "mon"), ("v2", "tue"), ("v3", "wed"), ("v4", "thu"))
    )
    report = check(station, text)
    # v1 (shift row says available) and v3 (whole day available) count; v2 and v4 preferred; police
    # never count. 2 * 5 = 10
    assert report.terms[R.NOT_PREFERRED] == 10
    assert report.violations == []
    # a volunteer on a slot they never offered breaks availability; it is not an "available" slot
    report = check(station, "p1 fri day g1\nv1 fri day g1")
    assert broken(report) == [R.RESPECT_AVAILABILITY]
    assert report.terms[R.NOT_PREFERRED] == 0


def test_away_from_home():
    people = "p1 A police home=g1\np2 B police\nv1 C volunteer home=g1\nv2 D volunteer home=g1\nv3 E volunteer"
    station = make_station(
        people,
        demand="g1 mon day police 1\ng1 mon day volunteer 0 1\ng2 mon day police 1\ng2 mon day volunteer 0 2",
        availability="v1 mon * available\nv2 mon * available\nv3 mon * available",
        weights=Weights(away_from_home=7),
    )
    report = check(station, "p1 mon day g2\nv1 mon day g2\nv3 mon day g2\np2 mon day g1\nv2 mon day g1")
    # only v1 (home g1, patrols g2); v2 is at home, v3 has no home grid, p1 is police. 1 * 7 = 7
    assert report.terms[R.AWAY_FROM_HOME] == 7
    assert report.violations == []


def test_objective_is_the_sum_of_the_terms():
    station = make_station(
        "p1 A police\np2 B police\nv1 C volunteer home=g2", "g1 mon day police 1", availability="v1 tue * available"
    )
    report = check(station, "p1 mon day g1")
    # uncovered 0; nights: p1 0, p2 0 -> 0; weekend 0; v1 idle -> 30; others 0
    assert report.terms == {
        R.UNCOVERED: 0,
        R.NIGHT_SPREAD: 0,
        R.WEEKEND_SPREAD: 0,
        R.VOLUNTEER_IDLE: 30,
        R.NOT_PREFERRED: 0,
        R.AWAY_FROM_HOME: 0,
        R.OVER_DEMAND: 0,
        R.REQUESTS: 0,
    }
    assert report.objective == 30
    report = check(station, "p1 mon night g1")  # wrong shift: uncovered 1000 and p1 1 night vs p2 0 -> 20
    assert report.objective == 1000 + 20 + 30


# ---------------------------------------------------------------------------------------------
# format_report


def test_format_report_groups_violations_and_lists_terms():
    station = make_station(availability="p1 mon * unavailable")
    report = check(station, "p1 mon day g1\np1 mon day g2\na1 mon night g1")
    text = format_report(report, station)
    assert "测试派出所" in text
    for rule in (R.ROLE_MATCHES_DEMAND, R.RESPECT_AVAILABILITY, R.MIN_REST_BETWEEN_SHIFTS):
        assert rule in text
    assert R.KEEP_PINS not in text
    assert (
        text.index(R.ROLE_MATCHES_DEMAND) < text.index(R.RESPECT_AVAILABILITY) < text.index(R.MIN_REST_BETWEEN_SHIFTS)
    )
    for term in R.OBJECTIVE_TERMS:
        assert term in text
    assert "total" in text and str(report.objective) in text
    assert "all respected" in format_report(check(station, ""), station)


@pytest.mark.parametrize("days", [0, -1])
def test_days_must_be_positive(days):
    with pytest.raises(ValueError):
        check_roster(make_station(), WEEK, [], days)
