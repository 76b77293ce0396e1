"""PuLP backend, solved by the CBC binary bundled with PuLP."""

from __future__ import annotations

import time

import pulp

from ..formulation import Formulation
from ..prepare import Instance
from ..result import Progress, SolveStatus
from .outcome import Outcome, SolveOptions


class PulpBuilder:
    """ModelBuilder for PuLP; constraint names carry their rule so an LP file reads like the model."""

    def __init__(self, relax: bool = False):
        self.problem = pulp.LpProblem("roster", pulp.LpMinimize)
        self.relax = relax
        self._n = 0

    def bool_var(self, name):
        return self.problem.add_variable(name, 0, 1, cat=pulp.LpContinuous if self.relax else pulp.LpBinary)

    def int_var(self, lo, hi, name):
        return self.problem.add_variable(name, lo, hi, cat=pulp.LpContinuous if self.relax else pulp.LpInteger)

    def upper_bound(self, var) -> int:
        return int(var.upBound)

    def total(self, items):
        return pulp.lpSum(list(items))

    def add(self, constraint, tag):
        if isinstance(constraint, bool):  # both sides were constants
            if not constraint:
                raise ValueError(f"constant constraint is false ({tag})")
            return
        self._n += 1
        label = tag if isinstance(tag, str) else ("pin" if tag else "link")
        self.problem += constraint, f"{label}_{self._n}"

    def at_most_one(self, variables, tag):
        self.add(pulp.lpSum(variables) <= 1, tag)

    def minimize(self, objective):
        self.problem.setObjective(pulp.lpSum([objective]))


def solve(inst: Instance, options: SolveOptions) -> Outcome:
    from ..cbc_run import run_cbc

    started = time.monotonic()
    builder = PulpBuilder()
    form = Formulation(inst, builder, day_flags=options.day_flags).build()
    first: list[float] = []

    def on_progress(p) -> None:
        if p.objective is not None and not first:
            first.append(time.monotonic() - started)
        if options.progress:
            options.progress(Progress(time.monotonic() - started, p.objective, p.bound))

    run = run_cbc(builder.problem, time_limit=options.time_limit, threads=options.workers,
                  stop=options.stop.event if options.stop else None, on_progress=on_progress,
                  gap_rel=options.gap_limit)
    status = {"optimal": SolveStatus.OPTIMAL, "feasible": SolveStatus.FEASIBLE,
              "infeasible": SolveStatus.INFEASIBLE}.get(run.status, SolveStatus.NO_SOLUTION)
    out = Outcome(status=status, stopped=bool(options.stop and options.stop.stopped),
                  wall_time=time.monotonic() - started, time_to_first=first[0] if first else None)
    if status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
        read_solution(form, run.values, out)
        out.bound = out.objective if status is SolveStatus.OPTIMAL else run.bound
    if status is SolveStatus.FEASIBLE:
        exact_terms(inst, out)
    if status is SolveStatus.NO_SOLUTION and out.stopped:
        return quick_roster(inst, options, out)
    return out


def quick_roster(inst: Instance, options: SolveOptions, stopped: Outcome) -> Outcome:
    """A caller's stop while CBC runs its root heuristics loses CBC's roster (it ignores the
    interrupt there and is killed after a grace period): give the caller a quick roster instead."""
    from . import cpsat

    out = cpsat.quick_roster(inst, options)
    out.stopped, out.wall_time = True, stopped.wall_time + out.wall_time
    return out


def exact_terms(inst: Instance, out: Outcome) -> None:
    """Settle the objective terms of an unproven roster exactly (see Formulation.fix_roster)."""
    from ..cbc_run import run_cbc

    builder = PulpBuilder()
    form = Formulation(inst, builder).build(fixed=(out.works, out.count))
    run = run_cbc(builder.problem, time_limit=30, threads=1)
    if run.status == "optimal":
        read_solution(form, run.values, out)


def read_solution(form: Formulation, values: dict[str, float], out: Outcome) -> None:
    """Fill an outcome's roster variables, terms and objective from CBC's variable values."""

    def value(expr) -> int:
        if isinstance(expr, int | float):
            return round(expr)
        if isinstance(expr, pulp.LpVariable):
            return round(values.get(expr.name, 0.0))
        return round(sum(c * values.get(v.name, 0.0) for v, c in expr.items()) + expr.constant)

    out.works = {k: value(v) for k, v in form.works.items()}
    out.count = {k: value(v) for k, v in form.count.items()}
    out.terms = {name: value(expr) for name, expr in form.terms.items()}
    out.objective = sum(out.terms.values())
    out.values = dict(values)
