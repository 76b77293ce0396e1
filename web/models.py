"""Database tables: portal users, and a station's planning data as rows mirroring shared/FORMAT.md.

Each station table holds one CSV file of the station folder, one row per CSV row, with the
same column names (ids are kept as text, exactly as in the files). Rows keep the order of the
file through their primary key, so a station exported from the database equals the one imported.
`web/services/stations.py` converts between these rows and `scheduler.model.Station`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db, login_manager

USER_ROLES = ("admin", "planner", "officer", "volunteer")
PASSWORD_METHOD = "scrypt"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class User(UserMixin, db.Model):
    __tablename__ = "user"
    __table_args__ = (sa.CheckConstraint(f"role IN {USER_ROLES!r}", name="role"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    username: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(256))
    role: so.Mapped[str] = so.mapped_column(sa.String(16))
    # The person this account belongs to (officers and volunteers): people.csv's person_id.
    station_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("station.id", ondelete="SET NULL"), index=True)
    person_id: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    created_at: so.Mapped[dt.datetime] = so.mapped_column(default=_now)
    # The secret of the private iCal feed `/cal/<token>.ics` (made on first use, can be regenerated).
    calendar_token: so.Mapped[str | None] = so.mapped_column(sa.String(64), unique=True)

    station: so.Mapped[Station | None] = so.relationship()

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=PASSWORD_METHOD)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        """The id kept in the session and the remember-me cookie, bound to the current password.

        A password change (new hash, new salt) makes every older session and remember-me cookie
        of this account invalid, so a stolen or forgotten login ends with the password.
        """
        return f"{self.id}:{_password_stamp(self.password_hash)}"

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


def _password_stamp(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    number, _sep, stamp = user_id.partition(":")
    try:
        user = db.session.get(User, int(number))
    except ValueError:
        return None
    if user is None or not hmac.compare_digest(stamp, _password_stamp(user.password_hash)):
        return None  # a session from before a password change, or a forged id
    return user


# The station's rows go with it: deleting a station deletes its data.
_CHILDREN = {"cascade": "all, delete-orphan", "passive_deletes": True}


class Station(db.Model):
    """station.toml: the name, and the rules and weights as JSON text (FORMAT.md's keys)."""

    __tablename__ = "station"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    rules_json: so.Mapped[str] = so.mapped_column(sa.Text)
    weights_json: so.Mapped[str] = so.mapped_column(sa.Text)
    created_at: so.Mapped[dt.datetime] = so.mapped_column(default=_now)
    updated_at: so.Mapped[dt.datetime] = so.mapped_column(default=_now, onupdate=_now)

    people: so.Mapped[list[Person]] = so.relationship(order_by="Person.id", **_CHILDREN)
    grids: so.Mapped[list[Grid]] = so.relationship(order_by="Grid.id", **_CHILDREN)
    shifts: so.Mapped[list[ShiftType]] = so.relationship(order_by="ShiftType.id", **_CHILDREN)
    demand: so.Mapped[list[DemandRow]] = so.relationship(order_by="DemandRow.id", **_CHILDREN)
    availability: so.Mapped[list[Availability]] = so.relationship(order_by="Availability.id", **_CHILDREN)
    pins: so.Mapped[list[Pin]] = so.relationship(order_by="Pin.id", **_CHILDREN)
    requests: so.Mapped[list[StationRequest]] = so.relationship(order_by="StationRequest.id", **_CHILDREN)

    def __repr__(self) -> str:
        return f"<Station {self.id} {self.name}>"


def _station_fk() -> so.Mapped[int]:
    return so.mapped_column(sa.ForeignKey("station.id", ondelete="CASCADE"), index=True)


class Person(db.Model):
    """people.csv"""

    __tablename__ = "person"
    __table_args__ = (sa.UniqueConstraint("station_id", "person_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    station_id: so.Mapped[int] = _station_fk()
    person_id: so.Mapped[str] = so.mapped_column(sa.String(64))
    name: so.Mapped[str] = so.mapped_column(sa.String(100))
    role: so.Mapped[str] = so.mapped_column(sa.String(16))  # police, auxiliary, volunteer
    home_grid: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    skills: so.Mapped[str] = so.mapped_column(sa.String(500), default="")  # `;`-separated, sorted
    max_shifts_per_week: so.Mapped[int | None]
    phone: so.Mapped[str | None] = so.mapped_column(sa.String(40))  # personal data: planners only
    # Per-person overrides of the station's optional rules (None: the station's value).
    min_consecutive_days: so.Mapped[int | None]
    max_consecutive_days: so.Mapped[int | None]
    min_consecutive_days_off: so.Mapped[int | None]
    max_weekends: so.Mapped[int | None]
    min_total_minutes: so.Mapped[int | None]
    max_total_minutes: so.Mapped[int | None]
    max_shifts_per_type: so.Mapped[str | None] = so.mapped_column(sa.String(500))  # `night=4;day=10`, as in the file


class Grid(db.Model):
    """grids.csv"""

    __tablename__ = "grid"
    __table_args__ = (sa.UniqueConstraint("station_id", "grid_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    station_id: so.Mapped[int] = _station_fk()
    grid_id: so.Mapped[str] = so.mapped_column(sa.String(64))
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    level: so.Mapped[int]
    community: so.Mapped[str | None] = so.mapped_column(sa.String(200))


class ShiftType(db.Model):
    """shifts.csv; start and end in minutes after midnight, as in scheduler.model.Shift."""

    __tablename__ = "shift_type"
    __table_args__ = (sa.UniqueConstraint("station_id", "shift_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    station_id: so.Mapped[int] = _station_fk()
    shift_id: so.Mapped[str] = so.mapped_column(sa.String(64))
    name: so.Mapped[str] = so.mapped_column(sa.String(100))
    start: so.Mapped[int]
    end: so.Mapped[int]
    night: so.Mapped[bool]


class DemandRow(db.Model):
    """demand.csv; `day` is `mon` … `sun` or an ISO date, as in the file."""

    __tablename__ = "demand_row"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    station_id: so.Mapped[int] = _station_fk()
    grid_id: so.Mapped[str] = so.mapped_column(sa.String(64))
    day: so.Mapped[str] = so.mapped_column(sa.String(10))
    shift_id: so.Mapped[str] = so.mapped_column(sa.String(64))
    role: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    min: so.Mapped[int]
    max: so.Mapped[int]
    skill: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    under_weight: so.Mapped[int | None]  # None: the grid level's uncovered weight
    over_weight: so.Mapped[int | None]  # None: the station's weights.over_demand


class Availability(db.Model):
    """availability.csv; shift_id None means the whole day."""

    __tablename__ = "availability"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    station_id: so.Mapped[int] = _station_fk()
    person_id: so.Mapped[str] = so.mapped_column(sa.String(64), index=True)
    date: so.Mapped[dt.date]
    shift_id: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    status: so.Mapped[str] = so.mapped_column(sa.String(16))  # available, preferred, unavailable


class Pin(db.Model):
    """pins.csv"""

    __tablename__ = "pin"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    station_id: so.Mapped[int] = _station_fk()
    person_id: so.Mapped[str] = so.mapped_column(sa.String(64))
    date: so.Mapped[dt.date]
    shift_id: so.Mapped[str] = so.mapped_column(sa.String(64))
    grid_id: so.Mapped[str] = so.mapped_column(sa.String(64))


class StationRequest(db.Model):
    """requests.csv: a person's wish to work (`on`) or not (`off`) a shift on a date."""

    __tablename__ = "station_request"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    station_id: so.Mapped[int] = _station_fk()
    person_id: so.Mapped[str] = so.mapped_column(sa.String(64))
    date: so.Mapped[dt.date]
    shift_id: so.Mapped[str] = so.mapped_column(sa.String(64))
    request: so.Mapped[str] = so.mapped_column(sa.String(8))  # on, off
    weight: so.Mapped[int]


from .api.models import ApiToken  # noqa: E402,F401  (API bearer tokens)
from .rosters.models import AuditLog, Roster, RosterAssignment, SolveJob  # noqa: E402,F401  (rosters, jobs)
from .volunteer.models import AvailabilityDeadline, OpenSlot, SlotSignup  # noqa: E402,F401  (volunteer side)
