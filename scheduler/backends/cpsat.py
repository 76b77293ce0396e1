"""Google OR-Tools CP-SAT backend."""

from __future__ import annotations

import threading
import time
from collections.abc import Hashable

from ortools.sat.python import cp_model

from ..formulation import Formulation
from ..prepare import Instance
from ..result import Progress, SolveStatus
from .outcome import Outcome, SolveOptions


class CpSatBuilder:
    """ModelBuilder for CP-SAT; with `explain`, every tagged constraint gets an on/off literal."""

    def __init__(self, *, explain: bool = False):
        self.model = cp_model.CpModel()
        self.explain = explain
        self.literals: dict[Hashable, cp_model.IntVar] = {}
        self._upper: dict[int, int] = {}

    def bool_var(self, name):
        return self.model.new_bool_var(name)

    def int_var(self, lo, hi, name):
        var = self.model.new_int_var(lo, hi, name)
        self._upper[var.index] = hi
        return var

    def upper_bound(self, var) -> int:
        return self._upper[var.index]  # the proto's domain does not take negative indices

    def total(self, items):
        return cp_model.LinearExpr.sum(list(items))

    def literal(self, tag: Hashable):
        if tag not in self.literals:
            self.literals[tag] = self.model.new_bool_var(f"enforce_{len(self.literals)}")
        return self.literals[tag]

    def add(self, constraint, tag):
        ct = self.model.add(constraint)
        if self.explain and tag is not None:
            ct.only_enforce_if(self.literal(tag))

    def at_most_one(self, variables, tag):
        if self.explain and tag is not None:
            self.model.add(cp_model.LinearExpr.sum(variables) <= 1).only_enforce_if(self.literal(tag))
        else:
            self.model.add_at_most_one(variables)

    def minimize(self, objective):
        self.model.minimize(objective)


class _Reporter(cp_model.CpSolverSolutionCallback):
    """Forwards each improving roster and bound to the caller's progress callback."""

    def __init__(self, started: float, options: SolveOptions):
        super().__init__()
        self.started, self.options = started, options
        self.objective: float | None = None
        self.bound: float | None = None
        self.time_to_first: float | None = None
        self.lock = threading.Lock()

    def on_solution_callback(self) -> None:
        with self.lock:
            if self.time_to_first is None:
                self.time_to_first = time.monotonic() - self.started
            self.objective = self.objective_value
            self.bound = self.best_objective_bound
        self._report()

    def on_bound(self, bound: float) -> None:
        with self.lock:
            self.bound = bound
        self._report()

    def _report(self) -> None:
        if self.options.progress:
            self.options.progress(Progress(time.monotonic() - self.started, self.objective, self.bound))


def parameters(solver: cp_model.CpSolver, options: SolveOptions) -> None:
    p = solver.parameters
    p.num_workers = options.workers
    if options.time_limit is not None:
        p.max_time_in_seconds = float(options.time_limit)
    p.relative_gap_limit = options.gap_limit
    # Our model is LP-friendly (clique rest constraints, aggregated counts): let every worker use
    # the full LP relaxation with cuts; this is what moves the bound on stations with shortages.
    p.linearization_level = 2
    if options.workers <= 2:
        # With few workers the default portfolio runs one full search without the full LP;
        # max_lp (LP with all cuts) is what proves the bound on our stations.
        p.subsolvers.append("max_lp")
    p.log_search_progress = options.log


def solve(inst: Instance, options: SolveOptions) -> Outcome:
    started = time.monotonic()
    builder = CpSatBuilder()
    form = Formulation(inst, builder).build()
    if options.hint:
        for key, var in form.works.items():
            builder.model.add_hint(var, options.hint.works.get(key, 0))
        for key, var in form.count.items():
            builder.model.add_hint(var, options.hint.count.get(key, 0))
    solver = cp_model.CpSolver()
    parameters(solver, options)
    reporter = _Reporter(started, options)
    solver.best_bound_callback = reporter.on_bound
    if options.stop is not None:
        options.stop.on_stop(solver.stop_search)
    status = solver.solve(builder.model, reporter)
    stopped = options.stop is not None and options.stop.stopped
    out = Outcome(status=_STATUS.get(status, SolveStatus.NO_SOLUTION), stopped=stopped,
                  wall_time=time.monotonic() - started, time_to_first=reporter.time_to_first)
    if out.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
        out.objective = round(solver.objective_value)
        out.bound = solver.best_objective_bound
        out.works = {k: int(solver.value(v)) for k, v in form.works.items()}
        out.count = {k: int(solver.value(v)) for k, v in form.count.items()}
        out.terms = {name: int(solver.value(expr)) for name, expr in form.terms.items()}
    return out


_STATUS = {
    cp_model.OPTIMAL: SolveStatus.OPTIMAL,
    cp_model.FEASIBLE: SolveStatus.FEASIBLE,
    cp_model.INFEASIBLE: SolveStatus.INFEASIBLE,
}
