"""Capacity holds through the API too: 50 volunteers sign up at once over HTTP for 8 places.

The portal runs on a free port (werkzeug, one thread per request) on a SQLite file, as in
production; each volunteer is a thread with its own token.
"""

from __future__ import annotations

import requests
import sqlalchemy as sa

from web.api.tokens import issue_token
from web.extensions import db
from web.models import User
from web.volunteer.models import SlotSignup

from ..at_once import at_once
from .conftest import _HASH
from .test_self_service import open_slot

VOLUNTEERS = 50
PLACES = 8


def volunteer_tokens(app, station_id: int) -> list[str]:
    with app.app_context():
        users = [User(username=f"V{i:02d}", role="volunteer", password_hash=_HASH, station_id=station_id,
                      person_id=f"V{i:02d}") for i in range(1, VOLUNTEERS + 1)]
        db.session.add_all(users)
        db.session.commit()
        return [issue_token(user)[0] for user in users]


def test_fifty_volunteers_at_once_for_eight_places_over_http(app, station, live_server):
    slot_id = open_slot(app, station, capacity=PLACES)
    tokens = volunteer_tokens(app, station)

    def volunteer(token: str, go) -> tuple[int, str | None]:
        go()
        response = requests.post(f"{live_server}/api/v1/slots/{slot_id}/signup",
                                 headers={"Authorization": f"Bearer {token}"}, timeout=60)
        return response.status_code, response.json().get("error", {}).get("code")

    answers = at_once(volunteer, tokens)
    assert answers.count((201, None)) == PLACES
    assert answers.count((409, "slot_full")) == VOLUNTEERS - PLACES
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SlotSignup)
                                 .where(SlotSignup.slot_id == slot_id)) == PLACES
