"""The JSON shapes of the API's objects (one function per object, matching the schemas in openapi.py)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from ..extensions import db
from ..models import Grid, ShiftType
from ..rosters.models import Roster, SolveJob
from ..volunteer.models import OpenSlot


def iso_utc(when: dt.datetime | None) -> str | None:
    """A naive UTC timestamp of the database as ISO 8601 with `Z`."""
    return None if when is None else when.replace(microsecond=0).isoformat() + "Z"


def clock(minutes: int) -> str:
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


def station_names(station_id: int) -> dict:
    """Grid names and shifts of a station, to name slots."""
    grids = dict(db.session.execute(sa.select(Grid.grid_id, Grid.name).where(Grid.station_id == station_id)).all())
    shifts = {s.shift_id: s for s in db.session.scalars(sa.select(ShiftType).where(ShiftType.station_id == station_id))}
    return {"grids": grids, "shifts": shifts}


def slot_json(slot: OpenSlot, taken: int, names: dict, signed_up: bool | None = None) -> dict:
    shift = names["shifts"].get(slot.shift_id)
    data = {
        "id": slot.id, "station_id": slot.station_id, "date": slot.date.isoformat(),
        "grid_id": slot.grid_id, "grid_name": names["grids"].get(slot.grid_id, slot.grid_id),
        "shift_id": slot.shift_id, "shift_name": shift.name if shift else slot.shift_id,
        "start": clock(shift.start) if shift else None, "end": clock(shift.end) if shift else None,
        "capacity": slot.capacity, "places_left": max(slot.capacity - taken, 0),
        "signup_cutoff": iso_utc(slot.signup_cutoff), "note": slot.note or "",
    }
    if signed_up is not None:
        data["signed_up"] = signed_up
    return data


def job_json(job: SolveJob) -> dict:
    roster = db.session.scalar(sa.select(Roster.id).where(Roster.from_job == job.id))
    return {"id": job.id, "station_id": job.station_id, "week": job.week_start.isoformat(), "status": job.status,
            "active": job.active, "objective": job.objective, "bound": job.bound, "gap": job.gap,
            "elapsed": job.elapsed, "error": job.error, "roster_id": roster}


def roster_json(roster: Roster, with_assignments: bool = True) -> dict:
    data = {"id": roster.id, "station_id": roster.station_id, "week": roster.week_start.isoformat(),
            "version": roster.version, "status": roster.status, "objective": roster.objective,
            "terms": roster.terms or {}, "created_at": iso_utc(roster.created_at),
            "published_at": iso_utc(roster.published_at), "from_job": roster.from_job}
    if with_assignments:
        data["assignments"] = [{"date": a.date.isoformat(), "shift_id": a.shift_id, "grid_id": a.grid_id,
                                "person_id": a.person_id} for a in roster.assignments]
    return data
