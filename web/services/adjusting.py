"""Hand changes to a draft roster: move, add or remove one assignment, pin or unpin one.

Every change is checked before it is saved: `preview` runs the project's checker
(`scheduler.checker`) on the roster as it would be after the change and compares it with the
roster as it is. `save_change` checks again (the roster may have changed since the preview) and
refuses a roster that breaks a hard rule unless the planner explicitly accepts the violations.
Pins are station `Pin` rows (pins.csv semantics), so the next solve of the week keeps them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from scheduler import Assignment, CheckReport, check_roster
from scheduler import model as m

from ..extensions import db
from ..models import Pin
from ..rosters.models import Roster, RosterAssignment
from .audit import audit
from .history import roster_history
from .solving import RosterFrozen, roster_assignments
from .stations import station_to_engine

KINDS = ("move", "add", "remove")
FIELDS = ("date", "shift_id", "grid_id", "person_id")


class ChangeError(ValueError):
    """The change asked for cannot be understood; `problems` name each wrong field."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


class ChangeRefused(Exception):
    """The roster after the change breaks hard rules and the planner did not accept that."""

    def __init__(self, preview: Preview):
        super().__init__(f"{len(preview.after.violations)} hard rule violation(s)")
        self.preview = preview


@dataclass(frozen=True)
class Change:
    """One hand change. `row_id` is the RosterAssignment moved or removed; `new` the assignment moved to or added."""

    kind: str
    row_id: int | None = None
    new: Assignment | None = None

    def form(self) -> dict[str, str]:
        """The change as form fields (the preview's confirm form repeats them)."""
        data = {"kind": self.kind, "assignment": "" if self.row_id is None else str(self.row_id)}
        for name in FIELDS:
            value = getattr(self.new, name) if self.new else ""
            data[name] = value.isoformat() if isinstance(value, dt.date) else value
        return data


@dataclass
class Preview:
    """The roster before and after a change, as the checker sees them."""

    change: Change
    old: Assignment | None  # the assignment moved or removed
    before: CheckReport
    after: CheckReport

    @property
    def ok(self) -> bool:
        return not self.after.violations

    @property
    def new_violations(self) -> list:
        """Violations the change brings (not found, word for word, before it)."""
        known = set(self.before.violations)
        return [v for v in self.after.violations if v not in known]

    @property
    def old_violations(self) -> list:
        known = set(self.before.violations)
        return [v for v in self.after.violations if v in known]

    @property
    def fixed_violations(self) -> list:
        remaining = set(self.after.violations)
        return [v for v in self.before.violations if v not in remaining]

    @property
    def delta(self) -> int:
        return self.after.objective - self.before.objective

    def term_deltas(self) -> list[tuple[str, int, int, int]]:
        """(term, before, after, change) for every objective term."""
        return [(term, self.before.terms[term], value, value - self.before.terms[term])
                for term, value in self.after.terms.items()]


# --- reading a change from a form ----------------------------------------------------------------


def parse_change(roster: Roster, station: m.Station, form) -> Change:
    """The change named by the form fields `kind`, `assignment`, `date`, `shift_id`, `grid_id`, `person_id`."""
    kind = (form.get("kind") or "").strip()
    if kind not in KINDS:
        raise ChangeError([_("kind: %(value)r is not one of move, add, remove", value=kind)])
    problems: list[str] = []
    row_id = None
    if kind in ("move", "remove"):
        row_id = _row_id(roster, form.get("assignment"), problems)
    new = None if kind == "remove" else _assignment(roster, station, form, problems)
    if problems:
        raise ChangeError(problems)
    return Change(kind, row_id, new)


def _row_id(roster: Roster, text: str | None, problems: list[str]) -> int | None:
    text = (text or "").strip()
    if not text.isdigit():
        problems.append(_("assignment: choose the assignment to change"))
        return None
    if not any(a.id == int(text) for a in roster.assignments):
        problems.append(_("assignment: %(id)s is not in this roster (it may have been changed meanwhile)", id=text))
        return None
    return int(text)


def _assignment(roster: Roster, station: m.Station, form, problems: list[str]) -> Assignment | None:
    values = {name: (form.get(name) or "").strip() for name in FIELDS}
    day = _date(roster, values["date"], problems)
    known = {"shift_id": station.shifts_by_id, "grid_id": station.grids_by_id, "person_id": station.people_by_id}
    for name, ids in known.items():
        if not values[name]:
            problems.append(_("%(field)s: missing", field=name))
        elif values[name] not in ids:
            problems.append(_("%(field)s: unknown %(value)r", field=name, value=values[name]))
    if problems:
        return None
    return Assignment(day, values["shift_id"], values["grid_id"], values["person_id"])


def _date(roster: Roster, text: str, problems: list[str]) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        problems.append(_("date: %(value)r is not a date (YYYY-MM-DD)", value=text))
        return None
    last = roster.week_start + dt.timedelta(days=6)
    if not roster.week_start <= day <= last:
        problems.append(_("date: %(value)s is outside the week %(first)s to %(last)s", value=text,
                          first=roster.week_start.isoformat(), last=last.isoformat()))
        return None
    return day


# --- checking and saving -------------------------------------------------------------------------


def _line(row: RosterAssignment) -> Assignment:
    return Assignment(row.date, row.shift_id, row.grid_id, row.person_id)


def changed_assignments(roster: Roster, change: Change) -> tuple[Assignment | None, list[Assignment]]:
    """The assignment moved or removed (if any) and the roster's assignments after the change."""
    rows = list(roster.assignments)
    old_row = next((r for r in rows if r.id == change.row_id), None)
    after = [_line(r) for r in rows if r is not old_row]
    if change.new is not None:
        after.append(change.new)
    return (_line(old_row) if old_row else None), after


def preview(roster: Roster, change: Change, station: m.Station | None = None) -> Preview:
    """Check the roster as it is and as it would be after `change`; nothing is written."""
    station = station or station_to_engine(roster.station)
    old, after = changed_assignments(roster, change)
    history = roster_history(roster, station).history  # a move across the week's first date is checked too
    return Preview(change, old, check_roster(station, roster.week_start, roster_assignments(roster), history=history),
                   check_roster(station, roster.week_start, after, history=history))


def save_change(roster: Roster, change: Change, user=None, accept_violations: bool = False) -> Preview:
    """Apply `change` to a draft roster, with the checker's objective, audited and committed.

    Raises RosterFrozen for a published roster (change a new version instead) and ChangeRefused
    when the roster after the change breaks a hard rule and `accept_violations` is not set.
    """
    if roster.frozen:
        raise RosterFrozen(roster.id)
    result = preview(roster, change)
    if not result.ok and not accept_violations:
        raise ChangeRefused(result)
    if change.row_id is not None:
        roster.assignments.remove(next(r for r in roster.assignments if r.id == change.row_id))
    if change.new is not None:
        a = change.new
        roster.assignments.append(RosterAssignment(date=a.date, shift_id=a.shift_id, grid_id=a.grid_id,
                                                   person_id=a.person_id))
    roster.objective, roster.terms = result.after.objective, dict(result.after.terms)
    audit("roster.adjust", user, roster=roster.id, station=roster.station_id, week_start=roster.week_start,
          version=roster.version, kind=change.kind, old=_describe(result.old), new=_describe(change.new),
          objective_before=result.before.objective, objective_after=result.after.objective,
          violations=[v.message for v in result.after.violations])
    db.session.commit()
    return result


def _describe(a: Assignment | None) -> dict | None:
    if a is None:
        return None
    return {"date": a.date.isoformat(), "shift_id": a.shift_id, "grid_id": a.grid_id, "person_id": a.person_id}


# --- pins ----------------------------------------------------------------------------------------


def week_pins(roster: Roster) -> list[Pin]:
    """The station's pins on the roster's week (pins are kept per station, like pins.csv)."""
    last = roster.week_start + dt.timedelta(days=6)
    return list(db.session.scalars(sa.select(Pin).where(
        Pin.station_id == roster.station_id, Pin.date >= roster.week_start, Pin.date <= last).order_by(Pin.id)))


def pin_key(item) -> tuple:
    return (item.date, item.shift_id, item.grid_id, item.person_id)


def pin_assignment(roster: Roster, row_id: int, user=None) -> Pin:
    """Pin one assignment of a draft roster: the next solve of the week must keep it."""
    if roster.frozen:
        raise RosterFrozen(roster.id)
    row = next((r for r in roster.assignments if r.id == row_id), None)
    if row is None:
        raise ChangeError([_("assignment: %(id)s is not in this roster", id=row_id)])
    for pin in week_pins(roster):
        if pin_key(pin) == pin_key(row):
            return pin
        if (pin.person_id, pin.date, pin.shift_id) == (row.person_id, row.date, row.shift_id):
            raise ChangeError([_("%(person)s is already pinned on %(date)s, shift %(shift)s, grid %(grid)s",
                                 person=pin.person_id, date=pin.date.isoformat(), shift=pin.shift_id,
                                 grid=pin.grid_id)])
    pin = Pin(station_id=roster.station_id, person_id=row.person_id, date=row.date, shift_id=row.shift_id,
              grid_id=row.grid_id)
    db.session.add(pin)
    db.session.flush()
    audit("roster.pin", user, roster=roster.id, station=roster.station_id, pin=pin.id, **_describe(_line(row)))
    db.session.commit()
    return pin


def unpin(roster: Roster, pin_id: int, user=None) -> None:
    """Remove one pin of the roster's week."""
    if roster.frozen:
        raise RosterFrozen(roster.id)
    pin = next((p for p in week_pins(roster) if p.id == pin_id), None)
    if pin is None:
        raise ChangeError([_("pin: %(id)s is not a pin of this week", id=pin_id)])
    audit("roster.unpin", user, roster=roster.id, station=roster.station_id, pin=pin.id,
          **_describe(Assignment(pin.date, pin.shift_id, pin.grid_id, pin.person_id)))
    db.session.delete(pin)
    db.session.commit()
