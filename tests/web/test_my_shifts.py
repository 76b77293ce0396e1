"""My shifts and the private iCal feed (issue 3): published rosters only, own shifts, teammates without phones."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from scheduler.model import Assignment
from web import station_clock
from web.extensions import db
from web.models import User
from web.services import availability as av
from web.services import solving
from web.services.stations import import_station_folder

from .conftest import _HASH, PASSWORD

TINY = Path(__file__).resolve().parents[2] / "fixtures" / "tiny"
MONDAY = av.week_start(station_clock.today() + dt.timedelta(days=7))  # the station's next week, not the machine's
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def day(n: int) -> dt.date:
    return MONDAY + dt.timedelta(days=n)


PUBLISHED = [
    Assignment(day(0), "night", "G1", "V1"), Assignment(day(0), "night", "G1", "V2"),
    Assignment(day(0), "night", "G1", "P1"),
    Assignment(day(1), "day", "G2", "V1"), Assignment(day(1), "day", "G2", "A1"),
    Assignment(day(1), "day", "G1", "V3"), Assignment(day(2), "day", "G2", "V2"),
]
DRAFT = [Assignment(day(3), "day", "G1", "V1"), Assignment(day(3), "day", "G1", "V3")]


@pytest.fixture
def station(app):
    """fixtures/tiny with accounts V1, V2 (volunteers) and P1 (officer), a published week and a newer draft."""
    with app.app_context():
        row = import_station_folder(TINY)
        db.session.flush()
        for name, role in (("V1", "volunteer"), ("V2", "volunteer"), ("P1", "officer")):
            db.session.add(User(username=name, role=role, password_hash=_HASH, station_id=row.id, person_id=name))
        solving.publish_roster(solving.store_roster(row.id, MONDAY, PUBLISHED))
        solving.store_roster(row.id, MONDAY, PUBLISHED + DRAFT)  # v2, a draft: nobody sees it
        db.session.commit()
        return row.id


def login(client, name):
    assert client.post("/auth/login", data={"username": name, "password": PASSWORD}).status_code == 302


def token_of(app, name) -> str | None:
    with app.app_context():
        return db.session.scalar(sa.select(User.calendar_token).where(User.username == name))


def feed(client, app, name) -> Calendar:
    token = token_of(app, name)
    response = client.get(f"/cal/{token}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    return Calendar.from_ical(response.data)


def test_a_volunteer_sees_own_published_shifts_and_teammates_without_phones(client, station):
    login(client, "V1")
    page = client.get("/my/shifts").get_data(as_text=True)
    assert page.count('class="card shift') == 2
    assert "火车站广场" in page and "幸福里小区" in page and "夜班" in page and "白班" in page
    assert "22:00–06:00" in page and "08:00–16:00" in page
    assert "杨桂兰" in page and "张伟" in page and "李娜" in page  # teammates V2, P1, A1
    assert "赵建国" not in page  # V3 works another grid that day, and only in the draft with V1
    assert not re.search(r"138\d{8}", page)  # no phone numbers at all


def test_the_draft_version_is_not_shown(client, station):
    login(client, "V1")
    page = client.get("/my/shifts").get_data(as_text=True)
    assert day(3).strftime("%-m/%-d") not in page


def test_an_account_sees_only_its_own_shifts(client, station):
    login(client, "V2")
    page = client.get("/my/shifts").get_data(as_text=True)
    assert page.count('class="card shift') == 2 and "陈秀英" in page and "李娜" not in page


def test_an_officer_sees_own_shifts_and_planners_are_refused(client, station):
    login(client, "P1")
    page = client.get("/my/shifts").get_data(as_text=True)
    assert page.count('class="card shift') == 1 and "陈秀英" in page
    client.post("/auth/logout")
    login(client, "planner")
    assert client.get("/my/shifts").status_code == 403


def test_the_ics_feed_has_the_published_shifts_with_shanghai_times(app, client, station):
    login(client, "V1")
    assert client.post("/my/shifts/calendar-token").status_code == 303
    assert token_of(app, "V1") in client.get("/my/shifts").get_data(as_text=True)
    client.post("/auth/logout")
    events = sorted(feed(client, app, "V1").walk("VEVENT"), key=lambda e: e.decoded("dtstart"))
    assert [str(e["summary"]) for e in events] == ["夜班 巡逻 火车站广场", "白班 巡逻 幸福里小区"]
    assert [str(e["location"]) for e in events] == ["火车站广场", "幸福里小区"]
    night = events[0]
    assert night.decoded("dtstart") == dt.datetime.combine(day(0), dt.time(22), SHANGHAI)
    assert night.decoded("dtend") == dt.datetime.combine(day(1), dt.time(6), SHANGHAI)  # the next day
    assert night.decoded("dtend").utcoffset() == dt.timedelta(hours=8)
    assert events[1].decoded("dtstart") == dt.datetime.combine(day(1), dt.time(8), SHANGHAI)
    assert events[1].decoded("dtend") == dt.datetime.combine(day(1), dt.time(16), SHANGHAI)
    assert len({str(e["uid"]) for e in events}) == 2
    # the UIDs are stable: the same feed again gives the same ones
    again = feed(client, app, "V1").walk("VEVENT")
    assert {str(e["uid"]) for e in again} == {str(e["uid"]) for e in events}


def test_a_new_token_makes_the_old_url_404(app, client, station):
    login(client, "V1")
    client.post("/my/shifts/calendar-token")
    old = token_of(app, "V1")
    assert client.get(f"/cal/{old}.ics").status_code == 200
    client.post("/my/shifts/calendar-token")
    new = token_of(app, "V1")
    assert new != old
    assert client.get(f"/cal/{old}.ics").status_code == 404
    assert client.get(f"/cal/{new}.ics").status_code == 200
    assert client.get("/cal/not-a-token.ics").status_code == 404


def test_each_token_gives_its_own_calendar_only(app, client, station):
    for name in ("V1", "V2"):
        login(client, name)
        client.post("/my/shifts/calendar-token")
        client.post("/auth/logout")
    token = token_of(app, "V2")  # a secret, not an id someone could guess (it may start with a digit)
    assert len(token) >= 32 and not token.isdigit() and token != token_of(app, "V1")
    v2 = feed(client, app, "V2").walk("VEVENT")
    assert sorted(e.decoded("dtstart").date() for e in v2) == [day(0), day(2)]
    assert all("V1" not in str(e["uid"]) for e in v2)


def test_the_token_form_needs_the_csrf_token(app, make_app, station):
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/auth/login").get_data(as_text=True))[1]
    client.post("/auth/login", data={"username": "V1", "password": PASSWORD, "csrf_token": token})
    assert client.post("/my/shifts/calendar-token").status_code == 400
    assert token_of(app, "V1") is None


def test_the_station_roster_shows_the_published_week_to_volunteers_with_names_but_no_phones(client, app, station):
    login(client, "V2")
    page = client.get("/my/roster", query_string={"week": MONDAY.isoformat()}).get_data(as_text=True)
    with app.app_context():
        from web.models import Person

        people = {p.person_id: p for p in db.session.scalars(sa.select(Person))}
    for a in PUBLISHED:  # every published assignment, by name
        assert people[a.person_id].name in page
    assert not [p.phone for p in people.values() if p.phone and p.phone in page]
    assert page.count('class="mine"') == 2  # V2: Monday night G1, Wednesday day G2
    assert "已发布第 1 版" in page


def test_the_station_roster_hides_drafts_and_unpublished_weeks(client, app, station):
    login(client, "V1")
    with app.app_context():
        from web.models import Person

        v3 = db.session.scalar(sa.select(Person.name).where(Person.person_id == "V3"))
    page = client.get("/my/roster", query_string={"week": MONDAY.isoformat()}).get_data(as_text=True)
    assert page.count('class="mine"') == 2  # the draft's Thursday patrol of V1 is not shown
    assert page.count(v3) == 1  # V3 only on Tuesday; the draft's Thursday is not there
    later = client.get("/my/roster", query_string={"week": (MONDAY + dt.timedelta(days=7)).isoformat()})
    assert "本周排班表尚未发布" in later.get_data(as_text=True)
    assert client.get("/my/roster").status_code == 200  # this week by default
