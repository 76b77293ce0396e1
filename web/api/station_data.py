"""Planners edit a station's people, grids, shifts and demand row by row, through `services/station_edit.py`.

The same service checks every change as the planner's pages do (by the engine's own loader):
a refused change is a 400 listing each field at fault, and nothing is stored.
"""

from __future__ import annotations

from flask import jsonify

from ..models import Station
from ..services import station_edit
from . import bp
from .access import STAFF, token_required
from .errors import ApiError
from .inputs import get_or_404, json_body

TABLES = station_edit.EDITABLE  # people, grids, shifts, demand, requests


def _station(station_id: int) -> Station:
    return get_or_404(Station, station_id)


def _refused(error: station_edit.StationEditError, status: int = 400, code: str = "validation_error") -> ApiError:
    field, message = error.errors[0]
    return ApiError(status, code, message, field, errors=[{"field": f, "message": m} for f, m in error.errors])


@token_required(*STAFF)
def list_rows(station_id: int, table: str):
    return jsonify({"rows": station_edit.list_rows(_station(station_id), table)})


@token_required(*STAFF)
def get_row(station_id: int, table: str, row_id: int):
    row = next((r for r in station_edit.list_rows(_station(station_id), table) if r["id"] == row_id), None)
    if row is None:
        raise ApiError(404, "not_found")
    return jsonify(row)


@token_required(*STAFF)
def create_row(station_id: int, table: str):
    station = _station(station_id)
    try:
        return jsonify(station_edit.create_row(station, table, json_body())), 201
    except station_edit.StationEditError as error:
        raise _refused(error) from None


@token_required(*STAFF)
def update_row(station_id: int, table: str, row_id: int):
    """Change the fields given (the others keep their value)."""
    station = _station(station_id)
    try:
        return jsonify(station_edit.update_row(station, table, row_id, json_body()))
    except station_edit.StationEditError as error:
        raise _refused(error) from None
    except LookupError:
        raise ApiError(404, "not_found") from None


@token_required(*STAFF)
def delete_row(station_id: int, table: str, row_id: int):
    station = _station(station_id)
    try:
        station_edit.delete_row(station, table, row_id)
    except station_edit.StationEditError as error:  # a grid or shift still used by other rows
        raise _refused(error, 409, "still_used") from None
    except LookupError:
        raise ApiError(404, "not_found") from None
    return "", 204


for _table in TABLES:
    _rows, _row = f"/stations/<int:station_id>/{_table}", f"/stations/<int:station_id>/{_table}/<int:row_id>"
    _defaults = {"table": _table}
    bp.add_url_rule(_rows, f"{_table}_list", list_rows, methods=["GET"], defaults=_defaults)
    bp.add_url_rule(_rows, f"{_table}_create", create_row, methods=["POST"], defaults=_defaults)
    bp.add_url_rule(_row, f"{_table}_get", get_row, methods=["GET"], defaults=_defaults)
    bp.add_url_rule(_row, f"{_table}_update", update_row, methods=["PUT"], defaults=_defaults)
    bp.add_url_rule(_row, f"{_table}_delete", delete_row, methods=["DELETE"], defaults=_defaults)
