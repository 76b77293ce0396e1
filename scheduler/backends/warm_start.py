"""The backends cooperating: CBC's LP and root heuristics give CP-SAT a bound and a first roster.

On stations with shortages the LP relaxation of our formulation is within a fraction of a
percent of the optimum, and CLP solves it in about a second, while CP-SAT's own LP with cuts
takes many times longer to reach the same bound and its first rosters are far off. CBC's
feasibility pump with a small branch and bound (cuts and preprocessing off, so it gets there
fast) finds a roster close to that bound within seconds. CP-SAT then starts from that roster
(a solution hint) and the reported bound is the better of CP-SAT's and the LP's.
"""

from __future__ import annotations

import math
import time

from ..formulation import Formulation
from ..prepare import Instance
from ..result import Progress, SolveStatus
from .outcome import Hint, Outcome, SolveOptions

CBC_HEURISTIC_OPTIONS = ("-cuts", "off", "-preprocess", "off")


# Below this many person-slot pairs CP-SAT's own LP is quick and proves optimality sooner
# without the warm start (measured: the 150-person demo station proves in ~9-11 s alone and
# does not prove in 30 s after a warm start; the 400-person station needs it to get within 1%).
WORTH_IT_PERSON_SLOTS = 6000


# Above this the PuLP copy of the model alone takes minutes and gigabytes (Curtois Instance24,
# 1.7M person-slots: 4 minutes and 6 GB before CP-SAT had started), so CP-SAT goes alone.
AT_MOST_PERSON_SLOTS = 250_000


def worth_it(inst: Instance) -> bool:
    return WORTH_IT_PERSON_SLOTS <= len(inst.people) * len(inst.slots) <= AT_MOST_PERSON_SLOTS


MOST_SECONDS = 15.0


def budget(time_limit: float | None) -> float:
    """A share of the time for the warm start, leaving CP-SAT the larger part."""
    if time_limit is None:
        return MOST_SECONDS
    # Capped: where the pump finds nothing quickly it rarely finds something good later.
    return max(1.0, min(MOST_SECONDS, 0.35 * time_limit))


def warm_start(inst: Instance, options: SolveOptions, started: float) -> tuple[Outcome | None, float | None]:
    """Returns CBC's best roster as an outcome (or None) and the LP bound (or None)."""
    from ..cbc_run import run_cbc
    from .pulp_cbc import PulpBuilder, read_solution

    builder = PulpBuilder()
    form = Formulation(inst, builder).build()

    def on_progress(p) -> None:
        if options.progress:
            options.progress(Progress(time.monotonic() - started, p.objective, _ceil(p.bound)))

    # CBC keeps the feasibility pump's rosters when its time limit ends the run, but not when it
    # is interrupted during the pump: so the budget, not an early stop, ends the warm start,
    # and a caller's stop here costs the roster (the CP-SAT backend then finds a quick one).
    run = run_cbc(builder.problem, time_limit=budget(options.time_limit), threads=options.workers,
                  stop=options.stop.event if options.stop else None, on_progress=on_progress,
                  options=CBC_HEURISTIC_OPTIONS)
    if not run.values:
        return None, _ceil(run.bound)
    out = Outcome(status=SolveStatus.FEASIBLE, time_to_first=time.monotonic() - started)
    read_solution(form, run.values, out)
    return out, _ceil(run.bound)


def hint_of(outcome: Outcome) -> Hint:
    return Hint(works=dict(outcome.works), count=dict(outcome.count), values=dict(outcome.values))


def _ceil(bound: float | None) -> float | None:
    """Objectives are integers, so a fractional LP bound rounds up."""
    return None if bound is None else float(math.ceil(bound - 1e-6))
