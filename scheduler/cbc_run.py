"""Run PuLP's bundled CBC on a ``pulp.LpProblem`` with progress reports and a stop button.

``pulp.PULP_CBC_CMD.solve`` starts CBC and blocks until it exits, with no handle on the
process, so a long solve can neither report how it is doing nor be cut short while keeping
the best schedule found so far. :func:`run_cbc` does the same work as PuLP's ``COIN_CMD``
(PuLP's own ``writeMPS`` for the model file and ``readsol_MPS`` for the solution file, the
same command line) but drives the process itself:

* CBC's log is read line by line (by a reader thread) and its progress lines become
  :class:`CbcProgress` callbacks, made in the calling thread, whenever the incumbent or the
  bound changes;
* setting the ``stop`` event sends CBC SIGINT, which the standalone solver treats as "stop
  the search and report the best solution so far"; CBC then writes its solution file as usual
  and the result comes back with ``stopped=True``.

On Linux the log is made line-buffered with coreutils' ``stdbuf`` (CBC's C stdio would
otherwise buffer a pipe in 4 KB blocks and progress would arrive in bursts, or only at the
end). Without ``stdbuf`` everything still works, progress just arrives late. Stopping with
the best solution kept needs POSIX signals; elsewhere a stop terminates CBC and returns no
solution.
"""

from __future__ import annotations

import collections
import math
import os
import queue
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import IO

import pulp
from pulp import constants
from pulp.apis.coin_api import COIN_CMD, PULP_CBC_CMD

# How often the calling thread looks at the stop event when CBC prints nothing.
POLL_SECONDS = 0.1
# SIGINT is repeated this often until CBC exits: CBC ignores it while it is not yet in
# branch and bound (model preprocessing), so a single signal can be lost.
SIGINT_REPEAT_SECONDS = 0.5
# After a stop request CBC normally exits within a fraction of a second; if it has not
# exited after this long (a long root LP or cut loop that never looks at the flag) it is killed.
STOP_GRACE_SECONDS = 5.0
# CBC may overrun its own time limit while it is not checking it (preprocessing, root node):
# past time_limit + max(this, 10 %) the run is stopped as if the stop event had been set.
TIME_LIMIT_SLACK_SECONDS = 2.0
# Below this many variables CBC runs its serial code whatever is asked: threads bring nothing on a
# small model, and CBC's threaded search now and then hangs on a lock until its time limit
# (coin-or/Cbc#640). Seen here as a one-person test station "stopped on time" after 10 s, once in
# three full test runs. Note that `-threads 1` is not serial: CBC then runs one worker thread
# beside the main one, with the same locks (its log says "Main thread 0 waiting for threads"), and
# the hang was seen again with it; only CBC's default (no `-threads`, i.e. 0) avoids them.
THREADS_FROM_VARIABLES = 5_000
# Once the incumbent meets the bound the roster is proven optimal; a CBC that has not exited this
# long after that (the hang above, in its threaded code) is stopped and the proof kept.
PROVEN_GRACE_SECONDS = 1.0
# Incumbent and bound this close (relative to the objective, at least absolutely) close the gap.
GAP_CLOSED_TOLERANCE = 1e-9

# CBC prints 1e+50 as "best solution" while it has none.
_NO_VALUE = 1e49


@dataclass
class CbcProgress:
    """A snapshot of the search: objective of the incumbent and the best proven bound.

    Values are in the problem's own sense and include its objective constant; ``bound`` is a
    lower bound for a minimisation and an upper bound for a maximisation. ``elapsed`` is wall
    time in seconds since :func:`run_cbc` was called.
    """

    elapsed: float
    objective: float | None
    bound: float | None


@dataclass
class CbcOutcome:
    """What a CBC run found.

    ``status`` is ``"optimal"`` (proved), ``"feasible"`` (a solution, but the search stopped
    before the proof: stop request, time limit or ``gap_rel``), ``"infeasible"`` (proved),
    ``"no_solution"`` (stopped before any solution was found) or, for a model with an
    unbounded relaxation, ``"unbounded"``. ``bound`` is the best proven bound in the problem's
    sense (lower bound when minimising, upper bound when maximising), when CBC reported one.
    ``values`` maps every variable name to its value and is empty without a solution.
    ``stopped`` is True when the search ended early because of a stop request or the time limit.
    """

    status: str
    objective: float | None
    bound: float | None
    values: dict[str, float] = field(default_factory=dict)
    stopped: bool = False
    wall_time: float = 0.0


# --- log parsing ----------------------------------------------------------------------------

_NUM = r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)"
# Lines in CBC's internal (minimisation) sense: for a maximisation the numbers are negated.
_RE_NODES = re.compile(rf"^Cbc0010I After \d+ nodes, \d+ on tree, {_NUM} best solution, best possible {_NUM}")
_RE_INTEGER = re.compile(rf"^Cbc00(?:04|12)I Integer solution of {_NUM} found")
_RE_ROOT_CUTS = re.compile(rf"^Cbc0013I At root node, .* changed objective from {_NUM} to {_NUM}")
_RE_PARTIAL = re.compile(rf"^Cbc0005I Partial search - best objective {_NUM} \(best possible {_NUM}\)")
_RE_COMPLETED = re.compile(rf"^Cbc0001I Search completed - best objective {_NUM}")
# Lines in the problem's own sense.
_RE_CONTINUOUS = re.compile(rf"^Continuous objective value is {_NUM}")
_RE_FINAL_OBJECTIVE = re.compile(rf"^Objective value:\s+{_NUM}")
_RE_FINAL_BOUND = re.compile(rf"^(?:Lower|Upper) bound:\s+{_NUM}")
_RE_RESULT = re.compile(r"^Result - (.*?)\s*$")
# First line of the solution file, e.g. "Stopped on time - objective value 47030.00000000".
_RE_SOL_OBJECTIVE = re.compile(rf"objective value {_NUM}")


def gap_closed(objective: float | None, bound: float | None, maximise: bool) -> bool:
    """True when no better solution than ``objective`` can exist under ``bound``."""
    if objective is None or bound is None:
        return False
    slack = GAP_CLOSED_TOLERANCE * max(1.0, abs(objective))
    return bound <= objective + slack if maximise else bound >= objective - slack


def _number(text: str) -> float | None:
    value = float(text)
    if not math.isfinite(value) or abs(value) >= _NO_VALUE:
        return None
    return value


class _LogParser:
    """Follows CBC's log: incumbent, bound and the final verdict, all in the problem's sense
    and without the objective constant (CBC never sees it)."""

    def __init__(self, maximise: bool):
        self.sign = -1.0 if maximise else 1.0
        self.maximise = maximise
        self.objective: float | None = None
        self.bound: float | None = None
        self.result: str | None = None  # the text after "Result - " in the summary
        self.final_objective: float | None = None
        self.no_feasible = False

    def _internal(self, text: str) -> float | None:
        value = _number(text)
        return None if value is None else self.sign * value

    def _incumbent(self, value: float | None) -> None:
        if value is None:
            return
        if self.objective is None:
            self.objective = value
        elif self.maximise:
            self.objective = max(self.objective, value)
        else:
            self.objective = min(self.objective, value)

    def _bound(self, value: float | None) -> None:
        if value is not None:
            self.bound = value

    def feed(self, line: str) -> None:
        line = line.strip()
        if not line:
            return
        if line.startswith("Cbc"):
            if m := _RE_NODES.match(line):
                self._incumbent(self._internal(m.group(1)))
                self._bound(self._internal(m.group(2)))
            elif m := _RE_INTEGER.match(line):
                self._incumbent(self._internal(m.group(1)))
            elif m := _RE_ROOT_CUTS.match(line):
                self._bound(self._internal(m.group(2)))
            elif m := _RE_PARTIAL.match(line):
                self._incumbent(self._internal(m.group(1)))
                self._bound(self._internal(m.group(2)))
            elif m := _RE_COMPLETED.match(line):
                self._incumbent(self._internal(m.group(1)))
            return
        if m := _RE_CONTINUOUS.match(line):
            self._bound(_number(m.group(1)))
        elif m := _RE_FINAL_OBJECTIVE.match(line):
            self.final_objective = _number(m.group(1))
            self._incumbent(self.final_objective)
        elif m := _RE_FINAL_BOUND.match(line):
            self._bound(_number(m.group(1)))
        elif m := _RE_RESULT.match(line):
            self.result = m.group(1)
        elif line.startswith("No feasible solution found"):
            self.no_feasible = True


# --- the process ----------------------------------------------------------------------------


def cbc_binary() -> str:
    """The CBC executable bundled with PuLP (falling back to a ``cbc`` on PATH)."""
    bundled = PULP_CBC_CMD.pulp_cbc_path  # class attribute: no deprecation warning
    if os.path.isfile(bundled) and os.access(bundled, os.X_OK):
        return os.path.normpath(bundled)
    found = shutil.which("cbc")
    if found:
        return found
    raise pulp.PulpSolverError(f"no CBC executable: {bundled} is missing or not executable and no cbc on PATH")


def _pump(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    try:
        for line in stream:
            lines.put(line)
    except (OSError, ValueError):  # the pipe was closed under us: the call is being torn down
        pass
    finally:
        lines.put(None)


def _interrupt(proc: subprocess.Popen[str]) -> None:
    """Ask CBC to stop and report its best solution (SIGINT = Ctrl-C)."""
    if proc.poll() is not None:
        return
    try:
        if os.name == "posix":
            proc.send_signal(signal.SIGINT)
        else:  # no Ctrl-C for a background process: the best solution is lost
            proc.terminate()
    except ProcessLookupError:
        pass


def _reap(proc: subprocess.Popen[str]) -> None:
    """Make sure the process is gone."""
    if proc.poll() is None:
        try:
            proc.kill()
        except ProcessLookupError:
            pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:  # pragma: no cover - a kill that does not take
        pass


def run_cbc(
    problem: pulp.LpProblem,
    *,
    time_limit: float | None = None,
    threads: int = 2,
    stop: threading.Event | None = None,
    on_progress: Callable[[CbcProgress], None] | None = None,
    gap_rel: float = 0.0,
    log_path: str | None = None,
    options: Sequence[str] = (),
    mip_start: bool = False,
) -> CbcOutcome:
    """Solve ``problem`` with CBC; see the module docstring.

    ``options`` are extra CBC command-line words placed before ``-solve`` (e.g. ``-cuts off``).
    ``time_limit`` is wall-clock seconds for CBC's search, ``gap_rel`` the relative gap at
    which CBC may stop, ``log_path`` a file that receives CBC's complete log. ``on_progress``
    is called in the calling thread; an exception it raises ends the run (CBC is killed) and
    propagates. ``mip_start``: the variables' initial values (``setInitialValue``) are CBC's first
    solution (``-mips``, as PuLP's ``warmStart``). The problem's variables are not modified: use
    ``values``.
    """
    start = time.monotonic()
    if time_limit is not None and not time_limit > 0:
        raise ValueError(f"time_limit must be positive, got {time_limit!r}")
    if threads < 1:
        raise ValueError(f"threads must be at least 1, got {threads!r}")
    if gap_rel < 0:
        raise ValueError(f"gap_rel must not be negative, got {gap_rel!r}")
    if problem.numVariables() < THREADS_FROM_VARIABLES:
        threads = 1
    if stop is not None and stop.is_set():
        return CbcOutcome("no_solution", None, None, {}, True, time.monotonic() - start)

    binary = cbc_binary()
    maximise = problem.sense == constants.LpMaximize
    constant = float(problem.objective.constant) if problem.objective is not None else 0.0

    def shifted(value: float | None) -> float | None:
        return None if value is None else value + constant

    tmpdir = tempfile.mkdtemp(prefix="cbc_run_")
    proc: subprocess.Popen[str] | None = None
    log_file: IO[str] | None = None
    try:
        mps_path = os.path.join(tmpdir, "model.mps")
        sol_path = os.path.join(tmpdir, "model.sol")
        vs, variable_names, constraint_names, _ = problem.writeMPS(mps_path, rename=1)

        args = [binary, mps_path]
        if mip_start:
            start_path = os.path.join(tmpdir, "start.mst")
            COIN_CMD(path=binary).writesol(start_path, problem, vs, variable_names, constraint_names)
            args += ["-mips", start_path]
        if maximise:
            args.append("-max")
        args += ["-timeMode", "elapsed"]
        if time_limit is not None:
            args += ["-sec", repr(float(time_limit))]
        if threads > 1:
            args += ["-threads", str(int(threads))]
        args += ["-ratioGap", repr(float(gap_rel))]
        args += [*options, "-solve", "-printingOptions", "all", "-solution", sol_path]
        stdbuf = shutil.which("stdbuf") if os.name == "posix" else None
        if stdbuf:
            args = [stdbuf, "-oL", "-eL", *args]

        if log_path:
            log_file = open(log_path, "w", encoding="utf-8")  # closed in finally
        proc = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=tmpdir,
            text=True,
            errors="replace",
            # A Ctrl-C in the terminal must reach us (we then kill CBC), not CBC directly.
            start_new_session=os.name == "posix",
        )
        assert proc.stdout is not None
        lines: queue.Queue[str | None] = queue.Queue()
        reader = threading.Thread(target=_pump, args=(proc.stdout, lines), name="cbc-log-reader", daemon=True)
        reader.start()

        parser = _LogParser(maximise)
        tail: collections.deque[str] = collections.deque(maxlen=30)
        last_reported: tuple[float | None, float | None] = (None, None)
        seen_output = False  # CBC installs its SIGINT handler before it prints anything
        stop_requested_at: float | None = None
        proven_at: float | None = None  # when the log first showed the gap closed
        next_sigint = 0.0
        killed = False
        overrun = None if time_limit is None else time_limit + max(TIME_LIMIT_SLACK_SECONDS, 0.1 * time_limit)

        while True:
            try:
                line = lines.get(timeout=POLL_SECONDS)
            except queue.Empty:
                line = ""
            else:
                if line is None:  # EOF: CBC has exited (or closed its output)
                    break
                seen_output = True
                tail.append(line.rstrip("\n"))
                if log_file is not None:
                    log_file.write(line)
                parser.feed(line)
                snapshot = (parser.objective, parser.bound)
                if on_progress is not None and snapshot != last_reported and snapshot != (None, None):
                    last_reported = snapshot
                    on_progress(CbcProgress(time.monotonic() - start, shifted(snapshot[0]), shifted(snapshot[1])))

            now = time.monotonic()
            if proven_at is None and gap_closed(parser.objective, parser.bound, maximise):
                proven_at = now
            if stop_requested_at is None and (
                (stop is not None and stop.is_set())
                or (overrun is not None and now - start > overrun)
                or (proven_at is not None and now - proven_at > PROVEN_GRACE_SECONDS)
            ):
                stop_requested_at = now
            if stop_requested_at is not None and proc.poll() is None:
                if now - stop_requested_at > STOP_GRACE_SECONDS:
                    proc.kill()
                    killed = True
                elif seen_output and now >= next_sigint:
                    _interrupt(proc)
                    next_sigint = now + SIGINT_REPEAT_SECONDS

        try:
            returncode = proc.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            proc.kill()
            killed = True
            returncode = proc.wait()
        reader.join(timeout=5)
        interrupted = stop_requested_at is not None

        # A killed CBC may have left a half-written solution file: ignore it.
        if killed or not os.path.exists(sol_path) or os.path.getsize(sol_path) == 0:
            if interrupted or killed:
                bound = None if parser.bound is None else shifted(parser.bound)
                return CbcOutcome("no_solution", None, bound, {}, True, time.monotonic() - start)
            raise pulp.PulpSolverError(
                f"CBC exited with code {returncode} and wrote no solution; last output:\n" + "\n".join(tail)
            )

        with open(sol_path, encoding="utf-8", errors="replace") as f:
            header = f.readline().strip()
        reader_solver = COIN_CMD(path=binary, msg=False)
        lp_status, values, _, _, _, sol_status = reader_solver.readsol_MPS(
            sol_path, problem, vs, variable_names, constraint_names
        )
        status, stopped = _classify(header, lp_status, sol_status, parser, interrupted)

        if status in ("optimal", "feasible"):
            objective = parser.final_objective
            if objective is None and (m := _RE_SOL_OBJECTIVE.search(header)):
                objective = _number(m.group(1))
            if objective is None:  # cannot happen with CBC 2.x output; compute it from the values
                objective = sum(coef * float(values[v.name]) for v, coef in problem.objective.items())
            objective = shifted(objective)
            bound = objective if status == "optimal" else shifted(parser.bound)
            solution = {name: float(value) for name, value in values.items()}
        else:
            objective = None
            bound = shifted(parser.bound) if status == "no_solution" else None
            solution = {}
        if on_progress is not None and (objective, bound) != (shifted(last_reported[0]), shifted(last_reported[1])):
            if objective is not None or bound is not None:
                on_progress(CbcProgress(time.monotonic() - start, objective, bound))
        return CbcOutcome(status, objective, bound, solution, stopped, time.monotonic() - start)
    finally:
        if proc is not None:
            _reap(proc)
            if proc.stdout is not None:
                proc.stdout.close()
        if log_file is not None:
            log_file.close()
        shutil.rmtree(tmpdir, ignore_errors=True)


def _classify(header: str, lp_status: int, sol_status: int, parser: _LogParser, interrupted: bool) -> tuple[str, bool]:
    """(status, stopped) from the solution file's first line (as PuLP reads it) and the log."""
    result = parser.result or ""
    limit_hit = result.startswith(("Stopped on", "User ctrl-c"))
    has_solution = sol_status in (constants.LpSolutionOptimal, constants.LpSolutionIntegerFeasible)
    if has_solution and parser.no_feasible:  # the log says otherwise: trust the log
        has_solution = False

    # Our SIGINT shows in the log as "User ctrl-c", so a stop never passes for a proof here.
    if lp_status == constants.LpStatusInfeasible and not limit_hit:
        return "infeasible", False
    if lp_status == constants.LpStatusUnbounded and not limit_hit:
        return "unbounded", False
    if has_solution:
        proven = (
            header.startswith("Optimal") and "gap" not in header and (not result or result == "Optimal solution found")
        )
        # However the search ended, an incumbent that meets the bound is a proof.
        if proven or gap_closed(parser.objective, parser.bound, parser.maximise):
            return "optimal", False
        # A gap stop is a normal end, not an interruption.
        return "feasible", interrupted or limit_hit or not result.startswith("Optimal")
    return "no_solution", True
