"""Station data between the database and the engine (`scheduler.model.Station`) and station folders.

Only `scheduler.model` and `scheduler.station_io` are used here: the portal never loads a solver.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import types
import typing
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from scheduler import model as m
from scheduler.station_io import _parse_shift_caps, load_station, save_station

from ..extensions import db
from ..models import Availability, DemandRow, Grid, Person, Pin, ShiftType, Station, StationRequest

# The station's tables by relationship name, one per CSV file of a station folder.
TABLES = {"people": Person, "grids": Grid, "shifts": ShiftType, "demand": DemandRow,
          "availability": Availability, "pins": Pin, "requests": StationRequest}


def _to_json_value(value: Any) -> Any:
    """A dataclass field as JSON: tuples and sets become lists, dict keys text (levels as "1")."""
    if isinstance(value, dict):
        return {str(key): _to_json_value(item) for key, item in value.items()}
    if isinstance(value, frozenset | set):
        return sorted(_to_json_value(item) for item in value)
    if isinstance(value, tuple | list):
        return [_to_json_value(item) for item in value]
    return value


def _from_json_value(kind: Any, value: Any) -> Any:
    """The inverse of _to_json_value, led by the field's type hint (tuple[str, ...], dict[int, int], ...)."""
    if value is None:
        return None
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (types.UnionType, typing.Union):
        kinds = [k for k in args if k is not type(None)]
        return _from_json_value(kinds[0], value) if len(kinds) == 1 else value
    if origin is dict:
        return {_from_json_value(args[0], k): _from_json_value(args[1], v) for k, v in value.items()}
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_from_json_value(args[0], item) for item in value)
        return tuple(_from_json_value(k, item) for k, item in zip(args, value, strict=True))
    if origin in (frozenset, set, list):
        return origin(_from_json_value(args[0], item) for item in value)
    if kind is int and isinstance(value, str):
        return int(value)  # a dict key such as a grid level
    return value


def _dataclass_to_json(value: Any) -> str:
    return json.dumps({f.name: _to_json_value(getattr(value, f.name)) for f in dataclasses.fields(value)},
                      ensure_ascii=False)


def _dataclass_from_json(cls: type, text: str) -> Any:
    """Every field found in the JSON; fields it lacks (stored before they existed) keep their default.

    A key no field has any more is ignored rather than refused, so an old row never stops a station loading.
    """
    data = json.loads(text or "{}")
    hints = typing.get_type_hints(cls)
    return cls(**{f.name: _from_json_value(hints[f.name], data[f.name])
                  for f in dataclasses.fields(cls) if f.init and f.name in data})


def rules_to_json(rules: m.Rules) -> str:
    return _dataclass_to_json(rules)


def rules_from_json(text: str) -> m.Rules:
    return _dataclass_from_json(m.Rules, text)


def weights_to_json(weights: m.Weights) -> str:
    return _dataclass_to_json(weights)


def weights_from_json(text: str) -> m.Weights:
    return _dataclass_from_json(m.Weights, text)


def _day_to_text(day: str | dt.date) -> str:
    return day.isoformat() if isinstance(day, dt.date) else day


def _day_from_text(text: str) -> str | dt.date:
    return text if text in m.WEEKDAYS else dt.date.fromisoformat(text)


# The per-person overrides of the optional rules stored as whole numbers (max_shifts_per_type is text).
PERSON_RULE_COLUMNS = tuple(m.PERSON_RULES)


def shift_caps_to_text(pairs: tuple[tuple[str, int], ...]) -> str | None:
    """A person's max_shifts_per_type as people.csv writes it (`D=14;N=5`); None when there is none."""
    return ";".join(f"{shift_id}={most}" for shift_id, most in pairs) or None


def shift_caps_from_text(text: str | None) -> tuple[tuple[str, int], ...]:
    return _parse_shift_caps(text) if text else ()


def _person_to_engine(p: Person) -> m.Person:
    return m.Person(p.person_id, p.name, p.role, p.home_grid, frozenset(s for s in p.skills.split(";") if s),
                    p.max_shifts_per_week, p.phone, **{name: getattr(p, name) for name in PERSON_RULE_COLUMNS},
                    max_shifts_per_type=shift_caps_from_text(p.max_shifts_per_type))


def _person_to_row(p: m.Person) -> Person:
    return Person(person_id=p.person_id, name=p.name, role=p.role, home_grid=p.home_grid,
                  skills=";".join(sorted(p.skills)), max_shifts_per_week=p.max_shifts_per_week, phone=p.phone,
                  **{name: getattr(p, name) for name in PERSON_RULE_COLUMNS},
                  max_shifts_per_type=shift_caps_to_text(p.max_shifts_per_type))


def station_to_engine(row: Station) -> m.Station:
    """The engine's validated Station for a station in the database (StationDataError if inconsistent)."""
    return m.Station(
        name=row.name,
        people=tuple(_person_to_engine(p) for p in row.people),
        grids=tuple(m.Grid(g.grid_id, g.name, g.level, g.community) for g in row.grids),
        shifts=tuple(m.Shift(s.shift_id, s.name, s.start, s.end, s.night) for s in row.shifts),
        demand=tuple(
            m.DemandRow(d.grid_id, _day_from_text(d.day), d.shift_id, d.role, d.min, d.max, d.skill,
                        d.under_weight, d.over_weight)
            for d in row.demand
        ),
        availability=tuple(m.Availability(a.person_id, a.date, a.shift_id, a.status) for a in row.availability),
        pins=tuple(m.Pin(p.person_id, p.date, p.shift_id, p.grid_id) for p in row.pins),
        rules=rules_from_json(row.rules_json),
        weights=weights_from_json(row.weights_json),
        requests=tuple(m.Request(r.person_id, r.date, r.shift_id, r.request, r.weight) for r in row.requests),
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
    row.people = [_person_to_row(p) for p in station.people]
    row.grids = [Grid(grid_id=g.grid_id, name=g.name, level=g.level, community=g.community) for g in station.grids]
    row.shifts = [ShiftType(shift_id=s.shift_id, name=s.name, start=s.start, end=s.end, night=s.night)
                  for s in station.shifts]
    row.demand = [
        DemandRow(grid_id=d.grid_id, day=_day_to_text(d.day), shift_id=d.shift_id, role=d.role, min=d.min,
                  max=d.max, skill=d.skill, under_weight=d.under_weight, over_weight=d.over_weight)
        for d in station.demand
    ]
    row.availability = [Availability(person_id=a.person_id, date=a.date, shift_id=a.shift_id, status=a.status)
                         for a in station.availability]
    row.pins = [Pin(person_id=p.person_id, date=p.date, shift_id=p.shift_id, grid_id=p.grid_id)
                for p in station.pins]
    row.requests = [StationRequest(person_id=r.person_id, date=r.date, shift_id=r.shift_id, request=r.request,
                                   weight=r.weight) for r in station.requests]
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
