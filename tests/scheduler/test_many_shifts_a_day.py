"""Many shift types a day (more than formulation.SUMMED_SHIFTS_A_DAY): the run rules use one
"works that day" flag per person and date, and forbidden successions one clique per group of
shifts with the same forbidden followers. Both backends must still find the same optimum, and the
benchmark's evaluator and our checker must find every rule kept."""

from __future__ import annotations

import pytest

from scheduler import formulation
from scheduler.backends.cpsat import CpSatBuilder
from scheduler.checker import check_roster
from scheduler.curtois import evaluate
from scheduler.curtois_station import from_roster, to_station
from scheduler.formulation import Formulation
from scheduler.prepare import prepare
from scheduler.result import SolveStatus
from scheduler.solve import solve
from tests.scheduler.stations import curtois_from_text

SHIFTS = "ABCDEFGHIJKLM"  # 13 types; every one is forbidden before A and B, and M before all but M
INSTANCE = "\n".join([
    "SECTION_HORIZON", "14", "",
    "SECTION_SHIFTS",
    *[f"{s},{360 + 30 * i},{'A|B' if s != 'M' else '|'.join(SHIFTS[:-1])}" for i, s in enumerate(SHIFTS)], "",
    "SECTION_STAFF",
    "P,A=6|M=3,4800,1800,3,2,2,1",
    "Q,,4800,1800,4,2,2,2",
    "R,B=4,4200,1500,3,1,2,1",
    "S,,4800,0,5,3,1,2", "",
    "SECTION_DAYS_OFF", "P,3", "R,10,11", "",
    "SECTION_SHIFT_ON_REQUESTS", "Q,5,M,4", "S,0,A,3", "",
    "SECTION_SHIFT_OFF_REQUESTS", "P,6,C,2", "",
    "SECTION_COVER",
    *[f"{d},{s},1,{20 + 5 * i},{1 + i % 2}" for d in range(14) for i, s in enumerate(SHIFTS) if (d + i) % 7 == 0],
    "",
])


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    return curtois_from_text(tmp_path_factory, "ManyShifts", INSTANCE)


def test_the_model_uses_day_flags_and_succession_cliques(instance):
    assert len(SHIFTS) > formulation.SUMMED_SHIFTS_A_DAY
    station, start = to_station(instance)
    builder = CpSatBuilder()
    Formulation(prepare(station, start, instance.horizon), builder).build()
    assert any(name.startswith("day_") for name in builder.variables)


def test_both_backends_prove_the_same_optimum_and_every_rule_holds(instance):
    station, start = to_station(instance)
    objectives = {}
    for backend in ("cpsat", "pulp"):
        result = solve(station, start, backend=backend, time_limit=120, days=instance.horizon)
        assert result.status is SolveStatus.OPTIMAL, backend
        evaluation = evaluate(instance, from_roster(result.roster, start))
        assert evaluation.violations == [], backend
        report = check_roster(station, start, result.roster, instance.horizon)
        assert report.violations == [], backend
        assert report.objective == result.objective == evaluation.objective
        objectives[backend] = result.objective
    assert objectives["cpsat"] == objectives["pulp"]
