"""Why pins cannot hold: the smallest set of pins and rules in conflict, in words."""

from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from . import rules as R
from .backends.cpsat import CpSatBuilder
from .formulation import Formulation
from .model import Pin
from .prepare import Instance
from .result import Conflict


def describe_pin(inst: Instance, pin: Pin) -> str:
    person = inst.station.people_by_id[pin.person_id]
    shift = inst.station.shifts_by_id[pin.shift_id]
    grid = inst.station.grids_by_id[pin.grid_id]
    return f"{person.name}({pin.person_id}) {pin.date.isoformat()} {shift.name}({pin.shift_id}) {grid.name}({pin.grid_id})"


def conflict(inst: Instance, rules: list[str], pins: list[Pin]) -> Conflict:
    rule_words = "; ".join(f"{r} ({R.HARD_RULES[r][0]}: {R.HARD_RULES[r][1]})" for r in rules)
    pin_words = "; ".join(describe_pin(inst, p) for p in pins)
    if not pins:  # a minimum rule (e.g. min_total_minutes) the data cannot meet, pins or not
        return Conflict(tuple(rules), (), f"the station's data cannot satisfy {rule_words}")
    what = "this pin breaks" if len(pins) == 1 else "these pins cannot all hold with"
    return Conflict(tuple(rules), tuple(pins), f"{what} {rule_words} — pins: {pin_words}")


def static_conflicts(inst: Instance) -> list[Conflict]:
    """Pins the data rules out on their own, before any model is built."""
    out = []
    per_place = defaultdict(list)
    for pin in inst.station.pins:
        slot = inst.slot_of(pin.date, pin.shift_id)
        if slot is None:
            continue  # another week's pin
        p = inst.person_index(pin.person_id)
        role = inst.people[p].role
        demand = inst.role_demand.get((pin.grid_id, slot.index, role))
        if not inst.is_available(p, slot.index):
            out.append(conflict(inst, [R.RESPECT_AVAILABILITY], [pin]))
        elif demand is None:
            out.append(conflict(inst, [R.ROLE_MATCHES_DEMAND], [pin]))
        else:
            per_place[(pin.grid_id, slot.index, role)].append(pin)
    for key, pins in per_place.items():
        if len(pins) > inst.role_demand[key].row.max:
            out.append(conflict(inst, [R.MAX_PER_ROLE], pins))
    return out


def explain_infeasible(inst: Instance, time_limit: float = 30.0) -> list[Conflict]:
    """Find a smallest set of pins and rules that cannot hold together, with CP-SAT assumptions."""
    found = static_conflicts(inst)
    if found:
        return found
    builder = CpSatBuilder(explain=True)
    Formulation(inst, builder, explain=True).build(objective=False)
    tags = list(builder.literals)
    core = _core(builder, tags, time_limit)
    if core is None:
        return []
    core = _shrink(builder, core, time_limit)
    rules = sorted(t for t in core if isinstance(t, str))
    pins = [t[1] for t in core if isinstance(t, tuple)]
    return [conflict(inst, rules, pins)]


def _solve_with(builder: CpSatBuilder, tags, time_limit: float):
    builder.model.clear_assumptions()
    builder.model.add_assumptions([builder.literals[t] for t in tags])
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1  # assumption cores need a single worker
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.catch_sigint_signal = False
    return solver, solver.solve(builder.model)


def _core(builder: CpSatBuilder, tags, time_limit: float):
    solver, status = _solve_with(builder, tags, time_limit)
    if status != cp_model.INFEASIBLE:
        return None
    by_index = {builder.literals[t].index: t for t in tags}
    return [by_index[i] for i in solver.sufficient_assumptions_for_infeasibility()]


def _shrink(builder: CpSatBuilder, core, time_limit: float):
    """Drop each assumption that is not needed for the conflict, so what remains is minimal."""
    needed = list(core)
    for tag in list(core):
        trial = [t for t in needed if t != tag]
        _, status = _solve_with(builder, trial, time_limit)
        if status == cp_model.INFEASIBLE:
            needed = trial
    return needed
