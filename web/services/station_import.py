"""Station uploads in the browser: a whole station folder as a .zip, or one table as CSV or Excel.

An upload is checked by `load_station` (every issue with file, row and column) and shown as a
preview; nothing is written until the planner confirms. A checked upload waits as a station
folder under the instance folder, named by a random token (the session holds only the token),
and the confirm writes it in one transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import secrets
import shutil
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from flask import current_app
from flask_babel import gettext as _

from scheduler import model as m
from scheduler.station_io import load_station, save_station

from ..extensions import db
from ..models import Station
from .audit import audit
from .station_edit import FILES, MODELS, TABLE_OF_FILE, db_fields, row_to_dict
from .stations import TABLES, fill_station, station_to_engine

UPLOAD_TABLES = tuple(TABLES)  # people, grids, shifts, demand, availability, pins
PREVIEW_ROWS = 5
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # a zip may not unpack to more than this (zip bombs)
MAX_ZIP_MEMBERS = 50
UPLOADS = "station-uploads"
STALE_AFTER_SECONDS = 24 * 3600
_STATION_FILES = frozenset(FILES.values()) | {"station.toml"}


class UploadError(ValueError):
    """The upload cannot even be read as a station folder (not a zip, several folders, ...)."""


@dataclass
class Preview:
    """What an upload would write: the loaded station, or every issue found."""

    station: m.Station | None
    issues: list[m.DataIssue] = field(default_factory=list)
    table: str | None = None  # one table replaced; None: the whole station
    current: dict[str, int] | None = None  # rows stored now per table (None: a new station)
    token: str | None = None  # set once the upload waits for the confirm

    @property
    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self.station, name)) for name in UPLOAD_TABLES} if self.station else {}

    def first_rows(self) -> dict[str, list[dict]]:
        if not self.station:
            return {}
        names = [self.table] if self.table else UPLOAD_TABLES
        return {name: [_row_dict(name, item) for item in getattr(self.station, name)[:PREVIEW_ROWS]] for name in names}

    def issues_by_file(self) -> dict[str, list[m.DataIssue]]:
        grouped: dict[str, list[m.DataIssue]] = {}
        for issue in self.issues:
            grouped.setdefault(issue.file, []).append(issue)
        return grouped


def _row_dict(table: str, item) -> dict:
    """A row of the upload as the file shows it (for the preview)."""
    fake = MODELS[table](**db_fields(table, item))
    return {key: "" if value is None else str(value).lower() if isinstance(value, bool) else value
            for key, value in row_to_dict(table, fake).items() if key != "id"}


# --------------------------------------------------------------------------- reading uploads


def _unpack_zip(data: bytes, parent: Path, upload_name: str) -> Path:
    """Extract the station files of a zip; return the folder holding them (the root or its one folder).

    The folder is named like the zip's folder (or the zip file), since a station without
    station.toml takes its name from its folder, as on disk.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise UploadError(_("The file is not a .zip archive.")) from None
    members = [info for info in archive.infolist() if not info.is_dir() and not _is_clutter(info.filename)]
    if len(members) > MAX_ZIP_MEMBERS or sum(info.file_size for info in members) > MAX_UNPACKED_BYTES:
        raise UploadError(_("The archive holds too many or too large files for a station folder."))
    folders = {PurePosixPath(info.filename).parent for info in members
               if PurePosixPath(info.filename).name in _STATION_FILES}
    if len(folders) != 1:
        raise UploadError(_("Put the station files (people.csv, grids.csv, shifts.csv, demand.csv, station.toml) "
                            "at the top of the zip or in one folder inside it.") if not folders else
                          _("The archive holds station files in several folders: upload one station at a time."))
    (folder,) = folders
    target = parent / _folder_name(folder.name or PurePosixPath(upload_name.replace("\\", "/")).stem)
    target.mkdir(parents=True, exist_ok=True)
    for info in members:
        path = PurePosixPath(info.filename)
        if path.parent == folder and path.name in _STATION_FILES:
            (target / path.name).write_bytes(archive.read(info))  # only known names: no path from the zip is used
    return target


def _folder_name(name: str) -> str:
    """A safe folder name: no separators, never empty, '.', '..' or the upload's own metadata."""
    name = name.strip().replace("/", "_").replace("\\", "_")
    return name if name not in {"", ".", "..", "upload.json"} else "station"


def _is_clutter(name: str) -> bool:
    """Files a Mac or Windows adds to an archive: never station data."""
    return name.startswith("__MACOSX/") or PurePosixPath(name).name in {".DS_Store", "Thumbs.db", "desktop.ini"}


def _xlsx_cell(value) -> str:
    """An Excel cell as the text a CSV export would hold (times as HH:MM, dates as ISO dates)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def xlsx_to_csv(data: bytes, path: Path) -> None:
    """The first sheet of an .xlsx workbook written as a UTF-8 CSV file."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is no workbook
        raise UploadError(_("The file cannot be read as an Excel workbook (.xlsx).")) from None
    sheet = workbook.worksheets[0]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([_xlsx_cell(cell) for cell in row] for row in sheet.iter_rows(values_only=True))
    workbook.close()


def _load(folder: Path, table: str | None, current: dict[str, int] | None) -> Preview:
    try:
        return Preview(load_station(folder), table=table, current=current)
    except m.StationDataError as error:
        return Preview(None, error.issues, table=table, current=current)


# --------------------------------------------------------------------------- previews


def _uploads() -> Path:
    path = Path(current_app.instance_path) / UPLOADS
    path.mkdir(parents=True, exist_ok=True)
    _drop_stale(path)
    return path


def _drop_stale(path: Path) -> None:
    """Uploads checked but never confirmed nor cancelled (a closed tab) go after a day."""
    cutoff = time.time() - STALE_AFTER_SECONDS
    for folder in path.iterdir():
        try:
            if folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
        except FileNotFoundError:  # another request removed it meanwhile
            pass


def _new_folder() -> tuple[str, Path]:
    token = secrets.token_urlsafe(24)
    folder = _uploads() / token
    folder.mkdir()
    return token, folder


def _keep_or_drop(preview: Preview, token: str, folder: Path, meta: dict) -> Preview:
    """A clean upload waits under its token for the confirm; one with issues is thrown away."""
    if preview.issues:
        shutil.rmtree(folder, ignore_errors=True)
        return preview
    (folder / "upload.json").write_text(json.dumps(meta), encoding="utf-8")
    preview.token = token
    return preview


def preview_zip(data: bytes, into: Station | None = None, name: str = "") -> Preview:
    """Check a zipped station folder (uploaded as file `name`), for a new station or to replace all of `into`."""
    token, folder = _new_folder()
    try:
        station_folder = _unpack_zip(data, folder, name)
    except UploadError:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    current = _counts(into) if into is not None else None
    preview = _load(station_folder, None, current)
    meta = {"station_id": into.id if into is not None else None, "table": None, "folder": station_folder.name}
    return _keep_or_drop(preview, token, folder, meta)


def preview_table(station: Station, table: str, filename: str, data: bytes) -> Preview:
    """Check one uploaded table (CSV or .xlsx) together with the station's other stored tables."""
    if table not in UPLOAD_TABLES:
        raise UploadError(_("Unknown table %(name)s.", name=table))
    token, folder = _new_folder()
    target = folder / "station"
    try:
        save_station(station_to_engine(station), target)
        path = target / FILES[table]
        if filename.lower().endswith(".xlsx"):
            xlsx_to_csv(data, path)
        elif filename.lower().endswith(".csv"):
            path.write_bytes(data)
        else:
            raise UploadError(_("Upload a .csv or .xlsx file."))
    except UploadError:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    preview = _load(target, table, _counts(station))
    return _keep_or_drop(preview, token, folder, {"station_id": station.id, "table": table, "folder": target.name})


def _counts(station: Station) -> dict[str, int]:
    return {name: len(getattr(station, name)) for name in UPLOAD_TABLES}


# --------------------------------------------------------------------------- confirm


def _folder_of(token: str) -> Path:
    if not token or not token.replace("-", "").replace("_", "").isalnum():
        raise LookupError(token)
    folder = _uploads() / token
    if not (folder / "upload.json").is_file():
        raise LookupError(token)
    return folder


def pending(token: str) -> dict:
    """What the upload under `token` will replace: {"station_id": ..., "table": ...}; LookupError if gone."""
    return json.loads((_folder_of(token) / "upload.json").read_text(encoding="utf-8"))


def confirm(token: str, user=None) -> Station:
    """Write the checked upload in one transaction; the waiting folder is removed either way."""
    folder = _folder_of(token)
    meta = pending(token)
    try:
        station = load_station(folder / meta["folder"])  # checked at preview; read again, it is the same folder
        row = db.session.get(Station, meta["station_id"]) if meta["station_id"] else Station()
        if row is None:
            raise LookupError(token)
        if meta["table"]:
            replace_table(row, meta["table"], station)
        else:
            fill_station(row, station)
            db.session.add(row)
        db.session.flush()
        station_to_engine(row)  # the stored result must be valid too (it is, unless the station changed since)
        audit("station.import", user, station=row.id, table=meta["table"] or "all", new=meta["station_id"] is None)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return row


def discard(token: str) -> None:
    try:
        shutil.rmtree(_folder_of(token), ignore_errors=True)
    except LookupError:
        pass


def replace_table(row: Station, table: str, station: m.Station) -> None:
    """Replace one table of a stored station with the loaded station's rows (the other tables keep their ids)."""
    getattr(row, table).clear()
    db.session.flush()  # the old ids go before the new rows reuse them (unique per station)
    getattr(row, table).extend(MODELS[table](**db_fields(table, item)) for item in getattr(station, table))


def table_name(file: str) -> str:
    return TABLE_OF_FILE.get(file, file)


def export_zip(station: Station) -> bytes:
    """The station as a zip of its station folder (the files at the root), which imports back equal."""
    from .stations import export_station_folder

    with tempfile.TemporaryDirectory() as tmp:
        export_station_folder(station, tmp)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(Path(tmp).iterdir()):
                archive.write(path, path.name)
    return buffer.getvalue()
