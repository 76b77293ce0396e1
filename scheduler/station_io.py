"""Read and write a station folder (shared/FORMAT.md): station.toml plus one CSV file per table.

Planners edit these files in Excel or WPS, so the loader is strict (a typo must never silently
change a roster) but reports every problem at once, each with the file, spreadsheet row and
column, instead of stopping at the first. The model (model.py) checks cross references and value
ranges; the loader checks what only it can see: files, headers, cell syntax and TOML keys.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .model import (
    MINUTES_PER_DAY,
    ROLES,
    WEEKDAYS,
    Availability,
    DataIssue,
    DemandRow,
    Grid,
    Person,
    Pin,
    Request,
    Rules,
    Shift,
    Station,
    StationDataError,
    Weights,
)

STATION_TOML = "station.toml"


@dataclass(frozen=True)
class _FileSpec:
    file: str
    columns: tuple[str, ...]  # FORMAT.md order, which is also the order save_station writes
    optional: frozenset[str] = frozenset()  # columns the header may leave out
    id_column: str | None = None  # the unique id other files refer to
    extension: frozenset[str] = frozenset()  # optional columns beyond FORMAT.md, saved only when used


# Per-person overrides of the optional rules (docs/horizon-and-rules.md extends FORMAT.md).
_PERSON_RULE_COLUMNS = (
    "min_consecutive_days", "max_consecutive_days", "min_consecutive_days_off", "max_weekends",
    "min_total_minutes", "max_total_minutes", "max_shifts_per_type",
)
_PEOPLE = _FileSpec(
    "people.csv",
    ("person_id", "name", "role", "home_grid", "skills", "max_shifts_per_week", "phone", *_PERSON_RULE_COLUMNS),
    frozenset({"home_grid", "skills", "max_shifts_per_week", "phone", *_PERSON_RULE_COLUMNS}),
    "person_id",
    frozenset(_PERSON_RULE_COLUMNS),
)
_GRIDS = _FileSpec("grids.csv", ("grid_id", "name", "level", "community"), frozenset({"community"}), "grid_id")
_SHIFTS = _FileSpec("shifts.csv", ("shift_id", "name", "start", "end", "night"), frozenset({"night"}), "shift_id")
# `role` may be empty on skill rows, but the column itself is required (FORMAT.md: "yes*").
_DEMAND = _FileSpec(
    "demand.csv",
    ("grid_id", "day", "shift_id", "role", "min", "max", "skill", "under_weight", "over_weight"),
    frozenset({"max", "skill", "under_weight", "over_weight"}),
    extension=frozenset({"under_weight", "over_weight"}),
)
_AVAILABILITY = _FileSpec("availability.csv", ("person_id", "date", "shift_id", "status"), frozenset({"shift_id"}))
_PINS = _FileSpec("pins.csv", ("person_id", "date", "shift_id", "grid_id"))
_REQUESTS = _FileSpec("requests.csv", ("person_id", "date", "shift_id", "request", "weight"), frozenset({"weight"}))

# Issues are reported file by file in this order, as a planner would work through them.
_FILE_ORDER = [STATION_TOML] + [s.file for s in (_PEOPLE, _GRIDS, _SHIFTS, _DEMAND, _AVAILABILITY, _PINS, _REQUESTS)]

# Columns that refer to another file's ids: (file, column) -> the file holding the ids.
_REFERENCES = {
    ("people.csv", "home_grid"): "grids.csv",
    ("demand.csv", "grid_id"): "grids.csv",
    ("demand.csv", "shift_id"): "shifts.csv",
    ("availability.csv", "person_id"): "people.csv",
    ("availability.csv", "shift_id"): "shifts.csv",
    ("pins.csv", "person_id"): "people.csv",
    ("pins.csv", "shift_id"): "shifts.csv",
    ("pins.csv", "grid_id"): "grids.csv",
    ("requests.csv", "person_id"): "people.csv",
    ("requests.csv", "shift_id"): "shifts.csv",
}

# A spreadsheet runs a cell starting with one of these as a formula (FORMAT.md, last paragraph).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


# --------------------------------------------------------------------------- cell syntax


def _parse_int(text: str) -> int:
    # \d also accepts full-width digits typed with a Chinese input method; int() reads them.
    if not re.fullmatch(r"[+-]?\d+", text):
        raise ValueError(f"{text!r} is not a whole number")
    return int(text)


def _parse_time(text: str, *, is_end: bool) -> int:
    """`HH:MM` as minutes after midnight; Excel drops the leading zero, so `8:00` is accepted too."""
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
    if not match:
        raise ValueError(f"{text!r} is not a time (HH:MM)")
    hours, minutes = int(match[1]), int(match[2])
    if hours == 24 and minutes == 0:
        if is_end:
            return MINUTES_PER_DAY
        raise ValueError("24:00 is accepted only as an end")
    if hours > 23 or minutes > 59:
        raise ValueError(f"{text!r} is not a time of day (00:00 to 23:59)")
    return hours * 60 + minutes


def parse_iso_date(text: str) -> dt.date:
    """A YYYY-MM-DD date; ValueError with a planner-readable message otherwise."""
    # date.fromisoformat alone would also take `20261125` or `2026-W48-3`; the format says YYYY-MM-DD.
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise ValueError(f"{text!r} is not a valid date (YYYY-MM-DD, e.g. 2026-11-25)")


def _parse_day(text: str) -> str | dt.date:
    """A weekday name of the weekly template, or an ISO date for an override."""
    if text.lower() in WEEKDAYS:
        return text.lower()
    if text[:1].isdigit():
        return parse_iso_date(text)
    raise ValueError(f"{text!r} is neither a weekday ({', '.join(WEEKDAYS)}) nor an ISO date")


def _parse_bool(text: str) -> bool:
    if text.lower() in _TRUE:
        return True
    if text.lower() in _FALSE:
        return False
    raise ValueError(f"{text!r} is not true or false")


def _parse_shift_caps(text: str) -> tuple[tuple[str, int], ...]:
    """`D=14;L=5`: the most shifts of each named shift type (the model checks the shift ids)."""
    caps = {}
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        match = re.fullmatch(r"([^=\s]+)\s*=\s*([+-]?\d+)", part)
        if not match:
            raise ValueError(f"{part!r} is not SHIFT=NUMBER (e.g. D=14;N=5)")
        if match[1] in caps:
            raise ValueError(f"shift {match[1]!r} is given twice")
        caps[match[1]] = int(match[2])
    return tuple(sorted(caps.items()))


def _split_skills(text: str | None) -> frozenset[str]:
    return frozenset(part.strip() for part in (text or "").split(";") if part.strip())


def _escape_cell(text: str) -> str:
    """Prefix `'` so a spreadsheet shows the text instead of running it as a formula.

    A text that already starts with `'` before such a character gets one more, so that
    _unescape_cell undoes exactly what was added and every text survives a round trip.
    """
    if text.lstrip("'")[:1] in _FORMULA_STARTS:
        return "'" + text
    return text


def _unescape_cell(text: str) -> str:
    if text.startswith("'") and text.lstrip("'")[:1] in _FORMULA_STARTS:
        return text[1:]
    return text


# --------------------------------------------------------------------------- CSV tables


class _Row:
    """One data row being parsed; every problem is recorded against its spreadsheet row."""

    def __init__(self, file: str, number: int, cells: dict[str, str], issues: list[DataIssue]):
        self.file, self.number, self.cells = file, number, cells
        self._issues = issues
        self.ok = True  # False once a cell is unusable: the row then becomes no model object

    def problem(self, column: str | None, message: str) -> None:
        self._issues.append(DataIssue(self.file, self.number, column, message))
        self.ok = False

    def text(self, column: str) -> str | None:
        """An optional cell: empty (or a column left out of the header) becomes None."""
        return self.cells.get(column) or None

    def required(self, column: str) -> str | None:
        if column not in self.cells:
            # The header lacks the column; that was reported once for the file, not per row.
            self.ok = False
            return None
        if not self.cells[column]:
            self.problem(column, "required value is empty")
            return None
        return self.cells[column]

    def parsed(self, column: str, parse: Callable[[str], Any], *, required: bool = False) -> Any:
        raw = self.required(column) if required else self.text(column)
        if raw is None:
            return None
        try:
            return parse(raw)
        except ValueError as error:
            self.problem(column, str(error))
            return None


@dataclass
class _Table:
    """The rows of one CSV file that could be read (None when the file is absent or unreadable)."""

    spec: _FileSpec
    rows: list[_Row] | None
    header: frozenset[str] = frozenset()


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _csv_error(file: str, error: Exception) -> DataIssue:
    """Turn the parser's message into one that names the spreadsheet row when it can."""
    text = str(error)
    if match := re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", text):
        expected, row, seen = match.groups()
        return DataIssue(file, int(row), None, f"the row has {seen} cells but the header has {expected} columns")
    if match := re.search(r"EOF inside string starting at row (\d+)", text):  # pandas counts from 0 here
        return DataIssue(file, int(match[1]) + 1, None, 'a quoted cell is never closed (a lone ")')
    return DataIssue(file, None, None, f"cannot be read as CSV: {text.strip()}")


def _read_table(folder: Path, spec: _FileSpec, issues: list[DataIssue], *, required: bool) -> _Table:
    path = folder / spec.file
    if not path.is_file():
        if required:
            issues.append(DataIssue(spec.file, None, None, "required file is missing"))
        return _Table(spec, None)
    try:
        # header=None: read the header as a row ourselves, so pandas neither renames duplicate
        # columns nor drops blank lines (which would shift every row number after them).
        frame = pd.read_csv(
            path, header=None, dtype=str, keep_default_na=False, encoding="utf-8-sig", skip_blank_lines=False
        )
    except pd.errors.EmptyDataError:
        issues.append(
            DataIssue(spec.file, None, None, f"the file is empty; expected the header {','.join(spec.columns)}")
        )
        return _Table(spec, None)
    except UnicodeDecodeError:
        message = "cannot be read as CSV: not UTF-8 text (in Excel or WPS save it as 'CSV UTF-8')"
        issues.append(DataIssue(spec.file, None, None, message))
        return _Table(spec, None)
    except (pd.errors.ParserError, ValueError) as error:
        issues.append(_csv_error(spec.file, error))
        return _Table(spec, None)

    grid = [[str(cell).strip() for cell in line] for line in frame.fillna("").astype(object).values.tolist()]
    header, body = grid[0], grid[1:]
    positions = _check_header(spec, header, body, issues)
    rows = []
    for offset, line in enumerate(body):
        if not any(line):
            continue  # a row Excel left with empty cells after its contents were deleted
        cells = {column: _unescape_cell(line[index]) for column, index in positions.items()}
        rows.append(_Row(spec.file, offset + 2, cells, issues))
    return _Table(spec, rows, frozenset(positions))


def _check_header(spec: _FileSpec, header: list[str], body: list[list[str]], issues: list[DataIssue]) -> dict[str, int]:
    """Report missing, unknown and repeated columns; return the position of each known column."""
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        if not name:
            # Excel often saves trailing empty columns; only complain when they hold something.
            if any(line[index] for line in body):
                issues.append(DataIssue(spec.file, 1, None, f"column {_column_letter(index)} has values but no header"))
        elif name in positions:
            issues.append(DataIssue(spec.file, 1, name, f"column {name!r} appears twice"))
        elif name not in spec.columns:
            hint = difflib.get_close_matches(name, spec.columns, n=1)
            message = f"unknown column {name!r}" + (f" (did you mean {hint[0]!r}?)" if hint else "")
            issues.append(DataIssue(spec.file, 1, name, message + f"; expected {', '.join(spec.columns)}"))
        else:
            positions[name] = index
    for name in spec.columns:
        if name not in positions and name not in spec.optional:
            issues.append(DataIssue(spec.file, 1, name, f"required column {name!r} is missing"))
    return positions


@dataclass
class _Loaded:
    """What one file yielded: its model objects, plus what is known about its ids."""

    items: list = field(default_factory=list)
    ids: set[str] = field(default_factory=set)  # every id written in the file, also on broken rows
    ids_complete: bool = False  # False when the file or its id column could not be read at all

    def explains_unknown(self, ref: str) -> bool:
        """True when a reference to `ref` looks unknown only because of an issue already reported."""
        return not self.ids_complete or ref in self.ids


def _load_rows(table: _Table, parse_row: Callable[[_Row], Any]) -> _Loaded:
    spec, loaded = table.spec, _Loaded()
    if table.rows is None:
        return loaded
    loaded.ids_complete = spec.id_column in table.header
    first_row: dict[str, int] = {}
    for row in table.rows:
        item = parse_row(row)
        # Duplicates are checked here, not only by the model, so that a repeat of a broken row
        # is also caught; the repeated row becomes no object, so the model does not report it again.
        key = row.cells.get(spec.id_column) if spec.id_column else None
        if key:
            loaded.ids.add(key)
            if key in first_row:
                row.problem(spec.id_column, f"duplicate {spec.id_column} {key!r} (first on row {first_row[key]})")
            first_row.setdefault(key, row.number)
        if row.ok:
            loaded.items.append(item)
    return loaded


def _person(r: _Row) -> Person | None:
    person_id, name, role = r.required("person_id"), r.required("name"), r.required("role")
    home_grid, skills, phone = r.text("home_grid"), _split_skills(r.text("skills")), r.text("phone")
    cap = r.parsed("max_shifts_per_week", _parse_int)
    overrides = {column: r.parsed(column, _parse_int) for column in _PERSON_RULE_COLUMNS[:-1]}
    type_caps = r.parsed("max_shifts_per_type", _parse_shift_caps) or ()
    # The role and the ranges are checked by the model (with this row number), so each stays one issue.
    if not r.ok:
        return None
    return Person(person_id, name, role, home_grid, skills, cap, phone, **overrides, max_shifts_per_type=type_caps,
                  row=r.number)


def _grid(r: _Row) -> Grid | None:
    grid_id, name = r.required("grid_id"), r.required("name")
    level = r.parsed("level", _parse_int, required=True)  # the model checks the range 1..4
    return Grid(grid_id, name, level, r.text("community"), row=r.number) if r.ok else None


def _shift(r: _Row) -> Shift | None:
    shift_id, name = r.required("shift_id"), r.required("name")
    start = r.parsed("start", lambda t: _parse_time(t, is_end=False), required=True)
    end = r.parsed("end", lambda t: _parse_time(t, is_end=True), required=True)
    night = r.parsed("night", _parse_bool)
    if not r.ok:
        return None
    if night is None:
        night = Shift.covers_small_hours(start, end)
    return Shift(shift_id, name, start, end, night, row=r.number)


def _demand(r: _Row) -> DemandRow | None:
    grid_id, shift_id = r.required("grid_id"), r.required("shift_id")
    day = r.parsed("day", _parse_day, required=True)
    low = r.parsed("min", _parse_int, required=True)
    high = r.parsed("max", _parse_int)
    under, over = r.parsed("under_weight", _parse_int), r.parsed("over_weight", _parse_int)
    if not r.ok:
        return None
    # Role, skill, negative and min-above-max checks are the model's.
    high = low if high is None else high
    return DemandRow(grid_id, day, shift_id, r.text("role"), low, high, r.text("skill"), under, over, row=r.number)


def _availability(r: _Row) -> Availability | None:
    person_id, status = r.required("person_id"), r.required("status")
    date = r.parsed("date", parse_iso_date, required=True)
    return Availability(person_id, date, r.text("shift_id"), status, row=r.number) if r.ok else None


def _request(r: _Row) -> Request | None:
    person_id, shift_id, request = r.required("person_id"), r.required("shift_id"), r.required("request")
    date = r.parsed("date", parse_iso_date, required=True)
    weight = r.parsed("weight", _parse_int)
    if not r.ok:
        return None
    # An unknown request word or a negative weight is the model's to report.
    return Request(person_id, date, shift_id, request.lower(), 1 if weight is None else weight, row=r.number)


def _pin(r: _Row) -> Pin | None:
    person_id, shift_id, grid_id = r.required("person_id"), r.required("shift_id"), r.required("grid_id")
    date = r.parsed("date", parse_iso_date, required=True)
    return Pin(person_id, date, shift_id, grid_id, row=r.number) if r.ok else None


# --------------------------------------------------------------------------- station.toml


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, float):
        return f"the decimal number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return f"{value!r}"


class _TomlChecker:
    """Checks the parsed station.toml against its schema, one issue per bad key."""

    _NOT_GIVEN = object()

    def __init__(self, issues: list[DataIssue]):
        self.issues = issues

    def bad(self, key: str, message: str) -> object:
        self.issues.append(DataIssue(STATION_TOML, None, key, message))
        return self._NOT_GIVEN

    def table(self, key: str, value: Any, schema: dict[str, Callable[[str, Any], Any]]) -> dict[str, Any]:
        """The keys that passed their check; an unknown key is an error, never skipped quietly."""
        if not isinstance(value, dict):
            self.bad(key, f"expected a table [{key}], got {_describe(value)}")
            return {}
        checked = {}
        for name, item in value.items():
            dotted = f"{key}.{name}" if key else name
            if name not in schema:
                hint = difflib.get_close_matches(name, schema, n=1)
                self.bad(dotted, "unknown key" + (f" (did you mean {hint[0]!r}?)" if hint else ""))
                continue
            result = schema[name](dotted, item)
            if result is not self._NOT_GIVEN:
                checked[name] = result
        return checked

    def integer(self, key: str, value: Any) -> Any:
        # bool is an int in Python, but `true` is surely not meant as a count.
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        return self.bad(key, f"expected a whole number, got {_describe(value)}")

    def number(self, key: str, value: Any) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        return self.bad(key, f"expected a number, got {_describe(value)}")

    def text(self, key: str, value: Any) -> Any:
        if isinstance(value, str) and value.strip():
            return value
        return self.bad(key, f"expected a non-empty text in quotes, got {_describe(value)}")

    def roles(self, key: str, value: Any) -> Any:
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)  # the model checks that they are known roles
        return self.bad(key, f'expected a list of roles such as ["police", "auxiliary"], got {_describe(value)}')

    def per_role(self, key: str, value: Any) -> Any:
        given = self.table(key, value, dict.fromkeys(ROLES, self.integer))
        return {**Rules().max_shifts_per_week, **given}  # roles left out keep their default

    def per_shift(self, key: str, value: Any) -> Any:
        """A table shift_id = whole number (the model checks that the shifts exist)."""
        if not isinstance(value, dict):
            return self.bad(key, f"expected a table [{key}], got {_describe(value)}")
        given = {name: self.integer(f"{key}.{name}", item) for name, item in value.items()}
        return {name: item for name, item in given.items() if item is not self._NOT_GIVEN}

    def successions(self, key: str, value: Any) -> Any:
        if isinstance(value, list) and all(
            isinstance(pair, list) and len(pair) == 2 and all(isinstance(v, str) for v in pair) for pair in value
        ):
            return tuple((first, then) for first, then in value)
        return self.bad(key, f'expected a list of shift pairs such as [["night", "day"]], got {_describe(value)}')

    def per_level(self, key: str, value: Any) -> Any:
        defaults = Weights().uncovered
        given = self.table(key, value, {str(level): self.integer for level in defaults})
        return {**defaults, **{int(level): weight for level, weight in given.items()}}


def _load_settings(folder: Path, issues: list[DataIssue]) -> tuple[str, Rules, Weights]:
    """Station name, rules and weights; keys that are absent or wrong keep their defaults."""
    name = folder.resolve().name
    path = folder / STATION_TOML
    if not path.is_file():
        return name, Rules(), Weights()
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8-sig"))  # Notepad may add a BOM
    except UnicodeDecodeError:
        issues.append(DataIssue(STATION_TOML, None, None, "not UTF-8 text"))
        return name, Rules(), Weights()
    except tomllib.TOMLDecodeError as error:
        # Python 3.11's error has no line attribute; the line is only in the message.
        line = re.search(r"at line (\d+)", str(error))
        issues.append(DataIssue(STATION_TOML, int(line[1]) if line else None, None, f"TOML syntax error: {error}"))
        return name, Rules(), Weights()

    check = _TomlChecker(issues)
    rules_schema = {
        "min_rest_hours": check.number,
        "max_consecutive_days": check.integer,
        "max_consecutive_nights": check.integer,
        "escort_roles": check.roles,
        "max_shifts_per_week": check.per_role,
        "min_consecutive_days": check.integer,
        "min_consecutive_days_off": check.integer,
        "max_weekends": check.integer,
        "min_total_minutes": check.integer,
        "max_total_minutes": check.integer,
        "max_shifts_per_type": check.per_shift,
        "forbidden_successions": check.successions,
    }
    weights_schema = {"uncovered": check.per_level} | {
        key: check.integer
        for key in ("night_spread", "weekend_spread", "volunteer_idle", "not_preferred", "away_from_home",
                    "over_demand")
    }
    top = check.table(
        "",
        data,
        {
            "name": check.text,
            "rules": lambda key, value: check.table(key, value, rules_schema),
            "weights": lambda key, value: check.table(key, value, weights_schema),
        },
    )
    return top.get("name", name), Rules(**top.get("rules", {})), Weights(**top.get("weights", {}))


# --------------------------------------------------------------------------- load_station


def load_station(folder: str | Path) -> Station:
    """Read a station folder; raise StationDataError listing every issue found in every file."""
    folder = Path(folder)
    if not folder.is_dir():
        raise StationDataError([DataIssue(str(folder), None, None, "station folder not found")])
    issues: list[DataIssue] = []
    name, rules, weights = _load_settings(folder, issues)
    people = _load_rows(_read_table(folder, _PEOPLE, issues, required=True), _person)
    grids = _load_rows(_read_table(folder, _GRIDS, issues, required=True), _grid)
    shifts = _load_rows(_read_table(folder, _SHIFTS, issues, required=True), _shift)
    demand = _load_rows(_read_table(folder, _DEMAND, issues, required=True), _demand)
    availability = _load_rows(_read_table(folder, _AVAILABILITY, issues, required=False), _availability)
    pins = _load_rows(_read_table(folder, _PINS, issues, required=False), _pin)
    requests = _load_rows(_read_table(folder, _REQUESTS, issues, required=False), _request)

    # Build the station even when rows are broken: the model then checks what did parse.
    try:
        station = Station(
            name,
            tuple(people.items),
            tuple(grids.items),
            tuple(shifts.items),
            tuple(demand.items),
            tuple(availability.items),
            tuple(pins.items),
            rules,
            weights,
            tuple(requests.items),
        )
    except StationDataError as error:
        by_file = {_PEOPLE.file: people, _GRIDS.file: grids, _SHIFTS.file: shifts}
        rows = {
            (spec.file, item.row): item
            for spec, loaded in ((_PEOPLE, people), (_DEMAND, demand), (_AVAILABILITY, availability), (_PINS, pins),
                                 (_REQUESTS, requests))
            for item in loaded.items
        }
        issues += [issue for issue in error.issues if not _is_cascade(issue, by_file, rows)]
    else:
        if not issues:
            return station
    issues.sort(key=lambda i: (_FILE_ORDER.index(i.file) if i.file in _FILE_ORDER else -1, i.row or 0))
    raise StationDataError(issues)


def _is_cascade(issue: DataIssue, by_file: dict[str, _Loaded], rows: dict[tuple[str, int | None], Any]) -> bool:
    """An 'unknown grid/shift/person' from the model whose cause the loader already reported.

    E.g. a grid row with a bad level becomes no Grid, so every demand row on that grid would
    otherwise be reported as naming an unknown grid.
    """
    target = _REFERENCES.get((issue.file, issue.column or ""))
    item = rows.get((issue.file, issue.row))
    if target is None or item is None:
        return False
    return by_file[target].explains_unknown(getattr(item, issue.column))


# --------------------------------------------------------------------------- save_station


def _time(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"  # 1440 gives 24:00


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):  # max_shifts_per_type pairs
        return ";".join(f"{shift_id}={most}" for shift_id, most in value)
    if isinstance(value, int):
        return str(value)
    return _escape_cell(value)  # only free text can smuggle in a formula


def _write_csv(folder: Path, spec: _FileSpec, rows: list[dict[str, Any]]) -> None:
    # utf-8-sig writes the BOM that makes Excel read the file as UTF-8 (Chinese names).
    cells = [{column: _cell(row[column]) for column in spec.columns} for row in rows]
    columns = [c for c in spec.columns if c not in spec.extension or any(line[c] for line in cells)]
    with open(folder / spec.file, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows([line[column] for column in columns] for line in cells)


def _toml_string(text: str) -> str:
    escaped = []
    for char in text:
        if char in '"\\':
            escaped.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:  # control characters must be escaped in TOML
            escaped.append(f"\\u{ord(char):04x}")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'


def _settings_toml(station: Station) -> str:
    rules, weights = station.rules, station.weights
    roles = ", ".join(_toml_string(role) for role in rules.escort_roles)
    caps = [f"{role} = {cap}" for role, cap in rules.max_shifts_per_week.items()]
    uncovered = ", ".join(f'"{level}" = {weight}' for level, weight in sorted(weights.uncovered.items()))
    lines = [
        f"name = {_toml_string(station.name)}",
        "",
        "[rules]",
        f"min_rest_hours = {rules.min_rest_hours!r}",  # repr keeps an int an int and a float a float
        f"max_consecutive_days = {rules.max_consecutive_days}",
        f"max_consecutive_nights = {rules.max_consecutive_nights}",
        f"escort_roles = [{roles}]",
        *_optional_rules_toml(rules),
        "",
        "[rules.max_shifts_per_week]",
        *caps,
        "",
        "[weights]",
        f"uncovered = {{ {uncovered} }}",
        f"night_spread = {weights.night_spread}",
        f"weekend_spread = {weights.weekend_spread}",
        f"volunteer_idle = {weights.volunteer_idle}",
        f"not_preferred = {weights.not_preferred}",
        f"away_from_home = {weights.away_from_home}",
        f"over_demand = {weights.over_demand}",
    ]
    return "\n".join(lines) + "\n"


def _optional_rules_toml(rules: Rules) -> list[str]:
    """The optional rules that are set (a table of them goes last: TOML tables close the [rules] keys)."""
    lines = [f"{name} = {getattr(rules, name)}" for name in _PERSON_RULE_COLUMNS[:-1]
             if name != "max_consecutive_days" and getattr(rules, name) is not None]
    if rules.forbidden_successions:
        pairs = ", ".join(f"[{_toml_string(a)}, {_toml_string(b)}]" for a, b in rules.forbidden_successions)
        lines.append(f"forbidden_successions = [{pairs}]")
    if rules.max_shifts_per_type:
        caps = ", ".join(f"{_toml_string(k)} = {v}" for k, v in rules.max_shifts_per_type.items())
        lines.append(f"max_shifts_per_type = {{ {caps} }}")
    return lines


def save_station(station: Station, folder: str | Path) -> None:
    """Write `station` as a station folder that load_station reads back to an equal Station."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / STATION_TOML).write_text(_settings_toml(station), encoding="utf-8")
    _write_csv(folder, _PEOPLE, [{**vars(p), "skills": ";".join(sorted(p.skills))} for p in station.people])
    _write_csv(folder, _GRIDS, [vars(g) for g in station.grids])
    _write_csv(folder, _SHIFTS, [{**vars(s), "start": _time(s.start), "end": _time(s.end)} for s in station.shifts])
    _write_csv(folder, _DEMAND, [vars(d) for d in station.demand])
    # The optional files are written only when they say something; a stale one from an earlier
    # save would otherwise bring back availability or pins the station no longer has.
    for spec, items in ((_AVAILABILITY, station.availability), (_PINS, station.pins), (_REQUESTS, station.requests)):
        if items:
            _write_csv(folder, spec, [vars(item) for item in items])
        else:
            (folder / spec.file).unlink(missing_ok=True)
