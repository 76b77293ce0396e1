"""benchmarks/bench_engine.py: which cases it runs, with which limits, and the table it writes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_engine  # noqa: E402

INSTANCE1 = bench_engine.CURTOIS / "Instance1.txt"


def test_the_series_sizes_limits_and_backends():
    cases, skipped = bench_engine.station_cases(None)
    people = {c.name: sum(c.source[:3]) for c in cases if c.source != "fixture"}
    assert people == {"generated-150": 150, "generated-400": 400, "generated-1800": 1800, "generated-5000": 5000}
    limits = {c.label: c.limit for c in cases}
    assert limits["demo-station/pulp"] == limits["generated-400/cpsat"] == 30
    assert limits["generated-1800/cpsat"] == limits["generated-5000/cpsat"] == 120
    assert "generated-400/pulp" in limits and "generated-1800/pulp" not in limits
    assert skipped == ["generated-1800/pulp", "generated-5000/pulp"]
    curtois = bench_engine.curtois_cases(None, Path("bench"))
    assert [c.name for c in curtois] == [f"Instance{n}" for n in range(1, 25)]
    assert {c.limit for c in curtois} == {600} and {c.backend for c in curtois} == {"cpsat"}


def test_one_time_limit_for_all_and_selection_by_pattern():
    cases, _ = bench_engine.station_cases(5)
    cases += bench_engine.curtois_cases(5, Path("bench"))
    assert {c.limit for c in cases} == {5}
    picked = bench_engine.chosen(cases, ["Instance1?", "generated-400/pulp"])
    assert [c.label for c in picked] == ["generated-400/pulp"] + [f"Instance{n}/cpsat" for n in range(10, 20)]


def test_a_curtois_limit_of_its_own_leaves_the_stations_theirs():
    cases, _ = bench_engine.all_cases(bench_engine.parse_args(["--curtois-time-limit", "120"]))
    limits = {c.label: c.limit for c in cases}
    assert limits["Instance24/cpsat"] == limits["Instance1/cpsat"] == 120
    assert limits["demo-station/cpsat"] == 30 and limits["generated-5000/cpsat"] == 120
    cases, _ = bench_engine.all_cases(bench_engine.parse_args(["--time-limit", "5", "--curtois-time-limit", "60"]))
    assert {c.label: c.limit for c in cases}["generated-1800/cpsat"] == 5
    assert {c.limit for c in cases if c.name.startswith("Instance")} == {60}
    with pytest.raises(SystemExit):
        bench_engine.parse_args(["--curtois-time-limit", "0"])


def test_a_row_that_failed_verification_says_so():
    row = {"instance": "Instance3", "backend": "cpsat", "limit": 600, "status": "feasible", "objective": 1010,
           "bound": 990.4, "gap": 0.0194, "first": 0.25, "to_1pct": None, "wall": 600.0, "peak_mb": 210.4,
           "verified": False, "best": 1001, "distance_pct": 0.899, "size": "20 staff, 3 shift types, 14 d"}
    assert bench_engine.table_row(row) == ("| Instance3 | 20 staff, 3 shift types, 14 d | cpsat | 600 | feasible | "
                                           "1010 | 990 | 1.94% | 0.2 | - | 600.0 | 210 | NO | 1001 | +0.90% |")
    page = bench_engine.markdown([row], [], "python3 benchmarks/bench_engine.py", finished=False)
    assert "rows are missing" in page and page.count("\n|") == 3


@pytest.mark.skipif(not INSTANCE1.exists(), reason=f"benchmark files not in {INSTANCE1.parent}")
def test_a_partial_run_writes_its_verified_row(tmp_path):
    out = tmp_path / "bench.md"
    done = subprocess.run([sys.executable, "benchmarks/bench_engine.py", "--only", "Instance1", "--time-limit", "30",
                           "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "[1/1] Instance1/cpsat (limit 30 s)" in done.stdout
    row = next(line for line in out.read_text(encoding="utf-8").splitlines() if line.startswith("| Instance1 "))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[5] == "607" and cells[12] == "yes" and cells[13] == "607" and cells[14] == "+0.00%"
