"""Hand changes to rosters (checked before saving, audited), pins kept by a new solve, fairness, printing."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from scheduler import Assignment, check_roster
from scheduler import rules as R
from web.extensions import db
from web.models import AuditLog, Pin, Roster, RosterAssignment, SolveJob
from web.services.fairness import fairness
from web.services.solving import roster_assignments, store_roster
from web.services.stations import import_station_folder, station_to_engine

from .test_rosters import OPTIMAL
from .test_solving import FIXTURES, WEEK, wait_for

FRI, SAT = "2026-11-27", "2026-11-28"
PHONES = [f"1380000000{i}" for i in range(1, 8)]  # every phone of fixtures/tiny/people.csv


def _lines(rows) -> list[Assignment]:
    return [Assignment(dt.date.fromisoformat(d), s, g, p) for d, s, g, p in rows]


@pytest.fixture
def store(app):
    """Store the tiny station once and a draft roster of `rows` per call; returns the roster id."""
    with app.app_context():
        station_id = import_station_folder(FIXTURES / "tiny").id

    def make(rows=OPTIMAL) -> int:
        with app.app_context():
            roster = store_roster(station_id, WEEK, _lines(rows))
            db.session.commit()
            return roster.id

    return make


def _row_id(app, roster_id: int, date: str, shift: str, grid: str, person: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(RosterAssignment.id).where(
            RosterAssignment.roster_id == roster_id, RosterAssignment.date == dt.date.fromisoformat(date),
            RosterAssignment.shift_id == shift, RosterAssignment.grid_id == grid, RosterAssignment.person_id == person))


def _lines_of(app, roster_id: int) -> list[tuple]:
    with app.app_context():
        return sorted((a.date.isoformat(), a.shift_id, a.grid_id, a.person_id)
                      for a in db.session.get(Roster, roster_id).assignments)


def _move(row_id: int, date: str, shift: str, grid: str, person: str, **extra) -> dict:
    return {"kind": "move", "assignment": str(row_id), "date": date, "shift_id": shift, "grid_id": grid,
            "person_id": person, **extra}


def _actions(app) -> list[str]:
    with app.app_context():
        return [a.action for a in db.session.scalars(sa.select(AuditLog).order_by(AuditLog.id))]


# --- checked changes -----------------------------------------------------------------------------


def test_move_breaking_the_rest_rule_is_shown_by_name_and_not_saved(client, auth, app, store):
    roster_id = store()
    auth.login("planner")
    # P1 works Friday night (until Saturday 06:00): Saturday day at 08:00 leaves 2 hours of rest.
    change = _move(_row_id(app, roster_id, SAT, "day", "G1", "P2"), SAT, "day", "G1", "P1")
    page = client.post(f"/planner/rosters/{roster_id}/adjust/preview", data=change).get_data(as_text=True)
    assert R.HARD_RULES[R.MIN_REST_BETWEEN_SHIFTS][0] in page  # the rule's Chinese name
    assert 'data-rule="min_rest_between_shifts"' in page and "张伟 (P1)" in page
    assert 'name="accept_violations"' in page
    response = client.post(f"/planner/rosters/{roster_id}/adjust/save", data=change)
    assert response.status_code == 409
    assert R.HARD_RULES[R.MIN_REST_BETWEEN_SHIFTS][0] in response.get_data(as_text=True)
    assert _lines_of(app, roster_id) == sorted(OPTIMAL)
    assert _actions(app) == []


def test_removing_the_escort_is_shown_by_name_and_not_saved(client, auth, app, store):
    roster_id = store()
    auth.login("planner")
    change = {"kind": "remove", "assignment": str(_row_id(app, roster_id, FRI, "day", "G2", "A2"))}
    page = client.post(f"/planner/rosters/{roster_id}/adjust/preview", data=change).get_data(as_text=True)
    assert R.HARD_RULES[R.ESCORT_REQUIRED][0] in page
    assert page.count('data-rule="escort_required"') == 2  # V1 and V2 are left alone on G2
    assert client.post(f"/planner/rosters/{roster_id}/adjust/save", data=change).status_code == 409
    assert _lines_of(app, roster_id) == sorted(OPTIMAL)


def test_rule_names_follow_the_planners_language(client, auth, app, store):
    roster_id = store()
    auth.login("planner")
    client.get("/lang/en")
    change = {"kind": "remove", "assignment": str(_row_id(app, roster_id, FRI, "day", "G2", "A2"))}
    page = client.post(f"/planner/rosters/{roster_id}/adjust/preview", data=change).get_data(as_text=True)
    assert R.HARD_RULES[R.ESCORT_REQUIRED][1] in page
    assert R.HARD_RULES[R.ESCORT_REQUIRED][0] not in page


def test_valid_move_is_saved_audited_and_passes_the_checker(client, auth, app, store):
    without_v1 = [line for line in OPTIMAL if line[3] != "V1"]
    roster_id = store(without_v1)
    auth.login("planner")
    change = _move(_row_id(app, roster_id, FRI, "day", "G2", "V2"), FRI, "day", "G2", "V1")
    page = client.post(f"/planner/rosters/{roster_id}/adjust/preview", data=change).get_data(as_text=True)
    assert 'id="rules-ok"' in page and "accept_violations" not in page
    with app.app_context():
        before = db.session.get(Roster, roster_id).objective
    assert f"{before} →" in page
    response = client.post(f"/planner/rosters/{roster_id}/adjust/save", data=change)
    assert response.status_code == 302
    expected = sorted([line for line in without_v1 if line[3] != "V2"] + [(FRI, "day", "G2", "V1")])
    assert _lines_of(app, roster_id) == expected
    with app.app_context():
        roster = db.session.get(Roster, roster_id)
        report = check_roster(station_to_engine(roster.station), WEEK, roster_assignments(roster))
        assert report.ok
        assert roster.objective == report.objective and roster.terms == report.terms
        entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "roster.adjust"))
        assert entry.username == "planner" and entry.at is not None
        assert entry.details["kind"] == "move" and entry.details["roster"] == roster_id
        assert entry.details["old"] == {"date": FRI, "shift_id": "day", "grid_id": "G2", "person_id": "V2"}
        assert entry.details["new"]["person_id"] == "V1"
        assert (entry.details["objective_before"], entry.details["objective_after"]) == (before, report.objective)
        assert entry.details["violations"] == []


def test_move_to_another_shift_and_grid(client, auth, app, store):
    roster_id = store()
    auth.login("planner")
    # A2 from Friday day on G2 to Saturday day on G2: 6 hours before A2's Saturday night, and V1, V2 lose their escort.
    change = _move(_row_id(app, roster_id, FRI, "day", "G2", "A2"), SAT, "day", "G2", "A2")
    page = client.post(f"/planner/rosters/{roster_id}/adjust/preview", data=change).get_data(as_text=True)
    assert 'data-rule="min_rest_between_shifts"' in page and 'data-rule="escort_required"' in page


def test_save_with_violations_needs_the_explicit_tick_and_is_audited(client, auth, app, store):
    roster_id = store()
    auth.login("planner")
    change = {"kind": "remove", "assignment": str(_row_id(app, roster_id, FRI, "day", "G2", "A2"))}
    assert client.post(f"/planner/rosters/{roster_id}/adjust/save", data=change).status_code == 409
    response = client.post(f"/planner/rosters/{roster_id}/adjust/save", data=change | {"accept_violations": "1"})
    assert response.status_code == 302
    assert (FRI, "day", "G2", "A2") not in _lines_of(app, roster_id)
    with app.app_context():
        entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "roster.adjust"))
        assert len(entry.details["violations"]) == 2 and "V1" in " ".join(entry.details["violations"])


def test_add_an_assignment(client, auth, app, store):
    roster_id = store([line for line in OPTIMAL if line[3] != "V2"])
    auth.login("planner")
    change = {"kind": "add", "date": FRI, "shift_id": "day", "grid_id": "G2", "person_id": "V2"}
    assert client.post(f"/planner/rosters/{roster_id}/adjust/save", data=change).status_code == 302
    assert _lines_of(app, roster_id) == sorted(OPTIMAL)
    with app.app_context():
        assert db.session.get(Roster, roster_id).objective == 293


@pytest.mark.parametrize(("field", "value", "named"), [
    ("person_id", "X9", "person_id: unknown 'X9'"),
    ("grid_id", "", "grid_id: missing"),
    ("date", "2026-12-01", "date: 2026-12-01 is outside the week 2026-11-23 to 2026-11-29"),
    ("date", "friday", "date: 'friday' is not a date"),
    ("assignment", "999999", "assignment: 999999 is not in this roster"),
    ("kind", "swap", "kind: 'swap' is not one of move, add, remove"),
])
def test_bad_change_names_the_field_and_stores_nothing(client, auth, app, store, field, value, named):
    roster_id = store()
    auth.login("planner")
    client.get("/lang/en")  # the messages in their source language, whatever the translations say
    change = _move(_row_id(app, roster_id, FRI, "day", "G2", "V2"), FRI, "day", "G2", "V1") | {field: value}
    for step in ("preview", "save"):
        response = client.post(f"/planner/rosters/{roster_id}/adjust/{step}", data=change)
        assert response.status_code == 400
        assert named in response.get_data(as_text=True).replace("&#39;", "'")
    assert _lines_of(app, roster_id) == sorted(OPTIMAL)


# --- published rosters ---------------------------------------------------------------------------


def test_published_roster_is_not_edited_in_place_but_in_a_new_version(client, auth, app, store):
    roster_id = store([line for line in OPTIMAL if line[3] != "V2"])
    auth.login("planner")
    client.post(f"/planner/rosters/{roster_id}/publish")
    add = {"kind": "add", "date": FRI, "shift_id": "day", "grid_id": "G2", "person_id": "V2"}
    for step in ("preview", "save"):
        response = client.post(f"/planner/rosters/{roster_id}/adjust/{step}", data=add)
        assert response.status_code == 409
    row_id = _row_id(app, roster_id, FRI, "day", "G1", "P2")
    client.post(f"/planner/rosters/{roster_id}/adjust/pin", data={"assignment": row_id})
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Pin)) == 0
    assert len(_lines_of(app, roster_id)) == len(OPTIMAL) - 1
    page = client.get(f"/planner/rosters/{roster_id}/adjust").get_data(as_text=True)
    assert f"/planner/rosters/{roster_id}/adjust/copy" in page and "adjust/preview" not in page

    response = client.post(f"/planner/rosters/{roster_id}/adjust/copy")
    with app.app_context():
        new = db.session.scalar(sa.select(Roster).where(Roster.version == 2))
        new_id = new.id
        assert new.status == "draft"
    assert response.headers["Location"] == f"/planner/rosters/{new_id}/adjust"
    assert client.post(f"/planner/rosters/{new_id}/adjust/save", data=add).status_code == 302
    assert _lines_of(app, new_id) == sorted(OPTIMAL)
    assert len(_lines_of(app, roster_id)) == len(OPTIMAL) - 1  # version 1 as published
    assert _actions(app) == ["roster.publish", "roster.copy", "roster.adjust"]


# --- pins ----------------------------------------------------------------------------------------

# A valid roster the solver would not choose: P2 (not P1) on Saturday night, so Saturday day has no police.
P2_ON_SATURDAY_NIGHT = [line for line in OPTIMAL if line[:2] != (SAT, "night") or line[3] != "P1"]
P2_ON_SATURDAY_NIGHT = [line for line in P2_ON_SATURDAY_NIGHT if line != (SAT, "day", "G1", "P2")]
P2_ON_SATURDAY_NIGHT.append((SAT, "night", "G1", "P2"))


def test_pin_is_a_station_pin_and_a_new_solve_keeps_it(client, auth, app, store):
    roster_id = store(P2_ON_SATURDAY_NIGHT)
    auth.login("planner")
    row_id = _row_id(app, roster_id, SAT, "night", "G1", "P2")
    assert client.post(f"/planner/rosters/{roster_id}/adjust/pin", data={"assignment": row_id}).status_code == 302
    with app.app_context():
        roster = db.session.get(Roster, roster_id)
        assert [(p.person_id, p.date.isoformat(), p.shift_id, p.grid_id) for p in roster.station.pins] == \
            [("P2", SAT, "night", "G1")]
        station_id = roster.station_id
    assert "📌" in client.get(f"/planner/rosters/{roster_id}/adjust").get_data(as_text=True)

    client.post(f"/planner/stations/{station_id}/solve", data={"week": WEEK.isoformat()})
    with app.app_context():
        job_id = db.session.scalar(sa.select(SolveJob.id).order_by(SolveJob.id.desc()))
    assert wait_for(app, job_id).status == "done"
    with app.app_context():
        solved = db.session.scalar(sa.select(Roster).where(Roster.from_job == job_id))
        assert Assignment(dt.date(2026, 11, 28), "night", "G1", "P2") in roster_assignments(solved)
        assert check_roster(station_to_engine(solved.station), WEEK, roster_assignments(solved)).ok
        assert solved.objective > 293  # the pin costs: the unpinned optimum puts P1 there
    assert _actions(app)[:1] == ["roster.pin"]


def test_moving_a_pinned_assignment_breaks_keep_pins_until_unpinned(client, auth, app, store):
    roster_id = store()
    auth.login("planner")
    row_id = _row_id(app, roster_id, FRI, "day", "G1", "A1")
    client.post(f"/planner/rosters/{roster_id}/adjust/pin", data={"assignment": row_id})
    change = {"kind": "remove", "assignment": str(row_id)}
    page = client.post(f"/planner/rosters/{roster_id}/adjust/preview", data=change).get_data(as_text=True)
    assert R.HARD_RULES[R.KEEP_PINS][0] in page
    with app.app_context():
        pin_id = db.session.scalar(sa.select(Pin.id))
    client.post(f"/planner/rosters/{roster_id}/adjust/unpin", data={"pin": pin_id})
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Pin)) == 0
    page = client.post(f"/planner/rosters/{roster_id}/adjust/preview", data=change).get_data(as_text=True)
    assert R.HARD_RULES[R.KEEP_PINS][0] not in page
    assert _actions(app) == ["roster.pin", "roster.unpin"]


# --- fairness ------------------------------------------------------------------------------------

# Counted by hand from OPTIMAL (Friday 27 and Saturday 28 November 2026): (nights, weekend shifts, shifts).
HAND_COUNT = {"P1": (2, 1, 2), "P2": (0, 1, 2), "A1": (0, 1, 2), "A2": (1, 1, 2), "V1": (0, 0, 1), "V2": (0, 0, 1),
              "V3": (0, 0, 0)}


def test_fairness_numbers_match_a_hand_count(app, store):
    roster_id = store()
    with app.app_context():
        roster = db.session.get(Roster, roster_id)
        result = fairness(station_to_engine(roster.station), roster_assignments(roster))
    assert {r.person.person_id: (r.nights, r.weekend, r.total) for r in result.rows} == HAND_COUNT
    assert result.average == {"nights": round(3 / 7, 2), "weekend": round(4 / 7, 2), "total": round(10 / 7, 2)}
    assert result.role_average["police"] == {"nights": 1.0, "weekend": 1.0, "total": 2.0}
    assert [r.person.role for r in result.rows] == ["police"] * 2 + ["auxiliary"] * 2 + ["volunteer"] * 3


def test_fairness_bars_on_the_roster_page_sort_by_measure(client, auth, store):
    roster_id = store()
    auth.login("planner")
    page = client.get(f"/planner/rosters/{roster_id}").get_data(as_text=True)
    for person, (nights, weekend, total) in HAND_COUNT.items():
        row = page.split(f'data-person="{person}"')[1].split("</tr>")[0]
        assert f'data-measure="nights" data-value="{nights}"' in row
        assert f'data-measure="weekend" data-value="{weekend}"' in row
        assert f'data-measure="total" data-value="{total}"' in row
    assert 'class="avg" style="left: 21.5%"' in page  # 0.43 nights on a bar up to 2
    page = client.get(f"/planner/rosters/{roster_id}?fairness_sort=nights").get_data(as_text=True)
    order = [page.index(f'data-person="{p}"') for p in ("P1", "A2", "P2")]
    assert order == sorted(order)


# --- printing ------------------------------------------------------------------------------------


def test_print_page_per_grid_has_names_and_no_phone_numbers(client, auth, store):
    roster_id = store()
    auth.login("planner")
    page = client.get(f"/planner/rosters/{roster_id}/print/G2").get_data(as_text=True)
    assert "小站派出所" in page and "幸福里小区" in page and "2026-11-23" in page
    assert "陈秀英" in page and "杨桂兰" in page and "刘洋" in page  # V1, V2 and A2 on G2 on Friday
    assert "张伟" not in page  # P1 patrols G1 only
    assert "@media print" in page and '<html lang="zh-CN">' in page
    assert not any(phone in page for phone in PHONES)
    assert client.get(f"/planner/rosters/{roster_id}/print/G9").status_code == 404


def test_print_all_grids_one_page_each_with_version_and_state(client, auth, app, store):
    roster_id = store()
    auth.login("planner")
    page = client.get(f"/planner/rosters/{roster_id}/print").get_data(as_text=True)
    assert page.count('class="sheet"') == 2 and "page-break-after: always" in page
    assert 'class="state-draft"' in page and "1" in page
    for name in ("张伟", "王芳", "李娜", "刘洋", "陈秀英", "杨桂兰"):
        assert name in page
    assert not any(phone in page for phone in PHONES)
    client.post(f"/planner/rosters/{roster_id}/publish")
    page = client.get(f"/planner/rosters/{roster_id}/print?lang=en").get_data(as_text=True)
    assert 'class="state-published"' in page and '<html lang="en">' in page
    assert '<span class="role">police</span>' in page and "民警" not in page


def test_print_is_chinese_even_from_an_english_screen(client, auth, store):
    roster_id = store()
    auth.login("planner")
    client.get("/lang/en")
    page = client.get(f"/planner/rosters/{roster_id}/print/G1").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page and '<span class="role">民警</span>' in page


# --- access --------------------------------------------------------------------------------------

NEW_ROUTES = [("GET", "/planner/rosters/{id}/adjust"), ("POST", "/planner/rosters/{id}/adjust/preview"),
              ("POST", "/planner/rosters/{id}/adjust/save"), ("POST", "/planner/rosters/{id}/adjust/pin"),
              ("POST", "/planner/rosters/{id}/adjust/unpin"), ("POST", "/planner/rosters/{id}/adjust/copy"),
              ("GET", "/planner/rosters/{id}/print"), ("GET", "/planner/rosters/{id}/print/G1")]


def test_new_routes_are_all_listed_here(app):
    ours = {rule.rule for rule in app.url_map.iter_rules()
            if rule.endpoint.startswith(("planner.adjust", "planner.print"))}
    assert ours == {url.replace("{id}", "<int:roster_id>").replace("G1", "<grid_id>") for _, url in NEW_ROUTES}


@pytest.mark.parametrize("role", ["volunteer", "officer", None])
def test_volunteers_officers_and_anonymous_are_refused(client, auth, app, store, role):
    roster_id = store()
    if role:
        auth.login(role)
    for method, url in NEW_ROUTES:
        response = client.open(url.format(id=roster_id), method=method,
                               data={"kind": "remove", "assignment": "1", "pin": "1"})
        if role:
            assert response.status_code == 403, url
        else:
            assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login"), url
    assert _lines_of(app, roster_id) == sorted(OPTIMAL)
    assert _actions(app) == []
