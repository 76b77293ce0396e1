from __future__ import annotations

from flask import current_app, redirect, render_template, request, session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..auth.access import ANY_ROLE, public, roles_required
from ..auth.routes import safe_next
from . import bp

ROLE_NAMES = {"admin": _l("administrator"), "planner": _l("planner"), "officer": _l("officer"),
              "volunteer": _l("volunteer")}
ROLE_WELCOME = {
    "admin": _l("You manage the accounts of this portal."),
    "planner": _l("You manage the station data and build, publish and export the rosters."),
    "officer": _l("Here you will see your shifts and report leave."),
    "volunteer": _l("Here you will state when you can patrol, sign up for open patrols and see your shifts."),
}


@bp.route("/")
@roles_required(*ANY_ROLE)
def index():
    return render_template("main/index.html", title=_("Home"), role_name=ROLE_NAMES[current_user.role],
                           welcome=ROLE_WELCOME[current_user.role])


@bp.route("/lang/<code>")
@public
def set_language(code: str):
    """The language switch: remembered in the session, then back to the page it was clicked on."""
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(safe_next(request.args.get("next")))
