"""run.py replan and run.py solve|check --history, driven as a planner would: real subprocesses, real files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from scheduler.export import write_roster_csv
from scheduler.station_io import save_station
from tests.scheduler.stations import make_station, roster
from tests.scheduler.test_replan import DEMAND, GRIDS, PEOPLE, PREVIOUS
from tests.test_cli import WEEK, run


def station_folder(tmp_path: Path, availability: str = "") -> Path:
    folder = tmp_path / "station"
    save_station(make_station(PEOPLE, DEMAND, grids=GRIDS, shifts="day 08:00 16:00", availability=availability),
                 folder)
    return folder


def previous_csv(tmp_path: Path) -> Path:
    path = tmp_path / "published.csv"
    write_roster_csv(path, make_station(PEOPLE, DEMAND, grids=GRIDS, shifts="day 08:00 16:00"), PREVIOUS)
    return path


def rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("backend", ["cpsat", "pulp"])
def test_replan_writes_and_prints_exactly_the_one_swap(tmp_path, backend):
    station = station_folder(tmp_path, "p1 wed * unavailable")
    out = tmp_path / "out"
    done = run("replan", station, "--week", WEEK, "--previous", previous_csv(tmp_path), "--out", out,
               "--backend", backend, "--time-limit", "20")
    assert done.returncode == 0, done.stderr
    assert rows(out / "changes.csv") == [
        {"kind": "released", "person_id": "p1", "name": "王伟", "before_date": "2026-11-25", "before_shift": "day",
         "before_grid": "g1", "after_date": "", "after_shift": "", "after_grid": ""},
        {"kind": "added", "person_id": "p3", "name": "张强", "before_date": "", "before_shift": "", "before_grid": "",
         "after_date": "2026-11-25", "after_shift": "day", "after_grid": "g1"},
    ]
    assert "2 — 0 moved 调整, 1 added 新增, 1 released 撤下" in done.stdout
    assert "王伟(p1)：撤下 11月25日(周三) day班 网格g1" in done.stdout
    assert "张强 (p3) is added on Wed 2026-11-25, shift day, grid g1" in done.stdout
    checked = run("check", station, "--week", WEEK, out / "roster.csv", "--json")
    assert checked.returncode == 0, checked.stdout
    assert json.loads(checked.stdout)["missing"] == 0
    assert len(rows(out / "roster.csv")) == len(PREVIOUS)


def test_replan_keeps_shifts_started_before_now(tmp_path):
    station = station_folder(tmp_path, "p1 wed * unavailable\np1 thu * unavailable")
    out = tmp_path / "out"
    done = run("replan", station, "--week", WEEK, "--previous", previous_csv(tmp_path), "--out", out,
               "--now", "2026-11-25 09:00", "--time-limit", "20")
    assert done.returncode == 0, done.stderr
    assert [(r["kind"], r["person_id"], r["before_date"] or r["after_date"]) for r in rows(out / "changes.csv")] == [
        ("released", "p1", "2026-11-26"), ("added", "p3", "2026-11-26")]
    kept = {(r["date"], r["person_id"]) for r in rows(out / "roster.csv")}
    assert ("2026-11-25", "p1") in kept


def test_replan_names_bad_input(tmp_path):
    station = station_folder(tmp_path)
    done = run("replan", station, "--week", WEEK, "--previous", tmp_path / "missing.csv", "--out", tmp_path / "o")
    assert done.returncode == 2 and "missing.csv" in done.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("date,shift_id,grid_id,person_id\n2026-11-3x,day,g1,p1\n", encoding="utf-8")
    done = run("replan", station, "--week", WEEK, "--previous", bad, "--out", tmp_path / "o")
    assert done.returncode == 2 and "bad.csv, row 2, column date" in done.stderr
    done = run("replan", station, "--week", WEEK, "--previous", bad, "--out", tmp_path / "o", "--now", "Wed 9am")
    assert done.returncode == 2 and "'Wed 9am' is not a local time" in done.stderr


def test_solve_and_check_with_history_carry_the_rest_rule_across_the_boundary(tmp_path):
    folder = tmp_path / "station"
    station = make_station("p1 王伟 police", "g1 mon day police 1", grids="g1 火车站广场 1",
                           shifts="day 08:00 16:00\nnight 22:00 06:00")
    save_station(station, folder)
    last_week, monday_day = tmp_path / "last_week.csv", tmp_path / "monday.csv"
    write_roster_csv(last_week, station, roster("p1 2026-11-22 night g1"))  # Sunday night
    write_roster_csv(monday_day, station, roster("p1 mon day g1"))
    out = tmp_path / "out"
    done = run("solve", folder, "--week", WEEK, "--out", out, "--history", last_week)
    assert done.returncode == 0, done.stderr
    assert rows(out / "roster.csv") == []
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["uncovered"][0]["missing"] == 1
    assert run("check", folder, monday_day, "--week", WEEK).returncode == 0
    checked = run("check", folder, monday_day, "--week", WEEK, "--history", last_week)
    assert checked.returncode == 1 and "min_rest_between_shifts" in checked.stdout
    bad_shift = tmp_path / "bad_shift.csv"
    bad_shift.write_text("date,shift_id,grid_id,person_id\n2026-11-22,late,g1,p1\n", encoding="utf-8")
    done = run("solve", folder, "--week", WEEK, "--out", out, "--history", bad_shift)
    assert done.returncode == 2 and "shift 'late'" in done.stderr
