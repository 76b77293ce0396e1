"""Planners (and admins): stations, open slots and who signed up, solve jobs, rosters, exports, publishing."""

from __future__ import annotations

import io

import sqlalchemy as sa
from flask import jsonify, send_file
from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..models import Person, Station
from ..rosters.models import Roster, SolveJob
from ..services import open_slots
from ..services.audit import audit
from ..services.history import MAX_LOOKBACK
from ..services.solving import (
    ROSTER_FILE_TYPES,
    JobConflict,
    RosterFrozen,
    publish_roster,
    roster_file,
    start_solve,
    stop_job,
)
from ..volunteer.models import OpenSlot
from . import bp
from .access import STAFF, api_user, token_required
from .errors import ApiError, invalid
from .inputs import MAX_ID, get_or_404, json_body, parse_date, parse_datetime, parse_int, parse_text, week_param
from .shapes import iso_utc, job_json, roster_json, slot_json, station_names

# open_slots names the fields as the planner's form does; the API's body names them so.
SLOT_FIELDS = {"grid": "grid_id", "shift": "shift_id", "date": "date", "capacity": "capacity",
               "cutoff": "signup_cutoff"}


def station_from_body(body: dict) -> Station:
    station_id = parse_int(body.get("station_id"), "station_id", 1, MAX_ID)
    station = db.session.get(Station, station_id)
    if station is None:
        raise invalid("station_id", _l("station_id is not a station."))
    return station


@bp.route("/stations")
@token_required(*STAFF)
def list_stations():
    stations = db.session.scalars(sa.select(Station).order_by(Station.id))
    return jsonify({"stations": [{"id": s.id, "name": s.name} for s in stations]})


@bp.route("/slots", methods=["POST"])
@token_required(*STAFF)
def create_slot():
    """Open a grid-shift on a date for sign-up, first come first served."""
    body = json_body()
    station = station_from_body(body)
    grid_id = parse_text(body.get("grid_id"), "grid_id", 64)
    day = parse_date(body.get("date"), "date")
    shift_id = parse_text(body.get("shift_id"), "shift_id", 64)
    capacity = parse_int(body.get("capacity"), "capacity", 1, open_slots.MAX_CAPACITY)
    cutoff = parse_datetime(body.get("signup_cutoff"), "signup_cutoff")
    note = parse_text(body.get("note"), "note", 200, required=False)
    try:
        slot = open_slots.open_slot(station, grid_id, day, shift_id, capacity, cutoff, note, api_user())
    except open_slots.SlotError as error:
        field, message = error.errors[0]
        raise invalid(SLOT_FIELDS.get(field, field), _l(message)) from None
    return jsonify(slot_json(slot, 0, station_names(station.id))), 201


@bp.route("/slots/<int:slot_id>")
@token_required(*STAFF)
def get_slot(slot_id: int):
    """The slot and who signed up, first come first served, with their phone numbers (planners only)."""
    slot = get_or_404(OpenSlot, slot_id)
    people = {p.person_id: p for p in db.session.scalars(sa.select(Person).where(
        Person.station_id == slot.station_id, Person.person_id.in_([s.person_id for s in slot.signups])))}
    data = slot_json(slot, len(slot.signups), station_names(slot.station_id))
    data["signups"] = [{"person_id": s.person_id, "name": people[s.person_id].name if s.person_id in people else None,
                        "phone": people[s.person_id].phone if s.person_id in people else None,
                        "signed_up_at": iso_utc(s.created_at)} for s in slot.signups]
    return jsonify(data)


@bp.route("/rosters", methods=["POST"])
@token_required(*STAFF)
def create_roster():
    """Start a solve of the station's week in the background; poll the job it returns."""
    body = json_body()
    station = station_from_body(body)
    if "week" not in body:
        raise invalid("week", _l("week is required (any day of the week, YYYY-MM-DD)."))
    week = week_param(parse_date(body.get("week"), "week"))
    lookback = body.get("lookback_weeks")
    if lookback is not None:
        lookback = parse_int(lookback, "lookback_weeks", 0, MAX_LOOKBACK)
    try:
        job = start_solve(station.id, week, api_user(), lookback=lookback)
    except JobConflict as conflict:
        raise ApiError(409, "solve_running", job_id=conflict.job.id if conflict.job else None) from None
    return jsonify(job_json(job)), 202


@bp.route("/jobs/<int:job_id>")
@token_required(*STAFF)
def get_job(job_id: int):
    return jsonify(job_json(get_or_404(SolveJob, job_id)))


@bp.route("/jobs/<int:job_id>", methods=["DELETE"])
@token_required(*STAFF)
def stop(job_id: int):
    """Ask the job to stop; the best roster found so far is kept."""
    job = stop_job(get_or_404(SolveJob, job_id).id, api_user())
    return jsonify(job_json(job)), 202


@bp.route("/rosters/<int:roster_id>")
@token_required(*STAFF)
def get_roster(roster_id: int):
    return jsonify(roster_json(get_or_404(Roster, roster_id)))


def _download(roster_id: int, kind: str):
    roster = get_or_404(Roster, roster_id)
    name, data = roster_file(roster, kind)
    audit("roster.export", api_user(), roster=roster.id, format=kind)
    db.session.commit()
    return send_file(io.BytesIO(data), mimetype=ROSTER_FILE_TYPES[kind], as_attachment=True, download_name=name)


@bp.route("/rosters/<int:roster_id>.csv")
@token_required(*STAFF)
def roster_csv(roster_id: int):
    return _download(roster_id, "csv")


@bp.route("/rosters/<int:roster_id>.xlsx")
@token_required(*STAFF)
def roster_xlsx(roster_id: int):
    return _download(roster_id, "xlsx")


@bp.route("/rosters/<int:roster_id>/publish", methods=["POST"])
@token_required(*STAFF)
def publish(roster_id: int):
    """Freeze a draft as the published version of its week (volunteers then see their shifts)."""
    roster = get_or_404(Roster, roster_id)
    try:
        publish_roster(roster, api_user())
    except RosterFrozen:
        raise ApiError(409, "roster_published") from None
    return jsonify(roster_json(roster, with_assignments=False))
