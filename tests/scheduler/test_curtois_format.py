"""The Curtois-Qu benchmark files and the independent evaluator (scheduler/curtois.py)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from scheduler.curtois import (
    BestKnown,
    Cover,
    CurtoisFormatError,
    Request,
    ShiftType,
    StaffMember,
    evaluate,
    parse_instance,
    read_best_known,
    read_solution,
    write_solution,
)

from .stations import BENCH

needs_bench = pytest.mark.skipif(not (BENCH / "Instance1.txt").exists(), reason=f"benchmark files not in {BENCH}")

# An optimal solution of Instance1 (objective 607, the proven optimum): one string per person, a letter per day.
# G's last day is a single day off touching the end of the horizon, allowed by the benchmark's boundary rule.
INSTANCE1_OPTIMUM = {
    "A": ".DDDD..DD..DDD", "B": "DDDDD..DD...DD", "C": "DDD..DD..DDD..", "D": "DD...DDDDD....",
    "E": ".DDDD..DD..DDD", "F": "DDD....DDD..DD", "G": "..DDD..DD..DD.", "H": "DD..DD..DDDD..",
}

SMALL = """\
# two shift types, two people, a fortnight
SECTION_HORIZON
14

SECTION_SHIFTS
# ShiftID, Length in mins, Shifts which cannot follow this shift | separated
E,480,
L,600,E

SECTION_STAFF
A,E=14|L=14,10000,0,14,1,1,2
B,E=14|L=14,10000,0,14,1,1,2

SECTION_DAYS_OFF
A,9

SECTION_SHIFT_ON_REQUESTS
A,0,E,2
A,1,L,3
B,2,E,5

SECTION_SHIFT_OFF_REQUESTS
A,4,E,7
B,5,L,11

SECTION_COVER
0,E,1,100,1
0,L,1,50,2
4,E,0,100,13
"""

# A's limits in the hard-rule tests: every rule binds, and VALID meets them all.
STRICT_A = StaffMember("A", {"E": 10, "L": 2}, max_minutes=4800, min_minutes=960, max_consecutive=3,
                       min_consecutive=2, min_days_off=2, max_weekends=1)
VALID = "EE..EEE......."


def write(tmp_path: Path, text: str, name: str = "small.txt", newline: str = "\n") -> Path:
    path = tmp_path / name
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    return path


def roster(**rows: str) -> list[tuple[str, int, str]]:
    return [(person, day, shift) for person, row in rows.items() for day, shift in enumerate(row) if shift != "."]


@pytest.fixture
def small(tmp_path):
    return parse_instance(write(tmp_path, SMALL))


@pytest.fixture
def strict(small):
    return dataclasses.replace(small, staff=(STRICT_A, small.staff[1]))


# --------------------------------------------------------------------------- parsing


@needs_bench
def test_instance1_is_read_with_the_counts_of_the_file():
    inst = parse_instance(BENCH / "Instance1.txt")
    assert inst.name == "Instance1" and inst.horizon == 14 and inst.weeks == 2
    assert inst.shifts == (ShiftType("D", 480, frozenset()),)
    assert [m.staff_id for m in inst.staff] == list("ABCDEFGH")
    assert inst.staff[0] == StaffMember("A", {"D": 14}, 4320, 3360, 5, 2, 2, 1)
    assert inst.days_off == {"A": {0}, "B": {5}, "C": {8}, "D": {2}, "E": {9}, "F": {5}, "G": {1}, "H": {7}}
    assert len(inst.on_requests) == 21 and inst.on_requests[0] == Request("A", 2, "D", 2)
    assert len(inst.off_requests) == 5 and inst.off_requests[-1] == Request("H", 3, "D", 3)
    assert len(inst.cover) == 14 and inst.cover[1] == Cover(1, "D", 7, 100, 1)


@needs_bench
def test_every_instance_parses_and_the_largest_has_its_published_size():
    for number in range(1, 25):
        inst = parse_instance(BENCH / f"Instance{number}.txt")
        assert inst.cover and inst.staff
    assert (inst.horizon, len(inst.shifts), len(inst.staff)) == (364, 32, 150)
    forbidden = inst.shifts_by_id["a4"].forbidden_next
    assert "a1" in forbidden and "d8" in forbidden and "s1" not in forbidden


def test_crlf_line_ends_and_any_section_order_read_the_same(tmp_path):
    blocks = SMALL.split("\n\n")
    shuffled = "\n\n".join([blocks[0].split("\n", 1)[0], *reversed(blocks[1:]), blocks[0].split("\n", 1)[1]])
    plain = parse_instance(write(tmp_path, SMALL))
    (tmp_path / "other").mkdir()
    crlf = parse_instance(write(tmp_path / "other", shuffled + "\n", newline="\r\n"))
    assert crlf == plain
    assert plain.shifts_by_id["L"].forbidden_next == {"E"} and plain.days_off == {"A": {9}, "B": set()}


def test_a_comment_after_data_is_ignored(tmp_path):
    inst = parse_instance(write(tmp_path, SMALL.replace("14\n", "14  # two weeks\n", 1)))
    assert inst.horizon == 14


def _line_of(text: str, needle: str) -> int:
    """The number of the last line holding needle (a repeated line is reported where it repeats)."""
    return max(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


@pytest.mark.parametrize("old, new, message", [
    ("\n14\n", "\nfourteen\n", "the horizon (days) must be a whole number, found 'fourteen'"),
    ("L,600,E", "L,600,E|X", "shift L: unknown shift(s) X among the shifts that may not follow it"),
    ("L,600,E", "L,-5,E", "length in minutes of shift L must be at least 1, found -5"),
    ("B,E=14|L=14,10000,0,14,1,1,2", "B,E=14|L=14,10000,0,14,1,1", "SECTION_STAFF: expected 8 comma-separated"),
    ("B,E=14|L=14,10000,0,14,1,1,2", "B,E=14|N=3,10000,0,14,1,1,2", "staff B: most shifts names unknown shift 'N'"),
    ("B,E=14|L=14,10000,0,14,1,1,2", "A,E=14|L=14,10000,0,14,1,1,2", "staff id 'A' already given on line"),
    ("B,E=14|L=14,10000,0,14,1,1,2", "B,E=14|L=14,100,200,14,1,1,2", "staff B: fewest total minutes 200 exceed the most 100"),
    ("A,9", "Z,9", "unknown staff id 'Z' (not in SECTION_STAFF)"),
    ("A,9", "A,14", "day 14 is outside the horizon of 14 days (0 to 13)"),
    ("A,0,E,2", "A,0,E,two", "the weight must be a whole number, found 'two'"),
    ("B,5,L,11", "B,5,N,11", "unknown shift id 'N' (not in SECTION_SHIFTS)"),
    ("4,E,0,100,13", "0,E,3,100,13", "cover row for day and shift (0, 'E') already given on line"),
    ("SECTION_COVER", "SECTION_CONVER", "unknown section 'SECTION_CONVER'"),
])
def test_a_bad_line_is_named_with_its_line_number(tmp_path, old, new, message):
    text = SMALL.replace(old, new, 1)
    path = write(tmp_path, text)
    with pytest.raises(CurtoisFormatError) as caught:
        parse_instance(path)
    line = _line_of(text, new.strip("\n"))
    assert f"{path}, line {line}: {message}" in str(caught.value)


def test_every_bad_line_is_reported_at_once(tmp_path):
    text = SMALL.replace("A,0,E,2", "A,0,E,x").replace("B,2,E,5", "B,99,E,5")
    with pytest.raises(CurtoisFormatError) as caught:
        parse_instance(write(tmp_path, text))
    assert [line for line, _ in caught.value.problems] == [_line_of(text, "A,0,E,x"), _line_of(text, "B,99,E,5")]


def test_a_missing_section_and_data_before_the_first_section_are_named(tmp_path):
    text = "14\n" + SMALL.split("SECTION_COVER")[0]
    with pytest.raises(CurtoisFormatError) as caught:
        parse_instance(write(tmp_path, text))
    message = str(caught.value)
    assert "line 1: data before the first section" in message
    assert "the section SECTION_COVER is missing" in message


def test_a_file_that_cannot_be_read_is_named(tmp_path):
    with pytest.raises(CurtoisFormatError, match="nothing.txt: cannot read the file"):
        parse_instance(tmp_path / "nothing.txt")


# --------------------------------------------------------------------------- solution files


def test_solution_files_round_trip(tmp_path):
    triples = roster(A="EL..E", B=".EE")
    write_solution(tmp_path / "solution.csv", triples)
    assert (tmp_path / "solution.csv").read_text().splitlines()[:2] == ["staff_id,day,shift_id", "A,0,E"]
    assert read_solution(tmp_path / "solution.csv") == triples


@pytest.mark.parametrize("text, line, message", [
    ("person,day,shift\nA,0,E\n", 1, "the header line must be staff_id,day,shift_id"),
    ("staff_id,day,shift_id\nA,0,E\nA,monday,E\n", 3, "the day must be a whole number, found 'monday'"),
    ("staff_id,day,shift_id\nA,0\n", 2, "expected staff_id,day,shift_id"),
])
def test_a_bad_solution_line_is_named(tmp_path, text, line, message):
    path = write(tmp_path, text, "solution.csv")
    with pytest.raises(CurtoisFormatError) as caught:
        read_solution(path)
    assert f"{path}, line {line}: {message}" in str(caught.value)


# --------------------------------------------------------------------------- best known values


@needs_bench
def test_best_known_values_are_read_for_every_instance():
    best = read_best_known(BENCH / "best_known.csv")
    assert len(best) == 24
    assert best["Instance1"] == BestKnown(607, 607) and best["Instance24"] == BestKnown(40438, 40439)


def test_distance_to_the_best_known_solution_in_percent():
    assert BestKnown(990, 1000).distance_pct(1025) == pytest.approx(2.5)
    assert BestKnown(990, 1000).distance_pct(None) is None


def test_a_bad_best_known_line_is_named(tmp_path):
    path = write(tmp_path, "instance,lower_bound,upper_bound\nInstance1,607,607\nInstance2,828\n", "best.csv")
    with pytest.raises(CurtoisFormatError) as caught:
        read_best_known(path)
    assert f"{path}, line 3: expected instance,lower_bound,upper_bound" in str(caught.value)


# --------------------------------------------------------------------------- the objective


def test_each_objective_term_by_the_benchmark_definition(small):
    ev = evaluate(small, roster(A="EE..E", B="E....L"))
    # On: A day 1 wants L but works E (3), B day 2 wants E but is off (5); A day 0 is met.
    # Off: A works E on day 4 (7), B works L on day 5 (11).
    # Cover: day 0 E has 2 for 1 (over 1), day 0 L has 0 for 1 (under 50), day 4 E has 1 for 0 (over 13).
    assert ev.terms == {"on_requests": 8, "off_requests": 18, "cover_under": 50, "cover_over": 14}
    assert ev.objective == 90 and ev.feasible


def test_an_empty_solution_pays_every_on_request_and_every_missing_person(small):
    ev = evaluate(small, [])
    assert ev.terms == {"on_requests": 10, "off_requests": 0, "cover_under": 150, "cover_over": 0}


def test_an_off_request_for_one_shift_is_kept_by_working_another(small):
    assert evaluate(small, roster(A="....L")).terms["off_requests"] == 0


@needs_bench
def test_an_optimal_instance1_solution_scores_the_proven_optimum():
    inst = parse_instance(BENCH / "Instance1.txt")
    ev = evaluate(inst, roster(**INSTANCE1_OPTIMUM))
    assert ev.violations == []
    assert ev.objective == 607


# --------------------------------------------------------------------------- hard rules


def test_the_valid_roster_breaks_no_rule(strict):
    assert evaluate(strict, roster(A=VALID)).violations == []


@pytest.mark.parametrize("rows, rule, member", [
    ({"A": "EE..EEE..EE..."}, "days_off", {}),
    ({"A": "EE..LLL......."}, "max_shifts", {}),
    ({"A": VALID}, "max_minutes", {"max_minutes": 2000}),
    ({"A": VALID}, "min_minutes", {"min_minutes": 3000}),
    ({"A": "EE..EEEE......"}, "max_consecutive", {}),
    ({"A": "EE..EEE...E..."}, "min_consecutive", {}),
    ({"A": "EE.EEE........"}, "min_days_off", {}),
    ({"A": ".....EE....EE."}, "max_weekends", {}),  # Saturday and Sunday, then a Saturday alone
    ({"A": "......EE...EE."}, "max_weekends", {}),  # a Sunday alone, then a Saturday alone
    ({"A": "EE..LEE......."}, "forbidden_succession", {}),
])
def test_each_hard_rule_alone(strict, rows, rule, member):
    inst = dataclasses.replace(strict, staff=(dataclasses.replace(STRICT_A, **member), strict.staff[1]))
    violations = evaluate(inst, roster(**rows)).violations
    assert {v.rule for v in violations} == {rule}, [str(v) for v in violations]
    assert all(v.staff_id == "A" for v in violations)


@pytest.mark.parametrize("row", [
    "E...EEE.......",  # one shift touching the first day
    ".EE..EEE......",  # one day off touching the first day
    ".......EE..EE.",  # one day off touching the last day
    "EE..EEE......E",  # one shift touching the last day (two weekends allowed below)
    "EE..EL........",  # L may follow E
])
def test_runs_touching_the_horizon_ends_are_free_and_allowed_successions_pass(strict, row):
    inst = dataclasses.replace(strict, staff=(dataclasses.replace(STRICT_A, max_weekends=2), strict.staff[1]))
    assert evaluate(inst, roster(A=row)).violations == []


def test_two_shifts_on_one_day_is_a_violation(strict):
    violations = evaluate(strict, roster(A=VALID) + [("A", 1, "L")]).violations
    assert [(v.rule, v.day) for v in violations] == [("one_shift_per_day", 1)]


def test_unknown_people_shifts_and_days_are_violations_not_crashes(strict):
    violations = evaluate(strict, roster(A=VALID) + [("Z", 0, "E"), ("A", 3, "N"), ("B", 14, "E")]).violations
    assert sorted(v.message for v in violations) == [
        "day 14 outside the horizon 0..13", "unknown shift id 'N'", "unknown staff id 'Z'"]
