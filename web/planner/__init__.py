from flask import Blueprint

bp = Blueprint("planner", __name__, url_prefix="/planner")

from . import adjust, printing, rosters, routes  # noqa: E402,F401
