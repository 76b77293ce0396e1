"""The fairness ledger over weeks: a volunteer's or officer's own record, and the planners' table with its CSV.

The own record takes the station and person from the logged-in account, never from the URL, and
shows no other person's figures: only the station average of the person's role.
Both pages read `week` (any day of the newest week, ISO date) and `weeks` (the look-back, 1-52).
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from flask import Blueprint, Response, flash, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from scheduler.export import guard_cell

from . import station_clock
from .auth.access import roles_required
from .extensions import db
from .models import Station
from .services import ledger as lg
from .services.availability import week_start

bp = Blueprint("ledger", __name__)

ROLE_NAMES = {"police": _l("police"), "auxiliary": _l("auxiliary"), "volunteer": _l("volunteer")}
MEASURE_NAMES = {"hours": _l("Hours served"), "shifts": _l("Shifts in all"), "nights": _l("Nights"),
                 "weekends": _l("Weekend shifts"), "weeks": _l("Weeks served")}
CSV_COLUMNS = ("person_id", "name", "role") + lg.MEASURES


def _this_week() -> dt.date:
    return week_start(station_clock.today())


def _lookback() -> tuple[dt.date, int, list[str]]:
    """The `week` and `weeks` query parameters, each wrong one replaced by its default with a message naming it."""
    errors = []
    until, weeks = _this_week(), lg.DEFAULT_WEEKS
    if request.args.get("week"):
        try:
            until = week_start(dt.date.fromisoformat(request.args["week"]))
        except ValueError:
            errors.append(_("week: “%(value)s” is not a date like 2026-03-02.", value=request.args["week"]))
    if request.args.get("weeks"):
        text = request.args["weeks"]
        if text.isdigit() and 1 <= int(text) <= lg.MAX_WEEKS:
            weeks = int(text)
        else:
            errors.append(_("weeks: “%(value)s” is not a whole number from 1 to %(most)s.",
                            value=text, most=lg.MAX_WEEKS))
    return until, weeks, errors


def _lookback_or_flash() -> tuple[dt.date, int]:
    until, weeks, errors = _lookback()
    for error in errors:
        flash(error, "error")
    return until, weeks


@bp.route("/my/record")
@roles_required("volunteer", "officer")
def my_record():
    until, weeks = _lookback_or_flash()
    if current_user.station_id is None or not current_user.person_id:
        flash(_("Your account is not linked to a person of a station yet: ask your planner."), "error")
        return render_template("ledger/my_record.html", title=_("My record"), mine=None, average=None,
                               until=until, weeks=weeks, measures=MEASURE_NAMES, role_names=ROLE_NAMES)
    book = lg.ledger(current_user.station_id, until, weeks)
    mine = book.row(current_user.person_id)
    average = book.role_average.get(mine.role) if mine else None
    return render_template("ledger/my_record.html", title=_("My record"), mine=mine, average=average,
                           ledger=book, until=until, weeks=weeks, measures=MEASURE_NAMES, role_names=ROLE_NAMES)


@bp.route("/planner/stations/<int:station_id>/ledger")
@roles_required("admin", "planner")
def station_ledger(station_id: int):
    station = db.get_or_404(Station, station_id)
    until, weeks = _lookback_or_flash()
    sort = request.args.get("sort", "role")
    book = lg.ledger(station.id, until, weeks)
    return render_template("ledger/station.html", title=_("Fairness ledger"), station=station, ledger=book,
                           rows=lg.sort_rows(book.rows, sort), sort=sort, until=until, weeks=weeks,
                           measures=MEASURE_NAMES, role_names=ROLE_NAMES)


@bp.route("/planner/stations/<int:station_id>/ledger.csv")
@roles_required("admin", "planner")
def station_ledger_csv(station_id: int):
    station = db.get_or_404(Station, station_id)
    until, weeks, errors = _lookback()
    if errors:
        return Response("\n".join(errors) + "\n", status=400, mimetype="text/plain")
    book = lg.ledger(station.id, until, weeks)
    name = f"ledger-{station.id}-{book.first_week.isoformat()}-{book.until_week.isoformat()}.csv"
    return Response(ledger_csv(book, request.args.get("sort", "role")).encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def ledger_csv(book: lg.Ledger, sort: str) -> str:
    """Everyone's row, then one average row per role (empty person_id); UTF-8 with a BOM for Excel and WPS."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in lg.sort_rows(book.rows, sort):
        writer.writerow([guard_cell(getattr(row, column)) for column in CSV_COLUMNS])
    for role, average in book.role_average.items():
        writer.writerow(["", guard_cell(_("Average")), role] + [average[m] for m in lg.MEASURES])
    return out.getvalue()
