"""Volunteers and officers: their own availability, open patrol slots, leave; planners: open slots, deadlines.

A volunteer or officer only ever reads and changes their own data: the station and person come from
the logged-in account (`current_user`), never from the URL or the form.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import to_user_timezone, to_utc
from flask_login import current_user

from .. import station_clock
from ..auth.access import STAFF, public, roles_required
from ..extensions import db
from ..models import Grid, Person, ShiftType, Station, _now
from ..services import availability as av
from ..services import my_shifts as ms
from ..services import open_slots, signups
from ..services.signups import Outcome
from .models import OpenSlot

bp = Blueprint("volunteer", __name__)

SELF = ("volunteer", "officer")
STATUS_NAMES = {"available": _l("available"), "preferred": _l("preferred"), "unavailable": _l("unavailable")}
SIGNUP_MESSAGES = {
    Outcome.OK: (_l("You are signed up."), "success"),
    Outcome.FULL: (_l("Sorry, this patrol is full."), "error"),
    Outcome.ALREADY: (_l("You are already signed up for this patrol."), "info"),
    Outcome.CLOSED: (_l("Sign-up for this patrol has closed."), "error"),
}
CANCEL_MESSAGES = {
    Outcome.OK: (_l("Your sign-up is cancelled."), "success"),
    Outcome.NOT_SIGNED_UP: (_l("You were not signed up for this patrol."), "info"),
    Outcome.CLOSED: (_l("The cut-off has passed: ask the planner to take you off this patrol."), "error"),
}


def _me() -> tuple[int, str] | None:
    """The station and person_id of the logged-in account, or None (with a message) if it has none."""
    if current_user.station_id is None or not current_user.person_id:
        flash(_("Your account is not linked to a person of a station yet: ask your planner."), "error")
        return None
    return current_user.station_id, current_user.person_id


def _parse_date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text or "")
    except ValueError:
        return None


def _parse_local_datetime(text: str | None) -> dt.datetime | None:
    """A `datetime-local` input (the station's time zone) as naive UTC."""
    try:
        return to_utc(dt.datetime.fromisoformat(text or "")).replace(tzinfo=None)
    except ValueError:
        return None


def _local(when: dt.datetime) -> dt.datetime:
    return to_user_timezone(when.replace(tzinfo=dt.UTC))


def _shifts(station_id: int) -> list[ShiftType]:
    return list(db.session.scalars(sa.select(ShiftType).where(ShiftType.station_id == station_id)
                                   .order_by(ShiftType.id)))


def _clock(minutes: int) -> str:
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


# ---- availability --------------------------------------------------------------------------------

@bp.route("/my/availability", methods=["GET", "POST"])
@roles_required(*SELF)
def availability():
    me = _me()
    if me is None:
        return redirect(url_for("main.index"))
    station_id, person_id = me
    today = station_clock.today()  # once per request: two reads could straddle midnight
    monday = av.week_start(_parse_date(request.values.get("week")) or today + dt.timedelta(days=7))
    shifts = _shifts(station_id)
    days = av.week_days(monday)
    if request.method == "POST":
        cells = {(day, shift.shift_id): request.form.get(f"{day.isoformat()}/{shift.shift_id}", "")
                 for day in days for shift in shifts}
        try:
            av.save_week(station_id, person_id, monday, cells)
        except av.DeadlinePassed:
            flash(_("The deadline for this week has passed: your availability can no longer be changed."), "error")
        else:
            flash(_("Your availability is saved."), "success")
        return redirect(url_for(".availability", week=monday.isoformat()))
    stated = av.read_week(station_id, person_id, monday)
    default = "unavailable" if current_user.role == "volunteer" else "available"
    deadline = av.deadline(station_id, monday)
    return render_template(
        "volunteer/availability.html", title=_("My availability"), monday=monday, days=days,
        shifts=[(s, _clock(s.start), _clock(s.end)) for s in shifts],
        stated=stated, default=default, statuses=STATUS_NAMES, is_open=av.is_open(station_id, monday),
        deadline=_local(deadline) if deadline else None, days_off=av.whole_days_off(station_id, person_id, today),
        previous=(monday - dt.timedelta(days=7)).isoformat(), next=(monday + dt.timedelta(days=7)).isoformat())


@bp.route("/my/blackouts", methods=["POST"])
@roles_required(*SELF)
def blackouts():
    me = _me()
    if me is None:
        return redirect(url_for("main.index"))
    day = _parse_date(request.form.get("date"))
    if day is None:
        flash(_("Please give a valid date."), "error")
        return redirect(url_for(".availability"))
    try:
        if request.form.get("action") == "remove":
            av.remove_blackout(*me, day)
            flash(_("The blackout date is removed."), "success")
        else:
            av.add_blackout(*me, day)
            flash(_("The blackout date is saved: you will not be put on patrol that day."), "success")
    except av.DeadlinePassed:
        flash(_("The deadline for this week has passed: your availability can no longer be changed."), "error")
    return redirect(url_for(".availability", week=av.week_start(day).isoformat()))


@bp.route("/my/leave", methods=["GET", "POST"])
@roles_required("officer")
def leave():
    me = _me()
    if me is None:
        return redirect(url_for("main.index"))
    if request.method == "POST":
        first, last = _parse_date(request.form.get("first")), _parse_date(request.form.get("last"))
        if first is None or last is None or last < first or (last - first).days >= av.MAX_LEAVE_DAYS:
            flash(_("Please give the first and last day of your leave (at most %(days)d days).",
                    days=av.MAX_LEAVE_DAYS), "error")
        else:
            days = av.report_leave(*me, first, last)
            flash(_("Your leave is reported: %(days)d days.", days=days), "success")
            return redirect(url_for(".leave"))
    today = station_clock.today()  # once per request: two reads could straddle midnight
    return render_template("volunteer/leave.html", title=_("Report leave"), today=today.isoformat(),
                           days_off=av.whole_days_off(*me, today))


# ---- my shifts and the private iCal feed -----------------------------------------------------------

ROLE_NAMES = {"police": _l("police"), "auxiliary": _l("auxiliary"), "volunteer": _l("volunteer")}


@bp.route("/my/shifts")
@roles_required(*SELF)
def my_shifts():
    me = _me()
    if me is None:
        return redirect(url_for("main.index"))
    shifts = ms.my_shifts(*me, station_clock.today())
    token = current_user.calendar_token
    feed = url_for(".calendar_feed", token=token, _external=True) if token else None
    return render_template("volunteer/my_shifts.html", title=_("My shifts"), shifts=shifts,
                           role_names=ROLE_NAMES, feed=feed)


@bp.route("/my/roster")
@roles_required(*SELF)
def station_roster():
    """The station's published roster of a week (names and roles, no phone numbers), own patrols marked."""
    me = _me()
    if me is None:
        return redirect(url_for("main.index"))
    monday = av.week_start(_parse_date(request.args.get("week")) or station_clock.today())
    week = ms.published_week(me[0], monday)
    return render_template("volunteer/station_roster.html", title=_("Station roster"), week=week, monday=monday,
                           me=me[1], role_names=ROLE_NAMES, previous=monday - dt.timedelta(days=7),
                           following=monday + dt.timedelta(days=7), clock=_clock)


@bp.route("/my/shifts/calendar-token", methods=["POST"])
@roles_required(*SELF)
def calendar_token():
    had = current_user.calendar_token is not None
    ms.new_calendar_token(current_user)
    db.session.commit()
    flash(_("A new calendar link is made: the old one no longer works.") if had
          else _("Your calendar link is ready: add it to your phone's calendar."), "success")
    return redirect(url_for(".my_shifts"), code=303)


@bp.route("/cal/<token>.ics")
@public
def calendar_feed(token: str):
    user = ms.user_by_calendar_token(token)
    if user is None or user.role not in SELF:
        abort(404)
    return Response(ms.calendar_for(user),
                    mimetype="text/calendar", headers={"Cache-Control": "private, no-store"})


# ---- open slots: volunteers ------------------------------------------------------------------------

def _slot_rows(slots: list[OpenSlot]) -> list[dict]:
    taken = signups.places_taken([s.id for s in slots])
    stations = {s.station_id for s in slots}
    grids = {(g.station_id, g.grid_id): g.name for g in db.session.scalars(
        sa.select(Grid).where(Grid.station_id.in_(stations)))}
    shifts = {(s.station_id, s.shift_id): s for s in db.session.scalars(
        sa.select(ShiftType).where(ShiftType.station_id.in_(stations)))}
    now = _now()
    rows = []
    for slot in slots:
        shift = shifts.get((slot.station_id, slot.shift_id))
        rows.append({"slot": slot, "grid": grids.get((slot.station_id, slot.grid_id), slot.grid_id),
                     "shift": f"{shift.name} {_clock(shift.start)}–{_clock(shift.end)}" if shift else slot.shift_id,
                     "taken": taken.get(slot.id, 0), "left": max(slot.capacity - taken.get(slot.id, 0), 0),
                     "open": now < slot.signup_cutoff, "cutoff": _local(slot.signup_cutoff)})
    return rows


@bp.route("/my/slots")
@roles_required(*SELF)
def slots():
    me = _me()
    if me is None:
        return redirect(url_for("main.index"))
    station_id, person_id = me
    found = list(db.session.scalars(sa.select(OpenSlot).where(OpenSlot.station_id == station_id,
                                                             OpenSlot.date >= station_clock.today())
                                    .order_by(OpenSlot.date, OpenSlot.signup_cutoff, OpenSlot.id)))
    mine = signups.signed_up([s.id for s in found], person_id)
    return render_template("volunteer/slots.html", title=_("Open patrols"), rows=_slot_rows(found), mine=mine)


def _own_station_slot(slot_id: int) -> OpenSlot:
    slot = db.session.get(OpenSlot, slot_id)
    if slot is None or slot.station_id != current_user.station_id:
        abort(404)
    return slot


@bp.route("/my/slots/<int:slot_id>/signup", methods=["POST"])
@roles_required(*SELF)
def sign_up(slot_id: int):
    me = _me()
    if me is None:
        return redirect(url_for("main.index"))
    _own_station_slot(slot_id)
    db.session.rollback()  # end the read before the write transaction of the sign-up
    outcome = signups.sign_up(slot_id, me[1])
    if outcome == Outcome.NOT_FOUND:
        abort(404)
    flash(*SIGNUP_MESSAGES[outcome])
    return redirect(url_for(".slots"), code=303)


@bp.route("/my/slots/<int:slot_id>/cancel", methods=["POST"])
@roles_required(*SELF)
def cancel(slot_id: int):
    me = _me()
    if me is None:
        return redirect(url_for("main.index"))
    _own_station_slot(slot_id)
    db.session.rollback()
    outcome = signups.cancel(slot_id, me[1])
    if outcome == Outcome.NOT_FOUND:
        abort(404)
    flash(*CANCEL_MESSAGES[outcome])
    return redirect(url_for(".slots"), code=303)


# ---- planners: open slots, see sign-ups, set availability deadlines --------------------------------

def _chosen_station() -> Station | None:
    stations = db.session.scalars(sa.select(Station).order_by(Station.id)).all()
    wanted = request.values.get("station", type=int)
    return next((s for s in stations if s.id == wanted), stations[0] if stations else None)


@bp.route("/planner-slots/", methods=["GET", "POST"])
@roles_required(*STAFF)
def planner_slots():
    station = _chosen_station()
    if station is None:
        flash(_("No station yet."), "info")
        return redirect(url_for("planner.index"))
    errors = []
    if request.method == "POST":
        form = request.form
        try:
            open_slots.open_slot(station, form.get("grid"), _parse_date(form.get("date")), form.get("shift"),
                                 form.get("capacity", type=int), _parse_local_datetime(form.get("cutoff")),
                                 form.get("note", ""), user=current_user)
        except open_slots.SlotError as error:
            errors = [_(message) for _field, message in error.errors]
        else:
            flash(_("The patrol is open for sign-up."), "success")
            return redirect(url_for(".planner_slots", station=station.id), code=303)
    today = station_clock.today()  # once per request: three reads could straddle midnight
    found = list(db.session.scalars(sa.select(OpenSlot).where(OpenSlot.station_id == station.id,
                                                             OpenSlot.date >= today - dt.timedelta(days=7))
                                    .order_by(OpenSlot.date, OpenSlot.id)))
    deadlines = db.session.scalars(sa.select(av.AvailabilityDeadline).where(
        av.AvailabilityDeadline.station_id == station.id,
        av.AvailabilityDeadline.week_start >= av.week_start(today)).order_by(av.AvailabilityDeadline.week_start))
    stations = db.session.scalars(sa.select(Station).order_by(Station.id)).all()
    return render_template("volunteer/planner_slots.html", title=_("Open patrols"), station=station,
                           stations=stations, grids=station.grids, shifts=station.shifts, rows=_slot_rows(found),
                           errors=errors, form=request.form,
                           deadlines=[(d.week_start, _local(d.deadline)) for d in deadlines],
                           next_week=(av.week_start(today) + dt.timedelta(days=7)).isoformat())


@bp.route("/planner-slots/<int:slot_id>")
@roles_required(*STAFF)
def planner_slot(slot_id: int):
    slot = _slot_or_404(slot_id)
    people = {p.person_id: p for p in db.session.scalars(sa.select(Person).where(
        Person.station_id == slot.station_id, Person.person_id.in_([s.person_id for s in slot.signups])))}
    return render_template("volunteer/planner_slot.html", title=_("Sign-ups"), row=_slot_rows([slot])[0],
                           signups=[(s, people.get(s.person_id), _local(s.created_at)) for s in slot.signups])


def _slot_or_404(slot_id: int) -> OpenSlot:
    slot = db.session.get(OpenSlot, slot_id)
    if slot is None:
        abort(404)
    return slot


@bp.route("/planner-slots/<int:slot_id>/close", methods=["POST"])
@roles_required(*STAFF)
def planner_close_slot(slot_id: int):
    slot = _slot_or_404(slot_id)
    if open_slots.close_slot(slot, user=current_user):
        flash(_("Sign-up for this patrol is closed."), "success")
    else:
        flash(_("Sign-up for this patrol had already closed."), "info")
    return redirect(url_for(".planner_slot", slot_id=slot_id), code=303)


@bp.route("/planner-slots/<int:slot_id>/delete", methods=["POST"])
@roles_required(*STAFF)
def planner_delete_slot(slot_id: int):
    slot = _slot_or_404(slot_id)
    station_id = slot.station_id
    count = open_slots.delete_slot(slot, user=current_user)
    flash(_("The patrol is deleted, with %(count)d sign-ups.", count=count), "success")
    return redirect(url_for(".planner_slots", station=station_id), code=303)


@bp.route("/planner-slots/deadline", methods=["POST"])
@roles_required(*STAFF)
def planner_deadline():
    station = _chosen_station()
    if station is None:
        abort(404)
    week = _parse_date(request.form.get("week"))
    when = _parse_local_datetime(request.form.get("deadline"))
    if week is None or (when is None and request.form.get("deadline")):
        flash(_("Please give the week and the deadline (date and time)."), "error")
    else:
        av.set_deadline(station.id, av.week_start(week), when)
        flash(_("The availability deadline is saved."), "success")
    return redirect(url_for(".planner_slots", station=station.id), code=303)
