"""Accounts: creating users and seeding the demo station with its accounts."""

from __future__ import annotations

import secrets
from pathlib import Path

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models import PASSWORD_METHOD, USER_ROLES, Person, Station, User
from .stations import import_station_folder

ROOT = Path(__file__).resolve().parents[2]
DEMO_STATION = ROOT / "fixtures" / "demo-station"
DEMO_PLANNER = "planner"
DEMO_PASSWORD_FILE = "demo-password.txt"
# People's roles in the station data -> their account's role in the portal.
ACCOUNT_ROLE = {"police": "officer", "auxiliary": "officer", "volunteer": "volunteer"}


class UserError(ValueError):
    """A user cannot be created as asked; the message says why (shown to the operator)."""


def create_user(username: str, role: str, password: str, person_id: str | None = None,
                station: Station | None = None, *, min_length: int = 8) -> User:
    """A new account (committed). `person_id` links it to a person of `station` (default: the only one)."""
    username = username.strip()
    if not username:
        raise UserError("the username is empty")
    if role not in USER_ROLES:
        raise UserError(f"unknown role {role!r} (expected one of {', '.join(USER_ROLES)})")
    if len(password) < min_length:
        raise UserError(f"the password must have at least {min_length} characters")
    if db.session.scalar(sa.select(User).where(User.username == username)) is not None:
        raise UserError(f"the username {username!r} is taken")
    user = User(username=username, role=role)
    if person_id:
        person = _find_person(person_id, station)
        user.station_id, user.person_id = person.station_id, person.person_id
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def _find_person(person_id: str, station: Station | None) -> Person:
    query = sa.select(Person).where(Person.person_id == person_id)
    if station is not None:
        query = query.where(Person.station_id == station.id)
    people = db.session.scalars(query).all()
    if not people:
        raise UserError(f"no person {person_id!r} in the station data (import the station first)")
    if len(people) > 1:
        raise UserError(f"person {person_id!r} is in more than one station")
    return people[0]


def database_is_empty() -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0 and \
        db.session.scalar(sa.select(sa.func.count()).select_from(Station)) == 0


def demo_password(instance_path: str | Path) -> str:
    """The one demo-only password: kept in the instance folder, made once at random."""
    path = Path(instance_path) / DEMO_PASSWORD_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_file() and path.read_text(encoding="utf-8").strip():
        return path.read_text(encoding="utf-8").strip()
    password = "demo-" + secrets.token_urlsafe(6)
    path.write_text(password + "\n", encoding="utf-8")
    return password


def seed_demo(password: str, folder: str | Path = DEMO_STATION) -> Station:
    """Import the demo station, with a planner account and one account per person (by person_id).

    Every account gets the same demo-only password, so it is hashed once and the hash shared
    (hashing 150 times with scrypt would take seconds for nothing).
    """
    station = import_station_folder(folder)
    shared_hash = generate_password_hash(password, method=PASSWORD_METHOD)
    accounts = [User(username=DEMO_PLANNER, role="planner", password_hash=shared_hash)]
    accounts += [User(username=p.person_id, role=ACCOUNT_ROLE[p.role], station_id=station.id,
                      person_id=p.person_id, password_hash=shared_hash) for p in station.people]
    db.session.add_all(accounts)
    db.session.commit()
    return station


# Checked when the username is unknown, so a wrong username takes as long as a wrong password.
_UNKNOWN_USER_HASH = generate_password_hash("not a password", method=PASSWORD_METHOD)


def authenticate(username: str, password: str) -> User | None:
    """The account with this username and password, or None (in about the same time either way)."""
    user = db.session.scalar(sa.select(User).where(User.username == username.strip()))
    if user is None:
        check_password_hash(_UNKNOWN_USER_HASH, password)
        return None
    return user if user.check_password(password) else None
