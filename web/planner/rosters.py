"""Planner views for a station's week: generate (a background solve job), review, publish, export."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict

import sqlalchemy as sa
from flask import abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from scheduler import check_roster

from ..auth.access import STAFF, roles_required
from ..extensions import db
from ..models import Station
from ..rosters.models import Roster, SolveJob
from ..services import availability as av
from ..services.audit import audit
from ..services.fairness import fairness
from ..services.gaps import gap_explanations
from ..services.history import (
    MAX_LOOKBACK,
    LookbackError,
    default_lookback,
    describe,
    parse_lookback,
    roster_history,
    station_history,
)
from ..services.solving import (
    INTERRUPTED,
    NO_ROSTER,
    ROSTER_FILE_TYPES,
    JobConflict,
    RosterFrozen,
    active_job,
    copy_roster,
    publish_roster,
    roster_assignments,
    roster_file,
    start_solve,
    stop_job,
)
from ..services.stations import station_to_engine
from . import bp


def _week(text: str | None) -> dt.date:
    """The Monday of the week named by `text` (an ISO date), or next Monday."""
    if not text:
        today = dt.date.today()
        return today + dt.timedelta(days=(7 - today.weekday()) % 7 or 7)
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        abort(400)
    return av.week_start(day)


def _station(station_id: int) -> Station:
    return db.get_or_404(Station, station_id)


def _job_error(job: SolveJob) -> str | None:
    if job.error == INTERRUPTED:
        return _("Interrupted by a server restart.")
    if job.error == NO_ROSTER:
        return _("No roster was found before the solve ended.")
    return job.error


def _status_label(status: str) -> str:
    return {"queued": _("queued"), "running": _("running"), "done": _("done"), "failed": _("failed"),
            "stopped": _("stopped")}.get(status, status)


def job_status(job: SolveJob) -> dict:
    roster = db.session.scalar(sa.select(Roster.id).where(Roster.from_job == job.id))
    return {
        "id": job.id, "status": job.status, "status_label": _status_label(job.status), "active": job.active, "objective": job.objective, "bound": job.bound,
        "gap": job.gap, "elapsed": job.elapsed,
        # How far the proof has come, 0-100 (the gap can exceed 1 while the bound is still negative).
        "percent": None if job.gap is None else round(100 * (1 - min(max(job.gap, 0.0), 1.0))), "error": _job_error(job),
        "roster_url": url_for("planner.roster", roster_id=roster) if roster else None,
    }


@bp.route("/stations/<int:station_id>/week")
@roles_required(*STAFF)
def week(station_id: int):
    """The week page: generate, the running job's progress, the roster versions of the week."""
    station = _station(station_id)
    week_start = _week(request.args.get("week"))
    job = active_job(station.id, week_start) or db.session.scalar(
        sa.select(SolveJob).where(SolveJob.station_id == station.id, SolveJob.week_start == week_start)
        .order_by(SolveJob.id.desc()).limit(1))
    rosters = db.session.scalars(sa.select(Roster).where(
        Roster.station_id == station.id, Roster.week_start == week_start).order_by(Roster.version.desc())).all()
    lookback = job.lookback_weeks if job is not None and job.lookback_weeks is not None else default_lookback()
    used = station_history(station.id, station_to_engine(station), week_start, lookback)
    return render_template("planner/week.html", title=_("Week of %(date)s", date=week_start.isoformat()),
                           station=station, week_start=week_start, job=job,
                           status=job_status(job) if job else None, rosters=rosters,
                           lookback=lookback, max_lookback=MAX_LOOKBACK, history_used=describe(used),
                           previous=week_start - dt.timedelta(days=7), next=week_start + dt.timedelta(days=7))


@bp.route("/stations/<int:station_id>/solve", methods=["POST"])
@roles_required(*STAFF)
def generate(station_id: int):
    """Start a solve of the week in the background and return at once."""
    station = _station(station_id)
    week_start = _week(request.form.get("week"))
    try:
        start_solve(station.id, week_start, current_user, lookback=parse_lookback(request.form.get("lookback")))
        flash(_("Generating the roster; you can leave this page and come back."), "info")
    except LookbackError as error:
        flash(str(error), "error")
    except JobConflict:
        flash(_("A roster for this week is already being generated. Wait for it or stop it first."), "error")
    return redirect(url_for("planner.week", station_id=station.id, week=week_start.isoformat()))


@bp.route("/jobs/<int:job_id>")
@roles_required(*STAFF)
def job(job_id: int):
    """The job's progress as JSON (polled by the week page)."""
    return jsonify(job_status(db.get_or_404(SolveJob, job_id)))


@bp.route("/jobs/<int:job_id>/stop", methods=["POST"])
@roles_required(*STAFF)
def stop(job_id: int):
    """Stop a running job; the best roster so far is kept."""
    job = stop_job(db.get_or_404(SolveJob, job_id).id, current_user)
    if request.accept_mimetypes.best == "application/json":
        return jsonify(job_status(job))
    flash(_("Stopping; the best roster found so far is kept."), "info")
    return redirect(url_for("planner.week", station_id=job.station_id, week=job.week_start.isoformat()))


def _roster_or_404(roster_id: int) -> Roster:
    return db.get_or_404(Roster, roster_id)


@bp.route("/rosters/<int:roster_id>")
@roles_required(*STAFF)
def roster(roster_id: int):
    """Review: grid × day by shift, coverage (uncovered demand highlighted), broken rules, per person."""
    row = _roster_or_404(roster_id)
    station = station_to_engine(row.station)
    assignments = roster_assignments(row)
    history = roster_history(row, station).history  # rest and runs continue from the previous published week
    report = check_roster(station, row.week_start, assignments, history=history)
    dates = [row.week_start + dt.timedelta(days=i) for i in range(7)]
    people = {p.person_id: p for p in station.people}
    cells: dict[tuple, list] = defaultdict(list)
    by_person: dict[str, dict] = defaultdict(lambda: defaultdict(list))
    for a in sorted(assignments, key=lambda a: (a.date, a.shift_id, a.grid_id, a.person_id)):
        cells[(a.grid_id, a.shift_id, a.date)].append(people.get(a.person_id))
        by_person[a.person_id][a.date].append(a)
    missing: dict[tuple, int] = defaultdict(int)
    for c in report.coverage:
        missing[(c.grid_id, c.shift_id, c.date)] += c.missing
    return render_template(
        "planner/roster.html", title=_("Roster version %(version)s", version=row.version), roster=row,
        station=station, dates=dates, cells=cells, missing=missing, report=report, people=people,
        by_person=by_person, uncovered=[c for c in report.coverage if c.missing],
        gaps=gap_explanations(station, row.week_start, assignments, history=history),
        fairness=fairness(station, assignments, request.args.get("fairness_sort")),
        fairness_sort=request.args.get("fairness_sort"),
    )


@bp.route("/rosters/<int:roster_id>/publish", methods=["POST"])
@roles_required(*STAFF)
def publish(roster_id: int):
    row = _roster_or_404(roster_id)
    try:
        publish_roster(row, current_user)
        flash(_("Version %(version)s is published and frozen.", version=row.version), "info")
    except RosterFrozen:
        flash(_("This version is already published and cannot change."), "error")
    return redirect(url_for("planner.roster", roster_id=row.id))


@bp.route("/rosters/<int:roster_id>/copy", methods=["POST"])
@roles_required(*STAFF)
def copy(roster_id: int):
    """A new draft version from this one (a published version stays as it is)."""
    new = copy_roster(_roster_or_404(roster_id), current_user)
    flash(_("Version %(version)s created as a draft.", version=new.version), "info")
    return redirect(url_for("planner.roster", roster_id=new.id))


def _download(row: Roster, kind: str):
    name, data = roster_file(row, kind)
    audit("roster.export", current_user, roster=row.id, format=kind)
    db.session.commit()
    return send_file(io.BytesIO(data), mimetype=ROSTER_FILE_TYPES[kind], as_attachment=True, download_name=name)


@bp.route("/rosters/<int:roster_id>/roster.csv")
@roles_required(*STAFF)
def roster_csv(roster_id: int):
    return _download(_roster_or_404(roster_id), "csv")


@bp.route("/rosters/<int:roster_id>/roster.xlsx")
@roles_required(*STAFF)
def roster_xlsx(roster_id: int):
    return _download(_roster_or_404(roster_id), "xlsx")
