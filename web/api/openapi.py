"""The OpenAPI 3.1 document of /api/v1, served at /api/v1/openapi.json and shown at /api/v1/docs.

Written out by hand, next to the views it describes; tests/api/test_schemathesis.py calls every
operation with generated requests and checks each answer against this document.
"""

from __future__ import annotations

from functools import cache

from ..services import station_edit
from .errors import MESSAGES
from .inputs import MAX_ID

VERSION = "1.0.0"
STAFF_ROLES = ["admin", "planner"]
SELF_ROLES = ["volunteer", "officer"]
ANY_ROLES = ["admin", "planner", "officer", "volunteer"]
TABLES = station_edit.EDITABLE  # people, grids, shifts, demand, requests


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(kind: str, **more) -> dict:
    return {"type": [kind, "null"], **more}


def _object(required: list[str], **properties) -> dict:
    return {"type": "object", "required": required, "properties": properties}


DATE = {"type": "string", "format": "date"}
DATE_TIME = {"type": "string", "format": "date-time"}
TEXT = {"type": "string"}
INTEGER = {"type": "integer"}
ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
CELL_VALUE = {"type": ["string", "integer", "number", "boolean", "null"]}

SCHEMAS = {
    "Error": _object(["error"], error=_object(
        ["code", "message", "field"],
        code={**TEXT, "description": "stable, machine-readable: " + ", ".join(MESSAGES)},
        message={**TEXT, "description": "for people, in Chinese or English by Accept-Language"},
        field=_nullable("string", description="the request field at fault (validation errors)"),
        errors={"type": "array", "items": _object(["field", "message"], field=_nullable("string"), message=TEXT)},
        job_id=_nullable("integer"))),
    "Health": _object(["status", "api"], status={"type": "string", "enum": ["ok"]}, api=TEXT),
    "TokenRequest": _object(["username", "password"], username={**TEXT, "minLength": 1, "maxLength": 64},
                            password={**TEXT, "minLength": 1, "maxLength": 200}),
    "Token": _object(["token", "token_type", "expires_at", "role"], token=TEXT,
                     token_type={"type": "string", "enum": ["Bearer"]}, expires_at=DATE_TIME,
                     role={"type": "string", "enum": ANY_ROLES}),
    "Me": _object(["id", "username", "role", "station_id", "person"], id=INTEGER, username=TEXT,
                  role={"type": "string", "enum": ANY_ROLES}, station_id=_nullable("integer"),
                  person={"oneOf": [{"type": "null"}, _object(
                      ["person_id", "name", "role", "home_grid", "skills"], person_id=TEXT, name=TEXT, role=TEXT,
                      home_grid=_nullable("string"), skills={"type": "array", "items": TEXT})]}),
    "MyRoster": _object(["week", "shifts"], week=DATE, shifts={"type": "array", "items": _object(
        ["roster_id", "date", "shift_id", "shift_name", "grid_id", "grid_name", "start", "end", "night", "teammates"],
        roster_id=INTEGER, date=DATE, shift_id=TEXT, shift_name=TEXT, grid_id=TEXT, grid_name=TEXT,
        start=DATE_TIME, end=DATE_TIME, night={"type": "boolean"},
        teammates={"type": "array", "items": _object(["person_id", "name", "role"], person_id=TEXT, name=TEXT,
                                                     role=TEXT)})}),
    "Cell": _object(["date", "shift_id", "status"], date=DATE, shift_id=TEXT,
                    status={"type": "string", "enum": ["available", "preferred", "unavailable"]}),
    "Availability": _object(["week", "open", "deadline", "shifts", "cells"], week=DATE, open={"type": "boolean"},
                            deadline=_nullable("string", format="date-time"),
                            shifts={"type": "array", "items": TEXT}, cells={"type": "array", "items": _ref("Cell")}),
    "AvailabilityUpdate": _object(["cells"], cells={"type": "array", "items": _ref("Cell"), "maxItems": 350}),
    "Slot": _object(["id", "station_id", "date", "grid_id", "grid_name", "shift_id", "shift_name", "start", "end",
                     "capacity", "places_left", "signup_cutoff", "note"],
                    id=INTEGER, station_id=INTEGER, date=DATE, grid_id=TEXT, grid_name=TEXT, shift_id=TEXT,
                    shift_name=TEXT, start=_nullable("string"), end=_nullable("string"), capacity=INTEGER,
                    places_left=INTEGER, signup_cutoff=DATE_TIME, note=TEXT, signed_up={"type": "boolean"}),
    "Slots": _object(["slots"], slots={"type": "array", "items": _ref("Slot")}),
    "SlotDetail": {"allOf": [_ref("Slot"), _object(["signups"], signups={"type": "array", "items": _object(
        ["person_id", "name", "phone", "signed_up_at"], person_id=TEXT, name=_nullable("string"),
        phone=_nullable("string"), signed_up_at=DATE_TIME)})]},
    "SlotCreate": _object(["station_id", "grid_id", "date", "shift_id", "capacity", "signup_cutoff"],
                          station_id=ID, grid_id={**TEXT, "maxLength": 64}, date=DATE,
                          shift_id={**TEXT, "maxLength": 64}, capacity={"type": "integer", "minimum": 1,
                                                                         "maximum": 1000},
                          signup_cutoff={**TEXT, "description": "ISO date-time; without an offset in station time "
                                                                "(Asia/Shanghai)"},
                          note={**TEXT, "maxLength": 200}),
    "Stations": _object(["stations"], stations={"type": "array", "items": _object(["id", "name"], id=INTEGER,
                                                                                 name=TEXT)}),
    "RosterCreate": _object(["station_id", "week"], station_id=ID,
                            week={**DATE, "description": "any day of the week; the roster starts on its Monday"},
                            lookback_weeks={"type": "integer", "minimum": 0, "maximum": 52,
                                            "description": "published weeks before this one whose nights and "
                                                           "weekends the solve balances (default 4)"}),
    "Job": _object(["id", "station_id", "week", "status", "active", "objective", "bound", "gap", "elapsed", "error",
                    "roster_id"], id=INTEGER, station_id=INTEGER, week=DATE,
                   status={"type": "string", "enum": ["queued", "running", "done", "failed", "stopped"]},
                   active={"type": "boolean"}, objective=_nullable("number"), bound=_nullable("number"),
                   gap=_nullable("number"), elapsed=_nullable("number", description="seconds"),
                   error=_nullable("string"), roster_id=_nullable("integer")),
    "Roster": _object(["id", "station_id", "week", "version", "status", "objective", "terms", "created_at",
                       "published_at", "from_job"],
                      id=INTEGER, station_id=INTEGER, week=DATE, version=INTEGER,
                      status={"type": "string", "enum": ["draft", "published"]}, objective=_nullable("integer"),
                      terms={"type": "object", "additionalProperties": {"type": "number"}}, created_at=DATE_TIME,
                      published_at=_nullable("string", format="date-time"), from_job=_nullable("integer"),
                      assignments={"type": "array", "items": _object(["date", "shift_id", "grid_id", "person_id"],
                                                                     date=DATE, shift_id=TEXT, grid_id=TEXT,
                                                                     person_id=TEXT)}),
    "Row": {"type": "object", "required": ["id"], "properties": {"id": INTEGER},
            "additionalProperties": CELL_VALUE,
            "description": "a row with the columns of the station file (FORMAT.md), and its id"},
    "Rows": _object(["rows"], rows={"type": "array", "items": _ref("Row")}),
    "RowInput": {"type": "object", "additionalProperties": CELL_VALUE,
                 "description": "columns of the station file (FORMAT.md); on PUT only those to change"},
}

ERRORS = {
    400: "Invalid request: `error.field` names the field at fault.",
    401: "No token, or an unknown, expired or revoked one.",
    403: "The account's role may not do this.",
    404: "No such resource (or not one of your station's).",
    409: "Conflict: the slot is full, already signed up, a solve is running, the roster is published, "
         "the row is still used.",
    422: "Cannot be done now: cut-off or deadline passed, or the account is not linked to a person.",
    429: "Too many attempts: wait a minute.",
}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict:
    return {str(code): {"$ref": f"#/components/responses/E{code}"} for code in codes}


def _path_id(name: str, description: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": ID, "description": description, "example": 1}


WEEK = {"name": "week", "in": "query", "required": False, "schema": DATE, "example": "2026-11-23",
        "description": "any day of the week (YYYY-MM-DD); the week starts on its Monday"}


def _operation(summary: str, roles: list[str] | None, ok: dict, *, tag: str, parameters=(), body: str | None = None,
               errors: tuple[int, ...] = ()) -> dict:
    """One operation; a token and role check adds 401 and 403, parameters or a body add 400."""
    operation = {"summary": summary, "tags": [tag], "responses": dict(ok)}
    if parameters:
        operation["parameters"] = list(parameters)
    if body:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": _ref(body)}}}
    codes = set(errors)
    if roles is None:
        operation["security"] = []
    else:
        operation["x-roles"] = roles
        codes |= {401, 403}
    if parameters or body:
        codes.add(400)
    if any(p["in"] == "path" for p in parameters):
        codes.add(404)
    operation["responses"] |= _errors(*sorted(codes))
    return operation


def _ok(status: int, schema: str | None, description: str) -> dict:
    if schema is None:
        return {str(status): {"description": description}}
    return {str(status): _json(_ref(schema), description)}


SLOT_ID = _path_id("slot_id", "the open slot")
JOB_ID = _path_id("job_id", "the solve job")
ROSTER_ID = _path_id("roster_id", "the roster version")
STATION_ID = _path_id("station_id", "the station")
ROW_ID = _path_id("row_id", "the row's id (from the list)")


def _station_table_paths(table: str) -> dict:
    rows, row = f"/stations/{{station_id}}/{table}", f"/stations/{{station_id}}/{table}/{{row_id}}"
    tag = "station data"
    return {
        rows: {
            "get": _operation(f"List the station's {table}", STAFF_ROLES, _ok(200, "Rows", f"the {table} rows"),
                              tag=tag, parameters=[STATION_ID]),
            "post": _operation(f"Add a row to the station's {table}", STAFF_ROLES, _ok(201, "Row", "the new row"),
                               tag=tag, parameters=[STATION_ID], body="RowInput"),
        },
        row: {
            "get": _operation(f"One row of the station's {table}", STAFF_ROLES, _ok(200, "Row", "the row"),
                              tag=tag, parameters=[STATION_ID, ROW_ID]),
            "put": _operation(f"Change a row of the station's {table}", STAFF_ROLES, _ok(200, "Row", "the row"),
                              tag=tag, parameters=[STATION_ID, ROW_ID], body="RowInput"),
            "delete": _operation(f"Delete a row of the station's {table}", STAFF_ROLES, _ok(204, None, "deleted"),
                                 tag=tag, parameters=[STATION_ID, ROW_ID], errors=(409,)),
        },
    }


def _file(media_type: str, description: str) -> dict:
    return {"200": {"description": description,
                    "content": {media_type: {"schema": {"type": "string", "format": "binary"}}}}}


def _paths() -> dict:
    paths = {
        "/health": {"get": _operation("Is the service up", None, _ok(200, "Health", "up"), tag="service")},
        "/openapi.json": {"get": _operation("This document", None, {"200": _json({"type": "object"}, "OpenAPI 3.1")},
                                            tag="service")},
        "/docs": {"get": _operation("This document as a web page", None,
                                    {"200": {"description": "HTML", "content": {"text/html": {
                                        "schema": {"type": "string"}}}}}, tag="service")},
        "/auth/token": {
            "post": _operation("Get a bearer token for a username and password", None,
                               _ok(201, "Token", "a new token; send it as `Authorization: Bearer <token>`"),
                               tag="auth", body="TokenRequest", errors=(401, 429)),
            "delete": _operation("Revoke the token of this request (log out)", ANY_ROLES,
                                 _ok(204, None, "revoked"), tag="auth"),
        },
        "/me": {"get": _operation("The token's account and its person", ANY_ROLES, _ok(200, "Me", "the account"),
                                  tag="me")},
        "/me/roster": {"get": _operation("My shifts of the week in the published roster", SELF_ROLES,
                                         _ok(200, "MyRoster", "the shifts"), tag="me", parameters=[WEEK],
                                         errors=(422,))},
        "/me/availability": {
            "get": _operation("My availability grid of the week", SELF_ROLES, _ok(200, "Availability", "the grid"),
                              tag="me", parameters=[WEEK], errors=(422,)),
            "put": _operation("Replace my availability grid of the week (until the week's deadline)", SELF_ROLES,
                              _ok(200, "Availability", "the stored grid"), tag="me", parameters=[WEEK],
                              body="AvailabilityUpdate", errors=(422,)),
        },
        "/slots": {
            "get": _operation("Open slots of my station still taking sign-ups (all upcoming without `week`)",
                              SELF_ROLES, _ok(200, "Slots", "the slots"), tag="slots", parameters=[WEEK],
                              errors=(422,)),
            "post": _operation("Open a grid-shift on a date for sign-up", STAFF_ROLES,
                               _ok(201, "Slot", "the open slot"), tag="slots", body="SlotCreate"),
        },
        "/slots/{slot_id}": {"get": _operation("The slot and who signed up", STAFF_ROLES,
                                               _ok(200, "SlotDetail", "the slot"), tag="slots",
                                               parameters=[SLOT_ID])},
        "/slots/{slot_id}/signup": {
            "post": _operation("Sign up for the slot", SELF_ROLES, _ok(201, "Slot", "signed up"), tag="slots",
                               parameters=[SLOT_ID], errors=(409, 422)),
            "delete": _operation("Cancel my sign-up (before the cut-off)", SELF_ROLES, _ok(200, "Slot", "cancelled"),
                                 tag="slots", parameters=[SLOT_ID], errors=(409, 422)),
        },
        "/stations": {"get": _operation("The stations", STAFF_ROLES, _ok(200, "Stations", "the stations"),
                                        tag="station data")},
        "/rosters": {"post": _operation("Generate the roster of a station's week (a solve job)", STAFF_ROLES,
                                        _ok(202, "Job", "the job started; poll it"), tag="rosters",
                                        body="RosterCreate", errors=(409,))},
        "/jobs/{job_id}": {
            "get": _operation("A solve job's progress", STAFF_ROLES, _ok(200, "Job", "the job"), tag="rosters",
                              parameters=[JOB_ID]),
            "delete": _operation("Stop the job, keeping the best roster found", STAFF_ROLES,
                                 _ok(202, "Job", "stopping"), tag="rosters", parameters=[JOB_ID]),
        },
        "/rosters/{roster_id}": {"get": _operation("A roster version with its assignments", STAFF_ROLES,
                                                   _ok(200, "Roster", "the roster"), tag="rosters",
                                                   parameters=[ROSTER_ID])},
        "/rosters/{roster_id}.csv": {"get": _operation("The roster as roster.csv", STAFF_ROLES,
                                                       _file("text/csv", "roster.csv"), tag="rosters",
                                                       parameters=[ROSTER_ID])},
        "/rosters/{roster_id}.xlsx": {"get": _operation(
            "The roster as an Excel workbook", STAFF_ROLES,
            _file("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "the workbook"),
            tag="rosters", parameters=[ROSTER_ID])},
        "/rosters/{roster_id}/publish": {"post": _operation("Publish (and freeze) a draft", STAFF_ROLES,
                                                            _ok(200, "Roster", "published"), tag="rosters",
                                                            parameters=[ROSTER_ID], errors=(409,))},
    }
    for table in TABLES:
        paths |= _station_table_paths(table)
    return paths


@cache
def document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "平安排班 Ping'an Patrol Roster API", "version": VERSION,
                 "description": "Rosters, availability and open patrol sign-up for community police stations. "
                                "Get a token with POST /auth/token and send it as `Authorization: Bearer <token>`. "
                                "Errors are `{\"error\": {\"code\", \"message\", \"field\"}}`; messages follow "
                                "Accept-Language (zh, en)."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": _paths(),
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": SCHEMAS,
            "responses": {f"E{code}": _json(_ref("Error"), text) for code, text in ERRORS.items()},
        },
    }


def operations() -> list[dict]:
    """Every operation of the document, for the readable page: method, path, summary, roles, responses."""
    found = []
    for path, methods in document()["paths"].items():
        for method, operation in methods.items():
            found.append({"method": method.upper(), "path": "/api/v1" + path, "summary": operation["summary"],
                          "tag": operation["tags"][0], "roles": operation.get("x-roles"),
                          "parameters": operation.get("parameters", []),
                          "body": operation.get("requestBody", {}).get("content", {}).get(
                              "application/json", {}).get("schema", {}).get("$ref", "").rpartition("/")[2],
                          "responses": sorted(operation["responses"])})
    return found
