"""Planner pages to upload station data (a zipped folder, or one table as CSV/Excel) and to download it.

An upload is first checked and previewed; the session keeps only the random token of the checked
upload waiting in the instance folder, and the confirm writes it in one transaction.
"""

from __future__ import annotations

import io

from flask import current_app, flash, redirect, render_template, request, send_file, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from scheduler.model import StationDataError

from ..auth.access import STAFF, roles_required
from ..extensions import db
from ..models import Station
from ..services.audit import audit
from ..services.station_import import UploadError, confirm, discard, export_zip, pending, preview_table, preview_zip
from . import bp
from .station_forms import SECTION_TITLES, TABLE_LABELS, TableUploadForm, ZipUploadForm

UPLOAD_LIMIT = 5 * 1024 * 1024  # bytes; STATION_UPLOAD_LIMIT in the config overrides it
SESSION_KEY = "station_upload"


def _limit() -> int:
    return current_app.config.get("STATION_UPLOAD_LIMIT", UPLOAD_LIMIT)


def _megabytes() -> str:
    return f"{_limit() / 1024 / 1024:g}"


def _too_large_message() -> str:
    return _("The file is larger than %(mb)s MB. Split it, or remove old rows (e.g. past availability) first.",
             mb=_megabytes())


def _read_upload(form) -> tuple[str, bytes] | None:
    """The uploaded file's name and bytes, or None with the error put on the form (too large, none)."""
    request.max_content_length = _limit()
    try:
        if request.content_length and request.content_length > _limit():
            raise RequestEntityTooLarge()
        if not form.validate_on_submit():
            return None
    except RequestEntityTooLarge:
        form.file.errors = [_too_large_message()]
        return None
    upload = form.file.data
    return upload.filename or "", upload.read()


def _forms(station: Station | None, zip_form=None, table_form=None, status=200):
    return render_template("planner/station_import.html", title=_("Import station data"), station=station,
                           sections=SECTION_TITLES, section="import", zip_form=zip_form or ZipUploadForm(),
                           table_form=table_form or TableUploadForm(), limit_mb=_megabytes()), status


def _show_preview(station: Station | None, make_preview, form_args: dict):
    try:
        preview = make_preview()
    except UploadError as error:
        form = form_args["zip_form"] or form_args["table_form"]
        form.file.errors = [str(error)]
        return _forms(station, status=400, **form_args)
    if preview.token:
        if session.get(SESSION_KEY):
            discard(session[SESSION_KEY])  # one waiting upload per session: the newer one replaces it
        session[SESSION_KEY] = preview.token
    return render_template("planner/station_preview.html", title=_("Check the upload"), station=station,
                           preview=preview, table_labels=TABLE_LABELS), 200 if preview.token else 400


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error: RequestEntityTooLarge):
    """Even a file too large for the whole app (read before the view, e.g. by the CSRF check) gets a clear page."""
    return render_template("errors/error.html", title=_("File too large"), code=413, message=_too_large_message()), 413


@bp.route("/stations/import", methods=["GET", "POST"])
@roles_required(*STAFF)
def station_import_new():
    """A new station from a zipped station folder."""
    form = ZipUploadForm()
    if request.method == "GET":
        return _forms(None, zip_form=form)
    upload = _read_upload(form)
    if upload is None:
        return _forms(None, zip_form=form, status=413 if _is_too_large(form) else 400)
    return _show_preview(None, lambda: preview_zip(upload[1], name=upload[0]), {"zip_form": form, "table_form": None})


def _is_too_large(form) -> bool:
    return _too_large_message() in form.file.errors


@bp.route("/stations/<int:station_id>/import", methods=["GET", "POST"])
@roles_required(*STAFF)
def station_import(station_id: int):
    """Replace all data from a zip (form `zip`), or one table from a CSV/Excel file (form `table`)."""
    station = db.get_or_404(Station, station_id)
    if request.method == "GET":
        return _forms(station)
    if request.args.get("kind") == "table":
        form = TableUploadForm()
        upload = _read_upload(form)
        if upload is None:
            return _forms(station, table_form=form, status=413 if _is_too_large(form) else 400)
        return _show_preview(station, lambda: preview_table(station, form.table.data, *upload),
                             {"zip_form": None, "table_form": form})
    form = ZipUploadForm()
    upload = _read_upload(form)
    if upload is None:
        return _forms(station, zip_form=form, status=413 if _is_too_large(form) else 400)
    return _show_preview(station, lambda: preview_zip(upload[1], into=station, name=upload[0]), {"zip_form": form, "table_form": None})


def _waiting_token(token: str) -> dict | None:
    """The upload under `token` if it is this session's (a token alone, e.g. from another user, is not enough)."""
    if session.get(SESSION_KEY) != token:
        return None
    try:
        return pending(token)
    except LookupError:
        return None


@bp.route("/imports/<token>/confirm", methods=["POST"])
@roles_required(*STAFF)
def station_import_confirm(token: str):
    meta = _waiting_token(token)
    if meta is None:
        flash(_("This upload is no longer waiting (already written or cancelled). Upload the file again."), "error")
        return redirect(url_for("planner.index"))
    session.pop(SESSION_KEY, None)
    try:
        row = confirm(token, current_user)
    except (StationDataError, LookupError) as error:
        issues = getattr(error, "issues", [])
        flash(_("Nothing was written: the station changed since the check (%(problem)s). Upload the file again.",
                problem="; ".join(map(str, issues)) or _("the station is gone")), "error")
        return redirect(url_for("planner.index"))
    flash(_("The upload is written."), "success")
    return redirect(url_for("planner.station_data", station_id=row.id))


@bp.route("/imports/<token>/discard", methods=["POST"])
@roles_required(*STAFF)
def station_import_discard(token: str):
    meta = _waiting_token(token)
    if meta is not None:
        discard(token)
        session.pop(SESSION_KEY, None)
    flash(_("The upload was cancelled; nothing was written."), "info")
    if meta and meta.get("station_id"):
        return redirect(url_for("planner.station_import", station_id=meta["station_id"]))
    return redirect(url_for("planner.index"))


@bp.route("/stations/<int:station_id>/station.zip")
@roles_required(*STAFF)
def station_export(station_id: int):
    """The station folder as a zip: station.toml and the CSV files, as Excel and the importer read them."""
    station = db.get_or_404(Station, station_id)
    data = export_zip(station)
    audit("station.export", current_user, station=station.id)
    db.session.commit()
    return send_file(io.BytesIO(data), mimetype="application/zip", as_attachment=True,
                     download_name=f"station-{station.id}.zip")
