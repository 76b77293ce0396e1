"""Station data between the database and the engine (`scheduler.model.Station`) and station folders.

Only `scheduler.model` and `scheduler.station_io` are used here: the portal never loads a solver.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import sqlalchemy as sa

from scheduler import model as m
from scheduler.station_io import load_station, save_station

from ..extensions import db
from ..models import Availability, DemandRow, Grid, Person, Pin, ShiftType, Station

# The station's tables by relationship name, one per CSV file of a station folder.
TABLES = {"people": Person, "grids": Grid, "shifts": ShiftType, "demand": DemandRow,
          "availability": Availability, "pins": Pin}


def rules_to_json(rules: m.Rules) -> str:
    return json.dumps(
        {
            "min_rest_hours": rules.min_rest_hours,
            "max_consecutive_days": rules.max_consecutive_days,
            "max_consecutive_nights": rules.max_consecutive_nights,
            "escort_roles": list(rules.escort_roles),
            "max_shifts_per_week": dict(rules.max_shifts_per_week),
        },
        ensure_ascii=False,
    )


def rules_from_json(text: str) -> m.Rules:
    data = json.loads(text)
    data["escort_roles"] = tuple(data["escort_roles"])
    return m.Rules(**data)


def weights_to_json(weights: m.Weights) -> str:
    data = {name: getattr(weights, name) for name in weights.__dataclass_fields__}
    data["uncovered"] = {str(level): value for level, value in sorted(weights.uncovered.items())}
    return json.dumps(data, ensure_ascii=False)


def weights_from_json(text: str) -> m.Weights:
    data = json.loads(text)
    data["uncovered"] = {int(level): value for level, value in data["uncovered"].items()}
    return m.Weights(**data)


def _day_to_text(day: str | dt.date) -> str:
    return day.isoformat() if isinstance(day, dt.date) else day


def _day_from_text(text: str) -> str | dt.date:
    return text if text in m.WEEKDAYS else dt.date.fromisoformat(text)


def station_to_engine(row: Station) -> m.Station:
    """The engine's validated Station for a station in the database (StationDataError if inconsistent)."""
    return m.Station(
        name=row.name,
        people=tuple(
            m.Person(p.person_id, p.name, p.role, p.home_grid, frozenset(s for s in p.skills.split(";") if s),
                     p.max_shifts_per_week, p.phone)
            for p in row.people
        ),
        grids=tuple(m.Grid(g.grid_id, g.name, g.level, g.community) for g in row.grids),
        shifts=tuple(m.Shift(s.shift_id, s.name, s.start, s.end, s.night) for s in row.shifts),
        demand=tuple(
            m.DemandRow(d.grid_id, _day_from_text(d.day), d.shift_id, d.role, d.min, d.max, d.skill)
            for d in row.demand
        ),
        availability=tuple(m.Availability(a.person_id, a.date, a.shift_id, a.status) for a in row.availability),
        pins=tuple(m.Pin(p.person_id, p.date, p.shift_id, p.grid_id) for p in row.pins),
        rules=rules_from_json(row.rules_json),
        weights=weights_from_json(row.weights_json),
    )


def fill_station(row: Station, station: m.Station) -> Station:
    """Replace the data of `row` with `station` (flushed, not committed): settings and every table."""
    if row.id is not None:
        # Delete the old rows first: the new ones reuse their ids (unique per station).
        for name in TABLES:
            getattr(row, name).clear()
        db.session.flush()
    row.name = station.name
    row.rules_json = rules_to_json(station.rules)
    row.weights_json = weights_to_json(station.weights)
    row.people = [
        Person(person_id=p.person_id, name=p.name, role=p.role, home_grid=p.home_grid,
               skills=";".join(sorted(p.skills)), max_shifts_per_week=p.max_shifts_per_week, phone=p.phone)
        for p in station.people
    ]
    row.grids = [Grid(grid_id=g.grid_id, name=g.name, level=g.level, community=g.community) for g in station.grids]
    row.shifts = [ShiftType(shift_id=s.shift_id, name=s.name, start=s.start, end=s.end, night=s.night)
                  for s in station.shifts]
    row.demand = [
        DemandRow(grid_id=d.grid_id, day=_day_to_text(d.day), shift_id=d.shift_id, role=d.role, min=d.min,
                  max=d.max, skill=d.skill)
        for d in station.demand
    ]
    row.availability = [Availability(person_id=a.person_id, date=a.date, shift_id=a.shift_id, status=a.status)
                         for a in station.availability]
    row.pins = [Pin(person_id=p.person_id, date=p.date, shift_id=p.shift_id, grid_id=p.grid_id)
                for p in station.pins]
    return row


def import_station_folder(path: str | Path, into: Station | None = None) -> Station:
    """Load a station folder (shared/FORMAT.md) and store it, as a new station or replacing `into`.

    The folder is read and validated completely before anything is written: on bad data the
    StationDataError from `load_station` (every issue with file, row and column) propagates and
    the database is unchanged. The write is one transaction.
    """
    station = load_station(path)  # raises StationDataError; nothing touched yet
    try:
        row = fill_station(into if into is not None else Station(), station)
        db.session.add(row)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return row


def export_station_folder(row: Station, path: str | Path) -> m.Station:
    """Write a stored station as a station folder that `load_station` reads back equal; returns it."""
    station = station_to_engine(row)
    save_station(station, path)
    return station


def station_counts(row: Station) -> dict[str, int]:
    """How many rows each table of the station holds (counted in the database, nothing loaded)."""
    return {
        name: db.session.scalar(sa.select(sa.func.count()).select_from(table).where(table.station_id == row.id))
        for name, table in TABLES.items()
    }
