from flask import Blueprint

bp = Blueprint("planner", __name__, url_prefix="/planner")

from . import routes  # noqa: E402,F401
