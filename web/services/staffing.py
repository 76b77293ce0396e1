"""Staffing what-if jobs: `scheduler.staffing` run in the background, with its progress and answer.

A what-if stores nothing a planner relies on (no roster, no station change), so it gets no table:
its state is one JSON file per station and week in the instance folder (`STAFFING_DIR`), replaced
atomically by the thread running it and read by the page that polls it. Other processes of the same
machine see it too; a what-if left running by a process that is gone shows as interrupted. The
engine (and its solver) is loaded only inside the job, never when the portal imports this module.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import socket
import threading
import time
from pathlib import Path

from flask import Flask, current_app

from ..extensions import db
from ..models import Station
from .audit import audit
from .solving import _dead_local_process
from .stations import station_to_engine

log = logging.getLogger(__name__)

AVAILABILITY_MODES = ("all", "like_existing")
ACTIVE = ("queued", "running")
INTERRUPTED = "interrupted by a server restart"
PROGRESS_INTERVAL = 0.5  # seconds between two progress writes
_WRITING = threading.Lock()  # the solver reports progress from several threads


class WhatIfRunning(Exception):
    """A what-if of the same station and week is still running."""


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(timespec="seconds")


def _folder(app: Flask) -> Path:
    return Path(app.config.get("STAFFING_DIR") or Path(app.instance_path) / "staffing")


def _path(app: Flask, station_id: int, week_start: dt.date) -> Path:
    return _folder(app) / f"{station_id}-{week_start.isoformat()}.json"


def _write(app: Flask, station_id: int, week_start: dt.date, state: dict) -> None:
    path = _path(app, station_id, week_start)
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.part")
    part.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
    os.replace(part, path)  # readers see the old state or the new one, never half of it


def _update(app: Flask, station_id: int, week_start: dt.date, **changes) -> dict:
    with _WRITING:
        state = {**(_read(app, station_id, week_start) or {}), **changes}
        _write(app, station_id, week_start, state)
    return state


def _read(app: Flask, station_id: int, week_start: dt.date) -> dict | None:
    try:
        return json.loads(_path(app, station_id, week_start).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def what_if_state(station_id: int, week_start: dt.date) -> dict | None:
    """The newest what-if of the station's week: status, progress and (when done) the answer."""
    app = current_app._get_current_object()
    state = _read(app, station_id, week_start)
    if state and state["status"] in ACTIVE and _gone(state.get("worker")):
        state = _update(app, station_id, week_start, status="failed", error=INTERRUPTED, finished_at=_now())
    if state:
        state["active"] = state["status"] in ACTIVE
    return state


def _gone(worker: str | None) -> bool:
    return worker is None or (worker != _worker_id() and _dead_local_process(worker))


def _worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def start_what_if(station_id: int, week_start: dt.date, user=None, availability: str = "all") -> dict:
    """Start the what-if of a station's week in the background (at once, in this thread, when
    `STAFFING_INLINE` is set, as tests do); returns its state.

    Raises ValueError for an unknown availability mode, LookupError for an unknown station and
    WhatIfRunning while one of the same week runs.
    """
    app = current_app._get_current_object()
    if availability not in AVAILABILITY_MODES:
        raise ValueError(f"availability: {availability!r} is not one of {', '.join(AVAILABILITY_MODES)}")
    if db.session.get(Station, station_id) is None:
        raise LookupError(f"no station {station_id}")
    current = what_if_state(station_id, week_start)
    if current and current["active"]:
        raise WhatIfRunning(station_id, week_start)
    state = {"status": "queued", "availability": availability, "requested_by": getattr(user, "id", None),
             "worker": _worker_id(), "created_at": _now(), "elapsed": None, "gap": None, "answer": None,
             "error": None}
    _write(app, station_id, week_start, state)
    audit("staffing.start", user, station=station_id, week_start=week_start, availability=availability)
    db.session.commit()
    if app.config.get("STAFFING_INLINE"):
        run_what_if(app, station_id, week_start)
    else:
        threading.Thread(target=run_what_if, args=(app, station_id, week_start),
                         name=f"staffing-{station_id}-{week_start}", daemon=True).start()
    return what_if_state(station_id, week_start)


def run_what_if(app: Flask, station_id: int, week_start: dt.date) -> None:
    """Run the queued what-if to its end in the calling thread; any failure ends it as failed."""
    with app.app_context():
        try:
            _run(app, station_id, week_start)
        except Exception as exc:  # noqa: BLE001 - a what-if never stays running forever
            log.exception("staffing what-if of station %s, week %s failed", station_id, week_start)
            _update(app, station_id, week_start, status="failed", error=f"{type(exc).__name__}: {exc}",
                    finished_at=_now())
        finally:
            db.session.remove()


def _run(app: Flask, station_id: int, week_start: dt.date) -> None:
    from scheduler.staffing import staffing_what_if

    state = _update(app, station_id, week_start, status="running", started_at=_now())
    station = station_to_engine(db.session.get(Station, station_id))
    db.session.rollback()  # the solve may take a while: hold no transaction open meanwhile
    written = [0.0]

    def progress(p) -> None:
        if time.monotonic() - written[0] >= PROGRESS_INTERVAL:
            written[0] = time.monotonic()
            _update(app, station_id, week_start, elapsed=round(p.elapsed, 1), gap=p.gap)

    answer = staffing_what_if(
        station, week_start, backend=app.config.get("SOLVE_BACKEND", "cpsat"),
        time_limit=app.config.get("STAFFING_TIME_LIMIT", app.config.get("SOLVE_TIME_LIMIT", 60.0)),
        availability=state["availability"], workers=app.config.get("SOLVE_WORKERS"), progress=progress)
    data = answer.to_json()
    data.pop("roster")  # the page shows the extra people's shifts; the full roster stays a CLI output
    status = "done" if answer.report is not None else "failed"
    _update(app, station_id, week_start, status=status, answer=data, elapsed=round(answer.wall_time, 1),
            error=None if answer.report is not None else answer.message, finished_at=_now())
    audit("staffing.finish", None, station=station_id, week_start=week_start, status=status,
          extra=data["extra"])
    db.session.commit()
