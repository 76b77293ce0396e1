"""The roster page explains each uncovered demand under its row, in the language of the page."""

from __future__ import annotations

import datetime as dt

import pytest

from scheduler import Assignment
from web.extensions import db
from web.services.solving import store_roster
from web.services.stations import import_station_folder

from .test_rosters import OPTIMAL
from .test_solving import FIXTURES, WEEK

# The tiny station's optimal roster leaves Saturday's day shift on G2 short of an auxiliary and a volunteer.
AUXILIARY_ZH = "周六（11月28日）白班 G2（幸福里小区）缺1名辅警：全部2名辅警中1人已排在同班次其他网格（G1），1人因休息规则（当天夜班）不能排。"
VOLUNTEER_ZH = "周六（11月28日）白班 G2（幸福里小区）缺1名义警：全部3名义警中1人未报名该时段，2人无民警或辅警同行（义警须有人带领）。"
AUXILIARY_EN = ("Sat 2026-11-28 白班 shift, grid G2 (幸福里小区): 1 auxiliary missing; of all 2 auxiliaries: "
                "1 already on another grid in the same shift (G1), 1 blocked by the rest rule (夜班 the same day).")


def store(app, lines) -> int:
    with app.app_context():
        station = import_station_folder(FIXTURES / "tiny")
        db.session.commit()
        assignments = [Assignment(dt.date.fromisoformat(d), s, g, p) for d, s, g, p in lines]
        roster = store_roster(station.id, WEEK, assignments)
        db.session.commit()
        return roster.id


@pytest.fixture
def roster_id(app):
    return store(app, OPTIMAL)


def test_each_uncovered_demand_is_explained_in_chinese_by_default(client, auth, roster_id):
    auth.login("planner")
    page = client.get(f"/planner/rosters/{roster_id}").get_data(as_text=True)
    assert page.count('class="gap-reason"') == 2
    assert AUXILIARY_ZH in page and VOLUNTEER_ZH in page
    # Each explanation sits right under the row of the demand it explains.
    auxiliary_row = page.index("<td>2026-11-28</td><td>day</td><td>G2</td><td>auxiliary</td>")
    assert page.index('class="gap-reason"', auxiliary_row) < page.index(AUXILIARY_ZH) < page.index(
        "<td>2026-11-28</td><td>day</td><td>G2</td><td>volunteer</td>")


def test_the_explanations_follow_the_language_switch(client, auth, roster_id):
    auth.login("planner")
    client.get("/lang/en")
    page = client.get(f"/planner/rosters/{roster_id}").get_data(as_text=True)
    assert AUXILIARY_EN in page
    assert "1 volunteer missing" in page and "Why:" in page
    assert AUXILIARY_ZH not in page


def test_a_gap_filled_by_hand_is_no_longer_explained(client, auth, app):
    # The optimal roster plus the auxiliary and the escorted volunteer the Saturday day shift on G2 lacks:
    # A2 is moved from the Saturday night (blocked by rest) to fill it, and the night then shows its own gap.
    lines = [line for line in OPTIMAL if line != ("2026-11-28", "night", "G1", "A2")]
    lines += [("2026-11-28", "day", "G2", "A2"), ("2026-11-28", "day", "G2", "V3")]
    page_id = store(app, lines)
    auth.login("planner")
    page = client.get(f"/planner/rosters/{page_id}").get_data(as_text=True)
    assert AUXILIARY_ZH not in page and VOLUNTEER_ZH not in page
    assert page.count('class="gap-reason"') == 1 and "周六（11月28日）夜班 G1（火车站广场）缺1名辅警" in page
