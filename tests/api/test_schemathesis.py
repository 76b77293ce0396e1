"""schemathesis calls every operation of the served OpenAPI document with generated requests.

No answer may be a server error, and every answer (status code, content type, headers, body) must
match the document. The run is bounded: a few examples per operation, derandomized, no example
database. Solve jobs are queued but never run (an idle runner), so the run stays short.
"""

from __future__ import annotations

import datetime as dt

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from scheduler import Assignment
from web.extensions import db
from web.models import SolveJob
from web.services.solving import JobRunner, store_roster
from web.volunteer.models import OpenSlot

from ..live_server import live_server
from .conftest import LINKED, add_station, make_token

EXAMPLES_PER_OPERATION = 8
WEEK = dt.date(2026, 11, 23)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
SETTINGS = hypothesis.settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
                               phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))


class IdleRunner(JobRunner):
    """Takes jobs and never runs them: the generated requests must not start real solves."""

    worker_id = "idle-test-runner"

    def submit(self, app, job_id: int) -> None:
        pass

    def stop(self, job_id: int) -> bool:
        return True

    def owns(self, worker: str | None) -> bool:
        return False


def seed(app, station_id: int) -> None:
    """Id 1 of each kind exists (the document's examples use it): a slot, a finished job and its roster."""
    with app.app_context():
        db.session.add(OpenSlot(station_id=station_id, grid_id="G1", date=WEEK, shift_id="night", capacity=3,
                                signup_cutoff=dt.datetime(2100, 1, 1)))
        job = SolveJob(station_id=station_id, week_start=WEEK, backend="cpsat", status="done", objective=293.0,
                       bound=293.0, gap=0.0, elapsed=0.2, worker="idle-test-runner")
        db.session.add(job)
        db.session.flush()
        store_roster(station_id, WEEK, [Assignment(WEEK, "night", "G1", "V1"), Assignment(WEEK, "night", "G1", "P1")],
                     job=job)
        db.session.commit()


@pytest.fixture
def served_api(make_app):
    app = make_app(SOLVE_RUNNER=IdleRunner)
    seed(app, add_station(app, accounts=LINKED))
    tokens = {"planner": make_token(app, "planner"), "V1": make_token(app, "V1")}
    with live_server(app) as url:
        yield app, url, tokens


def _authorization(app, operation, tokens) -> dict:
    """The token of a role the operation allows (a fresh one where the operation revokes it)."""
    roles = operation.definition.raw.get("x-roles")
    if roles is None:
        return {}
    if operation.method.upper() == "DELETE" and operation.path == "/auth/token":
        return {"Authorization": f"Bearer {make_token(app, 'V1')}"}
    return {"Authorization": f"Bearer {tokens['planner' if 'planner' in roles else 'V1']}"}


def test_every_operation_answers_as_documented(served_api):
    app, url, tokens = served_api
    schema = schemathesis.openapi.from_url(f"{url}/api/v1/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40

    for operation in operations:
        _fuzz(app, url, tokens, operation)


def _fuzz(app, url: str, tokens: dict, operation) -> None:
    @SETTINGS
    @given(case=operation.as_strategy())
    def call(case):
        headers = _authorization(app, operation, tokens) | {"Accept-Language": "en"}
        case.call_and_validate(base_url=f"{url}/api/v1", headers=headers, checks=CHECKS)

    call()
