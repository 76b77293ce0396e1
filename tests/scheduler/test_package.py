import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_importing_the_engine_loads_no_solver():
    # The portal imports scheduler for data, checks and exports; solvers load only inside solve().
    code = "import sys, scheduler; print(sorted(m for m in ('ortools', 'pulp') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_solving_loads_only_the_chosen_backend():
    code = (
        "import sys, datetime as dt, scheduler\n"
        "st = scheduler.load_station('fixtures/tiny')\n"
        "r = scheduler.solve(st, dt.date(2026, 11, 23), backend='cpsat', time_limit=10)\n"
        "print(r.status, 'pulp' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["optimal", "False"]
