"""What the formulation needs to know to re-plan with minimal change (see replan.py)."""

from __future__ import annotations

from dataclasses import dataclass

CHANGES = "changes"  # stage 1: coverage first, then changed assignments
FINAL = "final"  # stage 2: coverage and changes held at stage 1's values, then the usual objective
# The terms of stage 1 (stage 2 has the usual terms of rules.py)
COVERAGE_FIRST = "uncovered_first"  # the uncovered term times a weight above any number of changes
CHANGED = "changed_assignments"


@dataclass(frozen=True)
class ReplanGoal:
    # (class, grid, slot) -> people of that class the previous roster put there (still in the station)
    previous: dict[tuple[int, str, int], tuple[int, ...]]
    previous_total: int  # previous assignments in the horizon, of people still in the station
    started: frozenset[int] = frozenset()  # slots that started before `now`: nobody is added there
    stage: str = CHANGES
    most_uncovered: int | None = None  # FINAL: the weighted uncovered demand of stage 1's roster
    most_changes: int | None = None  # FINAL: the changed assignments of stage 1's roster
