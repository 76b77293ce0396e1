"""Reading the API's input: the JSON body, dates, weeks, numbers; each bad value is a 400 naming its field."""

from __future__ import annotations

import datetime as dt
import re

from flask import request
from flask_babel import lazy_gettext as _l
from flask_babel import to_utc

from ..extensions import db
from ..services import availability as av
from .errors import ApiError, invalid

ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
MAX_ID = 2**31 - 1  # ids in URLs beyond this are unknown (SQLite cannot even compare them)
# Dates outside this range are refused (they are typos, and week arithmetic near year 1 or 9999 overflows).
FIRST_YEAR, LAST_YEAR = 2000, 2100


def json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_json")
    return body


def parse_date(value, field: str) -> dt.date:
    try:  # only YYYY-MM-DD: fromisoformat would also take week dates such as 2026-W48
        day = dt.date.fromisoformat(value) if isinstance(value, str) and ISO_DATE.fullmatch(value) else None
    except ValueError:
        day = None
    if day is None or not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise invalid(field, _l("%(field)s must be a date (YYYY-MM-DD) between %(first)d and %(last)d.",
                                field=field, first=FIRST_YEAR, last=LAST_YEAR))
    return day


def week_param(default: dt.date) -> dt.date:
    """The Monday of the `week` query parameter (any day of the week), or of `default`."""
    text = request.args.get("week")
    return av.week_start(default if text is None else parse_date(text, "week"))


def parse_datetime(value, field: str) -> dt.datetime:
    """An ISO date-time as naive UTC; without an offset it is the station's time (Asia/Shanghai)."""
    try:
        when = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        when = None
    if when is None or not FIRST_YEAR <= when.year <= LAST_YEAR:
        raise invalid(field, _l("%(field)s must be a date and time (YYYY-MM-DDTHH:MM, optionally with an offset).",
                                field=field))
    if when.tzinfo is not None:
        return when.astimezone(dt.UTC).replace(tzinfo=None)
    return to_utc(when).replace(tzinfo=None)


def parse_int(value, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise invalid(field, _l("%(field)s must be a whole number from %(low)d to %(high)d.",
                                field=field, low=low, high=high))
    return value


def parse_text(value, field: str, max_length: int, required: bool = True, strip: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > max_length:
        raise invalid(field, _l("%(field)s must be text of at most %(length)d characters.",
                                field=field, length=max_length))
    return value.strip() if strip else value


def get_or_404(model, row_id: int):
    row = db.session.get(model, row_id) if 1 <= row_id <= MAX_ID else None
    if row is None:
        raise ApiError(404, "not_found")
    return row
