from __future__ import annotations

import sqlalchemy as sa
from flask import render_template
from flask_babel import gettext as _

from ..auth.access import STAFF, roles_required
from ..extensions import db
from ..models import Station
from ..services.stations import station_counts
from . import bp


@bp.route("/")
@roles_required(*STAFF)
def index():
    """The stations in the database with the size of each table (the planner's start page)."""
    stations = db.session.scalars(sa.select(Station).order_by(Station.id)).all()
    return render_template("planner/index.html", title=_("Stations"),
                           stations=[(s, station_counts(s)) for s in stations])


from . import replan, staffing, station_imports, station_pages  # noqa: E402,F401  (the station data pages register their routes)
