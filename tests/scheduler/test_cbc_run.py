"""run_cbc: PuLP's bundled CBC driven by us, with progress reports and a stop event.

Timing assertions are deliberately loose (several seconds): the machine is shared.
"""

from __future__ import annotations

import itertools
import os
import random
import sys
import threading
import time
import warnings

import pulp
import pytest

from scheduler import cbc_run
from scheduler.cbc_run import CbcOutcome, CbcProgress, _LogParser, run_cbc


@pytest.fixture
def spy(monkeypatch):
    """Records the CBC process and the temp dir of every run, to check nothing is left behind."""
    seen = {"procs": [], "dirs": []}
    real_popen = cbc_run.subprocess.Popen
    real_mkdtemp = cbc_run.tempfile.mkdtemp

    def popen(*args, **kwargs):
        proc = real_popen(*args, **kwargs)
        seen["procs"].append(proc)
        return proc

    def mkdtemp(*args, **kwargs):
        path = real_mkdtemp(*args, **kwargs)
        seen["dirs"].append(path)
        return path

    monkeypatch.setattr(cbc_run.subprocess, "Popen", popen)
    monkeypatch.setattr(cbc_run.tempfile, "mkdtemp", mkdtemp)
    yield seen
    for proc in seen["procs"]:
        assert proc.poll() is not None, "the CBC process outlived run_cbc"
    for path in seen["dirs"]:
        assert not os.path.exists(path), "the temp dir was not removed"


def pulp_cbc(problem: pulp.LpProblem) -> tuple[float, dict[str, float]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        solver = pulp.PULP_CBC_CMD(msg=False)
    problem.solve(solver)
    assert pulp.LpStatus[problem.status] == "Optimal"
    return pulp.value(problem.objective), {v.name: v.varValue for v in problem.variables()}


# --- models -------------------------------------------------------------------------------


def knapsack():
    """A 12-item knapsack with a unique optimum (checked by enumeration) and a constant of 7."""
    rng = random.Random(11)
    weights = [rng.randint(5, 40) for _ in range(12)]
    profits = [w + rng.randint(1, 25) + rng.random() for w in weights]
    capacity = sum(weights) // 2
    problem = pulp.LpProblem("knapsack", pulp.LpMaximize)
    x = [problem.add_variable(f"take_{i}", cat="Binary") for i in range(12)]
    problem += pulp.lpSum(p * xi for p, xi in zip(profits, x, strict=True)) + 7
    problem += pulp.lpSum(w * xi for w, xi in zip(weights, x, strict=True)) <= capacity, "capacity"
    best = sorted(
        (sum(p for p, c in zip(profits, choice, strict=True) if c), choice)
        for choice in itertools.product((0, 1), repeat=12)
        if sum(w for w, c in zip(weights, choice, strict=True) if c) <= capacity
    )[-2:]
    assert best[1][0] - best[0][0] > 1e-6, "optimum must be unique for the value comparison"
    return problem, best[1][0] + 7, {f"take_{i}": float(c) for i, c in enumerate(best[1][1])}


def assignment():
    """5x5 assignment, minimise cost + 100; with random real costs the optimum is unique."""
    rng = random.Random(5)
    n = 5
    cost = [[rng.uniform(1, 20) for _ in range(n)] for _ in range(n)]
    problem = pulp.LpProblem("assignment", pulp.LpMinimize)
    x = {(i, j): problem.add_variable(f"x_{i}_{j}", cat="Binary") for i in range(n) for j in range(n)}
    problem += pulp.lpSum(cost[i][j] * x[i, j] for i in range(n) for j in range(n)) + 100
    for i in range(n):
        problem += pulp.lpSum(x[i, j] for j in range(n)) == 1, f"worker_{i}"
        problem += pulp.lpSum(x[j, i] for j in range(n)) == 1, f"task_{i}"
    return problem


def hard_knapsack(seed: int = 7, n: int = 150, m: int = 10):
    """Multi-dimensional knapsack, 150 binaries x 10 constraints: CBC needs minutes to prove it."""
    rng = random.Random(seed)
    weights = [[rng.randint(1, 1000) for _ in range(n)] for _ in range(m)]
    profits = [sum(weights[k][i] for k in range(m)) // m + rng.randint(0, 200) for i in range(n)]
    capacities = [sum(row) // 2 for row in weights]
    problem = pulp.LpProblem("mkp", pulp.LpMaximize)
    x = [problem.add_variable(f"x{i}", cat="Binary") for i in range(n)]
    problem += pulp.lpSum(profits[i] * x[i] for i in range(n))
    for k in range(m):
        problem += pulp.lpSum(weights[k][i] * x[i] for i in range(n)) <= capacities[k], f"dim_{k}"
    return problem, profits, weights, capacities


def check_hard_solution(outcome: CbcOutcome, profits, weights, capacities) -> None:
    chosen = [outcome.values[f"x{i}"] for i in range(len(profits))]
    assert all(abs(v - round(v)) < 1e-6 for v in chosen)
    chosen = [round(v) for v in chosen]
    for row, capacity in zip(weights, capacities, strict=True):
        assert sum(w * c for w, c in zip(row, chosen, strict=True)) <= capacity
    assert outcome.objective == pytest.approx(sum(p * c for p, c in zip(profits, chosen, strict=True)))
    assert outcome.bound is not None and outcome.bound >= outcome.objective - 1e-6


def market_split(seed: int = 3, m: int = 5, n: int = 40):
    """Cornuejols-Dawande market split: no solution, and CBC finds none for minutes."""
    rng = random.Random(seed)
    problem = pulp.LpProblem("market_split", pulp.LpMinimize)
    x = [problem.add_variable(f"x{i}", cat="Binary") for i in range(n)]
    problem += pulp.lpSum(x)
    for k in range(m):
        a = [rng.randint(0, 99) for _ in range(n)]
        problem += pulp.lpSum(a[i] * x[i] for i in range(n)) == sum(a) // 2, f"split_{k}"
    return problem


# --- solved to optimality -----------------------------------------------------------------


def test_knapsack_optimal_matches_enumeration_and_pulp(spy, tmp_path):
    problem, best, best_values = knapsack()
    log = tmp_path / "cbc.log"
    progress: list[CbcProgress] = []
    outcome = run_cbc(problem, on_progress=progress.append, log_path=str(log))

    assert outcome.status == "optimal" and not outcome.stopped
    assert outcome.objective == pytest.approx(best, abs=1e-6)  # includes the constant 7
    assert outcome.bound == pytest.approx(outcome.objective)
    assert outcome.values == pytest.approx(best_values)
    assert all(v.varValue is None for v in problem.variables()), "run_cbc must not touch the problem"
    assert progress and progress[-1].objective == pytest.approx(best, abs=1e-6)
    assert "Result - Optimal solution found" in log.read_text()

    objective, values = pulp_cbc(problem)
    assert outcome.objective == pytest.approx(objective, abs=1e-6)
    assert outcome.values == pytest.approx(values)


def test_assignment_minimisation_matches_pulp(spy):
    problem = assignment()
    outcome = run_cbc(problem, threads=1)
    objective, values = pulp_cbc(problem)
    assert outcome.status == "optimal" and not outcome.stopped
    assert outcome.objective == pytest.approx(objective, abs=1e-6)
    assert outcome.objective > 100  # the constant is added back
    assert outcome.values == pytest.approx(values)
    assert sum(outcome.values.values()) == pytest.approx(5)


def test_pure_lp_is_optimal(spy):
    problem = pulp.LpProblem("lp", pulp.LpMaximize)
    x = problem.add_variable("x", 0, 4)
    y = problem.add_variable("y", 0, 3)
    problem += 3 * x + 2 * y + 5
    problem += x + y <= 5
    outcome = run_cbc(problem)
    assert outcome.status == "optimal"
    assert outcome.objective == pytest.approx(19)
    assert outcome.values == pytest.approx({"x": 4, "y": 1})


# --- infeasible ---------------------------------------------------------------------------


def test_integer_infeasible(spy):
    problem = pulp.LpProblem("parity", pulp.LpMinimize)
    y = [problem.add_variable(f"y{i}", 0, 10, cat="Integer") for i in range(3)]
    problem += pulp.lpSum(y)
    problem += 2 * y[0] + 2 * y[1] + 2 * y[2] == 7, "odd"
    outcome = run_cbc(problem)
    assert outcome.status == "infeasible"
    assert outcome.objective is None and outcome.values == {} and not outcome.stopped


def test_linear_relaxation_infeasible(spy):
    problem = pulp.LpProblem("lp_infeasible", pulp.LpMinimize)
    z = problem.add_variable("z", 0, 1, cat="Integer")
    w = problem.add_variable("w", 0, 5)
    problem += z + w
    problem += z + w >= 8, "too_much"
    outcome = run_cbc(problem)
    assert outcome.status == "infeasible"
    assert outcome.values == {} and not outcome.stopped


# --- long runs: time limit and stop -------------------------------------------------------


def test_hard_model_runs_to_the_time_limit_with_improving_progress(spy):
    problem, profits, weights, capacities = hard_knapsack()
    progress: list[CbcProgress] = []
    outcome = run_cbc(problem, time_limit=4, on_progress=progress.append)

    # Not solved in 4 s: it ran to the limit and kept the best solution found.
    assert outcome.status == "feasible" and outcome.stopped
    assert 3.5 <= outcome.wall_time < 4 + 10
    check_hard_solution(outcome, profits, weights, capacities)

    objectives = [p.objective for p in progress if p.objective is not None]
    assert len(set(objectives)) >= 2, "expected several improving solutions"
    assert objectives == sorted(objectives), "a maximisation's incumbent only goes up"
    assert objectives[-1] == pytest.approx(outcome.objective)
    assert all(p.bound is None or p.bound >= objectives[0] for p in progress)
    assert [p.elapsed for p in progress] == sorted(p.elapsed for p in progress)


def test_stop_from_another_thread_keeps_the_best_solution(spy):
    problem, profits, weights, capacities = hard_knapsack()
    stop = threading.Event()
    progress: list[CbcProgress] = []
    timer = threading.Timer(1.5, stop.set)
    started = time.monotonic()
    timer.start()
    try:
        outcome = run_cbc(problem, stop=stop, on_progress=progress.append, threads=2)
    finally:
        timer.cancel()
    took = time.monotonic() - started

    assert 1.4 <= took < 1.5 + 8
    assert outcome.stopped and outcome.status == "feasible"
    check_hard_solution(outcome, profits, weights, capacities)
    assert progress and progress[-1].objective == pytest.approx(outcome.objective)


def test_a_start_given_is_cbcs_first_solution(spy):
    # A market split with a solution planted, coefficients up to 999: CBC finds none of its own in
    # 5 s (seeds 11 and 12 tried), so a solution within 3 s is the start it was given.
    rng = random.Random(11)
    n = 40
    planted = [rng.randint(0, 1) for _ in range(n)]
    problem = pulp.LpProblem("planted_split", pulp.LpMinimize)
    x = [problem.add_variable(f"x{i}", cat="Binary") for i in range(n)]
    problem += pulp.lpSum(x)
    for k in range(5):
        a = [rng.randint(0, 999) for _ in range(n)]
        problem += pulp.lpSum(a[i] * x[i] for i in range(n)) == sum(a[i] * planted[i] for i in range(n)), f"split_{k}"
    for var, value in zip(x, planted, strict=True):
        var.setInitialValue(value)

    outcome = run_cbc(problem, time_limit=3, threads=1, mip_start=True)
    assert outcome.status in ("feasible", "optimal")
    assert outcome.objective is not None and outcome.objective <= sum(planted)


def test_stop_before_any_solution_gives_no_solution(spy):
    stop = threading.Event()
    timer = threading.Timer(1.0, stop.set)
    timer.start()
    try:
        outcome = run_cbc(market_split(), stop=stop, time_limit=60)
    finally:
        timer.cancel()
    assert outcome.status == "no_solution" and outcome.stopped
    assert outcome.objective is None and outcome.values == {}
    assert outcome.wall_time < 1.0 + 8


def test_stop_already_set_does_not_start_cbc(spy):
    stop = threading.Event()
    stop.set()
    outcome = run_cbc(hard_knapsack()[0], stop=stop)
    assert outcome.status == "no_solution" and outcome.stopped
    assert spy["procs"] == []


def test_failing_progress_callback_kills_cbc_and_cleans_up(spy):
    def explode(progress: CbcProgress) -> None:
        raise RuntimeError("callback failed")

    with pytest.raises(RuntimeError, match="callback failed"):
        run_cbc(hard_knapsack()[0], on_progress=explode)
    assert len(spy["procs"]) == 1 and len(spy["dirs"]) == 1  # the fixture checks both are gone


def test_invalid_arguments():
    problem = knapsack()[0]
    with pytest.raises(ValueError):
        run_cbc(problem, time_limit=0)
    with pytest.raises(ValueError):
        run_cbc(problem, threads=0)
    with pytest.raises(ValueError):
        run_cbc(problem, gap_rel=-0.1)


# --- a CBC that hangs after its proof -----------------------------------------------------

# Stands in for CBC's threaded search hanging on a lock (coin-or/Cbc#640): it prints an LP bound and
# an incumbent that meets it, then waits until SIGINT, and only then writes its solution file.
HANGING_CBC = """\
import signal, sys, time
args = sys.argv[1:]
solution = args[args.index("-solution") + 1]
with open(args[0]) as mps:
    columns = sorted({line.split()[0] for line in mps if line.startswith("    X")})

def finish(*_):
    with open(solution, "w") as f:
        f.write("Stopped on time - objective value 2.00000000\\n")
        for i, name in enumerate(columns):
            f.write(f"{i:>7} {name:<20} 1 0\\n")
    print("Result - User ctrl-c", flush=True)
    print("Objective value:                2.00000000", flush=True)
    sys.exit(0)

signal.signal(signal.SIGINT, finish)
print("Continuous objective value is 2 - 0.00 seconds", flush=True)
print("Cbc0012I Integer solution of 2 found by feasibility pump after 0 iterations and 0 nodes", flush=True)
time.sleep(60)
"""


def test_a_proof_is_kept_when_cbc_hangs_after_it(spy, monkeypatch, tmp_path):
    fake = tmp_path / "cbc"
    fake.write_text(f"#!{sys.executable}\n" + HANGING_CBC)
    fake.chmod(0o755)
    monkeypatch.setattr(cbc_run, "cbc_binary", lambda: str(fake))
    problem = pulp.LpProblem("one", pulp.LpMinimize)
    x = problem.add_variable("x", cat="Binary")
    problem += 2 * x
    problem += x >= 1, "need_one"

    outcome = run_cbc(problem, time_limit=30, threads=1)

    # Incumbent 2 meets the LP bound 2: optimal, without waiting for the 30 s limit.
    assert outcome.status == "optimal" and not outcome.stopped
    assert outcome.objective == 2 and outcome.bound == 2 and outcome.values == {"x": 1.0}
    assert outcome.wall_time < 1 + 10


# --- log parsing --------------------------------------------------------------------------


def test_parser_reads_progress_lines_in_the_problems_sense():
    lines = [
        "Continuous objective value is 47218.7 - 0.00 seconds",
        "Cbc0012I Integer solution of -46877 found by feasibility pump after 0 iterations and 0 nodes (0.05 seconds)",
        "Cbc0013I At root node, 9 cuts changed objective from -47218.671 to -47208.075 in 40 passes",
        "Cbc0010I After 1000 nodes, 506 on tree, -46882 best solution, best possible -47208.074 (1.21 seconds)",
        "Cbc0004I Integer solution of -46990 found after 2000 iterations and 50 nodes (1.30 seconds)",
        "Cbc0005I Partial search - best objective -47030 (best possible -47137.814), took 724674 iterations",
        "Result - Stopped on time limit",
        "Objective value:                47030.00000000",
        "Upper bound:                    47137.814",
        "Gap:                            -0.00",
    ]
    parser = _LogParser(maximise=True)
    seen = []
    for line in lines:
        parser.feed(line + "\n")
        seen.append((parser.objective, parser.bound))
    assert seen[0] == (None, 47218.7)
    assert seen[1] == (46877, 47218.7)
    assert seen[2] == (46877, 47208.075)
    assert seen[3] == (46882, 47208.074)
    assert seen[4] == (46990, 47208.074)
    assert seen[5] == (47030, 47137.814)
    assert parser.result == "Stopped on time limit"
    assert parser.final_objective == 47030 and seen[-1] == (47030, 47137.814)

    minimise = _LogParser(maximise=False)
    for line in [
        "Cbc0010I After 0 nodes, 1 on tree, 1e+50 best solution, best possible 16.39684 (0.10 seconds)",
        "Cbc0012I Integer solution of 20 found by heuristic after 5 iterations and 3 nodes (0.2 seconds)",
        "Cbc0012I Integer solution of 18 found by heuristic after 9 iterations and 5 nodes (0.3 seconds)",
        "Result - User ctrl-cuser ctrl-c",
        "Lower bound:                    16.397",
    ]:
        minimise.feed(line)
    assert (minimise.objective, minimise.bound) == (18, 16.397)
    assert minimise.result == "User ctrl-cuser ctrl-c"
