"""Explanations of uncovered demand: one tiny station per cause, each with a hand-written roster.

Every test also checks that the reasons account for every candidate exactly once, and
`test_each_reason_agrees_with_the_checker` checks each reason against the independent checker:
adding a blocked candidate breaks the rule named, adding a free one breaks nothing.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from scheduler import rules as R
from scheduler.checker import check_roster
from scheduler.gaps import GapExplanation, explain_gaps, format_gaps
from scheduler.generate import generate_station
from scheduler.horizon import demand_in_force, horizon_dates
from scheduler.model import Assignment, Rules, Shift, Weights
from scheduler.solve import solve
from tests.scheduler.stations import WEEK, make_station, roster

SHIFTS = """
day 08:00 16:00
evening 16:00 24:00
night 22:00 06:00
"""
NAMES = {"day": "白班", "evening": "中班", "night": "夜班"}
GRIDS = """
G01 火车站广场 1
G03 三堡街夜市 2
"""


def station(people: str, demand: str, **kwargs):
    """make_station with Chinese shift names, as planners write them."""
    st = make_station(people, demand, grids=kwargs.pop("grids", GRIDS), shifts=SHIFTS, **kwargs)
    shifts = tuple(Shift(s.shift_id, NAMES[s.shift_id], s.start, s.end, s.night) for s in st.shifts)
    return dataclasses.replace(st, shifts=shifts)


def police(n: int, first: int = 1) -> str:
    return "\n".join(f"p{i:02d} 民警{i} police" for i in range(first, first + n))


def only_gap(st, lines: str, **kwargs) -> GapExplanation:
    gaps = explain_gaps(st, WEEK, roster(lines), **kwargs)
    assert len(gaps) == 1, [g.zh for g in gaps]
    gap = gaps[0]
    assert sum(gap.counts.values()) == len(gap.candidates)  # each candidate counted once
    assert sorted(pid for r in gap.reasons for pid in r.person_ids) == sorted(gap.candidates)
    return gap


# ---------------------------------------------------------------------------------------------
# The issue's example: leave, weekly cap and the rest rule on one demand


ISSUE_PEOPLE = police(12)
ISSUE_DEMAND = """
G01 * day police 0 10
G01 * evening police 0 10
G03 wed day police 1
"""
ISSUE_AVAILABILITY = "\n".join(f"p{i:02d} wed * unavailable" for i in (1, 2, 3))
ISSUE_ROSTER = "\n".join(
    [f"p{i:02d} {day} day G01" for i in range(4, 9) for day in ("mon", "tue", "thu", "fri", "sat")]
    + [f"p{i:02d} tue evening G01" for i in range(9, 13)]
)


def issue_station():
    return station(ISSUE_PEOPLE, ISSUE_DEMAND, availability=ISSUE_AVAILABILITY)


def test_the_issue_example_counts_leave_cap_and_rest_in_words():
    st = issue_station()
    assert check_roster(st, WEEK, roster(ISSUE_ROSTER)).ok  # a roster that breaks no rule
    gap = only_gap(st, ISSUE_ROSTER)
    assert (gap.grid_id, gap.shift_id, gap.role, gap.missing) == ("G03", "day", "police", 1)
    assert gap.counts == {"on_leave": 3, "weekly_cap": 5, "rest": 4}
    by_reason = {r.reason: r for r in gap.reasons}
    assert by_reason["on_leave"].person_ids == ("p01", "p02", "p03")
    assert by_reason["weekly_cap"].person_ids == ("p04", "p05", "p06", "p07", "p08")
    assert by_reason["rest"].person_ids == ("p09", "p10", "p11", "p12")
    assert [r.rule for r in gap.reasons] == [R.RESPECT_AVAILABILITY, R.MAX_SHIFTS_PER_WEEK, R.MIN_REST_BETWEEN_SHIFTS]
    assert gap.zh == ("周三（11月25日）白班 G03（三堡街夜市）缺1名民警：全部12名民警中3人请假，"
                      "5人已排满本周班次（5个班），4人因休息规则（前一天中班）不能排。")
    assert gap.en == ("Wed 2026-11-25 白班 shift, grid G03 (三堡街夜市): 1 police officer missing; of all 12 police "
                      "officers: 3 on leave or unavailable, 5 at their weekly maximum (5 shifts), "
                      "4 blocked by the rest rule (中班 the day before).")
    assert gap.text == gap.zh
    assert explain_gaps(st, WEEK, roster(ISSUE_ROSTER), lang="en")[0].text == gap.en


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        explain_gaps(issue_station(), WEEK, [], lang="fr")


def test_covered_demand_needs_no_explanation():
    st = issue_station()
    assert explain_gaps(st, WEEK, roster(ISSUE_ROSTER + "\np09 wed day G03")) == []


# ---------------------------------------------------------------------------------------------
# One cause each


def test_busy_elsewhere_names_the_competing_grid():
    st = station(police(2), "G01 mon day police 1\nG03 mon day police 1", availability="p02 mon * unavailable")
    gap = only_gap(st, "p01 mon day G01")
    assert gap.grid_id == "G03"
    assert gap.counts == {"busy_elsewhere": 1, "on_leave": 1}
    assert [r.reason for r in gap.reasons] == ["on_leave", "busy_elsewhere"]  # the fixed order
    assert "1人已排在同班次其他网格（G01）" in gap.zh
    assert "1 already on another grid in the same shift (G01)" in gap.en


def test_pinned_elsewhere_is_told_apart_from_busy():
    st = station(police(1), "G01 mon day police 1\nG03 mon day police 1", pins="p01 mon day G01")
    gap = only_gap(st, "p01 mon day G01")
    assert gap.counts == {"pinned_elsewhere": 1}
    assert gap.reasons[0].rule == R.KEEP_PINS
    assert "1人已固定排在同班次其他网格（G01）" in gap.zh


def test_consecutive_days_limit():
    st = station(police(1), "G01 * day police 1", rules=Rules(max_consecutive_days=3))
    gaps = explain_gaps(st, WEEK, roster("p01 mon day G01\np01 tue day G01\np01 wed day G01"))
    thursday = next(g for g in gaps if g.date.weekday() == 3)
    assert thursday.counts == {"consecutive_days": 1}
    assert thursday.reasons[0].rule == R.MAX_CONSECUTIVE_DAYS
    assert "1人因连续工作天数上限（最多3天）不能排" in thursday.zh


def test_consecutive_nights_limit():
    st = station(police(1), "G01 * night police 1", rules=Rules(max_consecutive_nights=2))
    gaps = explain_gaps(st, WEEK, roster("p01 mon night G01\np01 tue night G01"))
    wednesday = next(g for g in gaps if g.date.weekday() == 2)
    assert wednesday.counts == {"consecutive_nights": 1}
    assert "1人因连续夜班上限（最多2个）不能排" in wednesday.zh


def test_volunteers_without_an_escort_and_those_who_did_not_offer():
    people = "v1 刘阿姨 volunteer\nv2 赵大爷 volunteer\np01 民警1 police"
    st = station(people, "G01 mon day volunteer 1\nG03 mon day police 1", availability="v1 mon day preferred")
    gap = next(g for g in explain_gaps(st, WEEK, roster("p01 mon day G03")) if g.role == "volunteer")
    assert gap.counts == {"not_offered": 1, "no_escort": 1}
    by_reason = {r.reason: r for r in gap.reasons}
    assert by_reason["no_escort"].person_ids == ("v1",) and by_reason["no_escort"].rule == R.ESCORT_REQUIRED
    assert "1人无民警或辅警同行（义警须有人带领）" in gap.zh
    assert "1 with no police officer or auxiliary there to escort them" in gap.en


def test_free_but_unused_in_a_roster_that_is_not_optimal():
    st = station(police(2), "G01 mon day police 1")
    gap = only_gap(st, "")
    assert gap.counts == {"free": 2}
    assert gap.reasons[0].rule is None
    assert "2人可排但未排（排入其中一人可使目标值降低1000，此排班不是最优" in gap.zh
    assert "lowers the objective by 1000" in gap.en


def test_free_but_unused_names_the_objective_terms_that_would_grow():
    # Missing people weigh little here and volunteers away from home a lot, so leaving the gap is cheaper.
    weights = Weights(uncovered={1: 1, 2: 1, 3: 1, 4: 1}, away_from_home=5, volunteer_idle=0)
    people = "p01 民警1 police\nv1 刘阿姨 volunteer home=G03"
    st = station(people, "G01 mon day police 1\nG01 mon day volunteer 1", availability="v1 mon day available",
                 weights=weights)
    gap = only_gap(st, "p01 mon day G01")
    assert gap.counts == {"free": 1}
    assert gap.reasons[0].details[0][0] == (5, (R.NOT_PREFERRED, R.AWAY_FROM_HOME))  # -1 + 1 + 5
    assert "为避免非首选时段、离开本网格：排入其中一人会使目标值增加5" in gap.zh


def test_a_rule_with_no_blocker_yet_is_found_by_the_checker_s_trial(monkeypatch):
    from scheduler.gaps import blockers

    monkeypatch.setattr(blockers, "BLOCKERS", tuple(b for b in blockers.BLOCKERS if b is not blockers.max_shifts_per_week))
    gap = only_gap(issue_station(), ISSUE_ROSTER)
    assert gap.counts == {"on_leave": 3, "rest": 4, "other_rule": 5}
    other = next(r for r in gap.reasons if r.reason == "other_rule")
    assert other.rule == R.MAX_SHIFTS_PER_WEEK
    assert "5人因每周最多班次规则不能排" in gap.zh and "5 blocked by the rule: at most the weekly number of shifts" in gap.en


def test_past_the_trial_budget_free_people_are_not_tried(monkeypatch):
    import scheduler.gaps

    monkeypatch.setattr(scheduler.gaps, "MAX_TRIALS", 0)
    gap = only_gap(station(police(2), "G01 mon day police 1"), "")
    assert gap.counts == {"free": 2}
    assert "2人可排但未排（未逐一试排）" in gap.zh and "2 free but not assigned (not tried one by one)" in gap.en


def test_people_already_there_are_counted_for_a_skill_row():
    people = "p01 民警1 police skills=driver\np02 民警2 police\np03 民警3 police skills=driver"
    demand = "G01 mon day police 1\nG01 mon day - 2 skill=driver"
    st = station(people, demand)
    gap = only_gap(st, "p01 mon day G01")
    assert (gap.skill, gap.required, gap.assigned) == ("driver", 2, 1)
    assert gap.candidates == ("p01", "p03")  # only people with the skill
    assert gap.counts == {"here": 1, "role_full": 1}  # p03 could come only beyond the police max of 1
    assert "缺1名具备driver技能的人员：全部2名具备driver技能的人员中1人已排在此岗，1人因该角色人数已满（民警最多1人）不能排" in gap.zh


def test_a_skill_row_needs_demand_of_the_person_s_own_role():
    people = "a1 张强 auxiliary skills=first_aid"
    st = station(people, "G01 mon day police 0 1\nG01 mon day - 1 skill=first_aid")
    gap = only_gap(st, "")
    assert gap.counts == {"role_not_needed": 1}
    assert gap.reasons[0].rule == R.ROLE_MATCHES_DEMAND


def test_nobody_of_the_role_at_the_station():
    st = station(police(1), "G01 mon day auxiliary 1")
    gap = only_gap(st, "")
    assert gap.candidates == () and gap.reasons == ()
    assert gap.zh.endswith("缺1名辅警：站内没有辅警。")
    assert gap.en.endswith("1 auxiliary missing; the station has no auxiliaries.")


def test_one_reason_with_different_details_lists_each_with_its_count():
    st = station(police(3), "G01 * day police 0 3\nG01 * evening police 0 3\nG01 * night police 0 3\n"
                 "G03 wed day police 1")
    lines = "p01 tue evening G01\np02 tue night G01\np03 wed evening G01"
    gap = next(g for g in explain_gaps(st, WEEK, roster(lines)) if g.grid_id == "G03")
    assert gap.counts == {"rest": 3}
    assert "3人因休息规则（前一天中班 1人、前一天夜班 1人、当天中班 1人）不能排" in gap.zh


# ---------------------------------------------------------------------------------------------
# Every reason agrees with the checker; the explanations match a real solve


OPTIONAL_RULES = [  # rules, days, roster, the demand left short, reason, words
    (Rules(min_consecutive_days=2), 7, "", "G03 wed day police 1", "min_days", "1人因最少连续工作天数（至少2天）不能排"),
    (Rules(min_consecutive_days_off=2), 7, "p01 tue day G01\np01 fri day G01", "G03 thu day police 1", "min_days_off",
     "1人因最少连续休息天数（至少2天）不能排"),
    (Rules(max_weekends=1), 14, "p01 sat day G01", "G03 2026-12-05 day police 1", "max_weekends",
     "1人已达周末工作上限（最多1个周末）"),
    (Rules(max_total_minutes=960), 7, "p01 mon day G01\np01 tue day G01", "G03 wed day police 1", "max_minutes",
     "1人将超过总工时上限（最多16小时）"),
    (Rules(max_shifts_per_type={"night": 1}), 7, "p01 mon night G01", "G03 wed night police 1", "max_per_type",
     "1人已排满该班次上限（夜班最多1个）"),
    (Rules(forbidden_successions=(("day", "night"),)), 7, "p01 mon day G01", "G03 tue night police 1", "succession",
     "1人因禁止的班次衔接（前一天白班）不能排"),
]


@pytest.mark.parametrize("rules, days, lines, short, reason, words", OPTIONAL_RULES)
def test_optional_rules_block_with_their_own_reason(rules, days, lines, short, reason, words):
    st = station(police(1), "G01 * day police 0 1\nG01 * night police 0 1\n" + short, rules=rules)
    assignments = roster(lines)
    assert check_roster(st, WEEK, assignments, days).ok
    gap = next(g for g in explain_gaps(st, WEEK, assignments, days) if g.grid_id == "G03")
    assert gap.counts == {reason: 1}
    assert words in gap.zh
    assert_reasons_agree_with_the_checker(st, assignments, days)


def _new_rules_broken(st, lines: list[Assignment], extra: Assignment, days: int) -> set[str]:
    before = set(check_roster(st, WEEK, lines, days).violations)
    after = check_roster(st, WEEK, [*lines, extra], days).violations
    return {v.rule for v in after if v not in before}


CASES = [
    (issue_station, ISSUE_ROSTER),
    (lambda: station(police(2), "G01 mon day police 1\nG03 mon day police 1", pins="p01 mon day G01"),
     "p01 mon day G01"),
    (lambda: station("v1 刘阿姨 volunteer\nv2 赵大爷 volunteer\np01 民警1 police",
                     "G01 mon day volunteer 1\nG03 mon day police 1", availability="v1 mon day preferred"),
     "p01 mon day G03"),
    (lambda: station(police(2), "G01 * night police 1", rules=Rules(max_consecutive_nights=2)),
     "p01 mon night G01\np01 tue night G01"),
]


def greedy_roster(st, seed: int) -> list[Assignment]:
    """A roster that breaks no rule and leaves gaps: people added at random while the checker accepts."""
    rng = random.Random(seed)
    places = sorted(demand_in_force(st, horizon_dates(WEEK)))
    rng.shuffle(places)
    out: list[Assignment] = []
    for grid_id, date, shift_id in places:
        for person in rng.sample(st.people, len(st.people)):
            extra = Assignment(date, shift_id, grid_id, person.person_id)
            if check_roster(st, WEEK, [*out, extra]).ok:
                out.append(extra)
            if rng.random() < 0.2:
                break
    return out


def generated(seed: int, **rules):
    st = generate_station(police=3, auxiliary=3, volunteers=6, grids=2, seed=seed, week_start=WEEK)
    st = dataclasses.replace(st, rules=dataclasses.replace(st.rules, **rules))
    return st, greedy_roster(st, seed)


@pytest.mark.parametrize("case", range(len(CASES)))
def test_each_reason_agrees_with_the_checker(case):
    make, lines = CASES[case]
    assert_reasons_agree_with_the_checker(make(), roster(lines))


TIGHT = {"max_consecutive_days": 2, "max_consecutive_nights": 1}
OPTIONAL = {"max_total_minutes": 1920, "max_shifts_per_type": {"night": 1}, "min_rest_hours": 0,
            "forbidden_successions": (("night", "evening"), ("evening", "day")), "min_consecutive_days_off": 2}


@pytest.mark.parametrize("seed, rules, expected", [
    (7, {}, {"weekly_cap", "rest", "busy_elsewhere", "free", "not_offered", "no_escort"}),
    (5, TIGHT, {"consecutive_days", "consecutive_nights", "role_not_needed", "weekly_cap", "rest", "free"}),
    (7, OPTIONAL, {"max_minutes", "min_days_off", "max_per_type", "succession", "free"}),
])
def test_each_reason_agrees_with_the_checker_on_generated_stations(seed, rules, expected):
    st, assignments = generated(seed, **rules)
    gaps = explain_gaps(st, WEEK, assignments)
    reasons = {r.reason for g in gaps for r in g.reasons}
    assert expected <= reasons, reasons
    assert_reasons_agree_with_the_checker(st, assignments)


def assert_reasons_agree_with_the_checker(st, assignments, days: int = 7):
    for gap in explain_gaps(st, WEEK, assignments, days):
        assert sum(gap.counts.values()) == len(gap.candidates)
        for reason in gap.reasons:
            for pid in reason.person_ids:
                if reason.reason == "here":
                    continue
                extra = Assignment(gap.date, gap.shift_id, gap.grid_id, pid)
                broken = _new_rules_broken(st, assignments, extra, days)
                if reason.rule is None:
                    assert broken == set(), (gap.zh, pid, broken)
                elif reason.rule == R.KEEP_PINS:  # the pin keeps them on the other grid of the same shift
                    assert R.MIN_REST_BETWEEN_SHIFTS in broken, (gap.zh, pid, broken)
                else:
                    assert reason.rule in broken, (gap.zh, pid, broken)


def test_explanations_match_a_solve_with_too_few_police():
    st = station(police(2), "G01 * day police 1\nG01 * night police 1\nG03 * day police 1",
                 availability="p02 fri * unavailable")
    result = solve(st, WEEK, time_limit=20, workers=1)
    report = check_roster(st, WEEK, result.roster)
    short = [(c.date, c.shift_id, c.grid_id, c.role, c.missing) for c in report.coverage if c.missing]
    gaps = explain_gaps(st, WEEK, result.roster)
    assert [(g.date, g.shift_id, g.grid_id, g.role, g.missing) for g in gaps] == short
    assert len(gaps) == 21 - 10  # two police, five shifts each, for 21 places a week
    for gap in gaps:
        assert sum(gap.counts.values()) == 2
        assert "free" not in gap.counts  # an optimal roster leaves nobody free where a police officer is missing
    text = format_gaps(gaps)
    assert text.count("\n- ") == len(gaps) - 1 and "缺1名民警" in text and "police officer missing" in text


# ---------------------------------------------------------------------------------------------
# The command line: `solve` prints the explanations and writes gaps.txt, `check` prints them too

ROOT = Path(__file__).resolve().parents[2]
TINY_GAP_ZH = "周六（11月28日）白班 G2（幸福里小区）缺1名辅警：全部2名辅警中1人已排在同班次其他网格（G1），1人因休息规则（当天夜班）不能排。"
TINY_GAP_EN = "Sat 2026-11-28 白班 shift, grid G2 (幸福里小区): 1 auxiliary missing"


def run_cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "run.py", *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                          encoding="utf-8", timeout=120)


def test_the_cli_prints_and_writes_the_explanations(tmp_path):
    out = tmp_path / "out"
    done = run_cli("solve", ROOT / "fixtures" / "tiny", "--week", WEEK.isoformat(), "--out", out, "--workers", "1")
    assert done.returncode == 0, done.stderr
    assert "Why demand is uncovered (缺岗原因):" in done.stdout
    assert TINY_GAP_ZH in done.stdout and TINY_GAP_EN in done.stdout
    written = (out / "gaps.txt").read_text(encoding="utf-8")
    assert TINY_GAP_ZH in written and "1 volunteer missing" in written
    with (out / "coverage.csv").open(encoding="utf-8-sig") as f:  # coverage.csv keeps FORMAT.md's columns
        assert next(csv.reader(f)) == ["date", "shift_id", "grid_id", "role", "skill", "required", "assigned", "missing"]

    checked = run_cli("check", ROOT / "fixtures" / "tiny", "--week", WEEK.isoformat(), out / "roster.csv")
    assert checked.returncode == 0, checked.stderr
    assert TINY_GAP_ZH in checked.stdout and TINY_GAP_EN in checked.stdout
    as_json = json.loads(run_cli("check", ROOT / "fixtures" / "tiny", "--week", WEEK.isoformat(), out / "roster.csv",
                                 "--json").stdout)
    auxiliary = next(g for g in as_json["gaps"] if g["role"] == "auxiliary")
    assert auxiliary["zh"] == TINY_GAP_ZH
    assert {r["reason"]: r["count"] for r in auxiliary["reasons"]} == {"busy_elsewhere": 1, "rest": 1}
