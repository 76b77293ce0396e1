"""Dates of a planning horizon and the demand rows in force on them."""

from __future__ import annotations

import datetime as dt

from .model import WEEKDAYS, DemandRow, Station


def horizon_dates(week_start: dt.date, days: int = 7) -> list[dt.date]:
    return [week_start + dt.timedelta(days=i) for i in range(days)]


def weekday_name(day: dt.date) -> str:
    return WEEKDAYS[day.weekday()]


def is_weekend(day: dt.date) -> bool:
    return day.weekday() >= 5


def demand_in_force(station: Station, dates: list[dt.date]) -> dict[tuple[str, dt.date, str], list[DemandRow]]:
    """(grid_id, date, shift_id) -> the demand rows that apply there.

    Date rows replace all weekday rows of the same grid and shift on that date (events,
    campaigns); a key with no rows needs nobody and takes nobody, so it is left out.
    """
    wanted = set(dates)
    by_weekday: dict[tuple[str, str, str], list[DemandRow]] = {}
    by_date: dict[tuple[str, dt.date, str], list[DemandRow]] = {}
    for row in station.demand:
        if isinstance(row.day, str):
            by_weekday.setdefault((row.grid_id, row.day, row.shift_id), []).append(row)
        elif row.day in wanted:
            by_date.setdefault((row.grid_id, row.day, row.shift_id), []).append(row)
    out: dict[tuple[str, dt.date, str], list[DemandRow]] = dict(by_date)
    for (grid_id, weekday, shift_id), rows in by_weekday.items():
        for day in dates:
            if weekday_name(day) == weekday and (grid_id, day, shift_id) not in by_date:
                out[(grid_id, day, shift_id)] = rows
    return out
