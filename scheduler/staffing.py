"""Staffing what-if: how many more police, auxiliaries and volunteers would cover all demand of a week.

Solved as one optimization, not by trial and error. Candidate people ("reserves") are added per
role (and per skill set existing people of that role have), as many as could ever be needed: one
per person-shift of demand they could fill. Each has full availability, or the most common weekly
availability of the role's existing people. Every missing person-shift then costs far more than
any number of candidates, a candidate used at all costs its role's weight (Instance.hire_cost, the
`hired` term) far more than the whole usual objective, which only breaks the remaining ties. So
the solve covers what any staffing can cover, with the cheapest set of extra people, and then
rosters as usual. Demand still missing afterwards cannot be covered by staffing (a skill nobody
of the role has, volunteers where no escort is ever demanded, pins).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from .checker import CheckReport, CoverageRow, check_roster
from .horizon import demand_in_force, weekday_name
from .model import ROLE_NAMES_ZH, ROLES, Assignment, Availability, Person, Request, Station
from .prepare import Instance, prepare
from .result import ProgressCallback, SolveStatus, StopToken

AVAILABILITY_MODES = ("all", "like_existing")
# What recruiting one more person of a role costs, relatively: a volunteer is the easiest to find.
DEFAULT_ROLE_COSTS = {"police": 4, "auxiliary": 2, "volunteer": 1}
SKILL_COST = 1  # added per skill a candidate must bring
SHIFTS_LISTED = 4  # a role's summary line names its shifts up to this many
WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
ROLE_NAMES_EN = {"police": ("police officer", "police officers"), "auxiliary": ("auxiliary", "auxiliaries"),
                 "volunteer": ("volunteer", "volunteers")}


@dataclass(frozen=True)
class Candidate:
    """A kind of person the station could recruit: a role and the skills they bring."""

    role: str
    skills: frozenset[str]
    most: int  # how many of them the model may use
    cost: int


@dataclass(frozen=True)
class ExtraPerson:
    """One more person the week needs, with the shifts they would work (the availability they need)."""

    person: Person
    shifts: tuple[Assignment, ...]


@dataclass
class StaffingAnswer:
    station: Station  # the station with the extra people added (availability: the shifts they work)
    week_start: dt.date
    days: int
    availability: str
    status: SolveStatus
    extra: list[ExtraPerson] = field(default_factory=list)
    roster: list[Assignment] = field(default_factory=list)
    report: CheckReport | None = None  # the checker's verdict on `roster` for `station`
    candidates: list[Candidate] = field(default_factory=list)
    wall_time: float = 0.0
    message: str = ""  # why there is no answer (pins that cannot hold, no roster in time)

    def extra_per_role(self) -> dict[str, int]:
        counts = Counter(e.person.role for e in self.extra)
        return {role: counts[role] for role in ROLES}

    @property
    def not_coverable(self) -> list[CoverageRow]:
        """Demand still missing with the extra people: staffing alone cannot cover it."""
        return [row for row in self.report.coverage if row.missing] if self.report else []

    @property
    def coverage(self) -> tuple[int, int]:
        """(person-shifts covered, person-shifts demanded) with the extra people."""
        if self.report is None:
            return 0, 0
        rows = self.report.coverage
        return sum(r.required - r.missing for r in rows), sum(r.required for r in rows)

    def lines_zh(self) -> list[str]:
        return _lines(self, zh=True)

    def lines_en(self) -> list[str]:
        return _lines(self, zh=False)

    def to_json(self) -> dict:
        covered, demanded = self.coverage
        return {
            "station": self.station.name, "week_start": self.week_start.isoformat(), "days": self.days,
            "availability": self.availability, "status": str(self.status), "message": self.message,
            "extra": self.extra_per_role(),
            "people": [_person_json(e) for e in self.extra],
            "coverage": {"covered": covered, "demanded": demanded},
            "not_coverable": [_row_json(r, _why(self, r)) for r in self.not_coverable],
            "violations": [v.message for v in self.report.violations] if self.report else [],
            "candidates": [{"role": c.role, "skills": sorted(c.skills), "most": c.most, "cost": c.cost}
                           for c in self.candidates],
            "summary_zh": self.lines_zh(), "summary_en": self.lines_en(),
            "roster": [{"date": a.date.isoformat(), "shift_id": a.shift_id, "grid_id": a.grid_id,
                        "person_id": a.person_id} for a in self.roster],
            "wall_time": round(self.wall_time, 3),
        }


def staffing_what_if(
    station: Station, week_start: dt.date, *, days: int = 7, backend: str = "cpsat", time_limit: float | None = 60,
    availability: str = "all", max_extra: int | None = None, role_costs: dict[str, int] | None = None,
    workers: int | None = None, progress: ProgressCallback | None = None, stop: StopToken | None = None,
) -> StaffingAnswer:
    """The fewest (cheapest by `role_costs`) extra people who, with everyone else, cover all demand of the week.

    The model offers each kind of candidate up to an estimate of the shortfall; should the answer
    use every one offered of a kind, the offer may have been too small, so it is doubled and the
    question solved again (rarely: the estimate is generous).
    """
    if availability not in AVAILABILITY_MODES:
        raise ValueError(f"availability: {availability!r} is not one of {', '.join(AVAILABILITY_MODES)}")
    if max_extra is not None and max_extra < 0:
        raise ValueError("max_extra must not be negative")
    costs = {**DEFAULT_ROLE_COSTS, **(role_costs or {})}
    if any(costs[r] < 1 for r in ROLES):
        raise ValueError("role costs must be at least 1")
    started = time.monotonic()
    base = prepare(station, week_start, days)
    widen = 1
    while True:
        candidates = candidate_kinds(base, costs, max_extra, widen)
        spent = time.monotonic() - started
        left = None if time_limit is None else max(1.0, time_limit - spent)
        answer = _answer(station, base, candidates, availability, backend, left, workers, progress, stop)
        if answer.report is None or (stop is not None and stop.stopped) or not _offer_too_small(answer, base,
                                                                                                  costs, max_extra):
            break
        widen *= 2
    answer.wall_time = time.monotonic() - started
    return answer


def _answer(station, base, candidates, availability, backend, time_limit, workers, progress, stop) -> StaffingAnswer:
    week_start, days = base.week_start, base.days
    reserves = _reserves(base, candidates, availability)
    # Each shift a candidate works weighs more than the whole usual objective (the extra people should
    # need as little availability as possible), a candidate used more than all their shifts can.
    shift_weight = _usual_most(base)
    unit = shift_weight * (sum(d.row.max for d in base.role_demand.values()) + 1)
    missing_weight = 2 * max((r.cost for r in reserves), default=1) * unit + 1
    trial = _with_reserves(station, reserves, base, missing_weight, shift_weight)
    inst = prepare(trial, week_start, days)
    inst.hire_cost = {inst.person_index(r.person.person_id): unit * r.cost for r in reserves}
    answer = StaffingAnswer(station, week_start, days, availability, SolveStatus.NO_SOLUTION, candidates=candidates)
    from .explain import static_conflicts  # loads OR-Tools: only once a what-if runs

    conflicts = static_conflicts(inst)
    if conflicts:
        answer.status, answer.message = SolveStatus.INFEASIBLE, "; ".join(c.message for c in conflicts)
        return answer
    outcome = _solve(inst, backend, time_limit, workers, progress, stop)
    answer.status = outcome.status
    if outcome.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
        from .solve import roster_from_counts

        _fill(answer, station, inst, roster_from_counts(inst, outcome), {r.person.person_id for r in reserves})
    else:
        answer.message = "no roster was found before the time limit"
    return answer


def _offer_too_small(answer: StaffingAnswer, base: Instance, costs, max_extra) -> bool:
    """Some kind of candidate was used up while the full bound would offer more."""
    used = Counter((e.person.role, e.person.skills) for e in answer.extra)
    full = {(c.role, c.skills): c.most for c in candidate_kinds(base, costs, max_extra, None)}
    return any(used[(c.role, c.skills)] >= c.most and c.most < full[(c.role, c.skills)] for c in answer.candidates)


# --- candidates ----------------------------------------------------------------------------------


def candidate_kinds(inst: Instance, costs: dict[str, int], max_extra: int | None,
                    widen: int | None = 1) -> list[Candidate]:
    """Per role: plain recruits, and recruits with each asked-for skill set existing people of the role have.

    The safe bound on how many are needed is one per person-shift they could fill (each extra person
    works at least one shift; volunteers also count an escort where one is needed beyond the demand).
    That makes a large model on a big station, so plain recruits are offered up to the shortfall of
    the role's capacity plus its busiest slot, times `widen` (None: the safe bound).
    """
    out = []
    for role in ROLES:
        plain = _role_person_shifts(inst, role)
        if widen is not None:
            plain = min(plain, widen * (max(0, plain - _capacity(inst, role)) + _busiest_slot(inst, role)))
        if plain:
            out.append(Candidate(role, frozenset(), _capped(plain, max_extra), costs[role]))
        for skills in _skill_sets(inst, role):
            most = sum(row.min for rows in inst.skill_demand.values() for row in rows
                       if row.skill in skills and row.role in (None, role))
            if most:
                out.append(Candidate(role, skills, _capped(most, max_extra), costs[role] + SKILL_COST * len(skills)))
    return out


def _capacity(inst: Instance, role: str) -> int:
    """Shifts the role's existing people could work at most (their caps, their availability)."""
    return sum(min(inst.station.shift_cap(person), sum(1 for s in inst.slots if inst.is_available(p, s.index)))
               for p, person in enumerate(inst.people) if person.role == role)


def _busiest_slot(inst: Instance, role: str) -> int:
    per_slot = Counter()
    for (_g, s, r), d in inst.role_demand.items():
        if r == role:
            per_slot[s] += d.row.min
    return max(per_slot.values(), default=0)


def _role_person_shifts(inst: Instance, role: str) -> int:
    total = sum(d.row.min for (_g, _s, r), d in inst.role_demand.items() if r == role)
    if role in inst.station.rules.escort_roles:  # an escort beyond the row's min, where volunteers need one
        total += sum(1 for (g, s, r), d in inst.role_demand.items()
                     if r == "volunteer" and d.row.min > 0 and (g, s, role) in inst.role_demand
                     and inst.role_demand[(g, s, role)].row.min == 0)
    return total


def _skill_sets(inst: Instance, role: str) -> list[frozenset[str]]:
    asked = {row.skill for rows in inst.skill_demand.values() for row in rows}
    sets = {frozenset(p.skills & asked) for p in inst.people if p.role == role}
    return sorted((s for s in sets if s), key=sorted)


def _capped(most: int, max_extra: int | None) -> int:
    return most if max_extra is None else min(most, max_extra)


@dataclass(frozen=True)
class _Reserve:
    person: Person
    cost: int
    available: frozenset[tuple[dt.date, str]]  # (date, shift) they could work


def _reserves(inst: Instance, candidates: list[Candidate], mode: str) -> list[_Reserve]:
    taken = set(inst.station.people_by_id)
    out = []
    for cand in candidates:
        slots = _pattern(inst, cand.role) if mode == "like_existing" else None
        if slots is None:
            slots = frozenset((s.date, s.shift_id) for s in inst.slots)
        for k in range(1, cand.most + 1):
            pid = _free_id(f"extra-{cand.role}{'-' + '-'.join(sorted(cand.skills)) if cand.skills else ''}-{k}", taken)
            person = Person(pid, f"新增{ROLE_NAMES_ZH[cand.role]}{len(out) + 1}", cand.role, skills=cand.skills,
                            min_total_minutes=0)  # a candidate left unused works no minutes at all
            out.append(_Reserve(person, cand.cost, slots))
    return out


def _pattern(inst: Instance, role: str) -> frozenset[tuple[dt.date, str]] | None:
    """The most common weekly availability (weekday and shift) among existing people of the role."""
    patterns = Counter()
    for p, person in enumerate(inst.people):
        if person.role == role:
            patterns[frozenset((weekday_name(s.date), s.shift_id) for s in inst.slots if inst.is_available(p, s.index))] += 1
    ranked = sorted(((n, len(pat), sorted(pat)) for pat, n in patterns.items() if pat), reverse=True)
    if not ranked:
        return None  # nobody of the role offers anything: fall back to full availability
    best = set(map(tuple, ranked[0][2]))
    return frozenset((s.date, s.shift_id) for s in inst.slots if (weekday_name(s.date), s.shift_id) in best)


def _free_id(wanted: str, taken: set[str]) -> str:
    pid, n = wanted, 1
    while pid in taken:
        n += 1
        pid = f"{wanted}-{n}"
    taken.add(pid)
    return pid


def _availability_rows(person: Person, available: frozenset[tuple[dt.date, str]], inst: Instance) -> list[Availability]:
    """Rows giving the person exactly `available` (officers default to available, volunteers to not)."""
    rows = []
    for s in inst.slots:
        here = (s.date, s.shift_id) in available
        if here and person.role == "volunteer":
            rows.append(Availability(person.person_id, s.date, s.shift_id, "available"))
        elif not here and person.role != "volunteer":
            rows.append(Availability(person.person_id, s.date, s.shift_id, "unavailable"))
    return rows


def _with_reserves(station: Station, reserves: list[_Reserve], inst: Instance, missing_weight: int,
                   shift_weight: int) -> Station:
    """The station plus the candidates, each of whose shifts costs `shift_weight` (as a request not to
    work it). Every demand row weighs the same, as all of it is to be covered: one missing person-shift
    weighs more than recruiting whoever could fill it (and a volunteer's escort)."""
    rows = [r for res in reserves for r in _availability_rows(res.person, res.available, inst)]
    off = [Request(res.person.person_id, date, shift_id, "off", shift_weight)
           for res in reserves for date, shift_id in sorted(res.available)]
    return dataclasses.replace(
        station, people=station.people + tuple(r.person for r in reserves),
        availability=station.availability + tuple(rows), requests=station.requests + tuple(off),
        demand=tuple(dataclasses.replace(d, under_weight=missing_weight) for d in station.demand),
    )


# --- weights: coverage first, then fewest (cheapest) extra people, then the usual objective -----


def _usual_most(inst: Instance) -> int:
    """More than the usual objective terms can add up to, whatever the roster."""
    w = inst.station.weights
    places = sum(d.row.max for d in inst.role_demand.values())
    nights = sum(1 for s in inst.slots if s.night)
    weekends = sum(1 for s in inst.slots if s.weekend)
    over = sum((d.row.over_weight if d.row.over_weight is not None else w.over_demand) * max(0, d.row.max - d.row.min)
               for d in inst.role_demand.values())
    return (2 * (w.night_spread * nights + w.weekend_spread * weekends) + w.volunteer_idle * len(inst.people)
            + (w.not_preferred + w.away_from_home) * places + over
            + sum(r.weight for r in inst.station.requests) + 1)


def _solve(inst: Instance, backend, time_limit, workers, progress, stop):
    from .backends.outcome import SolveOptions
    from .solve import default_workers, solve_prepared

    options = SolveOptions(time_limit=time_limit, workers=workers or default_workers(), progress=progress, stop=stop)
    return solve_prepared(inst, backend, options)


# --- the answer ----------------------------------------------------------------------------------


def _fill(answer: StaffingAnswer, station: Station, inst: Instance, roster: list[Assignment],
          reserve_ids: set[str]) -> None:
    """Keep the candidates who work, as real people available exactly for their shifts, and check it all."""
    worked = defaultdict(list)
    for a in roster:
        if a.person_id in reserve_ids:
            worked[a.person_id].append(a)
    trial = inst.station.people_by_id
    extra = [ExtraPerson(trial[pid], tuple(sorted(shifts))) for pid, shifts in worked.items()]
    extra.sort(key=lambda e: (ROLES.index(e.person.role), e.person.person_id))
    rows = [r for e in extra
            for r in _availability_rows(e.person, frozenset((a.date, a.shift_id) for a in e.shifts), inst)]
    answer.station = dataclasses.replace(station, people=station.people + tuple(e.person for e in extra),
                                         availability=station.availability + tuple(rows))
    answer.extra, answer.roster = extra, roster
    answer.report = check_roster(answer.station, answer.week_start, roster, answer.days)


def _why(answer: StaffingAnswer, row: CoverageRow) -> tuple[str, str]:
    """Why extra people cannot fill a row, in Chinese and English."""
    station = answer.station
    if row.skill is not None:
        roles = [row.role] if row.role else list(ROLES)
        if not any(row.skill in p.skills for p in station.people if p.role in roles):
            return (f"没有任何{'或'.join(ROLE_NAMES_ZH[r] for r in roles)}具备技能“{row.skill}”，无法按现有人员招募",
                    f"nobody of role {'/'.join(roles)} has the skill {row.skill!r}, so no recruit like them can cover it")
    if row.role == "volunteer":
        escorts = station.rules.escort_roles
        there = demand_in_force(station, [row.date]).get((row.grid_id, row.date, row.shift_id), [])
        if not any(d.role in escorts and d.max > 0 for d in there):
            return ("义警须有民警或辅警同行，但该网格班次没有民警或辅警的需求",
                    "volunteers need an escort, but no police or auxiliary demand is in force there")
    used = Counter((e.person.role, e.person.skills) for e in answer.extra)
    if any(c.role == row.role and used[(c.role, c.skills)] >= c.most for c in answer.candidates):
        return ("新增人数已达上限", "the most extra people allowed were all used")
    return ("受固定排班或排班规则限制", "pins or the rostering rules keep it open")


def _shift_words(station: Station, shifts, zh: bool) -> str:
    names = station.shifts_by_id
    days = WEEKDAYS_ZH if zh else WEEKDAYS_EN
    words = [f"{days[a.date.weekday()]}{names[a.shift_id].name}" if zh
             else f"{days[a.date.weekday()]} {a.date.isoformat()} {a.shift_id}" for a in shifts]
    return ("、" if zh else ", ").join(words)


def _lines(answer: StaffingAnswer, *, zh: bool) -> list[str]:
    if answer.report is None:
        return [("无法测算：" if zh else "No answer: ") + answer.message]
    parts = []
    for role, n in answer.extra_per_role().items():
        if n:
            shifts = sorted({dataclasses.replace(a, grid_id="", person_id="")
                             for e in answer.extra if e.person.role == role for a in e.shifts})
            words = (_shift_words(answer.station, shifts, zh) if len(shifts) <= SHIFTS_LISTED
                     else (f"共 {len(shifts)} 个班次，见下" if zh else f"{len(shifts)} shifts, see below"))
            parts.append(f"{n} 名{ROLE_NAMES_ZH[role]}（{words}）" if zh
                         else f"{n} more {ROLE_NAMES_EN[role][n != 1]} ({words})")
    lines = []
    if not parts:
        lines.append("现有人员已足够，无需增加人手。" if zh else "The station's own people are enough: nobody more is needed.")
    else:
        lines.append(("还需 " + "和 ".join(parts) + "。") if zh else ("Needed: " + " and ".join(parts) + "."))
    if answer.status is SolveStatus.FEASIBLE:
        lines.append("（在时间限制内未能证明这是最少的人数）" if zh else "(not proven the fewest within the time limit)")
    for e in answer.extra:
        skills = "、".join(sorted(e.person.skills)) if zh else ", ".join(sorted(e.person.skills))
        extra = (f"，技能：{skills}" if zh else f", skills: {skills}") if skills else ""
        when = _shift_words(answer.station, e.shifts, zh)
        lines.append(f"  {e.person.person_id}（{ROLE_NAMES_ZH[e.person.role]}{extra}）：{when}" if zh
                     else f"  {e.person.person_id} ({e.person.role}{extra}): {when}")
    covered, demanded = answer.coverage
    lines.append(f"覆盖：{covered}/{demanded} 人次" if zh else f"Coverage: {covered}/{demanded} person-shifts")
    for row in answer.not_coverable:
        zh_why, en_why = _why(answer, row)
        what = row.role or row.skill
        lines.append(f"  无法靠增加人手覆盖：{row.date.isoformat()} {row.shift_id} {row.grid_id} 缺{row.missing}名"
                     f"{ROLE_NAMES_ZH.get(what, what)}：{zh_why}" if zh else
                     f"  Not coverable by staffing: {row.date.isoformat()} {row.shift_id} {row.grid_id} "
                     f"{row.missing} {what} missing: {en_why}")
    return lines


def _person_json(e: ExtraPerson) -> dict:
    return {"person_id": e.person.person_id, "name": e.person.name, "role": e.person.role,
            "skills": sorted(e.person.skills),
            "shifts": [{"date": a.date.isoformat(), "weekday": weekday_name(a.date), "shift_id": a.shift_id,
                        "grid_id": a.grid_id} for a in e.shifts]}


def _row_json(row: CoverageRow, why: tuple[str, str]) -> dict:
    return {"date": row.date.isoformat(), "shift_id": row.shift_id, "grid_id": row.grid_id, "role": row.role,
            "skill": row.skill, "required": row.required, "missing": row.missing, "why_zh": why[0], "why_en": why[1]}
