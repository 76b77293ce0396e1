"""Staffing what-if: the fewest extra people who cover all demand, found by one optimization."""

from __future__ import annotations

import datetime as dt

import pytest

from scheduler.checker import check_roster
from scheduler.prepare import prepare
from scheduler.result import SolveStatus
from scheduler.staffing import DEFAULT_ROLE_COSTS, candidate_kinds, staffing_what_if
from tests.scheduler.stations import WEEK, all_backends, make_station

GRIDS = """
g1 火车站广场 1
g2 幸福里小区 4
"""
SHIFTS = """
day 08:00 16:00
night 22:00 06:00
"""
# Two police whose caps (4 + 3) just fill the seven day shifts and who never work nights, one
# auxiliary escorting the volunteers, one volunteer who offers only Monday.
PEOPLE = """
p1 王伟 police cap=4
p2 李娜 police cap=3
a1 张强 auxiliary
v1 刘阿姨 volunteer home=g2
"""
AVAILABILITY = """
p1 * night unavailable
p2 * night unavailable
v1 mon day available
"""
COVERED = """
g1 * day police 1
g2 mon day auxiliary 1
g2 mon day volunteer 1
g2 wed day auxiliary 1
"""
# Short of exactly one police officer on Friday night and two volunteers on Wednesday.
SHORT = COVERED + """
g1 fri night police 1
g2 wed day volunteer 2
"""


def station(demand: str, availability: str = AVAILABILITY, people: str = PEOPLE):
    return make_station(people, demand, grids=GRIDS, shifts=SHIFTS, availability=availability)


def assert_verified(answer) -> None:
    """The station plus the extra people, as real rows, checked with the answer's roster."""
    assert answer.report is not None, answer.message
    report = check_roster(answer.station, WEEK, answer.roster)
    assert report.violations == [], [v.message for v in report.violations]
    extra_ids = {e.person.person_id for e in answer.extra}
    assert extra_ids <= set(answer.station.people_by_id)
    assert {a.person_id for a in answer.roster if a.person_id.startswith("extra-")} == extra_ids


def shifts_of(answer, role: str) -> list[tuple[str, str, str]]:
    return sorted((a.date.strftime("%a"), a.shift_id, a.grid_id)
                  for e in answer.extra if e.person.role == role for a in e.shifts)


@all_backends
def test_short_station_needs_exactly_one_police_night_and_two_volunteers(backend):
    answer = staffing_what_if(station(SHORT), WEEK, backend=backend, time_limit=30)
    assert answer.status is SolveStatus.OPTIMAL
    assert answer.extra_per_role() == {"police": 1, "auxiliary": 0, "volunteer": 2}
    assert shifts_of(answer, "police") == [("Fri", "night", "g1")]
    assert shifts_of(answer, "volunteer") == [("Wed", "day", "g2"), ("Wed", "day", "g2")]
    covered, demanded = answer.coverage
    assert covered == demanded == 7 + 1 + 1 + 1 + 1 + 2
    assert answer.not_coverable == []
    assert_verified(answer)
    zh, en = answer.lines_zh(), answer.lines_en()
    assert zh[0] == "还需 1 名民警（周五night）和 2 名义警（周三day）。"  # shift names are the ids here
    assert en[0].startswith("Needed: 1 more police officer (Fri 2026-11-27 night) and 2 more volunteers")


def test_without_the_extra_people_the_same_station_is_short():
    """The answer is not padding: the station alone leaves exactly that demand open."""
    from scheduler.solve import solve

    short = station(SHORT)
    result = solve(short, WEEK, time_limit=30)
    missing = [(r.date.strftime("%a"), r.shift_id, r.role, r.missing)
               for r in check_roster(short, WEEK, result.roster).coverage if r.missing]
    assert sorted(missing) == [("Fri", "night", "police", 1), ("Wed", "day", "volunteer", 2)]


def test_fully_covered_station_needs_nobody():
    answer = staffing_what_if(station(COVERED), WEEK, time_limit=30)
    assert answer.status is SolveStatus.OPTIMAL
    assert answer.extra == [] and answer.extra_per_role() == {"police": 0, "auxiliary": 0, "volunteer": 0}
    covered, demanded = answer.coverage
    assert covered == demanded == 10
    assert answer.lines_zh()[0] == "现有人员已足够，无需增加人手。"
    assert_verified(answer)


def test_a_skill_nobody_has_is_reported_as_not_coverable_by_staffing():
    demand = SHORT + "g1 tue day - 1 skill=dog_handler\n"
    answer = staffing_what_if(station(demand), WEEK, time_limit=30)
    # Everything else is still answered: the extra people are the same.
    assert answer.extra_per_role() == {"police": 1, "auxiliary": 0, "volunteer": 2}
    [row] = answer.not_coverable
    assert (row.date, row.skill, row.missing) == (WEEK + dt.timedelta(days=1), "dog_handler", 1)
    data = answer.to_json()
    [reported] = data["not_coverable"]
    assert "dog_handler" in reported["why_en"] and "dog_handler" in reported["why_zh"]
    assert any("无法靠增加人手覆盖" in line for line in answer.lines_zh())
    assert_verified(answer)


def test_a_skill_existing_people_have_is_recruited_with_that_skill():
    people = PEOPLE.replace("p2 李娜 police cap=3", "p2 李娜 police cap=3 skills=driver")
    demand = COVERED + "g1 fri night police 1 skill=driver\ng1 fri night police 1\n"
    answer = staffing_what_if(station(demand, people=people), WEEK, time_limit=30)
    assert answer.extra_per_role()["police"] == 1
    [extra] = answer.extra
    assert extra.person.skills == frozenset({"driver"})
    assert answer.not_coverable == []
    assert_verified(answer)


def test_volunteers_where_no_escort_is_ever_demanded_are_not_coverable():
    demand = COVERED + "g2 thu day volunteer 1\n"  # no police or auxiliary row on g2 on Thursday
    answer = staffing_what_if(station(demand), WEEK, time_limit=30)
    assert answer.extra == []
    [row] = answer.not_coverable
    assert (row.role, row.date.strftime("%a")) == ("volunteer", "Thu")
    assert "escort" in answer.to_json()["not_coverable"][0]["why_en"]


def test_like_existing_availability_follows_the_most_common_pattern():
    people = PEOPLE + "v2 王阿姨 volunteer home=g2\nv3 赵阿姨 volunteer home=g2\n"
    availability = AVAILABILITY + "v2 mon day available\nv3 sun day available\n"
    demand = COVERED + "g2 wed day volunteer 2\n"
    like = staffing_what_if(station(demand, availability, people), WEEK, availability="like_existing", time_limit=30)
    # Most volunteers offer Monday day only, so recruits like them cannot fill Wednesday.
    assert like.extra == []
    assert [(r.role, r.date.strftime("%a"), r.missing) for r in like.not_coverable] == [("volunteer", "Wed", 2)]
    full = staffing_what_if(station(demand, availability, people), WEEK, availability="all", time_limit=30)
    assert full.extra_per_role()["volunteer"] == 2 and full.not_coverable == []


def test_max_extra_limits_the_answer_and_says_so():
    demand = COVERED + "g2 wed day volunteer 3\n"
    answer = staffing_what_if(station(demand), WEEK, max_extra=1, time_limit=30)
    assert answer.extra_per_role()["volunteer"] == 1
    [row] = answer.not_coverable
    assert row.missing == 2
    assert answer.to_json()["not_coverable"][0]["why_en"] == "the most extra people allowed were all used"


def test_bad_arguments_are_refused_with_their_name():
    with pytest.raises(ValueError, match="availability"):
        staffing_what_if(station(COVERED), WEEK, availability="sometimes")
    with pytest.raises(ValueError, match="max_extra"):
        staffing_what_if(station(COVERED), WEEK, max_extra=-1)


def test_an_offer_of_candidates_used_up_is_widened_and_solved_again():
    """Police may work one shift a week here, and the three there are only free on a night nobody
    needs: the first offer (shortfall 7 - 3 + busiest slot 1 = 5) is too small for the 7 needed."""
    from scheduler.model import Rules

    people = "p1 王伟 police\np2 李娜 police\np3 张强 police\n"
    availability = "p1 * day unavailable\np2 * day unavailable\np3 * day unavailable\n"
    rules = Rules(max_shifts_per_week={"police": 1, "auxiliary": 5, "volunteer": 2})
    short = make_station(people, "g1 * day police 1\n", grids=GRIDS, shifts=SHIFTS, availability=availability,
                         rules=rules)
    first = candidate_kinds(prepare(short, WEEK), DEFAULT_ROLE_COSTS, None)
    assert [c.most for c in first if c.role == "police"] == [5]
    answer = staffing_what_if(short, WEEK, time_limit=30)
    assert answer.extra_per_role()["police"] == 7 and answer.not_coverable == []
    assert [c.most for c in answer.candidates if c.role == "police"] == [7]  # doubled, up to the safe bound
    assert_verified(answer)
