"""Volunteers and officers: their account, their published shifts, their availability, open slots and sign-up.

As in the HTML views, the station and person always come from the token's account, never from
the URL or the body: no id a client sends can reach another person's data.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import jsonify, request
from flask_babel import lazy_gettext as _l

from .. import station_clock
from ..auth.access import ANY_ROLE
from ..extensions import db
from ..models import Person, _now
from ..services import availability as av
from ..services import my_shifts as ms
from ..services import signups
from ..services.signups import Outcome
from ..volunteer.models import OpenSlot
from . import bp
from .access import SELF, api_user, token_required
from .errors import ApiError, invalid
from .inputs import get_or_404, json_body, parse_date, week_param
from .shapes import iso_utc, slot_json, station_names

UPCOMING_DAYS = 60  # slots listed when no week is asked for
SIGNUP_REFUSALS = {Outcome.FULL: (409, "slot_full"), Outcome.ALREADY: (409, "already_signed_up"),
                   Outcome.CLOSED: (422, "signup_closed"), Outcome.NOT_FOUND: (404, "not_found")}
CANCEL_REFUSALS = {Outcome.NOT_SIGNED_UP: (409, "not_signed_up"), Outcome.CLOSED: (422, "signup_closed"),
                   Outcome.NOT_FOUND: (404, "not_found")}
MAX_CELLS = 7 * 50


def _me() -> tuple[int, str]:
    """The station and person_id of the token's account; 422 if the account has none."""
    user = api_user()
    if user.station_id is None or not user.person_id:
        raise ApiError(422, "not_linked")
    return user.station_id, user.person_id


@bp.route("/me")
@token_required(*ANY_ROLE)
def me():
    user = api_user()
    person = None
    if user.station_id is not None and user.person_id:
        row = db.session.scalar(sa.select(Person).where(Person.station_id == user.station_id,
                                                        Person.person_id == user.person_id))
        if row is not None:
            person = {"person_id": row.person_id, "name": row.name, "role": row.role, "home_grid": row.home_grid,
                      "skills": [s for s in row.skills.split(";") if s]}
    return jsonify({"id": user.id, "username": user.username, "role": user.role, "station_id": user.station_id,
                    "person": person})


@bp.route("/me/roster")
@token_required(*SELF)
def my_roster():
    """The person's shifts of the week in the published roster, with their teammates (no phone numbers)."""
    station_id, person_id = _me()
    monday = week_param(station_clock.today())
    end = monday + dt.timedelta(days=7)
    shifts = [s for s in ms.my_shifts(station_id, person_id, monday) if s.date < end]
    return jsonify({"week": monday.isoformat(), "shifts": [{
        "roster_id": s.roster_id, "date": s.date.isoformat(), "shift_id": s.shift_id, "shift_name": s.shift_name,
        "grid_id": s.grid_id, "grid_name": s.grid_name, "start": s.start.isoformat(), "end": s.end.isoformat(),
        "night": s.night, "teammates": [{"person_id": m.person_id, "name": m.name, "role": m.role}
                                        for m in s.teammates]} for s in shifts]})


def _availability_json(station_id: int, person_id: str, monday: dt.date) -> dict:
    stated = av.read_week(station_id, person_id, monday)
    deadline = av.deadline(station_id, monday)
    return {"week": monday.isoformat(), "open": av.is_open(station_id, monday), "deadline": iso_utc(deadline),
            "shifts": av.shift_ids(station_id),
            "cells": [{"date": day.isoformat(), "shift_id": shift, "status": status}
                      for (day, shift), status in sorted(stated.items())]}


@bp.route("/me/availability")
@token_required(*SELF)
def get_availability():
    station_id, person_id = _me()
    return jsonify(_availability_json(station_id, person_id, week_param(station_clock.today() + dt.timedelta(days=7))))


def _cells(body: dict, station_id: int, monday: dt.date) -> dict[tuple[dt.date, str], str]:
    """The body's `cells`, each checked: a day of the week, a shift of the station, a known status."""
    cells = body.get("cells")
    if not isinstance(cells, list) or len(cells) > MAX_CELLS:
        raise invalid("cells", _l("cells must be a list of at most %(count)d cells.", count=MAX_CELLS))
    days, shifts, found = set(av.week_days(monday)), set(av.shift_ids(station_id)), {}
    for number, cell in enumerate(cells):
        field = f"cells[{number}]"
        if not isinstance(cell, dict):
            raise invalid(field, _l("%(field)s must be an object with date, shift_id and status.", field=field))
        day = parse_date(cell.get("date"), f"{field}.date")
        if day not in days:
            raise invalid(f"{field}.date", _l("%(field)s is not a day of the week of %(week)s.",
                                              field=f"{field}.date", week=monday.isoformat()))
        if cell.get("shift_id") not in shifts:
            raise invalid(f"{field}.shift_id", _l("%(field)s is not a shift of your station.",
                                                  field=f"{field}.shift_id"))
        if cell.get("status") not in av.STATUSES:
            raise invalid(f"{field}.status", _l("%(field)s must be one of: %(choices)s.",
                                                field=f"{field}.status", choices=", ".join(av.STATUSES)))
        found[(day, cell["shift_id"])] = cell["status"]
    return found


@bp.route("/me/availability", methods=["PUT"])
@token_required(*SELF)
def put_availability():
    """Replaces the person's grid for the week (cells left out are not stated), until the week's deadline."""
    station_id, person_id = _me()
    monday = week_param(station_clock.today() + dt.timedelta(days=7))
    cells = _cells(json_body(), station_id, monday)
    try:
        av.save_week(station_id, person_id, monday, cells)
    except av.DeadlinePassed:
        raise ApiError(422, "deadline_passed") from None
    return jsonify(_availability_json(station_id, person_id, monday))


@bp.route("/slots")
@token_required(*SELF)
def list_slots():
    """Open slots of the person's station that still take sign-ups and have places left (or have them)."""
    station_id, person_id = _me()
    today = station_clock.today()  # once: three reads could straddle midnight
    monday = week_param(today)
    first, last = (monday, monday + dt.timedelta(days=6)) if _asked_week() else \
        (today, today + dt.timedelta(days=UPCOMING_DAYS))
    found = signups.slots_between(station_id, first, last)
    taken = signups.places_taken([s.id for s in found])
    mine = signups.signed_up([s.id for s in found], person_id)
    names, now = station_names(station_id), _now()
    shown = [s for s in found if now < s.signup_cutoff and (s.capacity > taken.get(s.id, 0) or s.id in mine)]
    return jsonify({"slots": [slot_json(s, taken.get(s.id, 0), names, signed_up=s.id in mine) for s in shown]})


def _asked_week() -> bool:
    return "week" in request.args


def _own_station_slot(slot_id: int, station_id: int) -> OpenSlot:
    slot = get_or_404(OpenSlot, slot_id)
    if slot.station_id != station_id:
        raise ApiError(404, "not_found")  # another station's slot is not there for this person
    return slot


def _slot_answer(slot_id: int, person_id: str, status: int):
    db.session.expire_all()
    slot = db.session.get(OpenSlot, slot_id)
    taken = signups.places_taken([slot_id]).get(slot_id, 0)
    signed = slot_id in signups.signed_up([slot_id], person_id)
    return jsonify(slot_json(slot, taken, station_names(slot.station_id), signed_up=signed)), status


@bp.route("/slots/<int:slot_id>/signup", methods=["POST"])
@token_required(*SELF)
def sign_up(slot_id: int):
    station_id, person_id = _me()
    _own_station_slot(slot_id, station_id)
    db.session.rollback()  # end the read before the write transaction of the sign-up
    outcome = signups.sign_up(slot_id, person_id)
    if outcome in SIGNUP_REFUSALS:
        raise ApiError(*SIGNUP_REFUSALS[outcome])
    return _slot_answer(slot_id, person_id, 201)


@bp.route("/slots/<int:slot_id>/signup", methods=["DELETE"])
@token_required(*SELF)
def cancel(slot_id: int):
    station_id, person_id = _me()
    _own_station_slot(slot_id, station_id)
    db.session.rollback()
    outcome = signups.cancel(slot_id, person_id)
    if outcome in CANCEL_REFUSALS:
        raise ApiError(*CANCEL_REFUSALS[outcome])
    return _slot_answer(slot_id, person_id, 200)
