"""50 volunteers press "sign up" in the same second, over real HTTP against the running portal (issue 3).

Each volunteer is its own HTTP client with its own session: it fetches the login form, logs in with
the form's CSRF token, opens the slot list and posts the sign-up form. The server handles the
requests in parallel threads, on a SQLite file, as in production.
"""

from __future__ import annotations

import datetime as dt
import re

import requests
import sqlalchemy as sa

from web.extensions import db
from web.models import Person, Station, User, _now
from web.volunteer.models import OpenSlot, SlotSignup

from ..at_once import at_once
from ..live_server import live_server
from .conftest import _HASH, PASSWORD

VOLUNTEERS = [f"V{i:02d}" for i in range(1, 51)]
CAPACITY = 8


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)[1]


def _seed(app) -> int:
    with app.app_context():
        station = Station(name="并发测试所", rules_json="{}", weights_json="{}")
        station.people = [Person(person_id=v, name=f"义警{v}", role="volunteer", skills="") for v in VOLUNTEERS]
        db.session.add(station)
        db.session.flush()
        db.session.add_all(User(username=v, role="volunteer", password_hash=_HASH, station_id=station.id,
                                person_id=v) for v in VOLUNTEERS)
        slot = OpenSlot(station_id=station.id, grid_id="G1", date=dt.date.today() + dt.timedelta(days=1),
                        shift_id="night", capacity=CAPACITY, signup_cutoff=_now() + dt.timedelta(hours=3),
                        note="今晚10点夜巡，限8人")
        db.session.add(slot)
        db.session.commit()
        return slot.id


def test_fifty_volunteers_sign_up_at_once_over_http_and_exactly_eight_get_in(make_app):
    # CSRF on, as in production; the login limit is per IP and all 50 come from 127.0.0.1 here.
    app = make_app(WTF_CSRF_ENABLED=True, LOGIN_RATE_LIMIT="1000 per minute")
    slot_id = _seed(app)

    with live_server(app) as url:
        def volunteer(username: str, go) -> str:
            with requests.Session() as http:
                form = http.get(f"{url}/auth/login", timeout=30).text
                login = http.post(f"{url}/auth/login", timeout=30, allow_redirects=False,
                                  data={"username": username, "password": PASSWORD, "csrf_token": _csrf(form)})
                assert login.status_code == 302, login.text[:300]
                token = _csrf(http.get(f"{url}/my/slots", timeout=30).text)
                go()  # all press the button together
                answer = http.post(f"{url}/my/slots/{slot_id}/signup", data={"csrf_token": token}, timeout=60)
                assert answer.status_code == 200
                return answer.text

        answers = dict(zip(VOLUNTEERS, at_once(volunteer, VOLUNTEERS), strict=True))

    succeeded = sorted(v for v, page in answers.items() if "报名成功" in page)
    full = [v for v, page in answers.items() if "抱歉，本次巡逻已报满" in page]
    assert len(succeeded) == CAPACITY and len(full) == len(VOLUNTEERS) - CAPACITY
    with app.app_context():
        stored = sorted(db.session.scalars(sa.select(SlotSignup.person_id).where(SlotSignup.slot_id == slot_id)))
        db.engine.dispose()
    assert stored == succeeded
