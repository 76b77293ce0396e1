"""The staffing what-if page of a station's week: how many more people would cover all demand."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.access import STAFF, roles_required
from ..services.staffing import AVAILABILITY_MODES, INTERRUPTED, WhatIfRunning, start_what_if, what_if_state
from . import bp
from .rosters import _station, _week


def _status(state: dict | None) -> dict | None:
    """What the page shows and polls: the state with the error in the planner's words."""
    if state is None:
        return None
    labels = {"queued": _("queued"), "running": _("running"), "done": _("done"), "failed": _("failed")}
    error = _("Interrupted by a server restart.") if state.get("error") == INTERRUPTED else state.get("error")
    return {**state, "status_label": labels.get(state["status"], state["status"]), "error": error}


@bp.route("/stations/<int:station_id>/staffing")
@roles_required(*STAFF)
def staffing(station_id: int):
    """The what-if form, the running what-if's progress and the answer of the last one."""
    station = _station(station_id)
    week_start = _week(request.args.get("week"))
    state = _status(what_if_state(station.id, week_start))
    return render_template("planner/staffing.html", title=_("Staffing what-if"), station=station,
                           week_start=week_start, state=state, modes=AVAILABILITY_MODES)


@bp.route("/stations/<int:station_id>/staffing", methods=["POST"])
@roles_required(*STAFF)
def staffing_start(station_id: int):
    """Start the what-if in the background and return at once."""
    station = _station(station_id)
    week_start = _week(request.form.get("week"))
    availability = request.form.get("availability", "all")
    back = redirect(url_for("planner.staffing", station_id=station.id, week=week_start.isoformat()))
    if availability not in AVAILABILITY_MODES:
        flash(_("Availability: choose all or like existing people."), "error")
        return back
    try:
        start_what_if(station.id, week_start, current_user, availability)
        flash(_("Working out the staffing; you can leave this page and come back."), "info")
    except WhatIfRunning:
        flash(_("A staffing what-if for this week is already running."), "error")
    return back


@bp.route("/stations/<int:station_id>/staffing/status")
@roles_required(*STAFF)
def staffing_status(station_id: int):
    """The what-if's progress as JSON (polled by the page)."""
    station = _station(station_id)
    state = _status(what_if_state(station.id, _week(request.args.get("week"))))
    if state is None:
        return jsonify({"status": None, "active": False})
    return jsonify({key: state.get(key) for key in ("status", "status_label", "active", "elapsed", "gap", "error")})
