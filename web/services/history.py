"""What earlier weeks hand to a portal solve, re-plan or check: the engine's History from published rosters.

The tail is week W-1's newest published version: the rest, consecutive-days/nights and
forbidden-succession rules continue from it. The counts (nights, weekend shifts, shifts) are
summed over the newest published version of each of the `lookback` weeks before W, so the solve
balances cumulative counts; a look-back of 0 balances this week only. Drafts never count.
Assignments naming a shift or person the station no longer has are left out (their times or
role are unknown), as the checker leaves them out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, has_request_context
from flask_babel import gettext as _

from scheduler import Assignment, History
from scheduler import model as m
from scheduler.history import count_shifts

from ..extensions import db
from ..rosters.models import Roster, RosterAssignment, SolveJob
from .ledger import _counted_rosters as newest_published  # the ledger's "newest published version per week"

DEFAULT_LOOKBACK = 4
MAX_LOOKBACK = 52
WEEK = dt.timedelta(days=7)


class LookbackError(ValueError):
    """A look-back that is not a whole number of weeks from 0 to MAX_LOOKBACK."""


def default_lookback() -> int:
    return int(current_app.config.get("HISTORY_LOOKBACK_WEEKS", DEFAULT_LOOKBACK))


def _refuse(value: str) -> LookbackError:
    """In the planner's language on a page; in English from a job, the CLI or a test (no request to ask)."""
    if has_request_context():
        return LookbackError(_("Look-back: %(value)s is not a whole number of weeks from 0 to %(most)s.",
                               value=repr(value), most=MAX_LOOKBACK))
    return LookbackError(f"Look-back: {value!r} is not a whole number of weeks from 0 to {MAX_LOOKBACK}.")


def parse_lookback(text: str | None) -> int:
    """The form's look-back in weeks; empty means the default. LookbackError names the field and the value."""
    text = (text or "").strip()
    if not text:
        return default_lookback()
    if not (text.isascii() and text.isdigit()):
        raise _refuse(text)
    return check_lookback(int(text))


def check_lookback(weeks: int) -> int:
    if isinstance(weeks, bool) or not isinstance(weeks, int) or not 0 <= weeks <= MAX_LOOKBACK:
        raise _refuse(str(weeks))
    return weeks


@dataclass(frozen=True)
class UsedHistory:
    """The History a solve or check used, and where it came from (shown on the week page)."""

    history: History
    lookback: int  # weeks asked for
    counted_weeks: tuple[dt.date, ...]  # the weeks of the look-back that have a published roster
    tail_week: dt.date | None  # week W-1 when it has a published roster
    tail_version: int | None


def _assignments(station: m.Station, roster_ids) -> dict[int, list[Assignment]]:
    """roster id -> its assignments the station still knows (one query)."""
    out: dict[int, list[Assignment]] = {roster_id: [] for roster_id in roster_ids}
    if not out:
        return out
    rows = db.session.execute(sa.select(
        RosterAssignment.roster_id, RosterAssignment.date, RosterAssignment.shift_id, RosterAssignment.grid_id,
        RosterAssignment.person_id).where(RosterAssignment.roster_id.in_(out)))
    shifts, people = station.shifts_by_id, station.people_by_id
    for roster_id, day, shift_id, grid_id, person_id in rows:
        if shift_id in shifts and person_id in people:
            out[roster_id].append(Assignment(day, shift_id, grid_id, person_id))
    return out


def station_history(station_id: int, station: m.Station, week_start: dt.date, lookback: int | None = None) -> UsedHistory:
    """The History for planning or checking `week_start` (a Monday) from the station's published rosters."""
    lookback = check_lookback(default_lookback() if lookback is None else lookback)
    previous = week_start - WEEK
    counted = newest_published(station_id, week_start - lookback * WEEK, previous) if lookback else {}
    tail_roster = newest_published(station_id, previous, previous)
    loaded = _assignments(station, set(counted) | set(tail_roster))
    tail = tuple(a for roster_id in tail_roster for a in loaded[roster_id] if a.date < week_start)
    counts = count_shifts(station, [a for roster_id in counted for a in loaded[roster_id] if a.date < week_start])
    tail_version = None
    if tail_roster:
        tail_version = db.session.scalar(sa.select(Roster.version).where(Roster.id == next(iter(tail_roster))))
    return UsedHistory(History(tail, counts), lookback, tuple(sorted(counted.values())),
                       previous if tail_roster else None, tail_version)


def roster_history(roster: Roster, station: m.Station) -> UsedHistory:
    """The History a stored roster is checked with: its solve job's look-back, else the default."""
    lookback = None
    if roster.from_job is not None:
        job = db.session.get(SolveJob, roster.from_job)
        lookback = job.lookback_weeks if job is not None else None
    return station_history(roster.station_id, station, roster.week_start, lookback)


def describe(used: UsedHistory) -> str:
    """One line for the week page: the balancing look-back and where the rest rules continue from."""
    if used.lookback == 0:
        balance = _("Fairness is balanced within this week only (look-back 0).")
    else:
        balance = _("Balanced over the %(weeks)s previous weeks: %(found)s of them have a published roster.",
                    weeks=used.lookback, found=len(used.counted_weeks))
    if used.tail_week is None:
        rest = _("No published roster of the previous week: rest rules start fresh.")
    else:
        rest = _("Rest rules continue from the week of %(date)s (published version %(version)s).",
                 date=used.tail_week.isoformat(), version=used.tail_version)
    return f"{balance} {rest}"
