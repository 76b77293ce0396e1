"""Planner views to report an absence on a published roster and review the re-planned proposal.

The report starts a background re-plan job (web/services/replanning.py) and returns at once; the
proposal page shows its progress, then the change list next to the old roster, to accept or discard.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.access import STAFF, roles_required
from ..extensions import db
from ..rosters.models import Roster, SolveJob
from ..services.replanning import (
    Absence,
    AbsenceError,
    ProposalClosed,
    ProposalStale,
    accept_proposal,
    default_absence,
    discard_proposal,
    proposal_roster,
    report_absence,
    request_of,
)
from ..services.solving import JobConflict, roster_assignments
from ..services.stations import station_to_engine
from . import bp
from .adjust import role_labels
from .rosters import job_status

REASON_MAX = 500
FORM_TIME = "%Y-%m-%dT%H:%M"  # <input type="datetime-local">


def _language() -> str:
    return "zh" if str(get_locale() or "zh").startswith("zh") else "en"


def _absence_page(roster: Roster, form: dict, problems: tuple[tuple[str, str], ...] = (), status: int = 200):
    """The form; `problems` are (field, message) pairs."""
    station = station_to_engine(roster.station)
    return render_template("planner/replan_absence.html", title=_("Report an absence"), roster=roster,
                           station=station, form=form, problems=problems, roles=role_labels()), status


def _default_form(roster: Roster) -> dict:
    starts, ends = default_absence(roster)
    return {"person_id": request.args.get("person_id", ""), "starts": starts.strftime(FORM_TIME),
            "ends": ends.strftime(FORM_TIME), "reason": ""}


def _read_time(form: dict, name: str, label: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(form.get(name, "").strip())
    except ValueError:
        raise AbsenceError(name, _("%(field)s: enter a date and time such as 2026-11-25T08:00.", field=label)) from None


def _read_absence(form: dict) -> Absence:
    person_id = form.get("person_id", "").strip()
    if not person_id:
        raise AbsenceError("person_id", _("Person: choose who is absent."))
    reason = form.get("reason", "").strip()
    if len(reason) > REASON_MAX:
        raise AbsenceError("reason", _("Reason: at most %(n)s characters.", n=REASON_MAX))
    return Absence(person_id, _read_time(form, "starts", _("From")), _read_time(form, "ends", _("Until")), reason)


@bp.route("/rosters/<int:roster_id>/absence", methods=["GET", "POST"])
@roles_required(*STAFF)
def report_absence_view(roster_id: int):
    """Report an absence on a published roster: writes the unavailability and starts a re-plan job."""
    roster = db.get_or_404(Roster, roster_id)
    if request.method == "GET":
        return _absence_page(roster, _default_form(roster))
    form = {key: request.form.get(key, "") for key in ("person_id", "starts", "ends", "reason")}
    try:
        job = report_absence(roster, _read_absence(form), current_user)
    except AbsenceError as error:
        return _absence_page(roster, form, ((error.field, error.message),), 400)
    except JobConflict:
        problem = _("A roster for this week is already being generated or re-planned. Wait for it or stop it first.")
        return _absence_page(roster, form, (("roster", problem),), 409)
    flash(_("Absence recorded; re-planning the roster. You can leave this page and come back."), "info")
    return redirect(url_for("planner.replan", job_id=job.id))


def _cells(assignments, people) -> dict[tuple, list]:
    cells: dict[tuple, list] = defaultdict(list)
    for a in sorted(assignments, key=lambda a: a.person_id):
        cells[(a.grid_id, a.shift_id, a.date)].append(people.get(a.person_id))
    return cells


def _changed_keys(old, new) -> set[tuple]:
    """The (grid, shift, date) cells whose people differ between the two rosters."""
    def people_by_cell(assignments):
        by_cell: dict[tuple, set] = defaultdict(set)
        for a in assignments:
            by_cell[(a.grid_id, a.shift_id, a.date)].add(a.person_id)
        return by_cell

    before, after = people_by_cell(old), people_by_cell(new)
    return {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}


@bp.route("/replans/<int:job_id>")
@roles_required(*STAFF)
def replan(job_id: int):
    """The re-plan's progress, then its change list and the proposal next to the old roster."""
    job = db.get_or_404(SolveJob, job_id)
    replan_request = request_of(job) or abort(404)
    base = replan_request.base_roster
    station = station_to_engine(base.station)
    people = station.people_by_id
    draft = proposal_roster(job)
    old = roster_assignments(base)
    new = roster_assignments(draft) if draft else []
    language = _language()
    return render_template(
        "planner/replan.html", title=_("Re-plan after an absence"), job=job, status=job_status(job),
        request_row=replan_request, base=base, draft=draft, station=station, people=people,
        dates=[base.week_start + dt.timedelta(days=i) for i in range(7)],
        old_cells=_cells(old, people), new_cells=_cells(new, people),
        changed=_changed_keys(old, new) if draft else set(),
        changes=[c[language] for c in replan_request.changes or []],
        open=replan_request.outcome is None and draft is not None and not draft.frozen and not job.active,
    )


def _request_or_404(job_id: int):
    return request_of(db.get_or_404(SolveJob, job_id)) or abort(404)


@bp.route("/replans/<int:job_id>/accept", methods=["POST"])
@roles_required(*STAFF)
def replan_accept(job_id: int):
    """Publish the proposal as the newest version of the week."""
    replan_request = _request_or_404(job_id)
    try:
        roster = accept_proposal(replan_request, current_user)
    except ProposalClosed as closed:
        flash(str(closed), "error")
        return redirect(url_for("planner.replan", job_id=job_id))
    except ProposalStale as stale:
        flash(_("Version %(version)s of this week was published after the re-plan started; report the absence "
                "on it again.", version=stale.args[0]), "error")
        return redirect(url_for("planner.replan", job_id=job_id))
    flash(_("Version %(version)s is published and frozen.", version=roster.version), "info")
    return redirect(url_for("planner.roster", roster_id=roster.id))


@bp.route("/replans/<int:job_id>/discard", methods=["POST"])
@roles_required(*STAFF)
def replan_discard(job_id: int):
    """Delete the proposal and undo the absence's availability rows; the published roster stays as it is."""
    replan_request = _request_or_404(job_id)
    try:
        discard_proposal(replan_request, current_user)
    except ProposalClosed as closed:
        flash(str(closed), "error")
        return redirect(url_for("planner.replan", job_id=job_id))
    flash(_("Proposal discarded; the published roster and the availability are as they were."), "info")
    return redirect(url_for("planner.roster", roster_id=replan_request.base_roster_id))
