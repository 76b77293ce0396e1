"""Printable rosters: one sheet per grid (day × shift, names and roles), for the station's notice board.

Printed in Chinese unless `?lang=en` asks otherwise (the sheet is for the station, whatever the
planner's screen language). No phone numbers: the sheet hangs in public.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from flask import abort, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _

from scheduler import model as m

from ..auth.access import STAFF, roles_required
from ..extensions import db
from ..rosters.models import Roster
from ..services.solving import roster_assignments
from ..services.stations import station_to_engine
from . import bp

PRINT_LANGUAGES = ("zh", "en")


@dataclass(frozen=True)
class GridSheet:
    grid: m.Grid
    cells: dict[tuple[str, dt.date], list[m.Person]]  # (shift_id, date) -> people, by role then id


def grid_sheets(station: m.Station, roster: Roster, grid_ids: list[str]) -> list[GridSheet]:
    people = station.people_by_id
    cells: dict[str, dict] = {grid_id: defaultdict(list) for grid_id in grid_ids}
    for a in roster_assignments(roster):
        if a.grid_id in cells and a.person_id in people:
            cells[a.grid_id][(a.shift_id, a.date)].append(people[a.person_id])
    for by_cell in cells.values():
        for names in by_cell.values():
            names.sort(key=lambda p: (m.ROLES.index(p.role), p.person_id))
    grids = station.grids_by_id
    return [GridSheet(grids[grid_id], cells[grid_id]) for grid_id in grid_ids]


def _print(roster_id: int, grid_id: str | None):
    row = db.get_or_404(Roster, roster_id)
    station = station_to_engine(row.station)
    if grid_id is not None and grid_id not in station.grids_by_id:
        abort(404)
    grid_ids = [grid_id] if grid_id is not None else [g.grid_id for g in station.grids]
    language = request.args.get("lang") if request.args.get("lang") in PRINT_LANGUAGES else "zh"
    with force_locale(language):
        return render_template(
            "planner/print_grid.html", roster=row, station=station, sheets=grid_sheets(station, row, grid_ids),
            dates=[row.week_start + dt.timedelta(days=i) for i in range(7)], language=language,
            roles={"police": _("police"), "auxiliary": _("auxiliary"), "volunteer": _("volunteer")},
            weekdays=[_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")], grid_id=grid_id,
        )


@bp.route("/rosters/<int:roster_id>/print")
@roles_required(*STAFF)
def print_roster(roster_id: int):
    """Every grid of the roster, one printed page each."""
    return _print(roster_id, None)


@bp.route("/rosters/<int:roster_id>/print/<grid_id>")
@roles_required(*STAFF)
def print_grid(roster_id: int, grid_id: str):
    """One grid's week on one printed page."""
    return _print(roster_id, grid_id)
