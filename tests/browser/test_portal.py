"""End-to-end in headless Chromium against the running portal (issue 3, "Tests": browser tests)."""

from __future__ import annotations

import datetime as dt
import re
import zipfile

import pandas as pd
import pytest
import sqlalchemy as sa

from scheduler import Assignment, check_roster, load_station
from web.extensions import db
from web.models import Station, _now
from web.rosters.models import Roster
from web.services import availability as av
from web.services import signups
from web.volunteer.models import OpenSlot

from .conftest import FIXTURES, PLANNER, VOLUNTEER, log_in

pytestmark = pytest.mark.browser

WEEK = dt.date(2026, 11, 23)  # the demo week (a Monday)
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def _places(page, slot_id: int) -> tuple[int, int]:
    """(left, capacity) as the slot's card shows them ("剩余 7 / 8 个名额")."""
    card = page.locator("section.slot").filter(has=page.locator(f'form[action$="/my/slots/{slot_id}/signup"]'))
    if card.count() == 0:
        card = page.locator("section.slot").filter(has=page.locator(f'form[action$="/my/slots/{slot_id}/cancel"]'))
    left, capacity = re.findall(r"\d+", card.locator(".places").inner_text())
    return int(left), int(capacity)


def test_volunteer_on_a_phone_fills_availability_and_signs_up(new_page, portal, tmp_path):
    app, station = portal.app, portal.demo_station
    with app.app_context():  # a patrol opened by the planner, one place already taken by another volunteer
        slot = OpenSlot(station_id=station, grid_id="G03", date=dt.date.today() + dt.timedelta(days=2),
                        shift_id="night", capacity=8, signup_cutoff=_now() + dt.timedelta(hours=12),
                        note="夜巡，限8人")
        db.session.add(slot)
        db.session.commit()
        slot_id = slot.id
        assert signups.sign_up(slot_id, "V0002") == signups.Outcome.OK

    page = new_page(**PHONE)
    log_in(page, VOLUNTEER)
    page.goto(f"/my/availability?week={WEEK.isoformat()}")
    assert page.viewport_size == {"width": 390, "height": 844}
    untouched = page.locator('select[name="2026-11-24/day"]').input_value()  # as the station data has it
    wanted = {"2026-11-23/night": "preferred", "2026-11-25/day": "available", "2026-11-28/evening": "preferred"}
    for name, status in wanted.items():
        assert page.locator(f'select[name="{name}"]').input_value() == "unavailable"  # volunteers opt in
        page.select_option(f'select[name="{name}"]', status)
    page.click('form.availability input[type="submit"]')
    page.wait_for_selector(".flash.success")
    assert "已保存" in page.locator(".flash.success").inner_text()
    page.reload()
    for name, status in wanted.items():
        assert page.locator(f'select[name="{name}"]').input_value() == status
    assert page.locator('select[name="2026-11-24/day"]').input_value() == untouched
    with app.app_context():
        stated = av.read_week(station, VOLUNTEER, WEEK)
    assert stated[(WEEK, "night")] == "preferred" and stated[(WEEK + dt.timedelta(days=5), "evening")] == "preferred"

    page.click('header nav a[href="/my/slots"]')
    page.wait_for_url("**/my/slots")
    assert _places(page, slot_id) == (7, 8)
    page.click(f'form[action$="/my/slots/{slot_id}/signup"] input[type="submit"]')
    page.wait_for_selector(".flash.success")
    assert _places(page, slot_id) == (6, 8)
    assert page.locator(f'form[action$="/my/slots/{slot_id}/cancel"]').count() == 1
    page.screenshot(path=tmp_path / "volunteer-phone.png", full_page=True)
    with app.app_context():
        assert signups.signed_up([slot_id], VOLUNTEER) == {slot_id}


def test_planner_generates_publishes_and_downloads_a_checked_csv(new_page, portal, tmp_path):
    page = new_page(viewport={"width": 1280, "height": 900})
    log_in(page, PLANNER)
    page.goto(f"/planner/stations/{portal.tiny_station}/week?week={WEEK.isoformat()}")
    page.click('form[action$="/solve"] button[type="submit"]')
    page.wait_for_selector("#job-progress")
    # The page polls the job and reloads when it ends; then the roster link is there.
    page.wait_for_selector("#job a[href*='/planner/rosters/']", timeout=30_000)
    assert page.locator("#job-status").inner_text() == "完成"
    assert page.locator("#job-progress").get_attribute("value") == "100"
    page.click("#job a[href*='/planner/rosters/']")
    page.wait_for_url("**/planner/rosters/*")
    page.click('form[action$="/publish"] button')
    page.wait_for_selector('form[action$="/copy"]')  # published: only "new version from this one" is left
    assert "已发布" in page.locator("main > p").first.inner_text()
    page.screenshot(path=tmp_path / "planner-roster.png", full_page=True)

    with page.expect_download() as info:
        page.click("a[href$='/roster.csv']")
    csv_path = tmp_path / info.value.suggested_filename
    info.value.save_as(csv_path)
    assert csv_path.name == f"roster-{WEEK.isoformat()}-v1.csv"

    table = pd.read_csv(csv_path, encoding="utf-8-sig", dtype=str)
    assert {"date", "shift_id", "grid_id", "person_id"} <= set(table.columns) and len(table) > 0
    assignments = [Assignment(dt.date.fromisoformat(r.date), r.shift_id, r.grid_id, r.person_id)
                   for r in table.itertuples()]
    report = check_roster(load_station(FIXTURES / "tiny"), WEEK, assignments)
    assert report.violations == []
    assert report.objective == 293  # tiny's hand-worked optimum
    with portal.app.app_context():
        roster = db.session.scalar(sa.select(Roster).where(Roster.station_id == portal.tiny_station))
        assert roster.frozen and roster.version == 1


def test_login_page_is_chinese_by_default_and_switches_to_english(new_page, tmp_path):
    page = new_page(locale="de-DE")  # a language the portal does not have: the default, Chinese
    page.goto("/auth/login")
    assert "登录" in page.title()
    assert page.locator("h1").inner_text() == "登录"
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.click("header a.lang")
    page.wait_for_load_state()
    assert page.url.endswith("/auth/login")
    assert page.locator("h1").inner_text() == "Log in"
    assert "Log in" in page.title() and "登录" not in page.title()
    assert page.locator("html").get_attribute("lang") == "en"
    page.screenshot(path=tmp_path / "login-en.png", full_page=True)


def _zip_folder(folder, path):
    with zipfile.ZipFile(path, "w") as archive:
        for file in sorted(folder.iterdir()):
            if file.is_file() and file.suffix in {".toml", ".csv"}:
                archive.write(file, f"demo-station/{file.name}")
    return path


def test_planner_imports_the_demo_station_generates_watching_progress_publishes_and_downloads(
        new_page, portal, tmp_path):
    page = new_page(viewport={"width": 1280, "height": 900})
    log_in(page, PLANNER)
    page.goto("/planner/stations/import")
    page.set_input_files("input[type=file]", _zip_folder(FIXTURES / "demo-station", tmp_path / "demo.zip"))
    page.click("form[enctype] [type=submit]")
    page.wait_for_selector("form[action*='/confirm']")  # the preview, nothing written yet
    preview = page.locator("main").inner_text()
    assert "people" in preview or "人员" in preview
    with portal.app.app_context():
        before = db.session.scalar(sa.select(sa.func.count()).select_from(Station))
    page.click("form[action*='/confirm'] [type=submit]")
    page.wait_for_url("**/planner/stations/*/data**")
    station_id = int(re.search(r"/stations/(\d+)/", page.url)[1])
    with portal.app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Station)) == before + 1
        assert len(db.session.get(Station, station_id).people) == 150

    page.goto(f"/planner/stations/{station_id}/week?week={WEEK.isoformat()}")
    page.click('form[action$="/solve"] button[type="submit"]')
    page.wait_for_selector("#job-progress")
    # While the demo station solves, the progress shows a roster's objective and a bound.
    page.wait_for_function("document.getElementById('job-objective').textContent.trim() !== '–'", timeout=30_000)
    page.wait_for_selector("#job a[href*='/planner/rosters/']", timeout=60_000)
    page.click("#job a[href*='/planner/rosters/']")
    page.wait_for_url("**/planner/rosters/*")
    page.click('form[action$="/publish"] button')
    page.wait_for_selector('form[action$="/copy"]')
    with page.expect_download() as info:
        page.click("a[href$='/roster.csv']")
    csv_path = tmp_path / "demo-roster.csv"
    info.value.save_as(csv_path)

    table = pd.read_csv(csv_path, encoding="utf-8-sig", dtype=str)
    assignments = [Assignment(dt.date.fromisoformat(r.date), r.shift_id, r.grid_id, r.person_id)
                   for r in table.itertuples()]
    report = check_roster(load_station(FIXTURES / "demo-station"), WEEK, assignments)
    assert report.violations == []
    with portal.app.app_context():
        roster = db.session.scalar(sa.select(Roster).where(Roster.station_id == station_id))
        assert roster.frozen and report.objective == pytest.approx(roster.objective)
