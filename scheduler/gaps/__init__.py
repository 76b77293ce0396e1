"""Why demand is left uncovered, in plain words: who could have filled it and what kept each out.

For every demand row in force whose `min` the roster does not meet, every person of the needed
role (and skill) is counted once, under the first reason of blockers.BLOCKERS that keeps them
out: on leave, busy elsewhere in the same shift, the weekly cap, the rest rule, ... Those that no
rule keeps out are "free": the objective decided, and adding one of them is tried with the
checker to say which terms would grow. Only the station data and the roster are read, no solver.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from ..checker import CheckReport, CoverageRow, check_roster
from ..history import History
from ..model import Assignment, Person, Station
from . import wording
from .blockers import BLOCKERS, FREE, Blocked, Place, RosterView, first_block

__all__ = ["BLOCKERS", "GapExplanation", "ReasonCount", "explain_gaps", "format_gaps"]

# Adding a free candidate is tried with a full check (about 15 ms on a station of 150 people).
# Past this many tries the rest are said to be "not tried one by one", so a roster edited by hand
# with hundreds of gaps is still explained in about a second; a solver's roster has few free people.
MAX_TRIALS = 40
OTHER_RULE = "other_rule"  # a rule with no blocker of its own, found by the checker's trial


@dataclass(frozen=True)
class ReasonCount:
    """The candidates kept out for one reason, and that reason's clause in both languages."""

    reason: str  # a key of wording.REASONS
    rule: str | None  # rules.py name; None for "here" (counted already) and "free" (the objective)
    person_ids: tuple[str, ...]
    details: tuple[tuple[tuple, tuple[str, ...]], ...]  # (detail, person_ids) per distinct detail
    zh: str
    en: str

    @property
    def count(self) -> int:
        return len(self.person_ids)


@dataclass(frozen=True)
class GapExplanation:
    """One uncovered demand row on one date, with every candidate's reason and the sentence."""

    date: dt.date
    shift_id: str
    grid_id: str
    role: str | None
    skill: str | None
    required: int
    assigned: int
    missing: int
    candidates: tuple[str, ...]  # person ids of the needed role and skill
    reasons: tuple[ReasonCount, ...]  # in the order of the blockers, free last
    zh: str
    en: str
    lang: str = "zh"

    @property
    def text(self) -> str:
        """The sentence in the language asked for."""
        return self.zh if self.lang == "zh" else self.en

    @property
    def counts(self) -> dict[str, int]:
        return {r.reason: r.count for r in self.reasons}

    def to_dict(self) -> dict:
        return {
            "date": self.date.isoformat(), "shift_id": self.shift_id, "grid_id": self.grid_id, "role": self.role,
            "skill": self.skill, "required": self.required, "assigned": self.assigned, "missing": self.missing,
            "candidates": len(self.candidates),
            "reasons": [{"reason": r.reason, "rule": r.rule, "count": r.count, "person_ids": list(r.person_ids)}
                        for r in self.reasons],
            "zh": self.zh, "en": self.en,
        }


def explain_gaps(station: Station, week_start: dt.date, roster: Iterable[Assignment], days: int = 7,
                 lang: str = "zh", history: History | None = None) -> list[GapExplanation]:
    """An explanation for every demand row in force whose min the roster does not meet.

    With `history` (history.py) the rest, run and succession blockers also see the previous
    roster's tail, so a night on Sunday is named as what keeps someone off Monday's day shift.
    """
    if lang not in wording.LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(wording.LANGUAGES)}")
    roster = list(roster)
    report = check_roster(station, week_start, roster, days, history=history)
    view = RosterView(station, week_start, days, roster, history)
    trial = _Trial(view, roster, report)
    return [_explain(view, trial, row, lang) for row in report.coverage if row.missing]


def _candidates(station: Station, row: CoverageRow) -> list[Person]:
    return [p for p in station.people
            if (row.role is None or p.role == row.role) and (row.skill is None or row.skill in p.skills)]


def _explain(view: RosterView, trial: _Trial, row: CoverageRow, lang: str) -> GapExplanation:
    station = view.station
    place = Place(row.date, station.shifts_by_id[row.shift_id], station.grids_by_id[row.grid_id])
    candidates = _candidates(station, row)
    blocked = {p.person_id: first_block(view, p, place) for p in candidates}
    _try_the_free(trial, place, blocked)
    reasons = _reason_counts(station, row.date, blocked)
    texts = {language: wording.sentence(station, row.date, row.shift_id, row.grid_id, row.role, row.skill,
                                        row.missing, len(candidates), [getattr(r, language) for r in reasons],
                                        language)
             for language in wording.LANGUAGES}
    return GapExplanation(row.date, row.shift_id, row.grid_id, row.role, row.skill, row.required, row.assigned,
                          row.missing, tuple(p.person_id for p in candidates), tuple(reasons),
                          texts["zh"], texts["en"], lang)


def _try_the_free(trial: _Trial, place: Place, blocked: dict[str, Blocked | None]) -> None:
    """Give each candidate no blocker kept out a reason: a rule the checker finds, else free, all the
    free with the objective change of the first one tried (one wording for them all)."""
    objective_change: tuple = ()
    for pid in [pid for pid, b in blocked.items() if b is None]:
        found = trial.adding(place, pid)
        if found is not None and found.reason == FREE:
            objective_change = objective_change or found.detail
        elif found is not None:
            blocked[pid] = found
    for pid in [pid for pid, b in blocked.items() if b is None]:
        blocked[pid] = Blocked(FREE, None, objective_change)


class _Trial:
    """Adds one candidate that no blocker kept out and asks the checker: a rule that would break
    (the safety net for a rule with no blocker yet), else the objective change and the terms that grow."""

    def __init__(self, view: RosterView, roster: list[Assignment], report: CheckReport):
        self.view, self.roster, self.report = view, roster, report
        self.broken_before = set(report.violations)
        self.left = MAX_TRIALS

    def adding(self, place: Place, person_id: str) -> Blocked | None:
        """None once MAX_TRIALS are used up."""
        if self.left <= 0:
            return None
        self.left -= 1
        view = self.view
        extra = Assignment(place.date, place.shift.shift_id, place.grid.grid_id, person_id)
        after = check_roster(view.station, view.week_start, [*self.roster, extra], len(view.dates),
                             history=view.history)
        broken = [v.rule for v in after.violations
                  if v not in self.broken_before and v.person_id in (person_id, None)]
        if broken:
            return Blocked(OTHER_RULE, broken[0], (broken[0],))
        grown = tuple(term for term, value in after.terms.items() if value > self.report.terms.get(term, 0))
        return Blocked(FREE, None, (after.objective - self.report.objective, grown))


def _reason_counts(station: Station, date: dt.date, blocked: dict[str, Blocked]) -> list[ReasonCount]:
    order = {reason: i for i, reason in enumerate(wording.REASONS)}
    by_reason: dict[str, list[tuple[str, Blocked]]] = {}
    for pid, b in blocked.items():
        by_reason.setdefault(b.reason, []).append((pid, b))
    out = []
    for reason in sorted(by_reason, key=order.__getitem__):
        people = by_reason[reason]
        details: dict[tuple, list[str]] = {}
        for pid, b in people:
            details.setdefault(b.detail, []).append(pid)
        counts = Counter({d: len(pids) for d, pids in details.items()})
        zh, en = (wording.clause(station, date, reason, counts, lang) for lang in wording.LANGUAGES)
        out.append(ReasonCount(reason, people[0][1].rule, tuple(pid for pid, _ in people),
                               tuple((d, tuple(pids)) for d, pids in details.items()), zh, en))
    return out


def format_gaps(explanations: list[GapExplanation], languages: tuple[str, ...] = ("zh", "en")) -> str:
    """Plain text for the terminal and gaps.txt: each explanation in each language asked for."""
    lines = []
    for e in explanations:
        for i, lang in enumerate(languages):
            lines.append(("- " if i == 0 else "  ") + (e.zh if lang == "zh" else e.en))
    return "\n".join(lines)
