"""`run.py curtois`: a Curtois-Qu instance solved by the engine and scored by the benchmark's own definition."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from scheduler.curtois import evaluate, parse_instance, read_solution

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT.parent / "shared" / "bench" / "curtois"
INSTANCE1 = BENCH / "Instance1.txt"
INSTANCE1_OPTIMUM = 607  # proven optimum, shared/bench/curtois/best_known.csv

mapping_available = importlib.util.find_spec("scheduler.curtois_station") is not None
pytestmark = [
    pytest.mark.skipif(not INSTANCE1.exists(), reason=f"benchmark files not in {BENCH}"),
]
needs_mapping = pytest.mark.skipif(not mapping_available, reason="scheduler/curtois_station.py (the importer into "
                                   "the engine's model) is not there yet")


def run(*args, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "run.py", *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                          encoding="utf-8", timeout=timeout)


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    out = tmp_path_factory.mktemp("curtois") / "out"  # the command creates it
    return out, run("curtois", INSTANCE1, "--out", out, "--time-limit", 60)


@needs_mapping
def test_instance1_writes_a_solution_the_benchmark_scores_at_its_optimum(solved):
    out, done = solved
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Solving Instance1, 14 days" in done.stdout
    assert (out / "solution.csv").read_text(encoding="utf-8").splitlines()[0] == "staff_id,day,shift_id"
    triples = read_solution(out / "solution.csv")
    evaluation = evaluate(parse_instance(INSTANCE1), triples)
    assert evaluation.violations == []
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["objective"] == evaluation.objective == summary["engine_objective"] == INSTANCE1_OPTIMUM
    assert summary["hard_violations"] == []
    assert summary["best_known"] == {"lower": 607, "upper": 607}
    assert summary["distance_to_best_known_pct"] == 0.0
    assert summary["bound"] <= INSTANCE1_OPTIMUM + 1e-6
    assert summary["assignments"] == len(triples)
    for key in ("instance", "status", "gap", "wall_time", "time_to_first_roster", "backend"):
        assert key in summary, key


@needs_mapping
def test_a_stale_solution_file_goes_when_no_solution_is_found(tmp_path):
    # A well-formed instance without any solution: A is off every day yet must work 3,360 minutes.
    text = INSTANCE1.read_bytes().replace(b"A,0\r\n", b"A,0,1,2,3,4,5,6,7,8,9,10,11,12,13\r\n")
    instance = tmp_path / "Impossible.txt"
    instance.write_bytes(text)
    out = tmp_path / "out"
    out.mkdir()
    (out / "solution.csv").write_text("staff_id,day,shift_id\nA,0,D\n", encoding="utf-8")
    done = run("curtois", instance, "--out", out, "--time-limit", 20)
    assert done.returncode in (3, 4), done.stdout + done.stderr
    assert "No solution" in done.stderr
    assert not (out / "solution.csv").exists()
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["objective"] is None


def test_help_lists_the_command():
    done = run("--help")
    assert done.returncode == 0 and "curtois" in done.stdout
    assert "--best-known" in run("curtois", "--help").stdout


def test_a_malformed_instance_exits_2_naming_the_line(tmp_path):
    bad = tmp_path / "Bad.txt"
    bad.write_text(INSTANCE1.read_text(encoding="utf-8").replace("A,2,D,2", "A,2,D,heavy"), encoding="utf-8",
                   newline="")
    done = run("curtois", bad, "--out", tmp_path / "out")
    assert done.returncode == 2
    line = next(n for n, text in enumerate(bad.read_text(encoding="utf-8").splitlines(), 1) if "heavy" in text)
    assert f"{bad}, line {line}: the weight must be a whole number, found 'heavy'" in done.stderr
    assert not (tmp_path / "out").exists()


def test_a_missing_instance_file_exits_2(tmp_path):
    done = run("curtois", tmp_path / "Nothing.txt", "--out", tmp_path / "out")
    assert done.returncode == 2
    assert "Nothing.txt: cannot read the file" in done.stderr
