"""Volunteers and officers through the API: me, my roster, my availability, open slots and sign-up.

Every person id comes from the token: the tests try other people's slots, sign-ups and shifts by id.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from scheduler import Assignment
from web import station_clock
from web.extensions import db
from web.models import _now
from web.services import availability as av
from web.services.solving import publish_roster, store_roster
from web.volunteer.models import OpenSlot, SlotSignup

from .conftest import add_station, error_of

# The API's "next week" is the station's (Asia/Shanghai), 8 hours ahead of a machine on UTC.
TODAY = station_clock.today()
MONDAY = av.week_start(TODAY + dt.timedelta(days=7))
TOMORROW = TODAY + dt.timedelta(days=1)


def open_slot(app, station_id, capacity=8, cutoff_in=dt.timedelta(hours=5), day=TOMORROW) -> int:
    with app.app_context():
        slot = OpenSlot(station_id=station_id, grid_id="G1", date=day, shift_id="night", capacity=capacity,
                        signup_cutoff=_now() + cutoff_in, note="今晚10点夜巡，限8人")
        db.session.add(slot)
        db.session.commit()
        return slot.id


def signups_of(app, slot_id) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(sa.select(SlotSignup.person_id).where(SlotSignup.slot_id == slot_id)))


# ---- me and my roster ----------------------------------------------------------------------------------

def test_me_names_the_account_and_its_person(api, station):
    body = api.get("/api/v1/me", as_="V1").get_json()
    assert body["username"] == "V1" and body["role"] == "volunteer" and body["station_id"] == station
    assert body["person"] == {"person_id": "V1", "name": "陈秀英", "role": "volunteer", "home_grid": "G1",
                              "skills": []}
    assert "phone" not in body["person"]
    assert api.get("/api/v1/me", as_="planner").get_json()["person"] is None


def test_my_roster_shows_only_my_published_shifts_with_teammates(app, api, station):
    with app.app_context():
        roster = store_roster(station, MONDAY, [Assignment(MONDAY, "night", "G1", "V1"),
                                                Assignment(MONDAY, "night", "G1", "P1"),
                                                Assignment(MONDAY + dt.timedelta(days=1), "day", "G2", "V2")])
        db.session.commit()
        roster_id = roster.id
    week = {"week": MONDAY.isoformat()}
    assert api.get("/api/v1/me/roster", as_="V1", query_string=week).get_json()["shifts"] == []  # a draft: not yet
    with app.app_context():
        publish_roster(db.session.get(type(roster), roster_id))
    body = api.get("/api/v1/me/roster", as_="V1", query_string=week).get_json()
    assert body["week"] == MONDAY.isoformat()
    [shift] = body["shifts"]
    assert (shift["date"], shift["shift_id"], shift["grid_id"], shift["night"]) == (MONDAY.isoformat(), "night",
                                                                                   "G1", True)
    assert shift["teammates"] == [{"person_id": "P1", "name": "张伟", "role": "police"}]
    assert [s["person_id"] for s in body["shifts"][0]["teammates"]] == ["P1"]
    other_week = {"week": (MONDAY + dt.timedelta(days=7)).isoformat()}
    assert api.get("/api/v1/me/roster", as_="V1", query_string=other_week).get_json()["shifts"] == []
    officer = api.get("/api/v1/me/roster", as_="P1", query_string=week).get_json()
    assert [m["person_id"] for m in officer["shifts"][0]["teammates"]] == ["V1"]


def test_week_parameter_is_validated(api, station):
    for url in ("/api/v1/me/roster", "/api/v1/me/availability", "/api/v1/slots"):
        for week in ("next week", "2026-13-01", "1999-12-31", "9999-12-31"):
            response = api.get(url, as_="V1", query_string={"week": week})
            assert response.status_code == 400, (url, week)
            assert error_of(response)["field"] == "week"


def test_account_without_a_person_gets_422(api, station):
    for method, url in (("GET", "/api/v1/me/roster"), ("GET", "/api/v1/me/availability"), ("GET", "/api/v1/slots"),
                        ("POST", "/api/v1/slots/1/signup")):
        response = api.open(method, url, as_="volunteer")  # the conftest's volunteer has no person
        assert response.status_code == 422 and error_of(response)["code"] == "not_linked"


# ---- availability --------------------------------------------------------------------------------------

def cell(day: int, shift: str, status: str) -> dict:
    return {"date": (MONDAY + dt.timedelta(days=day)).isoformat(), "shift_id": shift, "status": status}


def test_availability_is_saved_and_read_back(app, api, station):
    week = {"week": MONDAY.isoformat()}
    empty = api.get("/api/v1/me/availability", as_="V1", query_string=week).get_json()
    assert empty == {"week": MONDAY.isoformat(), "open": True, "deadline": None, "shifts": ["day", "night"],
                     "cells": []}
    cells = [cell(0, "night", "preferred"), cell(2, "day", "available")]
    response = api.put("/api/v1/me/availability", as_="V1", query_string=week, json={"cells": cells})
    assert response.status_code == 200 and response.get_json()["cells"] == cells
    assert api.get("/api/v1/me/availability", as_="V1", query_string=week).get_json()["cells"] == cells
    assert api.get("/api/v1/me/availability", as_="V2", query_string=week).get_json()["cells"] == []
    with app.app_context():
        assert av.read_week(station, "V1", MONDAY) == {(MONDAY, "night"): "preferred",
                                                      (MONDAY + dt.timedelta(days=2), "day"): "available"}


def test_availability_validation_names_each_field(api, station):
    week = {"week": MONDAY.isoformat()}
    cases = [({"cells": "all"}, "cells"), ({}, "cells"), ({"cells": ["x"]}, "cells[0]"),
             ({"cells": [cell(0, "day", "available"), cell(7, "day", "available")]}, "cells[1].date"),
             ({"cells": [{"date": "monday", "shift_id": "day", "status": "available"}]}, "cells[0].date"),
             ({"cells": [cell(0, "evening", "available")]}, "cells[0].shift_id"),
             ({"cells": [cell(0, "day", "maybe")]}, "cells[0].status")]
    for body, field in cases:
        response = api.put("/api/v1/me/availability", as_="V1", query_string=week, json=body)
        assert response.status_code == 400, body
        assert error_of(response)["field"] == field
    response = api.put("/api/v1/me/availability", as_="V1", query_string=week, data="[1",
                       content_type="application/json")
    assert response.status_code == 400 and error_of(response)["code"] == "invalid_json"


def test_availability_after_the_deadline_is_422_and_unchanged(app, api, station):
    week = {"week": MONDAY.isoformat()}
    api.put("/api/v1/me/availability", as_="V1", query_string=week, json={"cells": [cell(0, "day", "available")]})
    with app.app_context():
        av.set_deadline(station, MONDAY, _now() - dt.timedelta(minutes=1))
    response = api.put("/api/v1/me/availability", as_="V1", query_string=week, json={"cells": []})
    assert response.status_code == 422 and error_of(response)["code"] == "deadline_passed"
    body = api.get("/api/v1/me/availability", as_="V1", query_string=week).get_json()
    assert body["open"] is False and body["deadline"].endswith("Z") and body["cells"] == [cell(0, "day", "available")]


# ---- open slots and sign-up ----------------------------------------------------------------------------

def test_open_slots_list_shows_places_left_and_hides_closed_and_full_ones(app, api, station):
    open_id = open_slot(app, station, capacity=3)
    closed_id = open_slot(app, station, cutoff_in=-dt.timedelta(minutes=1))
    full_id = open_slot(app, station, capacity=1)
    assert api.post(f"/api/v1/slots/{full_id}/signup", as_="V2").status_code == 201
    assert api.post(f"/api/v1/slots/{open_id}/signup", as_="V2").status_code == 201
    slots = api.get("/api/v1/slots", as_="V1").get_json()["slots"]
    assert [s["id"] for s in slots] == [open_id]
    [slot] = slots
    assert (slot["capacity"], slot["places_left"], slot["signed_up"], slot["grid_name"], slot["shift_name"],
            slot["start"], slot["end"]) == (3, 2, False, "火车站广场", "夜班", "22:00", "06:00")
    mine = api.get("/api/v1/slots", as_="V2").get_json()["slots"]
    assert {s["id"] for s in mine} == {open_id, full_id}  # a full slot shows to who holds a place in it
    assert closed_id not in {s["id"] for s in mine}
    week = api.get("/api/v1/slots", as_="V1", query_string={"week": (TOMORROW + dt.timedelta(days=7)).isoformat()})
    assert week.get_json()["slots"] == []


def test_sign_up_and_cancel(app, api, station):
    slot_id = open_slot(app, station, capacity=2)
    response = api.post(f"/api/v1/slots/{slot_id}/signup", as_="V1")
    assert response.status_code == 201
    assert response.get_json()["signed_up"] is True and response.get_json()["places_left"] == 1
    again = api.post(f"/api/v1/slots/{slot_id}/signup", as_="V1")
    assert again.status_code == 409 and error_of(again)["code"] == "already_signed_up"
    assert api.post(f"/api/v1/slots/{slot_id}/signup", as_="P1").status_code == 201
    full = api.post(f"/api/v1/slots/{slot_id}/signup", as_="V2")
    assert full.status_code == 409 and error_of(full)["code"] == "slot_full"
    assert signups_of(app, slot_id) == ["P1", "V1"]
    cancelled = api.delete(f"/api/v1/slots/{slot_id}/signup", as_="V1")
    assert cancelled.status_code == 200 and cancelled.get_json()["signed_up"] is False
    not_there = api.delete(f"/api/v1/slots/{slot_id}/signup", as_="V1")
    assert not_there.status_code == 409 and error_of(not_there)["code"] == "not_signed_up"
    assert signups_of(app, slot_id) == ["P1"]


def test_after_the_cut_off_sign_up_and_cancel_are_422(app, api, station):
    slot_id = open_slot(app, station, cutoff_in=dt.timedelta(hours=1))
    api.post(f"/api/v1/slots/{slot_id}/signup", as_="V1")
    with app.app_context():
        db.session.get(OpenSlot, slot_id).signup_cutoff = _now() - dt.timedelta(seconds=1)
        db.session.commit()
    for method, who in (("POST", "V2"), ("DELETE", "V1")):
        response = api.open(method, f"/api/v1/slots/{slot_id}/signup", as_=who)
        assert response.status_code == 422 and error_of(response)["code"] == "signup_closed"
    assert signups_of(app, slot_id) == ["V1"]


def test_no_id_reaches_another_station_or_person(app, api, station):
    other = add_station(app, accounts={})
    foreign = open_slot(app, other)
    for method in ("POST", "DELETE"):
        response = api.open(method, f"/api/v1/slots/{foreign}/signup", as_="V1")
        assert response.status_code == 404 and error_of(response)["code"] == "not_found"
        assert api.open(method, "/api/v1/slots/99999/signup", as_="V1").status_code == 404
        assert api.open(method, f"/api/v1/slots/{2**40}/signup", as_="V1").status_code == 404
    assert signups_of(app, foreign) == []
    mine = open_slot(app, station)
    api.post(f"/api/v1/slots/{mine}/signup", as_="V1")
    # V2 cannot cancel V1's place, nor see who signed up (planners only, with phone numbers).
    assert api.delete(f"/api/v1/slots/{mine}/signup", as_="V2").status_code == 409
    assert signups_of(app, mine) == ["V1"]
    assert api.get(f"/api/v1/slots/{mine}", as_="V2").status_code == 403
    # Query parameters naming a person or station are ignored: the token decides.
    api.put("/api/v1/me/availability", as_="V1", json={"cells": [cell(0, "day", "preferred")]})
    assert api.get("/api/v1/me/availability", as_="V1").get_json()["cells"] == [cell(0, "day", "preferred")]
    hijack = api.get("/api/v1/me/availability", as_="V2", query_string={"person_id": "V1", "station": other})
    assert hijack.status_code == 200 and hijack.get_json()["cells"] == []
    assert api.get("/api/v1/slots", as_="V2", query_string={"station_id": other}).get_json()["slots"][0]["id"] == mine
