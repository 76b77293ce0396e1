"""The model leaves out what cannot matter: works variables of shift types a person may never
work (max_shifts_per_type 0), count variables of a class of one (its works variable counts it),
and shortfall variables where the people who could come cannot exceed the minimum (the shortfall
is then a linear term). Both backends must still find the same optimum as the evaluator prices it."""

from __future__ import annotations

import pytest

from scheduler.backends.cpsat import CpSatBuilder
from scheduler.curtois import evaluate
from scheduler.curtois_station import from_roster, to_station
from scheduler.formulation import Formulation
from scheduler.prepare import prepare
from scheduler.result import SolveStatus
from scheduler.solve import solve
from tests.scheduler.stations import WEEK, curtois_from_text, solve_checked

# P may never work N (N=0); Q and R may. Day shift D needs 3 on day 0 (only 3 people, so its
# shortfall is linear) and 1 on the other days (a variable).
INSTANCE = "\n".join([
    "SECTION_HORIZON", "7", "",
    "SECTION_SHIFTS", "D,480,", "N,480,D", "",
    "SECTION_STAFF",
    "P,N=0,2400,960,4,1,1,1",
    "Q,,2400,960,4,1,1,1",
    "R,N=2,2400,480,3,1,1,1", "",
    "SECTION_DAYS_OFF", "Q,4", "",
    "SECTION_SHIFT_ON_REQUESTS", "P,2,D,3", "R,1,N,2", "",
    "SECTION_SHIFT_OFF_REQUESTS", "Q,0,D,4", "",
    "SECTION_COVER",
    "0,D,3,100,1",
    *[f"{d},D,1,100,1" for d in range(1, 7)],
    *[f"{d},N,1,100,1" for d in range(7)],
    "",
])


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    return curtois_from_text(tmp_path_factory, "Size", INSTANCE)


@pytest.fixture(scope="module")
def built(instance):
    station, start = to_station(instance)
    inst = prepare(station, start, instance.horizon)
    builder = CpSatBuilder()
    return inst, builder, Formulation(inst, builder).build()


def test_no_works_variable_for_a_shift_type_capped_at_zero(built):
    inst, _builder, form = built
    p = inst.person_index("P")
    shifts = {inst.slots[s].shift_id for (q, s) in form.works if q == p}
    assert shifts == {"D"}
    r = inst.person_index("R")
    assert {inst.slots[s].shift_id for (q, s) in form.works if q == r} == {"D", "N"}


def test_a_class_only_one_member_can_work_is_counted_by_their_works_variable(built):
    inst, builder, form = built
    # All three are one class (same role, no skills); on day 4 only R can work N (P never, Q off).
    r = inst.person_index("R")
    alone = {(c, g, s) for (c, g, s) in form.count if inst.slots[s].shift_id == "N" and inst.slots[s].day_index == 4}
    assert form.counted_by_works == alone and len(alone) == 1
    (key,) = alone
    assert form.count[key] is form.works[(r, key[2])]
    assert sum(name.startswith("n_") for name in builder.variables) == len(form.count) - 1


def test_a_shortfall_variable_only_where_more_could_come_than_needed(built):
    _inst, builder, _form = built
    shorts = [name for name in builder.variables if name.startswith("short_")]
    # D on days 1-6 (1 needed of 3, or of 2 on Q's day off) and N on all days but 4 (1 needed of
    # Q and R); not D on day 0 (3 needed of 3) nor N on day 4 (R alone).
    assert len(shorts) == 6 + 6


def test_both_backends_agree_with_the_evaluator(instance):
    station, start = to_station(instance, WEEK)
    objectives = {}
    for backend in ("cpsat", "pulp"):
        result = solve_checked(station, backend, days=instance.horizon, time_limit=60)  # optimal, checker agrees
        evaluation = evaluate(instance, from_roster(result.roster, start))
        assert evaluation.feasible, evaluation.violations
        assert evaluation.objective == result.objective, backend
        assert not any(a.person_id == "P" and a.shift_id == "N" for a in result.roster)
        objectives[backend] = result.objective
    assert objectives["cpsat"] == objectives["pulp"]


def test_day_flags_only_when_asked(instance):
    station, start = to_station(instance)
    inst = prepare(station, start, instance.horizon)
    names = {}
    for flags in (False, True):
        builder = CpSatBuilder()
        Formulation(inst, builder, day_flags=flags).build()
        names[flags] = [name for name in builder.variables if name.startswith("day_")]
    assert not names[False]  # two shifts a day: summed, as SUMMED_SHIFTS_A_DAY says
    # One per person and date with two shifts to choose from: Q on 6 dates (off on day 4), R on 7;
    # P has only D, which counts as the flag itself.
    assert len(names[True]) == 6 + 7


@pytest.mark.parametrize("backend", ["cpsat", "pulp"])
def test_day_flags_keep_the_optimum(instance, backend):
    station, start = to_station(instance)
    plain = solve(station, start, backend=backend, time_limit=60, days=instance.horizon, whole=True)
    flagged = solve(station, start, backend=backend, time_limit=60, days=instance.horizon, whole=True, day_flags=True)
    assert plain.status is SolveStatus.OPTIMAL and flagged.status is SolveStatus.OPTIMAL
    assert flagged.objective == plain.objective
    evaluation = evaluate(instance, from_roster(flagged.roster, start))
    assert evaluation.feasible and evaluation.objective == flagged.objective
