"""The portal on PostgreSQL, as `DATABASE_URL` allows: the migrations, and sign-up under row locks.

On SQLite a sign-up takes the database's write lock (`BEGIN IMMEDIATE`); on PostgreSQL it locks
the slot's row (`SELECT ... FOR UPDATE`). This runs the second path for real.
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from web import create_app
from web.extensions import db
from web.models import Person, Station, _now
from web.services import signups
from web.services.signups import Outcome
from web.volunteer.models import OpenSlot, SlotSignup

from ..at_once import at_once
from ..postgres import postgres_url  # noqa: F401  (the fixture)
from .conftest import settings


@pytest.fixture
def pg_app(postgres_url, tmp_path, monkeypatch):  # noqa: F811
    """The app on the PostgreSQL database, upgraded by the migrations; back to empty afterwards."""
    monkeypatch.setenv("PINGAN_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(settings(SQLALCHEMY_DATABASE_URI=postgres_url))
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        downgrade(revision="base")
        db.engine.dispose()


@pytest.mark.postgres
def test_migrations_build_the_models_schema_on_postgresql(pg_app):
    with pg_app.app_context():
        assert db.engine.dialect.name == "postgresql"
        assert set(sa.inspect(db.engine).get_table_names()) == set(db.metadata.tables) | {"alembic_version"}
        with db.engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), db.metadata) == []
        upgrade()  # idempotent


@pytest.mark.postgres
def test_fifty_volunteers_at_once_for_eight_places_on_postgresql(pg_app):
    with pg_app.app_context():
        station = Station(name="并发测试所", rules_json="{}", weights_json="{}")
        station.people = [Person(person_id=f"V{i:02d}", name=f"义警{i}", role="volunteer", skills="")
                          for i in range(1, 51)]
        db.session.add(station)
        db.session.flush()
        slot = OpenSlot(station_id=station.id, grid_id="G1", date=dt.date.today() + dt.timedelta(days=1),
                        shift_id="night", capacity=8, signup_cutoff=_now() + dt.timedelta(hours=3))
        db.session.add(slot)
        db.session.commit()
        slot_id = slot.id

    def volunteer(number: int, go) -> Outcome:
        with pg_app.app_context():
            go()
            outcome = signups.sign_up(slot_id, f"V{number:02d}")
            db.session.remove()
            return outcome

    outcomes = at_once(volunteer, range(1, 51))
    assert outcomes.count(Outcome.OK) == 8 and outcomes.count(Outcome.FULL) == 42
    with pg_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SlotSignup)
                                 .where(SlotSignup.slot_id == slot_id)) == 8
        db.session.remove()


@pytest.mark.parametrize(("given", "used"), [
    ("postgres://u:p@db.example/pingan", "postgresql+psycopg://u:p@db.example/pingan"),
    ("postgresql://u@db/pingan", "postgresql+psycopg://u@db/pingan"),
    ("postgresql+psycopg://u@db/pingan", "postgresql+psycopg://u@db/pingan"),
    ("sqlite:////srv/pingan.sqlite", "sqlite:////srv/pingan.sqlite"),
])
def test_database_url_gets_the_installed_driver(given, used, tmp_path, monkeypatch):
    from web import database_uri

    monkeypatch.setenv("PINGAN_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("DATABASE_URL", given)
    app = create_app(settings(SQLALCHEMY_DATABASE_URI=None))
    assert database_uri(app) == used
