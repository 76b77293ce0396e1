"""Tables for solve jobs, stored rosters (versions of a station's week) and the audit log.

Imported at the end of `web/models.py`, so Alembic and `create_all` see them.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
import sqlalchemy.orm as so

from ..extensions import db

JOB_STATUSES = ("queued", "running", "done", "failed", "stopped")
JOB_KINDS = ("solve", "replan")  # replan: repair a published roster after an absence (ReplanRequest)
REPLAN_OUTCOMES = ("accepted", "discarded")
ACTIVE_JOB_STATUSES = ("queued", "running")
ROSTER_STATUSES = ("draft", "published")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


_ACTIVE = sa.text("status IN ('queued', 'running')")


class SolveJob(db.Model):
    """One run of the engine's `solve` for a station and week, with its live progress."""

    __tablename__ = "solve_job"
    __table_args__ = (
        sa.CheckConstraint(f"status IN {JOB_STATUSES!r}", name="status"),
        # At most one queued or running job per station and week, also between two processes.
        sa.Index("ux_solve_job_active", "station_id", "week_start", unique=True,
                 sqlite_where=_ACTIVE, postgresql_where=_ACTIVE),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    station_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("station.id", ondelete="CASCADE"), index=True)
    week_start: so.Mapped[dt.date]
    backend: so.Mapped[str] = so.mapped_column(sa.String(16))
    kind: so.Mapped[str] = so.mapped_column(sa.String(16), default="solve", server_default="solve")
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="queued")
    objective: so.Mapped[float | None]
    bound: so.Mapped[float | None]
    gap: so.Mapped[float | None]
    elapsed: so.Mapped[float | None]
    created_at: so.Mapped[dt.datetime] = so.mapped_column(default=_now)
    started_at: so.Mapped[dt.datetime | None]
    finished_at: so.Mapped[dt.datetime | None]
    error: so.Mapped[str | None] = so.mapped_column(sa.Text)
    stop_requested: so.Mapped[bool] = so.mapped_column(default=False)
    # Who runs it: "host:pid" of the process (thread runner) or a worker machine's name.
    worker: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    requested_by: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    # Weeks of published rosters whose counts the solve balances (services/history.py); None: the default.
    lookback_weeks: so.Mapped[int | None]

    station = so.relationship("Station")
    requester = so.relationship("User")

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_JOB_STATUSES

    def __repr__(self) -> str:
        return f"<SolveJob {self.id} {self.status} station={self.station_id} week={self.week_start}>"


class Roster(db.Model):
    """A roster of a station's week. Versions count up per station and week; published ones are frozen."""

    __tablename__ = "roster"
    __table_args__ = (
        sa.CheckConstraint(f"status IN {ROSTER_STATUSES!r}", name="status"),
        sa.UniqueConstraint("station_id", "week_start", "version"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    station_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("station.id", ondelete="CASCADE"), index=True)
    week_start: so.Mapped[dt.date]
    version: so.Mapped[int]
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="draft")
    objective: so.Mapped[int | None]
    terms: so.Mapped[dict | None] = so.mapped_column(sa.JSON)
    created_by: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: so.Mapped[dt.datetime] = so.mapped_column(default=_now)
    published_at: so.Mapped[dt.datetime | None]
    from_job: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("solve_job.id", ondelete="SET NULL"))

    station = so.relationship("Station")
    assignments: so.Mapped[list[RosterAssignment]] = so.relationship(
        order_by="RosterAssignment.id", cascade="all, delete-orphan", passive_deletes=True)

    @property
    def frozen(self) -> bool:
        return self.status == "published"

    def __repr__(self) -> str:
        return f"<Roster {self.id} v{self.version} {self.status}>"


class RosterAssignment(db.Model):
    """One line of a stored roster (scheduler.model.Assignment)."""

    __tablename__ = "roster_assignment"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    roster_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("roster.id", ondelete="CASCADE"), index=True)
    date: so.Mapped[dt.date]
    shift_id: so.Mapped[str] = so.mapped_column(sa.String(64))
    grid_id: so.Mapped[str] = so.mapped_column(sa.String(64))
    person_id: so.Mapped[str] = so.mapped_column(sa.String(64), index=True)


class ReplanRequest(db.Model):
    """A reported absence on a published roster and the re-plan job it started (a SolveJob of kind "replan").

    The proposal is the draft Roster whose `from_job` is the job; `changes` are the engine's change list
    (with its Chinese and English wording). `written` and `replaced` are the availability rows the report
    wrote and the rows they replaced, so a discard puts the station's availability back as it was.
    """

    __tablename__ = "replan_request"
    __table_args__ = (sa.CheckConstraint(f"outcome IN {REPLAN_OUTCOMES!r}", name="outcome"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    job_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("solve_job.id", ondelete="CASCADE"), unique=True)
    base_roster_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("roster.id", ondelete="CASCADE"), index=True)
    person_id: so.Mapped[str] = so.mapped_column(sa.String(64))
    starts_at: so.Mapped[dt.datetime]  # Asia/Shanghai local time, like the shifts
    ends_at: so.Mapped[dt.datetime]
    reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    not_before: so.Mapped[dt.datetime]  # local time of the report: assignments started before it never move
    written: so.Mapped[list | None] = so.mapped_column(sa.JSON)
    replaced: so.Mapped[list | None] = so.mapped_column(sa.JSON)
    changes: so.Mapped[list | None] = so.mapped_column(sa.JSON)
    outcome: so.Mapped[str | None] = so.mapped_column(sa.String(16))

    job = so.relationship("SolveJob")
    base_roster = so.relationship("Roster")


class AuditLog(db.Model):
    """Who did what when. `username` is kept as text so the entry outlives the account."""

    __tablename__ = "audit_log"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)
    username: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    at: so.Mapped[dt.datetime] = so.mapped_column(default=_now, index=True)
    action: so.Mapped[str] = so.mapped_column(sa.String(64))
    details: so.Mapped[dict | None] = so.mapped_column(sa.JSON)
