"""Large stations solved in parts (scheduler/decompose.py): every roster passes the checker."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from scheduler.checker import check_roster
from scheduler.decompose import part_station, solve_in_parts, split
from scheduler.generate import generate_station
from scheduler.model import Pin
from scheduler.result import SolveStatus

WEEK = dt.date(2026, 11, 23)


def _station():
    return generate_station(police=8, auxiliary=12, volunteers=60, grids=6, seed=7, week_start=WEEK)


def test_split_keeps_everyone_once_and_volunteers_with_their_home_grid():
    station = _station()
    parts = split(station, 3)
    assert len(parts) == 3
    everyone = [p.person_id for part in parts for p in part.people]
    assert sorted(everyone) == sorted(p.person_id for p in station.people)
    assert sorted(g for part in parts for g in part.grids) == sorted(g.grid_id for g in station.grids)
    for part in parts:
        for person in part.people:
            if person.role == "volunteer" and person.home_grid:
                assert person.home_grid in part.grids
        assert any(p.role in ("police", "auxiliary") for p in part.people), "volunteers need escorts"


def test_a_pinned_person_goes_to_the_part_of_the_pinned_grid():
    station = _station()
    officer = next(p for p in station.people if p.role == "police")
    last_grid = sorted(g.grid_id for g in station.grids)[-1]
    pinned = replace(station, pins=(Pin(officer.person_id, WEEK, station.shifts[0].shift_id, last_grid),))
    parts = split(pinned, 3)
    home = next(part for part in parts if last_grid in part.grids)
    assert officer.person_id in {p.person_id for p in home.people}


def test_pins_on_grids_of_two_parts_cannot_be_split():
    station = _station()
    officer = next(p for p in station.people if p.role == "police")
    grids = sorted(g.grid_id for g in station.grids)
    shift = station.shifts[0].shift_id
    pins = (Pin(officer.person_id, WEEK, shift, grids[0]), Pin(officer.person_id, WEEK + dt.timedelta(days=2), shift,
                                                               grids[-1]))
    assert split(replace(station, pins=pins), 3) is None


def test_part_stations_are_valid_stations_with_only_their_grids():
    station = _station()
    for number, part in enumerate(split(station, 3), start=1):
        sub = part_station(station, part, number)  # a Station validates itself when built
        assert {r.grid_id for r in sub.demand} <= set(part.grids)
        assert {a.person_id for a in sub.availability} <= {p.person_id for p in part.people}


def test_the_rosters_of_the_parts_together_pass_the_checker_on_the_whole_station():
    station = _station()
    result = solve_in_parts(station, WEEK, time_limit=12, days=7, workers=2, parts=split(station, 3))
    assert result.status is SolveStatus.FEASIBLE
    assert result.roster
    report = check_roster(station, WEEK, result.roster, 7)
    assert report.ok, report.violations[:3]
    assert report.objective == result.objective
    # The parts give no bound for the whole; the whole station's LP relaxation does, below the roster.
    assert result.bound is not None and result.bound <= result.objective


def test_a_station_above_the_threshold_is_solved_in_parts_by_solve(monkeypatch):
    import scheduler.decompose as decompose
    from scheduler.solve import solve

    station = _station()
    monkeypatch.setattr(decompose, "DECOMPOSE_ABOVE_PEOPLE", 50)
    monkeypatch.setattr(decompose, "PART_PEOPLE", 30)
    monkeypatch.setattr(decompose, "SMALL_PART_PEOPLE", 30)
    calls = []
    real = decompose.solve_in_parts
    monkeypatch.setattr(decompose, "solve_in_parts", lambda *a, **k: calls.append(1) or real(*a, **k))
    result = solve(station, WEEK, "cpsat", time_limit=10)
    assert calls and result.has_roster
    report = check_roster(station, WEEK, result.roster, 7)
    assert report.ok and report.objective == result.objective


def test_a_stop_before_the_parts_still_gives_a_valid_roster_of_quick_parts():
    from scheduler.result import StopToken

    station = _station()
    stop = StopToken()
    stop.stop()
    result = solve_in_parts(station, WEEK, time_limit=60, days=7, workers=2, stop=stop, parts=split(station, 3))
    assert result.stopped and result.has_roster
    report = check_roster(station, WEEK, result.roster, 7)
    assert report.ok and report.objective == result.objective
