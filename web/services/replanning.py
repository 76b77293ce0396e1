"""The bridge from the portal to the engine's `replan`: report an absence on a published roster, re-plan, accept.

Reporting an absence writes `unavailable` rows into the station's availability (whole days, or the
shifts the absence overlaps) and queues a SolveJob of kind "replan" with a ReplanRequest beside it.
The job runner runs it like a solve (progress, stop, restart recovery: see solving.py), but calls
`scheduler.replan` with the published roster as the previous one. Its roster is stored as a draft
version (the proposal) and the engine's change list is kept on the request. Nothing changes on the
published roster until the planner accepts the proposal (it becomes the newest published version);
a discard deletes the proposal and puts the availability rows back as they were.

`scheduler.replan` is imported inside the job only: the web process never loads a solver.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from scheduler import History, StopToken
from scheduler import model as m

from .. import station_clock
from ..extensions import db
from ..models import Availability
from ..rosters.models import ReplanRequest, Roster, SolveJob
from .audit import audit
from .history import station_history
from .solving import (
    NO_ROSTER,
    JobConflict,
    _now,
    _ProgressWriter,
    active_job,
    claim_job,
    get_runner,
    publish_roster,
    published_roster,
    roster_assignments,
    store_roster,
)
from .stations import station_to_engine

MAX_ABSENCE_DAYS = 62
WEEK = dt.timedelta(days=7)


class AbsenceError(ValueError):
    """A reported absence that cannot be used; `field` names the form field at fault."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


class ProposalClosed(Exception):
    """The proposal was already accepted or discarded, is still being computed, or has no roster."""


class ProposalStale(Exception):
    """A newer version of the week was published after the re-plan started: its proposal no longer applies."""


def default_absence(roster: Roster, now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """From now (or the week's start, if later) to the end of the roster's week."""
    week_start = dt.datetime.combine(roster.week_start, dt.time())
    now = (now or station_clock.now()).replace(second=0, microsecond=0)
    return max(now, week_start), week_start + WEEK


# --- which availability rows an absence means ----------------------------------------------------


def _shift_span(day: dt.date, shift: m.Shift) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=shift.start)
    return start, start + dt.timedelta(minutes=shift.duration)


def absence_cells(shifts: tuple[m.Shift, ...], starts: dt.datetime, ends: dt.datetime) -> list[tuple]:
    """(date, shift_id) per shift the absence overlaps; (date, None) where it overlaps every shift of the date."""
    cells = []
    day = starts.date() - dt.timedelta(days=1)  # a night shift of the day before may run into the absence
    while day <= ends.date():
        hit = [s.shift_id for s in shifts if _overlaps(_shift_span(day, s), starts, ends)]
        if hit and len(hit) == len(shifts):
            cells.append((day, None))
        else:
            cells.extend((day, shift_id) for shift_id in hit)
        day += dt.timedelta(days=1)
    return cells


def _overlaps(span: tuple[dt.datetime, dt.datetime], starts: dt.datetime, ends: dt.datetime) -> bool:
    return span[0] < ends and starts < span[1]


def _row_json(row: Availability) -> dict:
    return {"date": row.date.isoformat(), "shift_id": row.shift_id, "status": row.status}


def _write_unavailable(station_id: int, person_id: str, cells: list[tuple]) -> tuple[list[dict], list[dict]]:
    """Write the cells as `unavailable` rows; a whole day replaces the person's rows of that date.

    Returns (rows written, rows replaced) as JSON, for the audit log and for a discard to undo.
    """
    written, replaced = [], []
    for day, shift_id in cells:
        query = sa.select(Availability).where(Availability.station_id == station_id,
                                              Availability.person_id == person_id, Availability.date == day)
        if shift_id is not None:
            query = query.where(Availability.shift_id == shift_id)
        for row in db.session.scalars(query):
            replaced.append(_row_json(row))
            db.session.delete(row)
        row = Availability(station_id=station_id, person_id=person_id, date=day, shift_id=shift_id,
                           status="unavailable")
        db.session.add(row)
        written.append(_row_json(row))
    db.session.flush()
    return written, replaced


def _restore_availability(request: ReplanRequest, station_id: int) -> None:
    for item in request.written or []:
        db.session.execute(sa.delete(Availability).where(
            Availability.station_id == station_id, Availability.person_id == request.person_id,
            Availability.date == dt.date.fromisoformat(item["date"]),
            Availability.shift_id.is_(None) if item["shift_id"] is None else Availability.shift_id == item["shift_id"],
            Availability.status == "unavailable"))
    for item in request.replaced or []:
        db.session.add(Availability(station_id=station_id, person_id=request.person_id,
                                    date=dt.date.fromisoformat(item["date"]), shift_id=item["shift_id"],
                                    status=item["status"]))


# --- reporting an absence ------------------------------------------------------------------------


@dataclass(frozen=True)
class Absence:
    person_id: str
    starts: dt.datetime
    ends: dt.datetime
    reason: str = ""


def check_absence(roster: Roster, absence: Absence, now: dt.datetime) -> list[tuple]:
    """The availability cells of a usable absence on a published roster; AbsenceError naming the field if not."""
    station = station_to_engine(roster.station)
    if absence.person_id not in station.people_by_id:
        raise AbsenceError("person_id", _("Person: unknown person %(id)r.", id=absence.person_id))
    if absence.ends <= absence.starts:
        raise AbsenceError("ends", _("Until: the end must be after the start."))
    if absence.ends - absence.starts > dt.timedelta(days=MAX_ABSENCE_DAYS):
        raise AbsenceError("ends", _("Until: an absence can last at most %(days)s days.", days=MAX_ABSENCE_DAYS))
    week_start = dt.datetime.combine(roster.week_start, dt.time())
    if absence.ends <= week_start or absence.starts >= week_start + WEEK:
        raise AbsenceError("starts", _("From: the absence does not overlap the week of this roster."))
    if absence.ends <= now:
        raise AbsenceError("ends", _("Until: the absence is already over; nothing in the past is re-planned."))
    cells = absence_cells(station.shifts, absence.starts, absence.ends)
    if not cells:
        raise AbsenceError("starts", _("From: the absence overlaps no shift."))
    return cells


def _check_base(roster: Roster) -> None:
    if not roster.frozen:
        raise AbsenceError("roster", _("Absences are reported on a published roster; this version is a draft."))
    newest = published_roster(roster.station_id, roster.week_start)
    if newest is not None and newest.id != roster.id:
        raise AbsenceError("roster", _("Version %(version)s of this week is published since: report the absence there.", version=newest.version))


def report_absence(roster: Roster, absence: Absence, user=None, *, now: dt.datetime | None = None,
                   backend: str | None = None) -> SolveJob:
    """Write the absence into the availability and queue a re-plan of the roster; returns the job at once.

    Raises AbsenceError (nothing stored) or JobConflict while a solve or re-plan of the week runs.
    """
    app = current_app._get_current_object()
    now = now or station_clock.now()
    _check_base(roster)
    cells = check_absence(roster, absence, now)
    existing = active_job(roster.station_id, roster.week_start)
    if existing is not None:
        raise JobConflict(existing)
    runner = get_runner(app)
    job = SolveJob(station_id=roster.station_id, week_start=roster.week_start, kind="replan", status="queued",
                   backend=backend or app.config.get("SOLVE_BACKEND", "cpsat"),
                   requested_by=getattr(user, "id", None), worker=runner.worker_id)
    db.session.add(job)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise JobConflict(active_job(roster.station_id, roster.week_start)) from None
    written, replaced = _write_unavailable(roster.station_id, absence.person_id, cells)
    db.session.add(ReplanRequest(job_id=job.id, base_roster_id=roster.id, person_id=absence.person_id,
                                 starts_at=absence.starts, ends_at=absence.ends, reason=absence.reason,
                                 not_before=now, written=written, replaced=replaced))
    audit("absence.report", user, station=roster.station_id, person=absence.person_id, starts=absence.starts,
          ends=absence.ends, reason=absence.reason, written=written, replaced=replaced)
    audit("replan.start", user, job=job.id, roster=roster.id, station=roster.station_id,
          week_start=roster.week_start, backend=job.backend)
    db.session.commit()
    runner.submit(app, job.id)
    return job


# --- running (in the job runner's thread) --------------------------------------------------------


def request_of(job: SolveJob) -> ReplanRequest | None:
    return db.session.scalar(sa.select(ReplanRequest).where(ReplanRequest.job_id == job.id))


def run_replan(app: Flask, job_id: int, token: StopToken) -> None:
    """The job runner's work for a "replan" job (called by solving._run_job in the runner's thread)."""
    from scheduler.replan import replan  # the engine: a solver backend is loaded here, in the job only

    job = db.session.get(SolveJob, job_id)
    if not claim_job(job):
        return
    request = request_of(job)
    station = station_to_engine(job.station)
    previous = roster_assignments(request.base_roster)
    week_start, backend, not_before = job.week_start, job.backend, request.not_before
    # The earlier weeks as for a solve (services/history.py): rest rules hold across the week's first date.
    history = station_history(job.station_id, station, week_start, job.lookback_weeks).history
    reporter = _ProgressWriter(app, job_id, token)
    reporter.start()
    try:
        outcome = replan(station, week_start, previous, now=not_before, backend=backend,
                         time_limit=app.config.get("SOLVE_TIME_LIMIT", 60.0), progress=reporter.update, stop=token,
                         workers=app.config.get("SOLVE_WORKERS"), history=history)
    finally:
        reporter.close()
    db.session.rollback()  # see the progress writes of the other session
    _finish(db.session.get(SolveJob, job_id), outcome, stopped=token.stopped, history=history)


def _finish(job: SolveJob, outcome, *, stopped: bool, history: History | None = None) -> None:
    result = outcome.result
    stopped = stopped or job.stop_requested
    job.objective, job.bound, job.gap, job.elapsed = result.objective, result.bound, result.gap, result.wall_time
    job.finished_at = _now()
    roster = None
    if result.has_roster:
        roster = store_roster(job.station_id, job.week_start, result.roster, created_by=job.requested_by, job=job,
                              history=history)
        request_of(job).changes = [change_json(c) for c in outcome.changes]
        job.status = "stopped" if stopped else "done"
    else:
        job.status = "stopped" if stopped else "failed"
        job.error = "; ".join(c.message for c in result.conflicts) or NO_ROSTER
    audit("replan.finish", None, job=job.id, station=job.station_id, week_start=job.week_start, status=job.status,
          objective=result.objective, roster=roster.id if roster else None,
          changes=len(outcome.changes) if roster else None)
    db.session.commit()


def _assignment_json(a: m.Assignment | None) -> dict | None:
    if a is None:
        return None
    return {"date": a.date.isoformat(), "shift_id": a.shift_id, "grid_id": a.grid_id, "person_id": a.person_id}


def change_json(change) -> dict:
    """One engine Change as stored on the request, with its wording in both languages."""
    return {"kind": change.kind, "person_id": change.person_id, "before": _assignment_json(change.before),
            "after": _assignment_json(change.after), "zh": change.describe("zh"), "en": change.describe("en")}


# --- the proposal: accept or discard -------------------------------------------------------------


def proposal_roster(job: SolveJob) -> Roster | None:
    """The draft the re-plan stored (None while it runs, after a failure or after a discard)."""
    return db.session.scalar(sa.select(Roster).where(Roster.from_job == job.id))


def _closed_message(outcome: str) -> str:
    if outcome == "accepted":
        return _("This proposal was already accepted.")
    return _("This proposal was already discarded.")


def _open_proposal(request: ReplanRequest) -> Roster:
    if request.outcome is not None:
        raise ProposalClosed(_closed_message(request.outcome))
    if request.job.active:
        raise ProposalClosed(_("The re-plan is still running."))
    draft = proposal_roster(request.job)
    if draft is None:
        raise ProposalClosed(_("The re-plan found no roster to accept."))
    if draft.frozen:
        raise ProposalClosed(_("The proposal was published from its roster page."))
    return draft


def accept_proposal(request: ReplanRequest, user=None) -> Roster:
    """Publish the proposal as the newest version of the week (ProposalStale if another was published since)."""
    draft = _open_proposal(request)
    newest = published_roster(draft.station_id, draft.week_start)
    if newest is not None and newest.id != request.base_roster_id:
        raise ProposalStale(newest.version)
    request.outcome = "accepted"
    audit("replan.accept", user, job=request.job_id, roster=draft.id, base=request.base_roster_id,
          station=draft.station_id, week_start=draft.week_start, version=draft.version)
    return publish_roster(draft, user)  # commits both audit entries with the change


def discard_proposal(request: ReplanRequest, user=None) -> None:
    """Delete the proposal and put back the availability rows the absence report replaced."""
    if request.outcome is not None:
        raise ProposalClosed(_closed_message(request.outcome))
    if request.job.active:
        raise ProposalClosed(_("The re-plan is still running; stop it first."))
    draft = proposal_roster(request.job)
    if draft is not None and draft.frozen:
        raise ProposalClosed(_("The proposal was published from its roster page."))
    if draft is not None:
        db.session.delete(draft)
    station_id = request.base_roster.station_id
    _restore_availability(request, station_id)
    request.outcome = "discarded"
    audit("replan.discard", user, job=request.job_id, roster=request.base_roster_id, station=station_id,
          person=request.person_id, restored=request.replaced, removed=request.written)
    db.session.commit()
