"""Google OR-Tools CP-SAT backend."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Hashable
from dataclasses import replace

from ortools.sat.python import cp_model

from .. import rules as R
from ..formulation import Formulation
from ..prepare import Instance
from ..result import Progress, SolveStatus
from .outcome import Hint, Outcome, SolveOptions
from .warm_start import hint_of, warm_start, worth_it

QUICK_ROSTER_SECONDS = 3.0
# Cover first: with this much time or more, the first COVER_FIRST_SHARE of it minimises the
# uncovered demand alone, and the full objective starts from that roster (see cover_first).
COVER_FIRST_FROM = 20.0
COVER_FIRST_SHARE = 1 / 3
# Before cover first, the full model alone for at most this many seconds (and COVER_FIRST_SHARE of
# the time): a station it proves in that time needs no cover phase (see full_first).
FULL_FIRST_SECONDS = 10.0
# A roster's hint made whole (_complete_hint): the short solve with its values held gets at most
# this many seconds, and this share of the solve's.
COMPLETE_HINT_SECONDS = 1.0
COMPLETE_HINT_SHARE = 0.1
REPEATS_MOST = 10  # rosters_within: solutions looked at per distinct roster wanted, at most


class CpSatBuilder:
    """ModelBuilder for CP-SAT; with `explain`, every tagged constraint gets an on/off literal."""

    def __init__(self, *, explain: bool = False):
        self.model = cp_model.CpModel()
        self.explain = explain
        self.literals: dict[Hashable, cp_model.IntVar] = {}
        self._upper: dict[int, int] = {}
        self.variables: dict[str, cp_model.IntVar] = {}  # by name, as the PuLP builder names them

    def bool_var(self, name):
        var = self.model.new_bool_var(name)
        self._upper[var.index] = 1  # a works variable may also count a class (Formulation.count_variables)
        self.variables[name] = var
        return var

    def int_var(self, lo, hi, name):
        var = self.model.new_int_var(lo, hi, name)
        self._upper[var.index] = hi
        self.variables[name] = var
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

    def __init__(self, started: float, options: SolveOptions, bound_floor: float | None,
                 ceiling: float | None = None):
        super().__init__()
        self.started, self.options = started, options
        self.ceiling = ceiling  # the cost of a roster already in hand (cover_first's best)
        self.objective: float | None = ceiling
        self.bound: float | None = bound_floor
        self.bound_floor = bound_floor
        self.time_to_first: float | None = None
        self.lock = threading.Lock()

    def on_solution_callback(self) -> None:
        with self.lock:
            if self.time_to_first is None:
                self.time_to_first = time.monotonic() - self.started
            self.objective = self.objective_value if self.ceiling is None else min(self.objective_value, self.ceiling)
            self.bound = _better(self.best_objective_bound, self.bound_floor)
        self._report()

    def on_bound(self, bound: float) -> None:
        with self.lock:
            self.bound = _better(bound, self.bound_floor)
        self._report()

    def _report(self) -> None:
        if self.options.progress:
            self.options.progress(Progress(time.monotonic() - self.started, self.objective, self.bound))


def parameters(solver: cp_model.CpSolver, options: SolveOptions) -> None:
    p = solver.parameters
    p.num_workers = options.workers
    if options.time_limit is not None:
        p.max_time_in_seconds = max(0.5, float(options.time_limit))
    p.relative_gap_limit = options.gap_limit
    # Our model is LP-friendly (clique rest constraints, aggregated counts): let every worker use
    # the full LP relaxation with cuts; this is what moves the bound on stations with shortages.
    p.linearization_level = 2
    # max_lp (the LP with all cuts) is what proves the bound on our stations; the default
    # portfolio has no such worker below 8 workers. With 1-2 workers it is the full search.
    if options.workers <= 2:
        p.subsolvers.append("max_lp")
    else:
        p.extra_subsolvers.append("max_lp")
    if options.light_presolve:
        p.cp_model_probing_level = 0
        p.max_presolve_iterations = 1
    p.log_search_progress = options.log
    # Ctrl-C belongs to the caller (the CLI turns it into StopToken.stop()); CP-SAT's own
    # handler crashes the process when the solve runs in a worker thread.
    p.catch_sigint_signal = False


def solve(inst: Instance, options: SolveOptions) -> Outcome:
    started = time.monotonic()
    warm, lp_bound = None, None
    if options.warm_start and options.hint is None and worth_it(inst):
        warm, lp_bound = warm_start(inst, options, started)
        if warm is not None:
            options = replace(options, hint=hint_of(warm))
    if _stopped(options):
        if warm is None:  # stopped during the warm start: a quick roster rather than none
            warm = quick_roster(inst, options)
        return _finish(inst, warm, lp_bound, started, stopped=True)
    builder = CpSatBuilder()
    form = Formulation(inst, builder, day_flags=options.day_flags).build()
    _add_hint(builder, form, options.hint)
    _complete_hint(builder, options)
    covered = None
    if warm is None and cover_first_worth_it(inst, form, options):
        first = full_first(builder, form, options, started, lp_bound)
        stopped = _stopped(options)
        if first.status in (SolveStatus.OPTIMAL, SolveStatus.INFEASIBLE) or (stopped and first.objective is not None):
            return _finish(inst, first, lp_bound, started, stopped=stopped, exact=options.exact_terms)
        lp_bound = _better(lp_bound, first.bound)
        covered = cover_first(builder, form, options, started, first if first.objective is not None else None)
        if covered is not None and _stopped(options):
            return _finish(inst, covered, lp_bound, started, stopped=True, exact=options.exact_terms)
    out = _search(builder, form, replace(options, time_limit=_left(options, started)), started, lp_bound,
                  covered.objective if covered else None)
    if covered is not None:  # the full model started from its rosters: that is when the first one came
        if out.objective is None or covered.objective < out.objective:
            covered.bound = out.bound
            out = covered
        out.time_to_first = covered.time_to_first
    if warm is not None and (out.objective is None or warm.objective < out.objective):
        warm.bound = out.bound  # CP-SAT did not improve on the warm start
        out = warm
    elif warm is not None:
        out.time_to_first = warm.time_to_first
    return _finish(inst, out, lp_bound, started, stopped=_stopped(options),
                   exact=options.exact_terms)


def rosters_within(inst: Instance, cost: int, options: SolveOptions, most: int) -> tuple[list[Outcome], bool]:
    """Every roster of the instance whose objective is at most `cost` (its works and counts), up to
    `most` of them, and whether that is all of them (False when `most` or the time limit cut the search short).

    Why: column generation (columns.py) takes every roster of a person whose reduced cost is
    small; an integer solution cheaper than the roster in hand can only be made of such columns.
    CP-SAT enumerates the solutions of the model with the objective as a constraint. A person's
    model has no free variable beside the roster (its cover terms are linear in the works, the
    day flags equal to them), so each solution is a different roster; a model with free variables
    repeats rosters, and the search stops after REPEATS_MOST solutions per roster wanted."""
    builder = CpSatBuilder()
    form = Formulation(inst, builder, day_flags=options.day_flags).build()
    builder.model.add(cp_model.LinearExpr.sum(list(form.terms.values())) <= cost)
    builder.model.clear_objective()
    solver = cp_model.CpSolver()
    p = solver.parameters  # enumeration takes one worker and no chosen subsolvers (not `parameters`)
    p.num_workers = 1
    p.enumerate_all_solutions = True
    if options.time_limit is not None:
        p.max_time_in_seconds = max(0.1, float(options.time_limit))
    p.catch_sigint_signal = False
    collector = _Rosters(form, most)
    with _stopping(solver, options):
        status = solver.solve(builder.model, collector)
    complete = status in (cp_model.OPTIMAL, cp_model.INFEASIBLE) and not collector.cut
    return list(collector.found.values()), complete


class _Rosters(cp_model.CpSolverSolutionCallback):
    """Collects the distinct rosters of an enumeration (by what each person works), up to `most`."""

    def __init__(self, form: Formulation, most: int):
        super().__init__()
        self.form, self.most = form, most
        self.found: dict[frozenset, Outcome] = {}
        self.seen = 0
        self.cut = False

    def on_solution_callback(self) -> None:
        # Only the works and counts: a roster is all the caller takes (no terms, read for every
        # solution of tens of thousands).
        self.seen += 1
        works = {k: int(self.value(v)) for k, v in self.form.works.items()}
        count = {k: int(self.value(v)) for k, v in self.form.count.items()}
        roster = frozenset(k for k, v in works.items() if v) | frozenset(k for k, v in count.items() if v)
        if roster not in self.found:
            self.found[roster] = Outcome(status=SolveStatus.FEASIBLE, works=works, count=count)
        # Solutions that repeat a roster (free variables of another station's model) count too.
        if len(self.found) >= self.most or self.seen >= REPEATS_MOST * self.most:
            self.cut = True
            self.stop_search()


def cover_first_worth_it(inst: Instance, form: Formulation, options: SolveOptions) -> bool:
    """Worth it with time to spare, no starting roster, and a cover term beside other terms."""
    return (options.time_limit is not None and options.time_limit >= COVER_FIRST_FROM and options.hint is None
            and inst.replan is None and R.UNCOVERED in form.terms and len(form.terms) > 1)


def full_first(builder: CpSatBuilder, form: Formulation, options: SolveOptions, started: float,
               bound_floor: float | None) -> Outcome:
    """The full model alone for a short while (FULL_FIRST_SECONDS) before cover first.

    Why: where cover is easy (the patrol stations) CP-SAT proves the full model in a few seconds,
    and a cover phase before it only costs time (demo station: proven in 4.1-4.8 s this way against
    5.3-6.5 s with the cover phase first). Where it does not prove it in that time, its best roster
    (with every variable's value, for a hint) and its bound go on to cover first and the full model.
    """
    seconds = min(FULL_FIRST_SECONDS, COVER_FIRST_SHARE * _left(options, started))
    return _search(builder, form, replace(options, time_limit=seconds), started, bound_floor, every_value=True)


def _search(builder: CpSatBuilder, form: Formulation, options: SolveOptions, started: float,
            bound_floor: float | None, ceiling: float | None = None, *, every_value: bool = False) -> Outcome:
    """CP-SAT on the full model for `options.time_limit` seconds, progress and bound relayed; the
    best roster with its terms (and `every_value`: every variable's value, for a later hint)."""
    solver = cp_model.CpSolver()
    parameters(solver, options)
    reporter = _Reporter(started, options, bound_floor, ceiling)
    solver.best_bound_callback = reporter.on_bound
    with _stopping(solver, options):
        status = solver.solve(builder.model, reporter)
    out = Outcome(status=_STATUS.get(status, SolveStatus.NO_SOLUTION), time_to_first=reporter.time_to_first)
    if out.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
        out.objective = round(solver.objective_value)
        out.bound = solver.best_objective_bound
        _read(solver, form, out)
        if every_value:
            out.values = {name: solver.value(var) for name, var in builder.variables.items()}
    return out


def cover_first(builder: CpSatBuilder, form: Formulation, options: SolveOptions, started: float,
                cheapest: Outcome | None = None) -> Outcome | None:
    """Minimise the uncovered demand alone for a share of the time; hint its roster to the full model.

    Why: on stations where a missing person costs far more than anything else (the Curtois
    instances, a station short of staff), CP-SAT's search on the full objective settles on rosters
    that trade cover for requests, and no small move covers one more place. Searching for cover
    alone first finds rosters with fewer gaps; the full objective then improves on the rest.
    The last roster found (the best cover) becomes the full model's hint, unless cover alone was
    proven optimal; then the `cheapest` roster found before (full_first's) is the hint, if any.
    Returned is the roster that was cheapest by the full objective (`cheapest` included), priced
    as CP-SAT sees it (at least its cost), or None.
    """
    seconds = COVER_FIRST_SHARE * _left(options, started)
    cover = builder.model.clone()
    cover.minimize(form.terms[R.UNCOVERED])
    solver = cp_model.CpSolver()
    parameters(solver, replace(options, time_limit=seconds))
    keeper = _CheapestRoster(started, options.progress, form, cheapest)
    with _stopping(solver, options):
        status = solver.solve(cover, keeper)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE) or keeper.best is None:
        return keeper.best
    if status == cp_model.OPTIMAL:
        # Cover was easy: the gaps are not what holds the full model back, and a cover roster as
        # the hint slowed its proof (demo station 5 s -> 18 s). The full search goes on from the
        # cheapest roster instead, when one came with every variable's value.
        if keeper.best.values:
            _add_hint(builder, form, Hint(values=keeper.best.values))
        return keeper.best
    _hint_solution(builder, solver)
    return keeper.best


class _CheapestRoster(cp_model.CpSolverSolutionCallback):
    """Keeps the roster cheapest by the full objective while the search minimises cover alone."""

    def __init__(self, started: float, progress, form: Formulation, best: Outcome | None = None):
        super().__init__()
        self.started, self.progress, self.form = started, progress, form
        self.full = cp_model.LinearExpr.sum(list(form.terms.values()))
        self.best = best  # the cheapest so far, from before this search (no progress above it)

    def on_solution_callback(self) -> None:
        cost = round(self.value(self.full))
        if self.best is not None and cost >= self.best.objective:
            return
        first = self.best.time_to_first if self.best else time.monotonic() - self.started
        self.best = Outcome(status=SolveStatus.FEASIBLE, time_to_first=first, objective=cost)
        _read(self, self.form, self.best)
        if self.progress:
            self.progress(Progress(time.monotonic() - self.started, cost, None))


def quick_roster(inst: Instance, options: SolveOptions) -> Outcome:
    """A roster within a few seconds, for a caller who stopped before any roster was kept."""
    return solve(inst, replace(options, stop=None, warm_start=False, hint=None, time_limit=QUICK_ROSTER_SECONDS))


def _add_hint(builder: CpSatBuilder, form: Formulation, hint) -> None:
    if hint is None:
        return
    if hint.values:  # a complete solution of the same formulation, by variable name
        for name, var in builder.variables.items():
            builder.model.add_hint(var, round(hint.values.get(name, 0.0)))
        return
    for key, var in form.works.items():
        builder.model.add_hint(var, hint.works.get(key, 0))
    for key, var in form.count.items():
        if key not in form.counted_by_works:  # hinted above as a works variable
            builder.model.add_hint(var, hint.count.get(key, 0))


def _complete_hint(builder: CpSatBuilder, options: SolveOptions) -> None:
    """A roster's hint names the works and count variables only, and CP-SAT does not always rebuild
    the rest (runs, day flags, shortfalls) from it: then it starts elsewhere. Curtois Instance13's
    whole model hinted with a roster of 1,917 ended at 10,365 in 240 s with its cover held, and at
    408 once every variable was hinted. A short solve with the hinted values held fixed gives the
    rest (they follow from them); where it finds nothing in time the hint stays as it was."""
    if options.hint is None or options.hint.values:
        return
    fixed = cp_model.CpSolver()
    fixed.parameters.fix_variables_to_their_hinted_value = True
    fixed.parameters.num_workers = 1
    fixed.parameters.max_time_in_seconds = COMPLETE_HINT_SECONDS if options.time_limit is None \
        else min(COMPLETE_HINT_SECONDS, COMPLETE_HINT_SHARE * options.time_limit)
    fixed.parameters.catch_sigint_signal = False
    if fixed.solve(builder.model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return
    _hint_solution(builder, fixed)


def _hint_solution(builder: CpSatBuilder, solver: cp_model.CpSolver) -> None:
    """Every variable hinted with its value in the solver's last solution, in place of any hint."""
    builder.model.clear_hints()
    for var in builder.variables.values():
        builder.model.add_hint(var, solver.value(var))


def _read(solver: cp_model.CpSolver | cp_model.CpSolverSolutionCallback, form: Formulation, out: Outcome) -> None:
    """The roster and terms of a solution, from the solver after a solve or from inside a callback."""
    out.works = {k: int(solver.value(v)) for k, v in form.works.items()}
    out.count = {k: int(solver.value(v)) for k, v in form.count.items()}
    out.terms = {name: int(solver.value(expr)) for name, expr in form.terms.items()}


@contextlib.contextmanager
def _stopping(solver: cp_model.CpSolver, options: SolveOptions):
    """Relay a stop to CP-SAT, also one that comes before its search has started (which it ignores)."""
    if options.stop is None:
        yield
        return
    done = threading.Event()

    def relay() -> None:
        while not done.wait(0.1):
            if options.stop.stopped:
                solver.stop_search()

    watcher = threading.Thread(target=relay, name="cpsat-stop", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()


def exact_terms(inst: Instance, out: Outcome) -> None:
    """Settle the objective terms of the roster in `out` exactly (see Formulation.fix_roster)."""
    builder = CpSatBuilder()
    form = Formulation(inst, builder).build(fixed=(out.works, out.count))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 30.0
    solver.parameters.catch_sigint_signal = False
    if solver.solve(builder.model) == cp_model.OPTIMAL:
        _read(solver, form, out)
        out.objective = sum(out.terms.values())


def _finish(inst: Instance, out: Outcome, lp_bound: float | None, started: float, *, stopped: bool,
            exact: bool = True) -> Outcome:
    """Exact terms for an unproven roster; combine CP-SAT's bound with the LP's."""
    if out.status is SolveStatus.FEASIBLE and exact:
        exact_terms(inst, out)
    out.bound = _better(out.bound, lp_bound)
    out.stopped = stopped
    out.wall_time = time.monotonic() - started
    if out.objective is not None and out.bound is not None and out.objective <= out.bound + 1e-6:
        out.status = SolveStatus.OPTIMAL
    return out


def _stopped(options: SolveOptions) -> bool:
    return options.stop is not None and options.stop.stopped


def _left(options: SolveOptions, started: float) -> float | None:
    """Seconds of the time limit left since `started` (None without a limit)."""
    return None if options.time_limit is None else options.time_limit - (time.monotonic() - started)


def _better(bound: float | None, other: float | None) -> float | None:
    candidates = [b for b in (bound, other) if b is not None]
    return max(candidates) if candidates else None


_STATUS = {
    cp_model.OPTIMAL: SolveStatus.OPTIMAL,
    cp_model.FEASIBLE: SolveStatus.FEASIBLE,
    cp_model.INFEASIBLE: SolveStatus.INFEASIBLE,
}
