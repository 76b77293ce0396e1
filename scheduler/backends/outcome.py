"""What every backend takes and gives back, in the terms of the shared formulation."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..result import ProgressCallback, SolveStatus, StopToken


@dataclass
class Hint:
    """A starting roster in model terms: works[(person, slot)] and count[(class, grid, slot)]."""

    works: dict[tuple[int, int], int] = field(default_factory=dict)
    count: dict[tuple[int, str, int], int] = field(default_factory=dict)
    values: dict[str, float] = field(default_factory=dict)  # optional: every variable, by name


@dataclass
class SolveOptions:
    time_limit: float | None = 30.0
    workers: int = 2
    gap_limit: float = 0.0
    progress: ProgressCallback | None = None
    stop: StopToken | None = None
    hint: Hint | None = None
    log: bool = False
    warm_start: bool = True  # CP-SAT: start from CBC's LP bound and root heuristics (warm_start.py)
    # CP-SAT: settle the terms of an unproven roster exactly (exact_terms); without, its objective
    # may lie above the roster's cost, for callers that price rosters themselves (by_person.py).
    exact_terms: bool = True
    # CP-SAT: presolve lightly (no probing, one round): a first roster sooner on a large model, often
    # a worse one; for by_person's first pass when the time is short.
    light_presolve: bool = False
    # The formulation's `day_flags` (a "works that date" flag from two shifts a date up): better for
    # the few people of by_person's models, worse for a whole station of many (formulation.py).
    day_flags: bool = False


@dataclass
class Outcome:
    status: SolveStatus
    stopped: bool = False
    wall_time: float = 0.0
    time_to_first: float | None = None
    objective: int | None = None
    bound: float | None = None
    works: dict[tuple[int, int], int] = field(default_factory=dict)
    count: dict[tuple[int, str, int], int] = field(default_factory=dict)
    terms: dict[str, int] = field(default_factory=dict)
    values: dict[str, float] = field(default_factory=dict)  # every variable by name, when known
