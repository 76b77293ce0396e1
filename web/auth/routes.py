from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..extensions import db, limiter
from ..services.users import authenticate
from . import bp
from .access import ANY_ROLE, public, roles_required
from .forms import ChangePasswordForm, LoginForm, LogoutForm


def _login_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def safe_next(target: str | None) -> str:
    """`next` only when it is a path on this site (no open redirect to another host)."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//") \
                and "\\" not in target:
            return target
    return url_for("main.index")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.username.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")))
        flash(_("Wrong username or password."), "error")
    return render_template("auth/login.html", title=_("Log in"), form=form)


@bp.route("/logout", methods=["POST"])
@roles_required(*ANY_ROLE)
def logout():
    if LogoutForm().validate_on_submit():
        logout_user()
        flash(_("You have logged out."), "info")
        return redirect(url_for("auth.login"))
    return redirect(url_for("main.index"))


@bp.route("/password", methods=["GET", "POST"])
@roles_required(*ANY_ROLE)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            form.current_password.errors.append(_("The current password is wrong."))
        else:
            user = current_user._get_current_object()
            user.set_password(form.new_password.data)
            db.session.commit()
            # Other sessions and remember-me cookies of this account end now; this one goes on.
            login_user(user, remember=bool(request.cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token"))))
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("main.index"))
    return render_template("auth/change_password.html", title=_("Change password"), form=form)
