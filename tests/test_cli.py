"""run.py, driven as a planner would: real subprocesses, real files."""

from __future__ import annotations

import csv
import json
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from scheduler.station_io import load_station

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "fixtures" / "tiny"
DEMO = ROOT / "fixtures" / "demo-station"
WEEK = "2026-11-23"
TINY_OPTIMUM = 293  # fixtures/tiny/README.md


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "run.py", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, encoding="utf-8", timeout=timeout)


def check_json(station: Path, roster: Path) -> tuple[int, dict]:
    done = run("check", station, "--week", WEEK, roster, "--json")
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)


def summary(out: Path) -> dict:
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


def write_pins(folder: Path, *pins: str) -> None:
    (folder / "pins.csv").write_text("person_id,date,shift_id,grid_id\n" + "".join(p + "\n" for p in pins),
                                     encoding="utf-8")


@pytest.fixture(scope="module")
def tiny_solved(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    out = tmp_path_factory.mktemp("tiny") / "out"  # run.py creates it
    return out, run("solve", TINY, "--week", WEEK, "--out", out)


# --------------------------------------------------------------------------- help and solve


def test_help_lists_the_subcommands():
    done = run("--help")
    assert done.returncode == 0
    for command in ("solve", "check", "generate", "demo"):
        assert re.search(rf"^\s+{command}\s", done.stdout, re.M), command


def test_solve_tiny_writes_the_roster_files_and_summary(tiny_solved):
    out, done = tiny_solved
    assert done.returncode == 0, done.stderr
    for name in ("roster.csv", "coverage.csv", "roster.xlsx", "summary.json"):
        assert (out / name).stat().st_size > 0, name
    data = summary(out)
    assert data["status"] == "optimal" and data["objective"] == TINY_OPTIMUM
    assert (data["station"], data["week"], data["days"]) == ("小站派出所", WEEK, 7)
    assert data["terms"]["uncovered"] == 200
    # Saturday's G2 day shift is short one auxiliary and one volunteer (README).
    assert sorted((u["date"], u["grid_id"], u["role"], u["missing"]) for u in data["uncovered"]) == [
        ("2026-11-28", "G2", "auxiliary", 1), ("2026-11-28", "G2", "volunteer", 1)]
    # The terminal report: the terms with their Chinese labels, the uncovered rows, the status.
    assert re.search(r"uncovered\s+缺岗\s+200", done.stdout)
    assert re.search(r"volunteer_idle\s+报名义警未排班\s+30", done.stdout)
    assert re.search(r"2026-11-28\s+day\s+G2 幸福里小区\s+auxiliary", done.stdout)
    assert "Status: optimal, objective 293" in done.stdout


def test_check_agrees_with_the_tiny_solve(tiny_solved):
    out, _ = tiny_solved
    code, report = check_json(TINY, out / "roster.csv")
    assert code == 0 and report["ok"] and report["violations"] == []
    assert report["objective"] == summary(out)["objective"]
    assert report["terms"] == summary(out)["terms"]
    text = run("check", TINY, "--week", WEEK, out / "roster.csv")
    assert text.returncode == 0 and "Hard rules: all respected." in text.stdout


def test_solve_with_pulp(tmp_path):
    done = run("solve", TINY, "--week", WEEK, "--out", tmp_path, "--backend", "pulp", "--time-limit", "20")
    assert done.returncode == 0, done.stderr
    data = summary(tmp_path)
    assert (data["backend"], data["status"], data["objective"]) == ("pulp", "optimal", TINY_OPTIMUM)


@pytest.mark.slow
def test_solve_demo_station_end_to_end(tmp_path):
    done = run("solve", DEMO, "--week", WEEK, "--out", tmp_path, "--time-limit", "60")
    assert done.returncode == 0, done.stderr
    data = summary(tmp_path)
    assert data["status"] in ("optimal", "feasible") and data["assignments"] > 0
    code, report = check_json(DEMO, tmp_path / "roster.csv")
    assert code == 0, report["violations"][:5]
    assert report["objective"] == data["objective"], (report["terms"], data["terms"])


@pytest.mark.slow
def test_demo_reports_the_checker_verdict(tmp_path):
    out = tmp_path / "demo"
    done = run("demo", "--out", out, "--time-limit", "5")
    assert done.returncode in (0, 1), done.stderr
    assert all((out / name).is_file() for name in ("roster.csv", "coverage.csv", "roster.xlsx", "summary.json"))
    # Whatever the solve found, demo's verdict must be the checker's.
    code, report = check_json(DEMO, out / "roster.csv")
    agrees = code == 0 and report["objective"] == summary(out)["objective"]
    assert done.returncode == (0 if agrees else 1)
    assert ("the checker agrees" in done.stdout) == agrees


# --------------------------------------------------------------------------- check


def test_check_names_the_broken_rule(tiny_solved, tmp_path):
    out, _ = tiny_solved
    with open(out / "roster.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    # Copy 李娜 (A1) onto the other grid of the same shift: she cannot be in two places at once.
    line = next(r for r in rows[1:] if r[header.index("person_id")] == "A1")
    twin = list(line)
    twin[header.index("grid_id")] = "G2" if line[header.index("grid_id")] == "G1" else "G1"
    broken = tmp_path / "roster.csv"
    with open(broken, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows([*rows, twin])

    text = run("check", TINY, "--week", WEEK, broken)
    assert text.returncode == 1
    assert "min_rest_between_shifts" in text.stdout and "李娜 (A1)" in text.stdout
    code, report = check_json(TINY, broken)
    assert code == 1 and not report["ok"]
    assert "min_rest_between_shifts" in {v["rule"] for v in report["violations"]}


def test_check_names_row_and_column_of_a_malformed_roster(tiny_solved, tmp_path):
    out, _ = tiny_solved
    lines = (out / "roster.csv").read_text(encoding="utf-8-sig").splitlines()
    lines[2] = lines[2].replace("2026-11-27", "2026-11-31", 1)  # spreadsheet row 3
    bad = tmp_path / "roster.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    done = run("check", TINY, "--week", WEEK, bad)
    assert done.returncode == 2
    assert "roster.csv, row 3, column date" in done.stderr and "2026-11-31" in done.stderr


# --------------------------------------------------------------------------- bad input


def test_solve_reports_every_data_problem_with_file_row_and_column(tmp_path):
    station = tmp_path / "station"
    shutil.copytree(TINY, station)
    grids = station / "grids.csv"
    grids.write_text(grids.read_text(encoding="utf-8").replace("幸福里小区,4", "幸福里小区,four"), encoding="utf-8")
    people = station / "people.csv"
    people.write_text(people.read_text(encoding="utf-8").replace("A2,刘洋,auxiliary", "A2,刘洋,sheriff"),
                      encoding="utf-8")
    done = run("solve", station, "--week", WEEK, "--out", tmp_path / "out")
    assert done.returncode == 2
    assert "grids.csv, row 3, column level" in done.stderr
    assert "people.csv, row 5, column role" in done.stderr
    assert not (tmp_path / "out" / "roster.csv").exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--week", "2026-11-31"], ["--week", "2026-11-31", "YYYY-MM-DD"]),
        (["--week", "23.11.2026"], ["--week", "23.11.2026"]),
        (["--week", WEEK, "--days", "0"], ["--days"]),
    ],
)
def test_solve_rejects_bad_options(tmp_path, args, expected):
    done = run("solve", TINY, *args, "--out", tmp_path / "out")
    assert done.returncode == 2
    assert all(text in done.stderr for text in expected), done.stderr
    assert not (tmp_path / "out").exists()


def test_solve_rejects_a_missing_station_folder(tmp_path):
    done = run("solve", tmp_path / "nowhere", "--week", WEEK, "--out", tmp_path / "out")
    assert done.returncode == 2
    assert "nowhere" in done.stderr and "not found" in done.stderr


@pytest.mark.parametrize(
    ("pins", "rule", "named"),
    [
        # Friday night ends Saturday 06:00, two hours before Saturday's day shift.
        (["P1,2026-11-27,night,G1", "P1,2026-11-28,day,G1"], "min_rest_between_shifts",
         ["张伟(P1) 2026-11-27 夜班(night)", "张伟(P1) 2026-11-28 白班(day)"]),
        # 王芳 is unavailable on Friday night.
        (["P2,2026-11-27,night,G1"], "respect_availability", ["王芳(P2) 2026-11-27 夜班(night)"]),
    ],
)
def test_conflicting_pins_exit_3_naming_pins_and_rule(tmp_path, pins, rule, named):
    station, out = tmp_path / "station", tmp_path / "out"
    shutil.copytree(TINY, station)
    write_pins(station, *pins)
    out.mkdir()
    (out / "roster.csv").write_text("stale roster of an earlier run", encoding="utf-8")
    done = run("solve", station, "--week", WEEK, "--out", out)
    assert done.returncode == 3, done.stdout + done.stderr
    assert rule in done.stderr and all(pin in done.stderr for pin in named), done.stderr
    data = summary(out)
    assert data["status"] == "infeasible" and data["assignments"] == 0
    assert len(data["conflicts"]) == 1 and rule in data["conflicts"][0]
    assert not (out / "roster.csv").exists()


# --------------------------------------------------------------------------- generate


def test_generate_writes_a_station_that_loads(tmp_path):
    out = tmp_path / "gen"
    done = run("generate", out, "--police", 3, "--auxiliary", 4, "--volunteers", 5, "--grids", 4, "--seed", 7,
               "--name", "测试派出所", "--week", "2026-12-07")
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.strip().splitlines()) == 1 and "测试派出所" in done.stdout
    station = load_station(out)
    roles = [p.role for p in station.people]
    assert (roles.count("police"), roles.count("auxiliary"), roles.count("volunteer")) == (3, 4, 5)
    assert len(station.grids) == 4 and station.name == "测试派出所"
    assert min(a.date for a in station.availability).isoformat() >= "2026-12-07"


# --------------------------------------------------------------------------- Ctrl-C


@pytest.mark.slow
def test_ctrl_c_keeps_the_best_roster_so_far(tmp_path):
    station, out = tmp_path / "station", tmp_path / "out"
    done = run("generate", station, "--police", 40, "--auxiliary", 60, "--volunteers", 300, "--grids", 20,
               "--seed", 1)
    assert done.returncode == 0, done.stderr

    proc = subprocess.Popen([sys.executable, "run.py", "solve", station, "--week", WEEK, "--out", out,
                             "--time-limit", "120"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, encoding="utf-8")
    lines: list[str] = []
    first_roster = threading.Event()

    def read() -> None:
        for line in proc.stdout:
            lines.append(line)
            if re.search(r"best \d", line):  # a progress line with a roster (not only a bound)
                first_roster.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert first_roster.wait(60), "".join(lines) + proc.stderr.read()
        proc.send_signal(signal.SIGINT)
        sent = time.monotonic()
        # Well before the 120 s limit, with room for a machine busy with other tests.
        proc.wait(timeout=60)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
    reader.join(5)
    assert proc.returncode == 0, "".join(lines) + proc.stderr.read()
    assert took < 60
    data = summary(out)
    assert data["stopped"] is True or data["status"] == "optimal", data
    assert data["assignments"] > 0 and (out / "roster.csv").is_file()
    code, report = check_json(station, out / "roster.csv")
    assert code == 0, report["violations"][:5]
