"""The fields of the station data pages: one list per table, rendered by one template.

The fields are plain text (and selects where the file has a fixed set of values): what a planner
may type is decided by the CSV loader and the engine (web/services/station_edit.py), so these
forms add no rules of their own, and whatever was typed comes back unchanged with the errors.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, SubmitField
from wtforms.fields.choices import SelectChoice

from scheduler.model import REQUESTS, ROLES, WEEKDAYS


@dataclass(frozen=True)
class Column:
    name: str  # the FORMAT.md column
    label: object
    choices: tuple[str, ...] | None = None  # a select; "" is the empty choice
    hint: object = ""


ROLE_LABELS = {"police": _l("police (民警)"), "auxiliary": _l("auxiliary (辅警)"), "volunteer": _l("volunteer (义警)")}
REQUEST_LABELS = {"on": _l("wants to work"), "off": _l("wants to be off")}
CHOICE_LABELS = ROLE_LABELS | REQUEST_LABELS  # how a select shows each fixed value

_STATION_VALUE = _l("empty: the station's rule")
# people.csv's optional per-person overrides of the station's rules (docs/horizon-and-rules.md).
PERSON_OVERRIDES = (
    Column("min_consecutive_days", _l("Fewest working days in a row"), hint=_STATION_VALUE),
    Column("max_consecutive_days", _l("Most working days in a row"), hint=_STATION_VALUE),
    Column("min_consecutive_days_off", _l("Fewest days off in a row"), hint=_STATION_VALUE),
    Column("max_weekends", _l("Most weekends worked"), hint=_STATION_VALUE),
    Column("min_total_minutes", _l("Fewest minutes in the plan"), hint=_STATION_VALUE),
    Column("max_total_minutes", _l("Most minutes in the plan"), hint=_STATION_VALUE),
    Column("max_shifts_per_type", _l("Most shifts of each type"), hint=_l("e.g. night=4;day=10")),
)

COLUMNS = {
    "people": (
        Column("person_id", _l("Person ID")), Column("name", _l("Name")), Column("role", _l("Role"), ROLES),
        Column("home_grid", _l("Home grid"), hint=_l("a grid ID, optional")),
        Column("skills", _l("Skills"), hint=_l("separated by ;")),
        Column("max_shifts_per_week", _l("Most shifts per week"), hint=_l("empty: the role's default")),
        Column("phone", _l("Phone")),
        *PERSON_OVERRIDES,
    ),
    "grids": (
        Column("grid_id", _l("Grid ID")), Column("name", _l("Name")),
        Column("level", _l("Level"), hint=_l("1 key sites … 4 residential communities")),
        Column("community", _l("Community")),
    ),
    "shifts": (
        Column("shift_id", _l("Shift ID")), Column("name", _l("Name")),
        Column("start", _l("Start"), hint="HH:MM"), Column("end", _l("End"), hint=_l("HH:MM, at or before the start: next day")),
        Column("night", _l("Night shift"), ("", "true", "false"), hint=_l("empty: yes if it covers 00:00–05:00")),
    ),
    "demand": (
        Column("grid_id", _l("Grid ID")), Column("day", _l("Day"), hint=_l("mon … sun, or a date 2026-11-25")),
        Column("shift_id", _l("Shift ID")), Column("role", _l("Role"), ("",) + ROLES, hint=_l("empty only with a skill")),
        Column("min", _l("Needed")), Column("max", _l("At most"), hint=_l("empty: as many as needed")),
        Column("skill", _l("Skill")),
        Column("under_weight", _l("Weight per missing person"), hint=_l("empty: the grid level's weight")),
        Column("over_weight", _l("Weight per extra person"), hint=_l("empty: the station's weight")),
    ),
    "requests": (
        Column("person_id", _l("Person ID")), Column("date", _l("Date"), hint="2026-11-25"),
        Column("shift_id", _l("Shift ID")), Column("request", _l("Request"), REQUESTS),
        Column("weight", _l("Weight if not met"), hint=_l("empty: 1")),
    ),
}

# The sections of the station page: the table each shows, and which demand rows.
SECTIONS = {"people": "people", "grids": "grids", "shifts": "shifts", "templates": "demand", "overrides": "demand",
            "requests": "requests"}
SECTION_TITLES = {"people": _l("People"), "grids": _l("Grids"), "shifts": _l("Shifts"),
                  "templates": _l("Weekly demand"), "overrides": _l("Date overrides"), "requests": _l("Requests")}
WEEKDAY_SET = frozenset(WEEKDAYS)

TABLE_LABELS = {"people": _l("People (people.csv)"), "grids": _l("Grids (grids.csv)"),
                "shifts": _l("Shifts (shifts.csv)"), "demand": _l("Demand (demand.csv)"),
                "availability": _l("Availability (availability.csv)"), "pins": _l("Pins (pins.csv)"),
                "requests": _l("Requests (requests.csv)")}


class ZipUploadForm(FlaskForm):
    file = FileField(_l("Station folder as a .zip"), validators=[FileRequired(_l("Choose a .zip file."))],
                     render_kw={"accept": ".zip,application/zip"})
    submit = SubmitField(_l("Check the upload"))


class TableUploadForm(FlaskForm):
    table = SelectField(_l("Table to replace"),
                        choices=[SelectChoice(name, label) for name, label in TABLE_LABELS.items()])
    file = FileField(_l("CSV or Excel (.xlsx) file"), validators=[FileRequired(_l("Choose a .csv or .xlsx file."))],
                     render_kw={"accept": ".csv,.xlsx"})
    submit = SubmitField(_l("Check the upload"))
