"""The checker on the optional rules and terms: a roster breaking each one, and the boundary cases."""

from __future__ import annotations

import dataclasses

from scheduler import rules as R
from scheduler.checker import format_report
from scheduler.model import Request, Rules, Weights
from tests.scheduler.test_checker import WEEK, broken, check, make_station

DAY = "day 08:00 16:00"
EVERY_DAY = "g1 * day police 1 2"


def station(rules: Rules | None = None, **kwargs):
    return make_station("p1 王伟 police\np2 李娜 police", EVERY_DAY, shifts=DAY, rules=rules or Rules(), **kwargs)


def test_min_consecutive_days_inside_the_horizon_only():
    st = station(Rules(min_consecutive_days=3))
    report = check(st, "p1 mon day g1\np1 wed day g1\np1 thu day g1\np1 sun day g1")
    # mon touches the start and sun the end: exempt; wed-thu is a run of 2 inside: broken once
    assert broken(report) == [R.MIN_CONSECUTIVE_DAYS]
    assert "2 working days in a row" in report.violations[0].message and "at least 3" in report.violations[0].message
    assert check(st, "p1 wed day g1\np1 thu day g1\np1 fri day g1").ok


def test_min_consecutive_days_off():
    st = station(Rules(min_consecutive_days_off=2))
    assert broken(check(st, "p1 mon day g1\np1 wed day g1")) == [R.MIN_CONSECUTIVE_DAYS_OFF]  # tue alone
    assert check(st, "p1 tue day g1\np1 fri day g1").ok  # mon (start), wed-thu (2), sat-sun (end)
    assert check(st, "").ok  # a week off touches both ends


def test_person_override_wins_over_the_station():
    st = station(Rules(min_consecutive_days_off=2))
    st = dataclasses.replace(st, people=(dataclasses.replace(st.people[0], min_consecutive_days_off=1),
                                         st.people[1]))
    assert check(st, "p1 mon day g1\np1 wed day g1").ok
    assert broken(check(st, "p2 mon day g1\np2 wed day g1")) == [R.MIN_CONSECUTIVE_DAYS_OFF]


def test_max_weekends_counts_calendar_weekends():
    st = station(Rules(max_weekends=1))
    assert check(st, "p1 sat day g1\np1 sun day g1", days=14).ok  # one weekend, both days
    report = check(st, "p1 sat day g1\np1 2026-12-06 day g1", days=14)  # Saturday, then next Sunday
    assert broken(report) == [R.MAX_WEEKENDS]


def test_total_minutes():
    st = station(Rules(min_total_minutes=960, max_total_minutes=1440))
    report = check(st, "p1 mon day g1\np2 mon day g1\np2 tue day g1\np2 wed day g1\np2 thu day g1")
    # p1 480 < 960; p2 4 * 480 = 1920 > 1440
    assert broken(report) == [R.MIN_TOTAL_MINUTES, R.MAX_TOTAL_MINUTES]
    assert report.violations[0].person_id == "p1" and report.violations[1].person_id == "p2"


def test_min_total_minutes_also_holds_for_someone_without_shifts():
    assert broken(check(station(Rules(min_total_minutes=1)), "p1 mon day g1")) == [R.MIN_TOTAL_MINUTES]  # p2


def test_max_shifts_per_type():
    st = station(Rules(max_shifts_per_type={"day": 1}))
    report = check(st, "p1 mon day g1\np1 tue day g1")
    assert broken(report) == [R.MAX_SHIFTS_PER_TYPE]
    assert report.violations[0].shift_id == "day"


def test_forbidden_successions():
    st = make_station("p1 王伟 police", "g1 * early police 1\ng1 * late police 1",
                      shifts="early 06:00 14:00\nlate 14:00 22:00",
                      rules=Rules(min_rest_hours=0, forbidden_successions=(("late", "early"),)))
    report = check(st, "p1 mon late g1\np1 tue early g1")
    assert broken(report) == [R.FORBIDDEN_SUCCESSIONS]
    assert "early may not follow late" in report.violations[0].message
    assert check(st, "p1 mon early g1\np1 tue late g1").ok  # the other order is allowed


def test_over_demand_and_requests_terms():
    st = station(weights=Weights(over_demand=3))
    st = dataclasses.replace(st, requests=(Request("p1", WEEK, "day", "off", 7), Request("p2", WEEK, "day", "on", 2),
                                           Request("p2", WEEK.replace(day=24), "day", "on", 5)))
    report = check(st, "p1 mon day g1\np2 mon day g1")
    assert report.terms[R.OVER_DEMAND] == 3  # 2 on a row of min 1
    assert report.terms[R.REQUESTS] == 7 + 5  # p1 works the day off asked; p2's Tuesday not granted
    text = format_report(report, st)
    assert "over_demand" in text and "requests" in text


def test_under_weight_of_a_row():
    st = station()
    st = dataclasses.replace(st, demand=(dataclasses.replace(st.demand[0], under_weight=7),))  # Monday's row
    report = check(st, "")
    assert report.terms[R.UNCOVERED] == 7  # only Monday's row is left, worth 7 instead of 1000
