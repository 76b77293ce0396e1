"""Shared pieces of the measurement tools: a Curtois instance as a station, a saved roster as the
by-person plan, and solver constants set from the command line.

The tools measure the engine on the benchmark (docs/solver-notes.md cites them); they are not part
of the product. Run them from the project root, e.g. `python3 benchmarks/tools/runlog.py Instance20 600`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from scheduler import by_person  # noqa: E402
from scheduler.curtois import CurtoisInstance, Evaluation, evaluate, parse_instance, read_solution, write_solution  # noqa: E402
from scheduler.curtois_station import GRID, from_roster, to_station  # noqa: E402
from scheduler.model import Assignment, Station  # noqa: E402

CURTOIS = ROOT.parent / "shared" / "bench" / "curtois"


def instance(name: str) -> tuple[CurtoisInstance, Station, dt.date]:
    """`Instance20` (from shared/bench/curtois) or a path to an instance file."""
    path = Path(name) if name.endswith(".txt") else CURTOIS / f"{name}.txt"
    inst = parse_instance(path)
    station, start = to_station(inst)
    return inst, station, start


def roster(solution: str, start: dt.date) -> list[Assignment]:
    """A solution file (`staff_id,day,shift_id`) as the engine's assignments."""
    return [Assignment(start + dt.timedelta(days=d), s, GRID, p) for p, d, s in read_solution(solution)]


def arguments(doc: str, solution: bool = False, save: bool = False) -> argparse.ArgumentParser:
    """The tools' command line: NAME [SOLUTION] SECONDS [module.CONST=value ...] [--save SOL.csv]."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name")
    if solution:
        parser.add_argument("solution")
    parser.add_argument("seconds", type=float)
    parser.add_argument("settings", nargs="*", help="module.CONST=value, set before the run")
    if save:
        parser.add_argument("--save", help="write the roster here (staff_id,day,shift_id)")
    return parser


def evaluated(inst: CurtoisInstance, assignments: list[Assignment], start: dt.date, save: str | None = None) -> Evaluation:
    """The benchmark's own evaluation of a roster, written to `save` first when given."""
    triples = from_roster(assignments, start)
    if save:
        write_solution(save, triples)
    return evaluate(inst, triples)


def plan_from(station: Station, start: dt.date, days: int, assignments: list[Assignment],
              workers: int = 2, time_limit: float | None = None):
    """The by-person plan holding everyone's roster, as `solve_by_person` has it between moves."""
    plan = by_person._Plan(station, start, days, workers, time_limit, None, None)
    for p in station.people:
        plan.rosters[p.person_id] = [a for a in assignments if a.person_id == p.person_id]
    return plan


def set_constants(settings: list[str]) -> list[tuple[str, object]]:
    """`module.CONST=value` (a module of scheduler/, a Python literal) set before a run.

    Only constants the module already has: a typo would otherwise measure the code as shipped.
    """
    done = []
    for setting in settings:
        name, sep, text = setting.partition("=")
        module_name, dot, const = name.rpartition(".")
        if not (sep and dot):
            raise SystemExit(f"{setting!r}: expected module.CONSTANT=value")
        module = importlib.import_module(f"scheduler.{module_name}")
        if not hasattr(module, const):
            raise SystemExit(f"{setting!r}: scheduler.{module_name} has no {const}")
        value = eval(text, {"inf": float("inf")})  # numbers, tuples: the constants' own kinds
        setattr(module, const, value)
        done.append((name, value))
    return done
