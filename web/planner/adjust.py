"""Planner views to adjust a draft roster by hand: preview a change with the checker, then save; pins.

A published roster is frozen: its adjust page offers a new draft version instead of forms.
"""

from __future__ import annotations

import datetime as dt

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from scheduler import rules as R

from ..auth.access import STAFF, roles_required
from ..extensions import db
from ..rosters.models import Roster
from ..services.adjusting import (
    Change,
    ChangeError,
    ChangeRefused,
    parse_change,
    pin_assignment,
    pin_key,
    preview,
    save_change,
    unpin,
    week_pins,
)
from ..services.solving import RosterFrozen, copy_roster
from ..services.stations import station_to_engine
from . import bp


def _roster(roster_id: int) -> Roster:
    return db.get_or_404(Roster, roster_id)


def rule_names() -> dict[str, str]:
    """Hard rule and objective term names in the planner's language (scheduler/rules.py has both)."""
    chinese = str(get_locale() or "zh").startswith("zh")
    names = {**R.HARD_RULES, **R.OBJECTIVE_TERMS}
    return {key: (zh if chinese else en) for key, (zh, en) in names.items()}


def role_labels() -> dict[str, str]:
    return {"police": _("police"), "auxiliary": _("auxiliary"), "volunteer": _("volunteer")}


def _frozen_message(row: Roster) -> str:
    return _("Version %(version)s is published and cannot change; make a new draft version to adjust it.",
             version=row.version)


def _adjust_page(row: Roster, *, edit: int | None = None, form: dict | None = None, problems=(), status: int = 200):
    station = station_to_engine(row.station)
    shifts = station.shifts_by_id
    pins = week_pins(row)
    pins_by_key = {pin_key(p): p for p in pins}
    lines = sorted(row.assignments, key=lambda a: (a.date, shifts[a.shift_id].start if a.shift_id in shifts else 0,
                                                   a.shift_id, a.grid_id, a.person_id))
    in_roster = {pin_key(a) for a in lines}
    editing = next((a for a in lines if a.id == edit), None)
    if form is None:
        form = ({"kind": "move", "assignment": str(editing.id), "date": editing.date.isoformat(),
                 "shift_id": editing.shift_id, "grid_id": editing.grid_id, "person_id": editing.person_id}
                if editing else {"kind": "add"})
    return render_template(
        "planner/adjust.html", title=_("Adjust version %(version)s", version=row.version), roster=row,
        station=station, lines=lines, people=station.people_by_id, grids=station.grids_by_id, shifts=shifts,
        pins=pins_by_key, stray_pins=[p for p in pins if pin_key(p) not in in_roster], editing=editing, form=form,
        problems=list(problems), dates=[row.week_start + dt.timedelta(days=i) for i in range(7)],
        roles=role_labels(), frozen_message=_frozen_message(row) if row.frozen else None,
    ), status


@bp.route("/rosters/<int:roster_id>/adjust")
@roles_required(*STAFF)
def adjust(roster_id: int):
    """The roster's assignments with move / remove / pin buttons and the form to move or add one."""
    return _adjust_page(_roster(roster_id), edit=request.args.get("edit", type=int))


def _preview_page(row: Roster, result, *, refused: bool = False, status: int = 200):
    station = station_to_engine(row.station)
    return render_template(
        "planner/adjust_preview.html", title=_("Check the change"), roster=row, result=result,
        change=result.change, refused=refused, names=rule_names(), people=station.people_by_id,
        grids=station.grids_by_id, shifts=station.shifts_by_id, roles=role_labels(),
    ), status


def _read_change(row: Roster) -> Change:
    return parse_change(row, station_to_engine(row.station), request.form)


@bp.route("/rosters/<int:roster_id>/adjust/preview", methods=["POST"])
@roles_required(*STAFF)
def adjust_preview(roster_id: int):
    """Run the checker on the roster as it would be after the change; nothing is saved."""
    row = _roster(roster_id)
    if row.frozen:
        return _adjust_page(row, problems=[_frozen_message(row)], status=409)
    try:
        change = _read_change(row)
    except ChangeError as error:
        return _adjust_page(row, form=dict(request.form), problems=error.problems, status=400)
    return _preview_page(row, preview(row, change))


@bp.route("/rosters/<int:roster_id>/adjust/save", methods=["POST"])
@roles_required(*STAFF)
def adjust_save(roster_id: int):
    """Save a change after checking it again; refused while it breaks a hard rule, unless explicitly accepted."""
    row = _roster(roster_id)
    if row.frozen:
        return _adjust_page(row, problems=[_frozen_message(row)], status=409)
    try:
        change = _read_change(row)
        result = save_change(row, change, current_user, accept_violations=request.form.get("accept_violations") == "1")
    except ChangeError as error:
        return _adjust_page(row, form=dict(request.form), problems=error.problems, status=400)
    except ChangeRefused as refused:
        return _preview_page(row, refused.preview, refused=True, status=409)
    flash(_("Change saved. Objective %(before)s → %(after)s.", before=result.before.objective,
            after=result.after.objective), "info")
    return redirect(url_for("planner.adjust", roster_id=row.id))


@bp.route("/rosters/<int:roster_id>/adjust/pin", methods=["POST"])
@roles_required(*STAFF)
def adjust_pin(roster_id: int):
    """Pin one assignment: the next solve of this week keeps it."""
    row = _roster(roster_id)
    try:
        pin_assignment(row, request.form.get("assignment", type=int) or 0, current_user)
        flash(_("Pinned. Solving this week again keeps this assignment."), "info")
    except RosterFrozen:
        flash(_frozen_message(row), "error")
    except ChangeError as error:
        flash("; ".join(error.problems), "error")
    return redirect(url_for("planner.adjust", roster_id=row.id))


@bp.route("/rosters/<int:roster_id>/adjust/unpin", methods=["POST"])
@roles_required(*STAFF)
def adjust_unpin(roster_id: int):
    row = _roster(roster_id)
    try:
        unpin(row, request.form.get("pin", type=int) or 0, current_user)
        flash(_("Pin removed."), "info")
    except RosterFrozen:
        flash(_frozen_message(row), "error")
    except ChangeError as error:
        flash("; ".join(error.problems), "error")
    return redirect(url_for("planner.adjust", roster_id=row.id))


@bp.route("/rosters/<int:roster_id>/adjust/copy", methods=["POST"])
@roles_required(*STAFF)
def adjust_copy(roster_id: int):
    """A new draft version of a (published) roster, opened for adjusting."""
    new = copy_roster(_roster(roster_id), current_user)
    flash(_("Version %(version)s created as a draft.", version=new.version), "info")
    return redirect(url_for("planner.adjust", roster_id=new.id))

