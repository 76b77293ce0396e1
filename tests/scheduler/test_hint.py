"""A roster given to CP-SAT as a hint is made whole first: every variable gets its value."""

from __future__ import annotations

from ortools.sat.python import cp_model

from scheduler.backends import cpsat
from scheduler.backends.outcome import SolveOptions
from scheduler.checker import check_roster
from scheduler.formulation import Formulation
from scheduler.prepare import prepare
from scheduler.solve import hint_from_roster, solve

from .stations import curtois as _curtois
from .stations import needs_bench

pytestmark = needs_bench


def test_a_rosters_hint_is_made_whole_and_is_that_roster_at_its_cost():
    instance, station, start = _curtois("Instance4")
    given = solve(station, start, time_limit=2.0, days=instance.horizon, whole=True)
    assert given.roster
    inst = prepare(station, start, instance.horizon)
    builder = cpsat.CpSatBuilder()
    form = Formulation(inst, builder, day_flags=True).build()
    options = SolveOptions(time_limit=10.0, hint=hint_from_roster(inst, given.roster))
    cpsat._add_hint(builder, form, options.hint)
    partial = len(builder.model.proto.solution_hint.vars)
    cpsat._complete_hint(builder, options)
    hint = builder.model.proto.solution_hint
    assert partial < len(builder.model.proto.variables) == len(hint.vars)
    # Every variable held at its hinted value is a solution, and costs what the checker says the roster costs.
    fixed = cp_model.CpSolver()
    fixed.parameters.fix_variables_to_their_hinted_value = True
    assert fixed.solve(builder.model) == cp_model.OPTIMAL
    assert round(fixed.objective_value) == check_roster(station, start, given.roster, instance.horizon).objective

