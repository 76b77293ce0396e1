from flask import Blueprint

bp = Blueprint("planner", __name__, url_prefix="/planner")

from . import rosters, routes  # noqa: E402,F401
