"""Volunteers and officers: availability, blackout dates, leave, open patrol slots and sign-up (issue 3)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from web import station_clock
from web.extensions import db
from web.models import AuditLog, Availability, Grid, Person, ShiftType, Station, User, _now
from web.services import availability as av
from web.services import signups
from web.services.signups import Outcome
from web.volunteer.models import OpenSlot, SlotSignup

from ..at_once import at_once
from .conftest import _HASH, PASSWORD

MONDAY = av.week_start(station_clock.today() + dt.timedelta(days=7))  # the station's next week, not the machine's
SHIFTS = ("day", "night")


@pytest.fixture
def station(app):
    """A station with two grids, two shifts, volunteers V01…V50 (V01, V02 with accounts) and officer P01."""
    with app.app_context():
        row = Station(name="测试派出所", rules_json="{}", weights_json="{}")
        row.grids = [Grid(grid_id="G1", name="东街", level=1), Grid(grid_id="G2", name="西街", level=1)]
        row.shifts = [ShiftType(shift_id="day", name="白班", start=8 * 60, end=16 * 60, night=False),
                      ShiftType(shift_id="night", name="夜班", start=22 * 60, end=30 * 60, night=True)]
        row.people = [Person(person_id=f"V{i:02d}", name=f"义警{i}", role="volunteer", skills="",
                             phone=f"1390000{i:04d}") for i in range(1, 51)]
        row.people.append(Person(person_id="P01", name="民警甲", role="police", skills="", phone="13800000001"))
        db.session.add(row)
        db.session.flush()
        for name, role in (("V01", "volunteer"), ("V02", "volunteer"), ("P01", "officer")):
            db.session.add(User(username=name, role=role, password_hash=_HASH, station_id=row.id, person_id=name))
        db.session.commit()
        return row.id


def open_slot(app, station_id, capacity=8, cutoff_in=dt.timedelta(hours=5)):
    with app.app_context():
        slot = OpenSlot(station_id=station_id, grid_id="G1", date=dt.date.today() + dt.timedelta(days=1),
                        shift_id="night", capacity=capacity, signup_cutoff=_now() + cutoff_in,
                        note="今晚10点夜巡，限8人")
        db.session.add(slot)
        db.session.commit()
        return slot.id


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)[1]


def rows(app, model, **where):
    with app.app_context():
        return db.session.scalars(sa.select(model).filter_by(**where)).all()


def grid_form(day_status: dict[tuple[int, str], str]) -> dict[str, str]:
    return {f"{(MONDAY + dt.timedelta(days=d)).isoformat()}/{shift}": status for (d, shift), status in day_status.items()}


# ---- availability ------------------------------------------------------------------------------------

def test_availability_is_saved_and_read_back(app, client, auth, station):
    auth.login("V01")
    page = client.get("/my/availability", query_string={"week": MONDAY.isoformat()}).get_data(as_text=True)
    assert "夜班" in page and "不可用" in page  # volunteers opt in: unavailable until stated
    form = grid_form({(0, "night"): "preferred", (2, "day"): "available", (3, "night"): "unavailable"})
    response = client.post("/my/availability", query_string={"week": MONDAY.isoformat()}, data=form,
                           follow_redirects=True)
    assert "您的可用时间已保存" in response.get_data(as_text=True)
    with app.app_context():
        assert av.read_week(station, "V01", MONDAY)[(MONDAY, "night")] == "preferred"
        assert av.read_week(station, "V01", MONDAY)[(MONDAY + dt.timedelta(days=2), "day")] == "available"
    page = client.get("/my/availability", query_string={"week": MONDAY.isoformat()}).get_data(as_text=True)
    assert f'name="{MONDAY.isoformat()}/night" class="status-preferred"' in page
    # Saving again replaces the week; unknown shifts, statuses and days outside the week are ignored.
    with app.app_context():
        stored = av.save_week(station, "V01", MONDAY, {(MONDAY, "day"): "available", (MONDAY, "xx"): "available",
                                                      (MONDAY, "night"): "maybe",
                                                      (MONDAY - dt.timedelta(days=1), "day"): "available"})
        assert stored == 1 and av.read_week(station, "V01", MONDAY) == {(MONDAY, "day"): "available"}


def test_availability_after_the_deadline_is_refused(app, client, auth, station):
    with app.app_context():
        av.save_week(station, "V01", MONDAY, {(MONDAY, "day"): "available"})
        av.set_deadline(station, MONDAY, _now() - dt.timedelta(minutes=1))
        with pytest.raises(av.DeadlinePassed):
            av.save_week(station, "V01", MONDAY, {(MONDAY, "day"): "unavailable"})
        with pytest.raises(av.DeadlinePassed):
            av.add_blackout(station, "V01", MONDAY + dt.timedelta(days=3))
    auth.login("V01")
    page = client.get("/my/availability", query_string={"week": MONDAY.isoformat()}).get_data(as_text=True)
    assert "本周的截止时间已过" in page and "disabled" in page
    response = client.post("/my/availability", query_string={"week": MONDAY.isoformat()},
                           data=grid_form({(0, "day"): "unavailable"}), follow_redirects=True)
    assert "本周的截止时间已过" in response.get_data(as_text=True)
    with app.app_context():
        assert av.read_week(station, "V01", MONDAY) == {(MONDAY, "day"): "available"}
        av.set_deadline(station, MONDAY, _now() + dt.timedelta(days=1))  # the planner extends it
        av.save_week(station, "V01", MONDAY, {(MONDAY, "day"): "unavailable"})


def test_a_volunteer_cannot_change_another_ones_availability(app, client, auth, station):
    auth.login("V01")
    form = grid_form({(0, "day"): "preferred"}) | {"person_id": "V02", "station_id": "999"}
    client.post("/my/availability", query_string={"week": MONDAY.isoformat(), "person_id": "V02"}, data=form)
    client.post("/my/blackouts", data={"date": MONDAY.isoformat(), "person_id": "V02"})
    assert {a.person_id for a in rows(app, Availability)} == {"V01"}
    assert rows(app, Availability, person_id="V02") == []


def test_blackout_dates(app, client, auth, station):
    auth.login("V02")
    day = MONDAY + dt.timedelta(days=4)
    client.post("/my/blackouts", data={"date": day.isoformat()})
    client.post("/my/blackouts", data={"date": day.isoformat()})  # twice: one row
    [row] = rows(app, Availability, person_id="V02")
    assert (row.date, row.shift_id, row.status) == (day, None, "unavailable")
    client.post("/my/blackouts", data={"date": day.isoformat(), "action": "remove"})
    assert rows(app, Availability, person_id="V02") == []


def test_an_officer_reports_leave(app, client, auth, station):
    auth.login("P01")
    first = dt.date.today() + dt.timedelta(days=2)
    response = client.post("/my/leave", data={"first": first.isoformat(),
                                              "last": (first + dt.timedelta(days=2)).isoformat()},
                           follow_redirects=True)
    assert "3" in response.get_data(as_text=True)
    leave = rows(app, Availability, person_id="P01")
    assert sorted(a.date for a in leave) == [first + dt.timedelta(days=i) for i in range(3)]
    assert {(a.shift_id, a.status) for a in leave} == {(None, "unavailable")}
    auth.logout()
    auth.login("V01")
    assert client.get("/my/leave").status_code == 403  # leave is for officers; volunteers have blackouts


def test_an_account_without_a_person_is_told_so(client, auth, station):
    auth.login("volunteer")
    response = client.get("/my/slots", follow_redirects=True)
    assert "您的账户尚未关联" in response.get_data(as_text=True)


# ---- open slots and sign-up --------------------------------------------------------------------------

def test_sign_up_decreases_the_places_left(app, client, auth, station):
    slot_id = open_slot(app, station, capacity=2)
    auth.login("V01")
    page = client.get("/my/slots").get_data(as_text=True)
    assert "今晚10点夜巡，限8人" in page and "剩余 2 / 2 个名额" in page
    response = client.post(f"/my/slots/{slot_id}/signup", data={"person_id": "V02"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "报名成功" in page and "剩余 1 / 2 个名额" in page
    assert [s.person_id for s in rows(app, SlotSignup)] == ["V01"]  # the account's person, not the form's
    response = client.post(f"/my/slots/{slot_id}/signup", follow_redirects=True)
    assert "无需重复报名" in response.get_data(as_text=True)
    assert len(rows(app, SlotSignup)) == 1


def test_a_full_slot_says_full(app, client, auth, station):
    slot_id = open_slot(app, station, capacity=1)
    with app.app_context():
        assert signups.sign_up(slot_id, "V03") == Outcome.OK
    auth.login("V01")
    assert "已满" in client.get("/my/slots").get_data(as_text=True)
    response = client.post(f"/my/slots/{slot_id}/signup", follow_redirects=True)
    assert "抱歉，本次巡逻已报满" in response.get_data(as_text=True)
    with app.app_context():
        assert signups.sign_up(slot_id, "V04") == Outcome.FULL
    assert [s.person_id for s in rows(app, SlotSignup)] == ["V03"]


def test_cancel_before_the_cutoff_and_not_after(app, client, auth, station):
    slot_id = open_slot(app, station, capacity=1)
    auth.login("V01")
    client.post(f"/my/slots/{slot_id}/signup")
    response = client.post(f"/my/slots/{slot_id}/cancel", follow_redirects=True)
    assert "已取消报名" in response.get_data(as_text=True)
    assert rows(app, SlotSignup) == []
    with app.app_context():
        assert signups.sign_up(slot_id, "V02") == Outcome.OK  # the place is free again
        assert signups.cancel(slot_id, "V01") == Outcome.NOT_SIGNED_UP
        later = _now() + dt.timedelta(hours=6)  # after the cut-off
        assert signups.cancel(slot_id, "V02", now=later) == Outcome.CLOSED
        assert signups.sign_up(slot_id, "V03", now=later) == Outcome.CLOSED
        assert signups.sign_up(12345, "V03") == Outcome.NOT_FOUND
    assert [s.person_id for s in rows(app, SlotSignup)] == ["V02"]


def test_cancel_after_the_cutoff_is_refused_in_the_page(app, client, auth, station):
    slot_id = open_slot(app, station, cutoff_in=dt.timedelta(hours=5))
    with app.app_context():
        assert signups.sign_up(slot_id, "V01") == Outcome.OK
        db.session.get(OpenSlot, slot_id).signup_cutoff = _now() - dt.timedelta(minutes=1)
        db.session.commit()
    auth.login("V01")
    response = client.post(f"/my/slots/{slot_id}/cancel", follow_redirects=True)
    assert "截止时间已过" in response.get_data(as_text=True)
    assert len(rows(app, SlotSignup)) == 1


def test_slots_of_another_station_are_not_found(app, client, auth, station):
    with app.app_context():
        other = Station(name="别的派出所", rules_json="{}", weights_json="{}")
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    slot_id = open_slot(app, other_id)
    auth.login("V01")
    assert "今晚10点夜巡" not in client.get("/my/slots").get_data(as_text=True)
    assert client.post(f"/my/slots/{slot_id}/signup").status_code == 404
    assert rows(app, SlotSignup) == []


def test_fifty_volunteers_at_once_for_eight_places(app, station):
    """Capacity is never exceeded: 50 threads, each its own app context and session, against a SQLite file."""
    slot_id = open_slot(app, station, capacity=8)

    def volunteer(number: int, go) -> Outcome:
        with app.app_context():
            go()
            outcome = signups.sign_up(slot_id, f"V{number:02d}")
            db.session.remove()
            return outcome

    outcomes = at_once(volunteer, range(1, 51))
    assert outcomes.count(Outcome.OK) == 8 and outcomes.count(Outcome.FULL) == 42
    assert len(rows(app, SlotSignup, slot_id=slot_id)) == 8


# ---- planners ------------------------------------------------------------------------------------------

def test_planner_opens_a_slot_and_sees_who_signed_up_with_phones(app, client, auth, station):
    auth.login("planner")
    day = dt.date.today() + dt.timedelta(days=1)
    response = client.post("/planner-slots/", query_string={"station": station},
                           data={"grid": "G1", "date": day.isoformat(), "shift": "night", "capacity": "8",
                                 "cutoff": f"{day.isoformat()}T20:00", "note": "今晚10点夜巡，限8人"},
                           follow_redirects=True)
    assert "已开放报名" in response.get_data(as_text=True)
    [slot] = rows(app, OpenSlot)
    assert (slot.grid_id, slot.shift_id, slot.capacity, slot.date) == ("G1", "night", 8, day)
    assert slot.signup_cutoff == dt.datetime.combine(day, dt.time(12, 0))  # 20:00 in Beijing is 12:00 UTC
    response = client.post("/planner-slots/", data={"grid": "G9", "date": "x", "shift": "night", "capacity": "0"})
    page = response.get_data(as_text=True)
    assert "请选择网格" in page and len(rows(app, OpenSlot)) == 1
    with app.app_context():
        slot.signup_cutoff = _now() + dt.timedelta(hours=1)
        db.session.merge(slot)
        db.session.commit()
        assert signups.sign_up(slot.id, "V02") == Outcome.OK
    page = client.get(f"/planner-slots/{slot.id}").get_data(as_text=True)
    assert "义警2" in page and "13900000002" in page
    assert "1 / 8" in client.get("/planner-slots/").get_data(as_text=True)


def test_volunteers_never_see_phone_numbers(app, client, auth, station):
    slot_id = open_slot(app, station)
    with app.app_context():
        signups.sign_up(slot_id, "V02")
    auth.login("V01")
    page = client.get("/my/slots").get_data(as_text=True)
    assert "1390000" not in page and "义警2" not in page
    assert client.get(f"/planner-slots/{slot_id}").status_code == 403


def test_planner_sets_the_availability_deadline(app, client, auth, station):
    auth.login("planner")
    client.post("/planner-slots/deadline", query_string={"station": station},
                data={"week": (MONDAY + dt.timedelta(days=2)).isoformat(),
                      "deadline": f"{(MONDAY - dt.timedelta(days=2)).isoformat()}T18:00"})
    with app.app_context():
        assert av.deadline(station, MONDAY) == dt.datetime.combine(MONDAY - dt.timedelta(days=2), dt.time(10, 0))
    client.post("/planner-slots/deadline", query_string={"station": station},
                data={"week": MONDAY.isoformat(), "deadline": ""})
    with app.app_context():
        assert av.deadline(station, MONDAY) is None


def test_sign_up_and_availability_forms_need_the_csrf_token(app, make_app, station):
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    slot_id = open_slot(app, station)
    token = csrf_token(client.get("/auth/login").get_data(as_text=True))
    client.post("/auth/login", data={"username": "V01", "password": PASSWORD, "csrf_token": token})
    assert client.post(f"/my/slots/{slot_id}/signup").status_code == 400
    assert client.post("/my/availability", data=grid_form({(0, "day"): "available"})).status_code == 400
    assert rows(app, SlotSignup) == [] and rows(app, Availability) == []
    token = csrf_token(client.get("/my/slots").get_data(as_text=True))
    assert client.post(f"/my/slots/{slot_id}/signup", data={"csrf_token": token}).status_code == 303
    assert [s.person_id for s in rows(app, SlotSignup)] == ["V01"]


def test_planner_closes_sign_up_early_and_the_sign_ups_stay(app, client, auth, station):
    slot_id = open_slot(app, station)
    with app.app_context():
        assert signups.sign_up(slot_id, "V02") == Outcome.OK
    auth.login("planner")
    page = client.post(f"/planner-slots/{slot_id}/close", follow_redirects=True).get_data(as_text=True)
    assert "已截止报名" in page
    with app.app_context():
        assert signups.sign_up(slot_id, "V03") == Outcome.CLOSED
        assert signups.cancel(slot_id, "V02") == Outcome.CLOSED
    assert [s.person_id for s in rows(app, SlotSignup)] == ["V02"]
    page = client.post(f"/planner-slots/{slot_id}/close", follow_redirects=True).get_data(as_text=True)
    assert "此前已截止" in page
    [entry] = [e for e in rows(app, AuditLog) if e.action == "slot.close"]
    assert entry.username == "planner" and entry.details["slot"] == slot_id


def test_planner_deletes_a_slot_with_its_sign_ups_and_the_audit_keeps_who_was_on_it(app, client, auth, station):
    slot_id = open_slot(app, station)
    with app.app_context():
        signups.sign_up(slot_id, "V02")
        signups.sign_up(slot_id, "V03")
    auth.login("planner")
    page = client.post(f"/planner-slots/{slot_id}/delete", follow_redirects=True).get_data(as_text=True)
    assert "已删除" in page and "2" in page
    assert rows(app, OpenSlot) == [] and rows(app, SlotSignup) == []
    [entry] = [e for e in rows(app, AuditLog) if e.action == "slot.delete"]
    assert entry.details["signed_up"] == ["V02", "V03"]
    assert client.post(f"/planner-slots/{slot_id}/delete").status_code == 404


def test_volunteers_cannot_close_or_delete_slots(app, client, auth, station):
    slot_id = open_slot(app, station)
    auth.login("V01")
    assert client.post(f"/planner-slots/{slot_id}/close").status_code == 403
    assert client.post(f"/planner-slots/{slot_id}/delete").status_code == 403
    assert len(rows(app, OpenSlot)) == 1
    assert rows(app, OpenSlot)[0].signup_cutoff > _now()


def test_opening_a_slot_is_audited(app, client, auth, station):
    auth.login("planner")
    day = dt.date.today() + dt.timedelta(days=1)
    client.post("/planner-slots/", query_string={"station": station},
                data={"grid": "G2", "date": day.isoformat(), "shift": "day", "capacity": "3",
                      "cutoff": f"{day.isoformat()}T06:00"})
    [entry] = [e for e in rows(app, AuditLog) if e.action == "slot.open"]
    assert (entry.details["grid"], entry.details["capacity"], entry.username) == ("G2", 3, "planner")
