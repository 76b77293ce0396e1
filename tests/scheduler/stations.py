"""Tiny stations built in code, and solving them with every check a solver test needs.

The station builder is the one of test_checker.py (`make_station`: a few whitespace-separated
lines per file), re-exported here so the solver tests share it rather than grow a second one.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from scheduler.checker import CheckReport, check_roster
from scheduler.curtois import parse_instance
from scheduler.curtois_station import to_station
from scheduler.result import Result, SolveStatus
from scheduler.solve import solve
from tests.scheduler.test_checker import DAY_NAMES, WEEK, make_station, roster

__all__ = [
    "BACKENDS", "BENCH", "DAY_ONLY", "FOUR_GRIDS", "TINY", "WEEK", "all_backends", "as_lines", "curtois",
    "curtois_first_roster", "make_station", "needs_bench", "roster", "solve_checked", "tiny_optimum",
]

BACKENDS = ("cpsat", "pulp")
all_backends = pytest.mark.parametrize("backend", BACKENDS)

FOUR_GRIDS = """
g1 火车站广场 1
g2 建设路商圈 2
g3 铁路巷 3
g4 幸福里小区 4
"""
DAY_ONLY = "day 08:00 16:00"

TINY = Path(__file__).resolve().parents[2] / "fixtures" / "tiny"

# The Curtois-Qu instances, in shared/ beside the project (CI puts it there).
BENCH = Path(__file__).resolve().parents[3] / "shared" / "bench" / "curtois"
needs_bench = pytest.mark.skipif(not BENCH.is_dir(), reason="shared/bench/curtois is not checked out")


def curtois(name: str):
    """A benchmark instance, its engine station and the date of its day 0."""
    instance = parse_instance(BENCH / f"{name}.txt")
    station, start = to_station(instance)
    return instance, station, start


def curtois_first_roster(name: str):
    """A Curtois instance's by-person plan with everyone's first-pass roster (limit 60 s, two workers)."""
    from scheduler import by_person
    from scheduler.sub_solves import InProcess

    instance, station, start = curtois(name)
    plan = by_person._Plan(station, start, instance.horizon, 2, 60, None, None)
    assert by_person._first_pass(plan, list(station.people), InProcess(2, None)) is None
    return instance, station, start, plan


def curtois_from_text(tmp_path_factory, name: str, text: str):
    """A benchmark instance written out for a test (the parser reads files)."""
    path = tmp_path_factory.mktemp(name) / f"{name}.txt"
    path.write_text(text, encoding="utf-8")
    return parse_instance(path)


def tiny_optimum() -> int:
    """The optimum derived by hand (and by brute force) in fixtures/tiny/README.md."""
    for line in (TINY / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("**Optimal objective:"):
            return int(line.split("**Optimal objective:", 1)[1].split("**", 1)[0])
    raise AssertionError("fixtures/tiny/README.md no longer states the optimal objective")


def solve_checked(station, backend: str, *, days: int = 7, time_limit: float = 10, **kwargs) -> Result:
    """Solve to proven optimality; the independent checker must accept the roster and agree on
    the objective and every term."""
    result = solve(station, WEEK, backend=backend, time_limit=time_limit, days=days, **kwargs)
    assert result.status is SolveStatus.OPTIMAL, f"{backend}: {result} {result.conflicts}"
    report: CheckReport = check_roster(station, WEEK, result.roster, days)
    assert report.violations == [], f"{backend}: {[v.message for v in report.violations]}"
    assert (report.objective, report.terms) == (result.objective, result.terms), f"{backend}: {report.terms}"
    assert result.objective == sum(result.terms.values())
    return result


def as_lines(result_or_roster) -> set[tuple[str, str, str, str]]:
    """A roster as (person, day, shift, grid), day as `mon` .. `sun` of the test week or ISO."""
    assignments = getattr(result_or_roster, "roster", result_or_roster)
    return {(a.person_id, _day(a.date), a.shift_id, a.grid_id) for a in assignments}


def _day(date: dt.date) -> str:
    offset = (date - WEEK).days
    return DAY_NAMES[offset] if 0 <= offset < 7 else date.isoformat()
