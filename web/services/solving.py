"""The one bridge from the portal to the engine's `solve`: solve jobs, their progress, and stored rosters.

A job is a `SolveJob` row; a `JobRunner` runs it. `ThreadRunner` (the default) runs each job in a
background thread of the web process with its own app context and database session. Everything a
runner needs is in the database (the job row, the station data), so a runner on a worker machine
can take its place: it calls `run_job(app, job_id, token)` and honours `stop_requested`.

`scheduler.solve` loads a solver backend only when a solve starts, never at import.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import tempfile
import threading
from abc import ABC, abstractmethod
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.exc import IntegrityError

from scheduler import Assignment, History, Progress, StopToken, check_roster, solve

from ..extensions import db
from ..models import Station
from ..rosters.models import ACTIVE_JOB_STATUSES, Roster, RosterAssignment, SolveJob
from .audit import audit
from .history import check_lookback, default_lookback, station_history
from .stations import station_to_engine

log = logging.getLogger(__name__)

INTERRUPTED = "interrupted by a server restart"
NO_ROSTER = "no roster was found before the solve ended"
PROGRESS_INTERVAL = 0.5  # seconds between two progress writes to the job row


class JobConflict(Exception):
    """A solve of the same station and week is already queued or running."""

    def __init__(self, job: SolveJob | None):
        super().__init__("a solve of this station and week is already running")
        self.job = job


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


# --- runners -------------------------------------------------------------------------------------


class JobRunner(ABC):
    """Runs solve jobs. `worker_id` is written on each job, so a restart can tell which jobs died with it."""

    worker_id: str

    @abstractmethod
    def submit(self, app: Flask, job_id: int) -> None:
        """Start the (committed, queued) job; return at once."""

    @abstractmethod
    def stop(self, job_id: int) -> bool:
        """Ask a job this runner runs to stop (best roster kept); False if it runs elsewhere."""

    def owns(self, worker: str | None) -> bool:
        """Whether a job marked `worker` was run by a process of this machine that is gone."""
        return worker is None or _dead_local_process(worker)


def _dead_local_process(worker: str) -> bool:
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return True  # this process has just started: nothing of it runs yet
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class ThreadRunner(JobRunner):
    """Each job in a daemon thread of this process."""

    def __init__(self) -> None:
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}"
        self._tokens: dict[int, StopToken] = {}
        self._threads: dict[int, threading.Thread] = {}
        self._lock = threading.Lock()

    def submit(self, app: Flask, job_id: int) -> None:
        token = StopToken()
        thread = threading.Thread(target=self._run, args=(app, job_id, token), name=f"solve-job-{job_id}", daemon=True)
        with self._lock:
            self._tokens[job_id] = token
            self._threads[job_id] = thread
        thread.start()

    def _run(self, app: Flask, job_id: int, token: StopToken) -> None:
        try:
            run_job(app, job_id, token)
        finally:
            with self._lock:
                self._tokens.pop(job_id, None)
                self._threads.pop(job_id, None)

    def stop(self, job_id: int) -> bool:
        with self._lock:
            token = self._tokens.get(job_id)
        if token is None:
            return False
        token.stop()
        return True

    def join(self, job_id: int, timeout: float | None = None) -> None:
        """Wait for a job's thread (tests, shutdown)."""
        with self._lock:
            thread = self._threads.get(job_id)
        if thread is not None:
            thread.join(timeout)


def get_runner(app: Flask | None = None) -> JobRunner:
    """The app's runner: `SOLVE_RUNNER` (a JobRunner class or factory) if configured, else a ThreadRunner."""
    app = app or current_app._get_current_object()
    runner = app.extensions.get("pingan_job_runner")
    if runner is None:
        factory = app.config.get("SOLVE_RUNNER") or ThreadRunner
        runner = app.extensions["pingan_job_runner"] = factory()
    return runner


# --- starting, stopping, recovering --------------------------------------------------------------


def active_job(station_id: int, week_start: dt.date) -> SolveJob | None:
    return db.session.scalar(
        sa.select(SolveJob).where(SolveJob.station_id == station_id, SolveJob.week_start == week_start,
                                  SolveJob.status.in_(ACTIVE_JOB_STATUSES)).order_by(SolveJob.id.desc()).limit(1)
    )


def start_solve(station_id: int, week_start: dt.date, user=None, backend: str | None = None,
                lookback: int | None = None) -> SolveJob:
    """Queue a solve of the station's week and start it in the background; returns the job at once.

    `lookback`: the weeks of published rosters whose counts the solve balances (None: the default;
    services/history.py). Raises LookbackError for one outside 0..MAX_LOOKBACK.
    Raises JobConflict while another solve of the same station and week is queued or running
    (checked here and enforced by the partial unique index `ux_solve_job_active`), LookupError
    for an unknown station.
    """
    app = current_app._get_current_object()
    if db.session.get(Station, station_id) is None:
        raise LookupError(f"no station {station_id}")
    lookback = check_lookback(default_lookback() if lookback is None else lookback)
    existing = active_job(station_id, week_start)
    if existing is not None:
        raise JobConflict(existing)
    runner = get_runner(app)
    job = SolveJob(station_id=station_id, week_start=week_start, status="queued",
                   backend=backend or app.config.get("SOLVE_BACKEND", "cpsat"),
                   requested_by=getattr(user, "id", None), worker=runner.worker_id, lookback_weeks=lookback)
    db.session.add(job)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise JobConflict(active_job(station_id, week_start)) from None
    audit("solve.start", user, job=job.id, station=station_id, week_start=week_start, backend=job.backend,
          lookback=lookback)
    db.session.commit()
    runner.submit(app, job.id)
    return job


def stop_job(job_id: int, user=None) -> SolveJob:
    """Ask a queued or running job to stop; it keeps the best roster found so far."""
    job = db.session.get(SolveJob, job_id)
    if job is None:
        raise LookupError(f"no job {job_id}")
    if job.active:
        job.stop_requested = True
        audit("solve.stop", user, job=job.id, station=job.station_id, week_start=job.week_start)
        db.session.commit()
        get_runner().stop(job_id)
    return job


def recover_interrupted_jobs(app: Flask) -> int:
    """Mark jobs left queued/running by a process that is gone as failed; returns how many."""
    with app.app_context():
        try:
            if not sa.inspect(db.engine).has_table(SolveJob.__tablename__):
                return 0
            runner = get_runner(app)
            jobs = db.session.scalars(sa.select(SolveJob).where(SolveJob.status.in_(ACTIVE_JOB_STATUSES))).all()
            count = 0
            for job in jobs:
                if runner.owns(job.worker):
                    job.status, job.error, job.finished_at = "failed", INTERRUPTED, _now()
                    audit("solve.interrupted", None, job=job.id, station=job.station_id, week_start=job.week_start)
                    count += 1
            db.session.commit()
            return count
        except sa.exc.SQLAlchemyError:  # a database not created or upgraded yet
            log.warning("could not check for interrupted solve jobs", exc_info=True)
            db.session.rollback()
            return 0
        finally:
            db.session.remove()


# --- running -------------------------------------------------------------------------------------


def run_job(app: Flask, job_id: int, token: StopToken) -> None:
    """Run one job to its end in the calling thread: progress on the row, the roster stored as a draft."""
    with app.app_context():
        try:
            _run_job(app, job_id, token)
        except Exception as exc:  # noqa: BLE001 - any failure ends the job as failed, never running forever
            log.exception("solve job %s failed", job_id)
            db.session.rollback()
            db.session.execute(sa.update(SolveJob).where(SolveJob.id == job_id).values(
                status="failed", error=f"{type(exc).__name__}: {exc}", finished_at=_now()))
            db.session.commit()
        finally:
            db.session.remove()


def claim_job(job: SolveJob | None) -> bool:
    """Mark a queued job running (committed); False if there is nothing to run: gone, already taken,
    or stopped before it started (then marked stopped)."""
    if job is None or job.status != "queued":
        return False
    if job.stop_requested:
        job.status, job.finished_at, job.error = "stopped", _now(), NO_ROSTER
        db.session.commit()
        return False
    job.status, job.started_at = "running", _now()
    db.session.commit()
    return True


def _run_job(app: Flask, job_id: int, token: StopToken) -> None:
    job = db.session.get(SolveJob, job_id)
    if job is not None and job.kind == "replan":
        from .replanning import run_replan  # repairs a published roster after an absence (imports this module)

        return run_replan(app, job_id, token)
    if not claim_job(job):
        return
    station = station_to_engine(job.station)
    week_start, backend, requested_by = job.week_start, job.backend, job.requested_by
    history = station_history(job.station_id, station, week_start, job.lookback_weeks).history
    reporter = _ProgressWriter(app, job_id, token)
    reporter.start()
    try:
        result = solve(station, week_start, backend=backend, time_limit=app.config.get("SOLVE_TIME_LIMIT", 60.0),
                       progress=reporter.update, stop=token, workers=app.config.get("SOLVE_WORKERS"),
                       history=history)
    finally:
        reporter.close()
    db.session.rollback()  # see the progress writes of the other sessions
    job = db.session.get(SolveJob, job_id)
    stopped = token.stopped or job.stop_requested
    job.objective, job.bound, job.gap, job.elapsed = result.objective, result.bound, result.gap, result.wall_time
    job.finished_at = _now()
    roster = None
    if result.has_roster:
        roster = store_roster(job.station_id, week_start, result.roster, created_by=requested_by, job=job,
                              history=history)
        job.status = "stopped" if stopped else "done"
    else:
        job.status = "stopped" if stopped else "failed"
        job.error = "; ".join(c.message for c in result.conflicts) or NO_ROSTER
    audit("solve.finish", None, job=job.id, station=job.station_id, week_start=week_start, status=job.status,
          objective=result.objective, roster=roster.id if roster else None)
    db.session.commit()


class _ProgressWriter(threading.Thread):
    """Writes the newest progress to the job row at most every PROGRESS_INTERVAL seconds, in its own session.

    The solver's callback only hands over the numbers (it never waits on the database). Each write
    also reads `stop_requested`, so a stop asked from another process (or machine) reaches the solve.
    """

    def __init__(self, app: Flask, job_id: int, token: StopToken) -> None:
        super().__init__(name=f"solve-job-{job_id}-progress", daemon=True)
        self.app, self.job_id, self.token = app, job_id, token
        self._latest: Progress | None = None
        self._written: Progress | None = None
        self._done = threading.Event()

    def update(self, progress: Progress) -> None:
        self._latest = progress

    def close(self) -> None:
        self._done.set()
        self.join(5)

    def run(self) -> None:
        with self.app.app_context():
            try:
                while not self._done.wait(PROGRESS_INTERVAL):
                    self._write()
            finally:
                db.session.remove()

    def _write(self) -> None:
        p = self._latest
        try:
            if p is not None and p is not self._written:
                db.session.execute(sa.update(SolveJob).where(SolveJob.id == self.job_id).values(
                    objective=p.objective, bound=p.bound, gap=p.gap, elapsed=p.elapsed))
                db.session.commit()
                self._written = p
            if db.session.scalar(sa.select(SolveJob.stop_requested).where(SolveJob.id == self.job_id)):
                self.token.stop()
            db.session.rollback()  # end the read, so the next one sees new data
        except sa.exc.SQLAlchemyError:
            db.session.rollback()
            log.warning("could not write progress of job %s", self.job_id, exc_info=True)


# --- stored rosters ------------------------------------------------------------------------------


def next_version(station_id: int, week_start: dt.date) -> int:
    latest = db.session.scalar(sa.select(sa.func.max(Roster.version)).where(
        Roster.station_id == station_id, Roster.week_start == week_start))
    return (latest or 0) + 1


def store_roster(station_id: int, week_start: dt.date, assignments: list[Assignment], *, created_by=None,
                 job: SolveJob | None = None, history: History | None = None) -> Roster:
    """A new draft version of the week holding `assignments`, with the checker's objective (not committed).

    The objective counts the earlier weeks (`history`, else the station's with the default look-back).
    """
    station = station_to_engine(db.session.get(Station, station_id))
    if history is None:
        history = station_history(station_id, station, week_start).history
    report = check_roster(station, week_start, assignments, history=history)
    roster = Roster(station_id=station_id, week_start=week_start, version=next_version(station_id, week_start),
                    status="draft", objective=report.objective, terms=dict(report.terms), created_by=created_by,
                    from_job=job.id if job else None)
    roster.assignments = [RosterAssignment(date=a.date, shift_id=a.shift_id, grid_id=a.grid_id, person_id=a.person_id)
                          for a in assignments]
    db.session.add(roster)
    db.session.flush()
    return roster


def roster_assignments(roster: Roster) -> list[Assignment]:
    return [Assignment(a.date, a.shift_id, a.grid_id, a.person_id) for a in roster.assignments]


class RosterFrozen(Exception):
    """A published roster cannot change."""


def publish_roster(roster: Roster, user=None) -> Roster:
    """Freeze a draft as the published version of its week."""
    if roster.frozen:
        raise RosterFrozen(roster.id)
    roster.status, roster.published_at = "published", _now()
    audit("roster.publish", user, roster=roster.id, station=roster.station_id, week_start=roster.week_start,
          version=roster.version)
    db.session.commit()
    return roster


def copy_roster(roster: Roster, user=None) -> Roster:
    """A new draft version with the same assignments (changes to a published roster start here)."""
    copy = store_roster(roster.station_id, roster.week_start, roster_assignments(roster),
                        created_by=getattr(user, "id", None))
    audit("roster.copy", user, roster=copy.id, source=roster.id, station=roster.station_id,
          week_start=roster.week_start, version=copy.version)
    db.session.commit()
    return copy


ROSTER_FILE_TYPES = {"csv": "text/csv",
                     "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def roster_file(roster: Roster, kind: str) -> tuple[str, bytes]:
    """The roster as a download (`kind` "csv" or "xlsx", via scheduler.export): its file name and bytes."""
    from scheduler import export  # pandas and openpyxl: loaded on the first export, not at start

    station = station_to_engine(roster.station)
    name = f"roster-{roster.week_start.isoformat()}-v{roster.version}.{kind}"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        if kind == "csv":
            export.write_roster_csv(path, station, roster_assignments(roster))
        else:
            export.write_roster_xlsx(path, station, roster.week_start, roster_assignments(roster))
        return name, path.read_bytes()


def published_roster(station_id: int, week_start: dt.date) -> Roster | None:
    """The newest published version of the week (what volunteers see)."""
    return db.session.scalar(sa.select(Roster).where(
        Roster.station_id == station_id, Roster.week_start == week_start, Roster.status == "published",
    ).order_by(Roster.version.desc()).limit(1))
