"""Editing a stored station row by row: the one service behind the planner's pages and the JSON API.

Every change is checked by the engine, not by a second copy of its rules: the fields are parsed
by the CSV loader's own row parsers (so a form accepts exactly what a file would), the change is
applied to the station's rows, and `station_to_engine` must then build a valid Station. Any
problem rolls the session back and raises `StationEditError` with `(field, message)` pairs;
nothing is half-written. Success is committed together with its audit log entry.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

from flask import has_request_context
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from scheduler import model as m
from scheduler import station_io as io

from ..extensions import db
from ..models import Availability, DemandRow, Grid, Person, Pin, ShiftType, Station, StationRequest
from .audit import audit
from .stations import (
    TABLES,
    rules_from_json,
    rules_to_json,
    shift_caps_to_text,
    station_to_engine,
    weights_from_json,
    weights_to_json,
)

# The tables planners edit row by row, in the browser and through the JSON API.
EDITABLE = ("people", "grids", "shifts", "demand", "requests")

# The loader's file spec and row parser per table: one definition of what a cell may hold.
# (They are private to station_io; a public `parse_row` there would be the cleaner home.)
SPECS = {"people": io._PEOPLE, "grids": io._GRIDS, "shifts": io._SHIFTS, "demand": io._DEMAND,
         "availability": io._AVAILABILITY, "pins": io._PINS, "requests": io._REQUESTS}
_PARSERS = {"people": io._person, "grids": io._grid, "shifts": io._shift, "demand": io._demand,
            "availability": io._availability, "pins": io._pin, "requests": io._request}
FILES = {table: spec.file for table, spec in SPECS.items()}
MODELS = {"people": Person, "grids": Grid, "shifts": ShiftType, "demand": DemandRow,
          "availability": Availability, "pins": Pin, "requests": StationRequest}
# The columns the database stores: every column of the loader's file spec (a test checks none is missing).
COLUMNS = {table: tuple(c for c in spec.columns if c in MODELS[table].__table__.columns)
           for table, spec in SPECS.items()}
TABLE_OF_FILE = {file: table for table, file in FILES.items()}

# The optional rules (None: not applied); a settings change leaving one empty switches it off.
OPTIONAL_RULES = tuple(f.name for f in dataclasses.fields(m.Rules) if f.default is None)
# Every weight (weights_to_json stores them all); "uncovered" comes first.
WEIGHT_KEYS = tuple(m.Weights.__dataclass_fields__)

Field = str | None  # a column name, a dotted settings key ("rules.min_rest_hours"), or None for the whole row


class StationEditError(ValueError):
    """The change was refused; `errors` lists every `(field, message)` found."""

    def __init__(self, errors: list[tuple[Field, str]]):
        self.errors = list(errors)
        super().__init__("; ".join(f"{field}: {message}" if field else message for field, message in self.errors))

    def by_field(self) -> dict[Field, list[str]]:
        grouped: dict[Field, list[str]] = {}
        for field, message in self.errors:
            grouped.setdefault(field, []).append(message)
        return grouped


def _(text: str, **values) -> str:
    """Translated in a request (the user's language); plain English from a script or the CLI."""
    return gettext(text, **values) if has_request_context() else text % values


# --------------------------------------------------------------------------- rows as dicts


def _time(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def row_to_dict(table: str, row) -> dict[str, Any]:
    """A stored row with the FORMAT.md column names (values as in the file, typed where natural) and its id."""
    data = {column: getattr(row, column) for column in COLUMNS[table]}
    if table == "shifts":
        data["start"], data["end"] = _time(row.start), _time(row.end)
    if isinstance(data.get("date"), dt.date):
        data["date"] = data["date"].isoformat()
    return {"id": row.id, **data}


def _rows(station: Station, table: str) -> list:
    _check_table(table, TABLES)
    return getattr(station, table)


def _check_table(table: str, allowed) -> None:
    if table not in allowed:
        raise ValueError(f"unknown table {table!r} (expected one of {', '.join(allowed)})")


def list_rows(station: Station, table: str) -> list[dict]:
    return [row_to_dict(table, row) for row in _rows(station, table)]


def _find(station: Station, table: str, row_id: int):
    for row in _rows(station, table):
        if row.id == row_id:
            return row
    raise LookupError(f"{table} has no row {row_id} in station {station.id}")


# --------------------------------------------------------------------------- parsing


def _cell(value: Any) -> str:
    """A value from a form or JSON as the text a CSV cell would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):  # max_shifts_per_type sent as {"night": 4} through the API
        return ";".join(f"{key}={most}" for key, most in value.items())
    return str(value).strip()


def parse_row(table: str, data: dict[str, Any]):
    """The engine object for one row (row=None), parsed by the loader; StationEditError on bad cells."""
    columns = SPECS[table].columns
    unknown = [key for key in data if key not in COLUMNS[table] and key != "id"]
    errors: list[tuple[Field, str]] = [(key, _("unknown field %(name)s", name=key)) for key in unknown]
    issues: list[m.DataIssue] = []
    cells = {column: _cell(data.get(column)) if column in COLUMNS[table] else "" for column in columns}
    parsed = _PARSERS[table](io._Row(FILES[table], None, cells, issues))
    errors += [(issue.column, issue.message) for issue in issues]
    if errors:
        raise StationEditError(errors)
    return parsed


def db_fields(table: str, item) -> dict[str, Any]:
    """The columns of a stored row for an engine object (the inverse of station_to_engine)."""
    fields = {column: getattr(item, column) for column in COLUMNS[table]}
    if table == "people":
        fields["skills"] = ";".join(sorted(item.skills))
        fields["max_shifts_per_type"] = shift_caps_to_text(item.max_shifts_per_type)
    if table == "demand":
        fields["day"] = item.day.isoformat() if isinstance(item.day, dt.date) else item.day
    return fields


# --------------------------------------------------------------------------- the engine's verdict


def _who() -> Any:
    return current_user if has_request_context() and current_user.is_authenticated else None


def _load_all(station: Station) -> None:
    """Load every table before changing one, so building the engine station needs no query (and no flush)."""
    for name in TABLES:
        getattr(station, name)


def _verdict(station: Station, table: str | None, old_id: str | None) -> None:
    """Build the engine's station from the changed rows; StationEditError naming fields if it refuses."""
    try:
        station_to_engine(station)
    except m.StationDataError as error:
        raise StationEditError(_errors_for(station, table, old_id, error.issues)) from None


def _errors_for(station: Station, table: str | None, old_id: str | None, issues) -> list[tuple[Field, str]]:
    own_file = FILES.get(table) if table else io.STATION_TOML
    errors = [(issue.column, issue.message) for issue in issues if issue.file == own_file]
    others = [issue for issue in issues if issue.file != own_file]
    if others and table and old_id is not None:
        errors.append((SPECS[table].id_column, still_used(station, table, old_id)))
    else:
        errors += [(None, str(issue)) for issue in others]
    return errors


def usages(station: Station, table: str, value: str) -> dict[str, list[int]]:
    """Where rows of other tables refer to id `value` of `table`: "file (column)" -> spreadsheet rows."""
    found: dict[str, list[int]] = {}
    for (file, column), target in io._REFERENCES.items():
        if target != FILES[table] or file not in TABLE_OF_FILE:  # a file the database does not store (yet)
            continue
        rows = [number for number, row in enumerate(getattr(station, TABLE_OF_FILE[file]), start=2)
                if getattr(row, column) == value]
        if rows:
            found[f"{file} ({column})"] = rows
    return found


def still_used(station: Station, table: str, value: str) -> str:
    where = "; ".join(_("%(file)s rows %(rows)s", file=file, rows=", ".join(map(str, rows)))
                      for file, rows in usages(station, table, value).items())
    return _("%(id)s is still used in %(where)s: change or delete those rows first.", id=repr(value), where=where)


def _commit(station: Station, table: str | None, old_id: str | None, action: str, /, **details) -> None:
    """Validate the applied change, flush, log and commit; on any refusal roll everything back."""
    try:
        _verdict(station, table, old_id)
        db.session.flush()
    except StationEditError:
        db.session.rollback()
        raise
    except IntegrityError:  # a race with another editor: the database's unique ids caught it
        db.session.rollback()
        raise StationEditError([(SPECS[table].id_column if table else None,
                                 _("This id is already used in this station."))]) from None
    audit(action, _who(), station=station.id, **details)
    db.session.commit()


# --------------------------------------------------------------------------- the operations


def create_row(station: Station, table: str, data: dict) -> dict:
    _check_table(table, EDITABLE)
    item = parse_row(table, data)
    with db.session.no_autoflush:
        _load_all(station)
        row = MODELS[table](**db_fields(table, item))
        getattr(station, table).append(row)
        _commit(station, table, None, "station.row.create", table=table, row=_key(table, row))
    return row_to_dict(table, row)


def update_row(station: Station, table: str, row_id: int, data: dict) -> dict:
    """Change the given fields of a row (fields left out keep their value)."""
    _check_table(table, EDITABLE)
    row = _find(station, table, row_id)
    current = row_to_dict(table, row)
    item = parse_row(table, {**{k: v for k, v in current.items() if k != "id"}, **data})
    id_column = SPECS[table].id_column
    old_id = getattr(row, id_column) if id_column else None
    with db.session.no_autoflush:
        _load_all(station)
        for column, value in db_fields(table, item).items():
            setattr(row, column, value)
        _commit(station, table, old_id, "station.row.update", table=table, row=_key(table, row))
    return row_to_dict(table, row)


def delete_row(station: Station, table: str, row_id: int) -> None:
    _check_table(table, EDITABLE)
    row = _find(station, table, row_id)
    id_column = SPECS[table].id_column
    key = _key(table, row)
    with db.session.no_autoflush:
        _load_all(station)
        getattr(station, table).remove(row)  # delete-orphan: the row goes on flush
        _commit(station, table, getattr(row, id_column) if id_column else None, "station.row.delete",
                table=table, row=key)


_KEY_COLUMNS = {"demand": ("grid_id", "day", "shift_id", "role", "skill"),
                "requests": ("person_id", "date", "shift_id", "request")}


def _key(table: str, row) -> str:
    """How the audit log names a row: its id, or the columns that tell demand or request rows apart."""
    id_column = SPECS[table].id_column
    if id_column:
        return getattr(row, id_column)
    return " ".join(str(getattr(row, c) or "") for c in _KEY_COLUMNS[table]).strip()


# --------------------------------------------------------------------------- settings


def settings_of(station: Station) -> dict:
    """name, and every rule and weight as station.toml holds them (JSON values: lists, text keys, null)."""
    rules, weights = rules_from_json(station.rules_json), weights_from_json(station.weights_json)
    return {"name": station.name, "rules": json.loads(rules_to_json(rules)),
            "weights": json.loads(weights_to_json(weights))}


def parse_successions(text: str) -> tuple[tuple[str, str], ...]:
    """`night>day; late>early`: a shift followed by a shift on the next date (the model checks the ids)."""
    pairs = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        first, arrow, then = (item.strip() for item in part.partition(">"))
        if not (arrow and first and then) or ">" in then:
            raise ValueError(_("%(part)s is not SHIFT>SHIFT (e.g. night>day)", part=repr(part)))
        pairs.append((first, then))
    return tuple(pairs)


def successions_text(pairs) -> str:
    return "; ".join(f"{first}>{then}" for first, then in pairs)


def shift_caps_text(caps: dict) -> str:
    return ";".join(f"{shift_id}={most}" for shift_id, most in caps.items())


def _rules_schema(check: io._TomlChecker) -> dict:
    """station.toml's [rules] keys, checked as the loader checks them; two also accept the form's text."""

    def caps(key, value):
        if isinstance(value, str):
            try:
                return dict(io._parse_shift_caps(value))
            except ValueError as error:
                return check.bad(key, str(error))
        return check.per_shift(key, value)

    def successions(key, value):
        if isinstance(value, str):
            try:
                return parse_successions(value)
            except ValueError as error:
                return check.bad(key, str(error))
        return check.successions(key, value)

    return {"min_rest_hours": check.number, "max_consecutive_days": check.integer,
            "max_consecutive_nights": check.integer, "escort_roles": check.roles,
            "max_shifts_per_week": check.per_role} | dict.fromkeys(OPTIONAL_RULES, check.integer) | {
        "max_shifts_per_type": caps, "forbidden_successions": successions}


def _parse_settings(data: dict) -> tuple[str, m.Rules, m.Weights]:
    """Check the keys and value types as the station.toml loader does; StationEditError otherwise."""
    issues: list[m.DataIssue] = []
    check = io._TomlChecker(issues)
    if isinstance(data.get("rules"), dict):  # an optional rule left empty is not applied
        data = {**data, "rules": {k: v for k, v in data["rules"].items() if not (k in OPTIONAL_RULES and v is None)}}
    rules_schema = _rules_schema(check)
    weights_schema = {"uncovered": check.per_level} | {key: check.integer for key in WEIGHT_KEYS[1:]}
    top = check.table("", data, {"name": check.text,
                                 "rules": lambda key, value: check.table(key, value, rules_schema),
                                 "weights": lambda key, value: check.table(key, value, weights_schema)})
    if issues:
        raise StationEditError([(issue.column, issue.message) for issue in issues])
    return top["name"], m.Rules(**top["rules"]), m.Weights(**top["weights"])


def update_settings(station: Station, data: dict) -> dict:
    """Change name, rules and weights (keys left out keep their value); returns the new settings."""
    current = settings_of(station)
    merged = {
        "name": data.get("name", current["name"]),
        "rules": _merge(current["rules"], data.get("rules", {}), "max_shifts_per_week"),
        "weights": _merge(current["weights"], data.get("weights", {}), "uncovered"),
    }
    name, rules, weights = _parse_settings(merged)
    with db.session.no_autoflush:
        _load_all(station)
        station.name, station.rules_json, station.weights_json = name, rules_to_json(rules), weights_to_json(weights)
        _commit(station, None, None, "station.settings", name=name)
    return settings_of(station)


def _merge(current: dict, given: Any, nested: str) -> Any:
    if not isinstance(given, dict):
        return given  # the checker reports that it is not a table
    merged = {**current, **given}
    if isinstance(given.get(nested), dict):
        merged[nested] = {**current[nested], **{str(k): v for k, v in given[nested].items()}}
    return merged
