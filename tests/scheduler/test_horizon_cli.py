"""`run.py solve` and `run.py check` over 28 days with optional rules set in the station folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from scheduler.model import Rules
from scheduler.station_io import save_station
from tests.scheduler.stations import make_station

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "run.py"), *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)


def test_solve_and_check_a_four_week_plan(tmp_path):
    station = make_station("p1 王伟 police\np2 李娜 police", "g1 * day police 1", shifts="day 08:00 16:00",
                           rules=Rules(min_consecutive_days_off=2, max_weekends=2))
    save_station(station, tmp_path / "station")
    solved = run("solve", str(tmp_path / "station"), "--week", "2026-11-23", "--days", "28",
                 "--out", str(tmp_path / "out"), "--time-limit", "60")
    assert solved.returncode == 0, solved.stdout + solved.stderr
    roster_csv = tmp_path / "out" / "roster.csv"
    assert len(roster_csv.read_text(encoding="utf-8-sig").splitlines()) == 1 + 28  # every day covered

    checked = run("check", str(tmp_path / "station"), str(roster_csv), "--week", "2026-11-23", "--days", "28")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "all respected" in checked.stdout

    header = roster_csv.read_text(encoding="utf-8-sig").splitlines()[0]
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([
        header,
        "2026-11-23,mon,day,08:00,16:00,g1,g1,p1,王伟,police",
        "2026-11-25,wed,day,08:00,16:00,g1,g1,p1,王伟,police",  # Tuesday alone off: too short a rest
    ]) + "\n", encoding="utf-8")
    broken = run("check", str(tmp_path / "station"), str(bad), "--week", "2026-11-23", "--days", "28")
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "min_consecutive_days_off" in broken.stdout and "at least 2 needed" in broken.stdout
