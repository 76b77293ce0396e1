"""`run.py staffing`, driven as a planner would: a real subprocess on a station folder, real files."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "fixtures" / "tiny"


def run(*args, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "run.py", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, encoding="utf-8", timeout=timeout)


def test_staffing_prints_the_answer_in_both_languages_and_writes_json(tmp_path):
    out = tmp_path / "out"
    done = run("staffing", TINY, "--week", "2026-11-23", "--time-limit", "20", "--out", out)
    assert done.returncode == 0, done.stderr
    # fixtures/tiny leaves one auxiliary missing on Saturday night (its README).
    assert "还需 1 名辅警（周六夜班）。" in done.stdout
    assert "Needed: 1 more auxiliary (Sat 2026-11-28 night)." in done.stdout
    assert "覆盖：13/13 人次" in done.stdout and "Coverage: 13/13 person-shifts" in done.stdout
    data = json.loads((out / "staffing.json").read_text(encoding="utf-8"))
    assert data["extra"] == {"police": 0, "auxiliary": 1, "volunteer": 0}
    [person] = data["people"]
    assert person["shifts"] == [{"date": "2026-11-28", "weekday": "sat", "shift_id": "night", "grid_id": "G1"}]
    assert data["coverage"] == {"covered": 13, "demanded": 13} and data["not_coverable"] == []
    assert data["violations"] == []
    assert {"date": "2026-11-28", "shift_id": "night", "grid_id": "G1", "person_id": person["person_id"]} \
        in data["roster"]


def test_staffing_reports_demand_no_recruit_can_cover(tmp_path):
    station = tmp_path / "station"
    shutil.copytree(TINY, station)
    with (station / "demand.csv").open("a", encoding="utf-8") as demand:
        demand.write("G2,2026-11-28,night,,1,1,dog_handler\n")
    done = run("staffing", station, "--week", "2026-11-23", "--availability", "like_existing", "--time-limit", "20")
    assert done.returncode == 0, done.stderr
    assert "无法靠增加人手覆盖：2026-11-28 night G2 缺1名dog_handler" in done.stdout
    assert "Not coverable by staffing: 2026-11-28 night G2 1 dog_handler missing" in done.stdout


def test_staffing_refuses_bad_arguments_by_name(tmp_path):
    done = run("staffing", TINY, "--week", "2026-11-23", "--availability", "sometimes")
    assert done.returncode == 2 and "--availability" in done.stderr
    done = run("staffing", tmp_path / "missing", "--week", "2026-11-23")
    assert done.returncode == 2 and "not found" in done.stderr
