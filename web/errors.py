"""Error pages: 403, 404, 429 (too many login attempts) and 500, in the user's language."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from .extensions import db


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(403)
    def forbidden(error: HTTPException):
        return render_template("errors/error.html", title=_("Not allowed"), code=403,
                               message=_("Your account is not allowed to open this page.")), 403

    @app.errorhandler(404)
    def not_found(error: HTTPException):
        return render_template("errors/error.html", title=_("Page not found"), code=404,
                               message=_("There is no such page.")), 404

    @app.errorhandler(429)
    def too_many_requests(error: HTTPException):
        message = _("Too many login attempts from your network. For your account's safety, please wait "
                    "a minute and try again.")
        return render_template("errors/error.html", title=_("Too many attempts"), code=429, message=message), 429

    @app.errorhandler(500)
    def server_error(error: Exception):
        db.session.rollback()
        return render_template("errors/error.html", title=_("Something went wrong"), code=500,
                               message=_("The server could not finish this request. Please try again.")), 500
