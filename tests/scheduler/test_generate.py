"""The synthetic station generator and the fixture folder written with it."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

import pytest

from scheduler.generate import DEFAULT_WEEK_START, generate_station
from scheduler.horizon import demand_in_force, horizon_dates
from scheduler.station_io import load_station, save_station

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
# The arguments fixtures/make_fixtures.py uses for fixtures/demo-station.
DEMO = dict(police=20, auxiliary=30, volunteers=100, grids=8, seed=2026, name="五里墩派出所")
SMALL = dict(police=6, auxiliary=9, volunteers=25, grids=5, seed=7)


@pytest.fixture(scope="module")
def demo():
    return generate_station(**DEMO)


def _folder_bytes(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def _required(station, week_start=DEFAULT_WEEK_START) -> Counter:
    """Required shifts per role over the week (skill rows add no headcount)."""
    total: Counter = Counter()
    for rows in demand_in_force(station, horizon_dates(week_start)).values():
        for row in rows:
            if not row.is_skill_row:
                total[row.role] += row.min
    return total


def test_same_seed_gives_the_same_station_byte_for_byte(tmp_path):
    first, second = generate_station(**SMALL), generate_station(**SMALL)
    assert first == second
    save_station(first, tmp_path / "a")
    save_station(second, tmp_path / "b")
    assert _folder_bytes(tmp_path / "a") == _folder_bytes(tmp_path / "b")


def test_a_different_seed_gives_a_different_station():
    first, other = generate_station(**SMALL), generate_station(**{**SMALL, "seed": 8})
    assert first != other
    assert [p.name for p in first.people] != [p.name for p in other.people]
    assert first.availability != other.availability


def test_the_name_argument_changes_only_the_name():
    named = generate_station(**SMALL, name="测试派出所")
    assert named.name == "测试派出所"
    assert named.people == generate_station(**SMALL).people


@pytest.mark.parametrize("counts", [(20, 30, 100, 8), (1, 2, 3, 1), (7, 0, 12, 4), (40, 55, 300, 23)])
def test_requested_counts_of_people_and_grids(counts):
    police, auxiliary, volunteers, grids = counts
    station = generate_station(police=police, auxiliary=auxiliary, volunteers=volunteers, grids=grids, seed=1)
    roles = Counter(p.role for p in station.people)
    assert (roles["police"], roles["auxiliary"], roles["volunteer"]) == (police, auxiliary, volunteers)
    assert len(station.grids) == grids
    ids = [p.person_id for p in station.people]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"P\d{3}", p.person_id) for p in station.people if p.role == "police")
    assert all(re.fullmatch(r"A\d{3}", p.person_id) for p in station.people if p.role == "auxiliary")
    assert all(re.fullmatch(r"V\d{4}", p.person_id) for p in station.people if p.role == "volunteer")


def test_people_look_real(demo):
    assert all(re.fullmatch(r"[\u4e00-\u9fff]{2,3}", p.name) for p in demo.people)
    assert all(re.fullmatch(r"1[3-9]\d{9}", p.phone) for p in demo.people)
    police = [p for p in demo.people if p.role == "police"]
    assert 0.2 <= sum("driver" in p.skills for p in police) / len(police) <= 0.6
    volunteers = [p for p in demo.people if p.role == "volunteer"]
    assert sum(p.home_grid is not None for p in volunteers) >= 0.7 * len(volunteers)
    assert any(p.max_shifts_per_week in (3, 4) for p in volunteers)


@pytest.mark.parametrize("grids", [4, 5, 6, 8, 13, 40])
def test_all_four_levels_present(grids):
    station = generate_station(police=5, auxiliary=5, volunteers=10, grids=grids, seed=grids)
    levels = Counter(g.level for g in station.grids)
    assert set(levels) == {1, 2, 3, 4}
    assert len({g.name for g in station.grids}) == grids  # names get a number when a list runs out


def test_a_night_shift_crosses_midnight(demo):
    crossing = [s for s in demo.shifts if s.night and s.end <= s.start]
    assert crossing, "no night shift ending the next day"
    assert all(s.duration == 8 * 60 for s in crossing)


@pytest.mark.parametrize("week_start", [DEFAULT_WEEK_START, dt.date(2026, 12, 2)])
def test_friday_campaign_is_a_date_override(week_start):
    station = generate_station(**SMALL, week_start=week_start)
    dates = horizon_dates(week_start)
    friday = next(d for d in dates if d.weekday() == 4)
    date_rows = [r for r in station.demand if not isinstance(r.day, str)]
    assert date_rows and {r.day for r in date_rows} == {friday}
    grids = station.grids_by_id
    campaign = {r.grid_id for r in date_rows}
    assert campaign == {g.grid_id for g in station.grids if g.level in (1, 2)}
    assert {r.shift_id for r in date_rows} == {"night"}
    assert any(r.role == "volunteer" and r.min > 0 for r in date_rows)
    # More people than the Friday template it replaces.
    for grid_id in campaign:
        for role in ("police", "auxiliary"):
            template = sum(r.min for r in station.demand if (r.grid_id, r.day, r.shift_id, r.role, r.skill)
                           == (grid_id, "fri", "night", role, None))
            override = sum(r.min for r in date_rows if (r.grid_id, r.role, r.skill) == (grid_id, role, None))
            assert override > template, (grids[grid_id], role)


def test_every_volunteer_offers_a_slot(demo):
    offering = {a.person_id for a in demo.availability if a.status in ("available", "preferred")}
    volunteers = [p for p in demo.people if p.role == "volunteer"]
    assert all(p.person_id in offering for p in volunteers)
    assert any(a.status == "preferred" for a in demo.availability)
    assert any(a.shift_id is None and a.status == "available" for a in demo.availability)  # whole days


def test_some_officers_are_on_leave(demo):
    away = {a.person_id for a in demo.availability if a.status == "unavailable"}
    officers = [p for p in demo.people if p.role in ("police", "auxiliary")]
    assert 0.05 * len(officers) <= len(away) <= 0.15 * len(officers)
    assert all(demo.person(pid).role in ("police", "auxiliary") for pid in away)


def test_demand_slightly_exceeds_officer_capacity(demo):
    required = _required(demo)
    for role in ("police", "auxiliary"):
        capacity = sum(demo.shift_cap(p) for p in demo.people if p.role == role)
        assert 1.05 <= required[role] / capacity <= 1.15, role
    offered = {}
    for a in demo.availability:
        if a.status != "unavailable":
            offered.setdefault(a.person_id, set()).add(a.date)
    offer = sum(min(demo.shift_cap(demo.person(pid)), len(days)) for pid, days in offered.items())
    assert 0.6 <= required["volunteer"] / offer <= 0.8


def test_level_one_and_two_grids_need_officers_on_every_shift(demo):
    in_force = demand_in_force(demo, horizon_dates(DEFAULT_WEEK_START))
    for g in demo.grids:
        if g.level > 2:
            continue
        for day in horizon_dates(DEFAULT_WEEK_START):
            for shift in demo.shifts:
                rows = in_force[(g.grid_id, day, shift.shift_id)]
                for role in ("police", "auxiliary"):
                    assert sum(r.min for r in rows if r.role == role and not r.is_skill_row) >= 1
    assert any(r.skill == "first_aid" and r.role is None for r in demo.demand)
    assert any(r.skill == "driver" and r.role == "police" and r.shift_id == "night" for r in demo.demand)


def test_demo_fixture_matches_the_generator(demo):
    """fixtures/demo-station must be what fixtures/make_fixtures.py writes (run it after changes)."""
    assert load_station(FIXTURES / "demo-station") == demo


def test_tiny_fixture_loads():
    station = load_station(FIXTURES / "tiny")
    assert Counter(p.role for p in station.people) == {"police": 2, "auxiliary": 2, "volunteer": 3}
    assert sorted(g.level for g in station.grids) == [1, 4]
    assert {r.day for r in station.demand} == {dt.date(2026, 11, 27), dt.date(2026, 11, 28)}
