"""Roster output: roster.csv, coverage.csv, an Excel workbook, and reading a roster.csv back.

shared/FORMAT.md, "Roster output", is the contract. Planners open these files in Excel or WPS,
so CSVs are UTF-8 with a BOM and every text cell that a spreadsheet could run as a formula is
written with a leading `'` (see `guard_cell`). Phone numbers never leave the station data.
"""

from __future__ import annotations

import csv
import datetime as dt
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from .horizon import demand_in_force, horizon_dates, weekday_name
from .model import (
    ROLE_NAMES_ZH,
    ROLES,
    Assignment,
    DataIssue,
    DemandRow,
    Shift,
    Station,
    StationDataError,
)
from .station_io import parse_iso_date

ROSTER_COLUMNS = ("date", "weekday", "shift_id", "start", "end", "grid_id", "grid_name", "person_id", "name", "role")
COVERAGE_COLUMNS = ("date", "shift_id", "grid_id", "role", "skill", "required", "assigned", "missing")
ROSTER_READ_COLUMNS = ("date", "shift_id", "grid_id", "person_id")

SHEET_BY_GRID = "按网格 By grid"
SHEET_BY_PERSON = "按人员 By person"
SHEET_COVERAGE = "覆盖 Coverage"
WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")

# The first characters that make a spreadsheet treat a cell as a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_ROLE_ORDER = {role: i for i, role in enumerate(ROLES)}


def guard_cell(value):
    """A text value that a spreadsheet would run as a formula gets a leading `'`; anything else is unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def unguard_cell(value: str) -> str:
    """Undo `guard_cell`: drop a leading `'` that stands before a formula trigger."""
    if value.startswith("'") and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


def format_minutes(minutes: int) -> str:
    """Minutes after midnight as HH:MM (1440, a shift end at midnight, is `24:00`)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# --- tables --------------------------------------------------------------------------------------


def _check_references(station: Station, assignments: Iterable[Assignment]) -> list[Assignment]:
    assignments = list(assignments)
    people, grids, shifts = station.people_by_id, station.grids_by_id, station.shifts_by_id
    bad = [a for a in assignments if a.person_id not in people or a.grid_id not in grids or a.shift_id not in shifts]
    if bad:
        shown = "; ".join(f"{a.date} {a.shift_id} {a.grid_id} {a.person_id}" for a in bad[:5])
        raise ValueError(f"{len(bad)} assignment(s) name a person, grid or shift unknown to the station: {shown}")
    return assignments


def _role_key(role: str | None) -> int:
    """Roles in the order police, auxiliary, volunteer; no role (any role counts) last."""
    return _ROLE_ORDER.get(role, len(ROLES)) if role else len(ROLES)


def _roster_key(station: Station):
    people, shifts = station.people_by_id, station.shifts_by_id

    def key(a: Assignment):
        shift = shifts[a.shift_id]
        return (a.date, shift.start, a.shift_id, a.grid_id, _role_key(people[a.person_id].role), a.person_id)

    return key


def roster_table(station: Station, assignments: Iterable[Assignment]) -> pd.DataFrame:
    """One row per assignment with the roster.csv columns, sorted by date, shift start, grid, role, person."""
    assignments = _check_references(station, assignments)
    people, grids, shifts = station.people_by_id, station.grids_by_id, station.shifts_by_id
    rows = []
    for a in sorted(assignments, key=_roster_key(station)):
        shift, grid, person = shifts[a.shift_id], grids[a.grid_id], people[a.person_id]
        rows.append(
            {
                "date": a.date.isoformat(),
                "weekday": weekday_name(a.date),
                "shift_id": shift.shift_id,
                "start": format_minutes(shift.start),
                "end": format_minutes(shift.end),
                "grid_id": grid.grid_id,
                "grid_name": grid.name,
                "person_id": person.person_id,
                "name": person.name,
                "role": person.role,
            }
        )
    return pd.DataFrame(rows, columns=list(ROSTER_COLUMNS))


def _assigned_people(station: Station, assignments: list[Assignment]) -> dict[tuple[str, dt.date, str], set[str]]:
    """(grid_id, date, shift_id) -> ids of the people assigned there."""
    out: dict[tuple[str, dt.date, str], set[str]] = {}
    for a in assignments:
        out.setdefault((a.grid_id, a.date, a.shift_id), set()).add(a.person_id)
    return out


def _count_for(station: Station, row: DemandRow, person_ids: set[str]) -> int:
    """How many of the people assigned to a demand row's grid, date and shift the row counts."""
    people = station.people_by_id
    count = 0
    for pid in person_ids:
        person = people[pid]
        if row.role is not None and person.role != row.role:
            continue
        if row.skill is not None and row.skill not in person.skills:
            continue
        count += 1
    return count


def _coverage_rows(station: Station, week_start: dt.date, assignments: list[Assignment], days: int) -> list[dict]:
    shifts = station.shifts_by_id
    dates = horizon_dates(week_start, days)
    assigned = _assigned_people(station, assignments)
    rows = []
    for (grid_id, day, shift_id), demand_rows in demand_in_force(station, dates).items():
        here = assigned.get((grid_id, day, shift_id), set())
        for d in demand_rows:
            count = _count_for(station, d, here)
            rows.append(
                {
                    "date": day,
                    "shift_id": shift_id,
                    "grid_id": grid_id,
                    "role": d.role or "",
                    "skill": d.skill or "",
                    "required": d.min,
                    "assigned": count,
                    "missing": max(0, d.min - count),
                }
            )
    rows.sort(
        key=lambda r: (
            r["date"],
            shifts[r["shift_id"]].start,
            r["shift_id"],
            r["grid_id"],
            _role_key(r["role"]),
            r["skill"],
        )
    )
    return rows


def coverage_table(
    station: Station, week_start: dt.date, assignments: Iterable[Assignment], days: int = 7
) -> pd.DataFrame:
    """One row per demand row in force on the horizon: required (min), assigned and missing people.

    A skill row counts the assigned people who have the skill (and the row's role, if it names one).
    """
    assignments = _check_references(station, assignments)
    rows = _coverage_rows(station, week_start, assignments, days)
    for r in rows:
        r["date"] = r["date"].isoformat()
    df = pd.DataFrame(rows, columns=list(COVERAGE_COLUMNS))
    return df.astype({"required": "int64", "assigned": "int64", "missing": "int64"})


# --- CSV -----------------------------------------------------------------------------------------


def _write_csv(path, df: pd.DataFrame) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(df.columns)
        for record in df.itertuples(index=False, name=None):
            writer.writerow([guard_cell(v) for v in record])


def write_roster_csv(path, station: Station, assignments: Iterable[Assignment]) -> None:
    """roster.csv: UTF-8 with BOM, formula-guarded text, no phone numbers."""
    _write_csv(path, roster_table(station, assignments))


def write_coverage_csv(
    path, station: Station, week_start: dt.date, assignments: Iterable[Assignment], days: int = 7
) -> None:
    """coverage.csv: UTF-8 with BOM, formula-guarded text; the counts are written as numbers."""
    _write_csv(path, coverage_table(station, week_start, assignments, days))


def read_roster_csv(path) -> list[Assignment]:
    """Assignments from a roster.csv (as written by `write_roster_csv`, or after a trip through Excel).

    Only date, shift_id, grid_id and person_id are read; other columns are ignored. A leading BOM and
    the `'` formula guard are accepted. Every bad row is reported (header is row 1).
    """
    file_name = Path(path).name
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            records = list(csv.reader(fh))
    except UnicodeDecodeError as exc:
        raise StationDataError(
            [DataIssue(file_name, None, None, f"not UTF-8 text ({exc.reason}); save the file as CSV UTF-8")]
        ) from exc
    if not records or not any(cell.strip() for cell in records[0]):
        raise StationDataError([DataIssue(file_name, 1, None, "no header row")])
    header = [cell.strip() for cell in records[0]]
    missing = [c for c in ROSTER_READ_COLUMNS if c not in header]
    if missing:
        raise StationDataError([DataIssue(file_name, 1, c, f"missing column {c!r}") for c in missing])
    index = {c: header.index(c) for c in ROSTER_READ_COLUMNS}

    issues: list[DataIssue] = []
    out: list[Assignment] = []
    for row_number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue  # blank lines, e.g. trailing rows left by a spreadsheet
        values: dict[str, str] = {}
        date = None
        for column, i in index.items():
            value = unguard_cell(record[i].strip()) if i < len(record) else ""
            values[column] = value
            if not value:
                issues.append(DataIssue(file_name, row_number, column, "empty cell"))
            elif column == "date":
                date = _parse_date(value)
                if date is None:
                    issues.append(DataIssue(file_name, row_number, column, f"{value!r} is not a date (YYYY-MM-DD)"))
        if date is not None and all(values.values()):
            out.append(Assignment(date, values["shift_id"], values["grid_id"], values["person_id"]))
    if issues:
        raise StationDataError(issues)
    return out


def _parse_date(text: str) -> dt.date | None:
    try:
        return parse_iso_date(text)
    except ValueError:
        return None


# --- Excel ---------------------------------------------------------------------------------------


def write_roster_xlsx(
    path, station: Station, week_start: dt.date, assignments: Iterable[Assignment], days: int = 7
) -> None:
    """An Excel workbook for the horizon: by grid, by person, and the coverage table."""
    from openpyxl import Workbook

    assignments = _check_references(station, assignments)
    dates = horizon_dates(week_start, days)
    wanted = set(dates)
    in_horizon = [a for a in assignments if a.date in wanted]
    coverage = _coverage_rows(station, week_start, assignments, days)

    wb = Workbook()
    wb.properties.title = f"{station.name} 排班表"
    _sheet_by_grid(wb.active, station, dates, in_horizon, coverage)
    _sheet_by_person(wb.create_sheet(), station, dates, in_horizon)
    _sheet_coverage(wb.create_sheet(), coverage)
    wb.save(path)


def _styles():
    """Cell styles (openpyxl is imported only when a workbook is written)."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="BFBFBF")
    return {
        "bold": Font(bold=True),
        "header_fill": PatternFill("solid", fgColor="DDEBF7"),
        "missing_fill": PatternFill("solid", fgColor="FFC7CE"),
        "idle_fill": PatternFill("solid", fgColor="F2F2F2"),
        "wrap": Alignment(wrap_text=True, vertical="top"),
        "border": Border(left=thin, right=thin, top=thin, bottom=thin),
    }


def _clean_text(value):
    """Guard against formulas, and drop control characters that an xlsx file cannot hold."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return guard_cell(value)


def _put(ws, row: int, column: int, value, styles, *, header: bool = False, fill=None):
    cell = ws.cell(row=row, column=column)
    cell.value = _clean_text(value)
    cell.alignment = styles["wrap"]
    cell.border = styles["border"]
    if header:
        cell.font = styles["bold"]
        cell.fill = styles["header_fill"]
    elif fill is not None:
        cell.fill = fill
    return cell


def _text_width(text: str) -> int:
    """Display width of the longest line (CJK characters take two columns)."""
    best = 0
    for line in str(text).split("\n"):
        best = max(best, sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in line))
    return best


def _finish_sheet(ws, freeze: str, min_width: int = 6, max_width: int = 40) -> None:
    """Freeze the headers, size columns to their content and rows to their number of lines."""
    from openpyxl.utils import get_column_letter

    ws.freeze_panes = freeze
    widths: dict[int, int] = {}
    lines: dict[int, int] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            text = str(cell.value)
            widths[cell.column] = max(widths.get(cell.column, 0), _text_width(text))
            lines[cell.row] = max(lines.get(cell.row, 1), text.count("\n") + 1)
    for column, width in widths.items():
        ws.column_dimensions[get_column_letter(column)].width = min(max(width + 2, min_width), max_width)
    for row, count in lines.items():
        if count > 1:
            ws.row_dimensions[row].height = 15 * count + 2
    ws.page_setup.orientation = "landscape"


def _date_header(day: dt.date) -> str:
    return f"{day.isoformat()}\n{WEEKDAYS_ZH[day.weekday()]}"


def _shift_label(shift: Shift) -> str:
    return f"{shift.name}\n{format_minutes(shift.start)}-{format_minutes(shift.end)}"


def _person_line(station: Station, person_id: str) -> str:
    person = station.person(person_id)
    return f"{guard_cell(person.name)}({ROLE_NAMES_ZH[person.role]})"


def _missing_label(row: dict) -> str:
    if row["skill"]:
        who = f"{ROLE_NAMES_ZH[row['role']]} " if row["role"] else ""
        return f"{who}{row['skill']} {row['missing']}"
    return f"{ROLE_NAMES_ZH[row['role']]} {row['missing']}"


def _sheet_by_grid(ws, station: Station, dates, assignments: list[Assignment], coverage: list[dict]) -> None:
    """Rows: grid x shift; columns: dates; cells: the people there, red where demand is uncovered."""
    styles = _styles()
    ws.title = SHEET_BY_GRID
    grids, shifts = station.grids_by_id, station.shifts_by_id
    cells: dict[tuple[str, str, dt.date], list[str]] = {}
    for a in sorted(assignments, key=_roster_key(station)):
        cells.setdefault((a.grid_id, a.shift_id, a.date), []).append(a.person_id)
    demand_cells: set[tuple[str, str, dt.date]] = set()
    missing: dict[tuple[str, str, dt.date], list[dict]] = {}
    for r in coverage:
        key = (r["grid_id"], r["shift_id"], r["date"])
        demand_cells.add(key)
        if r["missing"] > 0:
            missing.setdefault(key, []).append(r)
    pairs = {(g, s) for g, s, _ in demand_cells} | {(g, s) for g, s, _ in cells}
    ordered = sorted(pairs, key=lambda p: (p[0], shifts[p[1]].start, p[1]))

    for column, title in enumerate(("网格 Grid", "网格编号 Grid ID", "班次 Shift"), start=1):
        _put(ws, 1, column, title, styles, header=True)
    for offset, day in enumerate(dates):
        _put(ws, 1, 4 + offset, _date_header(day), styles, header=True)
    for row, (grid_id, shift_id) in enumerate(ordered, start=2):
        _put(ws, row, 1, grids[grid_id].name, styles)
        _put(ws, row, 2, grid_id, styles)
        _put(ws, row, 3, _shift_label(shifts[shift_id]), styles)
        for offset, day in enumerate(dates):
            key = (grid_id, shift_id, day)
            lines = [_person_line(station, pid) for pid in cells.get(key, [])]
            fill = None
            if key in missing:
                fill = styles["missing_fill"]
                lines.append("缺 " + ", ".join(_missing_label(r) for r in missing[key]))
            elif key not in demand_cells:
                fill = styles["idle_fill"]
            _put(ws, row, 4 + offset, "\n".join(lines) or None, styles, fill=fill)
    _finish_sheet(ws, "D2", max_width=30)


def _sheet_by_person(ws, station: Station, dates, assignments: list[Assignment]) -> None:
    """One row per person; the dates as columns with the shift and grid."""
    styles = _styles()
    ws.title = SHEET_BY_PERSON
    grids, shifts = station.grids_by_id, station.shifts_by_id
    cells: dict[tuple[str, dt.date], list[Assignment]] = {}
    for a in sorted(assignments, key=_roster_key(station)):
        cells.setdefault((a.person_id, a.date), []).append(a)
    people = sorted(station.people, key=lambda p: (_role_key(p.role), p.person_id))

    for column, title in enumerate(("编号 ID", "姓名 Name", "角色 Role"), start=1):
        _put(ws, 1, column, title, styles, header=True)
    for offset, day in enumerate(dates):
        _put(ws, 1, 4 + offset, _date_header(day), styles, header=True)
    for row, person in enumerate(people, start=2):
        _put(ws, row, 1, person.person_id, styles)
        _put(ws, row, 2, person.name, styles)
        _put(ws, row, 3, ROLE_NAMES_ZH[person.role], styles)
        for offset, day in enumerate(dates):
            lines = [
                f"{guard_cell(shifts[a.shift_id].name)} {guard_cell(grids[a.grid_id].name)}"
                for a in cells.get((person.person_id, day), [])
            ]
            _put(ws, row, 4 + offset, "\n".join(lines) or None, styles)
    _finish_sheet(ws, "D2", max_width=30)


def _sheet_coverage(ws, coverage: list[dict]) -> None:
    """The coverage table; rows with missing people are highlighted."""
    styles = _styles()
    ws.title = SHEET_COVERAGE
    for column, title in enumerate(COVERAGE_COLUMNS, start=1):
        _put(ws, 1, column, title, styles, header=True)
    for row, r in enumerate(coverage, start=2):
        fill = styles["missing_fill"] if r["missing"] > 0 else None
        for column, name in enumerate(COVERAGE_COLUMNS, start=1):
            value = r[name].isoformat() if name == "date" else r[name]
            _put(ws, row, column, value if value != "" else None, styles, fill=fill)
    ws.auto_filter.ref = ws.dimensions
    _finish_sheet(ws, "A2")
