"""The Alembic migrations build the schema of web/models.py on an empty database."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from web import create_app
from web.extensions import db

from .conftest import settings

TABLES = {"user", "station", "person", "grid", "shift_type", "demand_row", "availability", "pin"}
TABLES |= {"solve_job", "roster", "roster_assignment", "audit_log"}  # 0002_rosters
TABLES |= {"open_slot", "slot_signup", "availability_deadline"}  # 0003_volunteer
TABLES |= {"api_token"}  # 0005_api_tokens
TABLES |= {"station_request"}  # 0006_station_extensions
TABLES |= {"replan_request"}  # 0007_replan_jobs


def test_upgrade_an_empty_sqlite_database(tmp_path, monkeypatch):
    monkeypatch.setenv("PINGAN_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(settings(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'migrated.sqlite'}"))
    with app.app_context():
        upgrade()
        inspector = sa.inspect(db.engine)
        assert set(inspector.get_table_names()) == TABLES | {"alembic_version"}
        with db.engine.connect() as connection:
            # The migrations and the models agree: a model change without a migration fails here.
            assert compare_metadata(MigrationContext.configure(connection), db.metadata) == []
        upgrade()  # idempotent: `run.py serve` upgrades on every start
        downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) == {"alembic_version"}
        db.engine.dispose()
