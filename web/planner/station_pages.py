"""Planner pages for a station's data: people, grids, shifts, weekly demand, date overrides, requests, settings.

Each view parses nothing itself: it hands the typed text to web/services/station_edit.py and shows
the errors that come back next to their fields, with what was typed kept.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from scheduler.model import ROLES

from ..auth.access import STAFF, roles_required
from ..extensions import db
from ..models import Station
from ..services.station_edit import (
    OPTIONAL_RULES,
    SPECS,
    WEIGHT_KEYS,
    StationEditError,
    create_row,
    delete_row,
    list_rows,
    settings_of,
    shift_caps_text,
    successions_text,
    update_row,
    update_settings,
    usages,
)
from . import bp
from .station_forms import CHOICE_LABELS, COLUMNS, ROLE_LABELS, SECTION_TITLES, SECTIONS, WEEKDAY_SET


def _station(station_id: int) -> Station:
    return db.get_or_404(Station, station_id)


def _table(section: str) -> str:
    if section not in SECTIONS:
        abort(404)
    return SECTIONS[section]


def _section_rows(station: Station, section: str) -> list[tuple[int, dict]]:
    """(spreadsheet row number, row) of the section; weekly and dated demand rows are two sections."""
    rows = list(enumerate(list_rows(station, _table(section)), start=2))
    if section == "templates":
        return [(n, r) for n, r in rows if r["day"] in WEEKDAY_SET]
    if section == "overrides":
        return [(n, r) for n, r in rows if r["day"] not in WEEKDAY_SET]
    return rows


def _form_values(table: str) -> dict[str, str]:
    return {column.name: request.form.get(column.name, "").strip() for column in COLUMNS[table]}


def _as_text(row: dict) -> dict[str, str]:
    return {key: "" if value is None else ("true" if value is True else "false" if value is False else str(value))
            for key, value in row.items()}


def _render_section(station: Station, section: str, values=None, errors=None, status=200):
    table = _table(section)
    blank = {"day": "mon"} if section == "templates" else {}
    return render_template(
        "planner/station_data.html", title=f"{station.name} · {SECTION_TITLES[section]}", station=station,
        section=section, sections=SECTION_TITLES, columns=COLUMNS[table], rows=_section_rows(station, section),
        values=values if values is not None else blank, errors=errors or {}, role_labels=CHOICE_LABELS,
    ), status


@bp.route("/stations/<int:station_id>/data", defaults={"section": "people"})
@bp.route("/stations/<int:station_id>/data/<section>")
@roles_required(*STAFF)
def station_data(station_id: int, section: str):
    """One section of the station's data with a form to add a row."""
    return _render_section(_station(station_id), section)


@bp.route("/stations/<int:station_id>/data/<section>/add", methods=["POST"])
@roles_required(*STAFF)
def station_row_add(station_id: int, section: str):
    station, table = _station(station_id), _table(section)
    values = _form_values(table)
    try:
        create_row(station, table, values)
    except StationEditError as error:
        return _render_section(station, section, values, error.by_field(), 400)
    flash(_("Row added."), "success")
    return redirect(url_for("planner.station_data", station_id=station.id, section=section))


def _row_or_404(station: Station, table: str, row_id: int) -> dict:
    for row in list_rows(station, table):
        if row["id"] == row_id:
            return row
    abort(404)


@bp.route("/stations/<int:station_id>/data/<section>/<int:row_id>", methods=["GET", "POST"])
@roles_required(*STAFF)
def station_row_edit(station_id: int, section: str, row_id: int):
    station, table = _station(station_id), _table(section)
    values, errors = _as_text(_row_or_404(station, table, row_id)), {}
    if request.method == "POST":
        values = _form_values(table)
        try:
            update_row(station, table, row_id, values)
        except StationEditError as error:
            errors = error.by_field()
        else:
            flash(_("Row saved."), "success")
            return redirect(url_for("planner.station_data", station_id=station.id, section=section))
    return render_template("planner/station_row.html", title=_("Edit row"), station=station, section=section,
                           row_id=row_id, columns=COLUMNS[table], values=values, errors=errors,
                           role_labels=CHOICE_LABELS), 400 if errors else 200


@bp.route("/stations/<int:station_id>/data/<section>/<int:row_id>/delete", methods=["GET", "POST"])
@roles_required(*STAFF)
def station_row_delete(station_id: int, section: str, row_id: int):
    """GET asks to confirm; POST (with the CSRF token) deletes, unless other rows still use the row."""
    station, table = _station(station_id), _table(section)
    row, errors = _row_or_404(station, table, row_id), []
    if request.method == "POST":
        try:
            delete_row(station, table, row_id)
        except StationEditError as error:
            errors = [message for _field, message in error.errors]
        else:
            flash(_("Row deleted."), "success")
            return redirect(url_for("planner.station_data", station_id=station.id, section=section))
    id_column = SPECS[table].id_column
    used = usages(station, table, row[id_column]) if id_column else {}
    return render_template("planner/station_delete.html", title=_("Delete row"), station=station, section=section,
                           row=row, columns=COLUMNS[table], errors=errors, used=used), 400 if errors else 200


# --------------------------------------------------------------------------- settings

RULE_FIELDS = ("min_rest_hours", "max_consecutive_days", "max_consecutive_nights", *OPTIONAL_RULES)
# Rules typed as one line of text: `night=4;day=10` and `night>day; late>early`.
RULE_TEXT_FIELDS = ("max_shifts_per_type", "forbidden_successions")
WEIGHT_FIELDS = tuple(key for key in WEIGHT_KEYS if key != "uncovered")
LEVELS = ("1", "2", "3", "4")


def _number(text: str):
    """A typed number as int or float; anything else stays text, for the checker to name."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _rule_value(key: str, text: str):
    """An optional rule left empty is switched off (None); the others are numbers for the checker."""
    return None if key in OPTIONAL_RULES and not text else _number(text)


def _settings_from_form(form) -> dict:
    return {
        "name": form.get("name", "").strip(),
        "rules": {key: _rule_value(key, form.get(f"rules.{key}", "").strip()) for key in RULE_FIELDS}
        | {key: form.get(f"rules.{key}", "").strip() for key in RULE_TEXT_FIELDS}
        | {"escort_roles": form.getlist("rules.escort_roles"),
           "max_shifts_per_week": {role: _number(form.get(f"rules.max_shifts_per_week.{role}", "").strip())
                                   for role in ROLES}},
        "weights": {key: _number(form.get(f"weights.{key}", "").strip()) for key in WEIGHT_FIELDS}
        | {"uncovered": {level: _number(form.get(f"weights.uncovered.{level}", "").strip()) for level in LEVELS}},
    }


def _flat(settings: dict) -> dict[str, object]:
    """The settings keyed by their dotted names, as the form's fields and the errors name them."""
    flat: dict[str, object] = {"name": settings["name"]}
    for group in ("rules", "weights"):
        for key, value in settings[group].items():
            if f"{group}.{key}" == "rules.max_shifts_per_type":
                flat["rules.max_shifts_per_type"] = value if isinstance(value, str) else shift_caps_text(value)
            elif f"{group}.{key}" == "rules.forbidden_successions":
                flat["rules.forbidden_successions"] = value if isinstance(value, str) else successions_text(value)
            elif value is None:
                flat[f"{group}.{key}"] = ""
            elif isinstance(value, dict):
                flat.update({f"{group}.{key}.{inner}": v for inner, v in value.items()})
            else:
                flat[f"{group}.{key}"] = value
    return flat


@bp.route("/stations/<int:station_id>/settings", methods=["GET", "POST"])
@roles_required(*STAFF)
def station_settings(station_id: int):
    station = _station(station_id)
    values, errors = _flat(settings_of(station)), {}
    if request.method == "POST":
        data = _settings_from_form(request.form)
        values = _flat(data)
        try:
            update_settings(station, data)
        except StationEditError as error:
            errors = _form_errors(error)
        else:
            flash(_("Settings saved."), "success")
            return redirect(url_for("planner.station_settings", station_id=station.id))
    shown = _settings_fields()
    return render_template("planner/station_settings.html", title=_("Station settings"), station=station,
                           sections=SECTION_TITLES, section="settings", values=values, errors=errors, roles=ROLES,
                           role_labels=ROLE_LABELS, rule_fields=RULE_FIELDS, weight_fields=WEIGHT_FIELDS,
                           levels=LEVELS, other_errors={k: v for k, v in errors.items() if k not in shown}
                           ), 400 if errors else 200


def _settings_fields() -> set[str]:
    """The dotted names the settings form has a field for (its errors show next to them; others on top)."""
    return ({"name", "rules.escort_roles"} | {f"rules.{key}" for key in RULE_FIELDS + RULE_TEXT_FIELDS}
            | {f"rules.max_shifts_per_week.{role}" for role in ROLES} | {f"weights.{key}" for key in WEIGHT_FIELDS}
            | {f"weights.uncovered.{level}" for level in LEVELS})


def _form_errors(error: StationEditError) -> dict:
    """The errors by form field: one about a shift inside a text rule (`rules.max_shifts_per_type.night`) goes
    next to that rule's text field."""
    grouped: dict = {}
    for field, message in error.errors:
        for key in RULE_TEXT_FIELDS:
            if field and field.startswith(f"rules.{key}."):
                shift_id = field.rsplit(".", 1)[1]
                field, message = f"rules.{key}", message if shift_id in message else f"{shift_id}: {message}"
        grouped.setdefault(field, []).append(message)
    return grouped
