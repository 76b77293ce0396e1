"""Ping'an Patrol Roster (平安巡防排班): the command line.

    python run.py solve STATION_DIR --week 2026-11-23 --out OUT_DIR
    python run.py check STATION_DIR --week 2026-11-23 OUT_DIR/roster.csv
    python run.py generate OUT_DIR --police 20 --auxiliary 30 --volunteers 100 --grids 8 --seed 1
    python run.py solve STATION_DIR --week 2026-11-30 --out OUT_DIR --history LAST_WEEK.csv [EARLIER.csv ...]
    python run.py replan STATION_DIR --week 2026-11-23 --previous OLD_ROSTER_CSV --out OUT_DIR [--now "DATE HH:MM"]
    python run.py demo
    python run.py staffing STATION_DIR --week 2026-11-23 [--availability all|like_existing] [--out OUT_DIR]
    python run.py curtois INSTANCE.txt --out OUT_DIR [--time-limit S] [--backend cpsat|pulp]
    python run.py serve [--host 127.0.0.1] [--port 5000] [--demo]
    python run.py create-user USERNAME --role admin|planner|officer|volunteer [--person PERSON_ID] [--password P]

Exit codes: 0 done; 1 the roster breaks a hard rule (check, curtois) or the checker disagrees (demo, curtois);
2 bad arguments or station/roster data; 3 the pins cannot all hold (curtois: no solution exists);
4 no roster found in time; 130 interrupted.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import sys
import threading
import unicodedata
from pathlib import Path

from scheduler import rules
from scheduler.checker import check_roster, format_report
from scheduler.export import coverage_table, read_roster_csv, write_coverage_csv, write_roster_csv, write_roster_xlsx
from scheduler.gaps import explain_gaps, format_gaps
from scheduler.generate import generate_station
from scheduler.history import History
from scheduler.model import ROLE_NAMES_ZH, Station, StationDataError
from scheduler.result import Progress, Result, SolveStatus, StopToken
from scheduler.solve import BACKENDS, solve
from scheduler.station_io import load_station, parse_iso_date, save_station

ROOT = Path(__file__).resolve().parent
DEMO_STATION = ROOT / "fixtures" / "demo-station"
DEMO_WEEK = dt.date(2026, 11, 23)
ROSTER_FILES = ("roster.csv", "coverage.csv", "roster.xlsx", "gaps.txt")
UNCOVERED_SHOWN = 30  # rows of the uncovered-demand table; the rest are in coverage.csv

EXIT_OK, EXIT_VIOLATIONS, EXIT_DATA, EXIT_INFEASIBLE, EXIT_NO_ROSTER, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130


class Failure(Exception):
    """Ends a command: the lines go to stderr and the process exits with `code`."""

    def __init__(self, code: int, *lines: str):
        super().__init__(*lines)
        self.code, self.lines = code, lines


# --------------------------------------------------------------------------- progress


class ProgressDisplay:
    """Shows a running solve: a line each time the best roster or the bound improves.

    The solver calls `update` from its own threads; the main thread calls `show` a few times a
    second, so the terminal gets at most that many lines however fast the solver improves. On a
    terminal one line is rewritten in place, otherwise (a pipe, a log file) every line is kept.
    """

    def __init__(self, stream=sys.stdout):
        self.stream = stream
        self.tty = stream.isatty()
        self._lock = threading.Lock()
        self._latest: Progress | None = None
        self._shown: tuple | None = None
        self._open = 0  # width of the line being rewritten on a terminal

    def update(self, progress: Progress) -> None:
        with self._lock:
            self._latest = progress

    def show(self) -> None:
        with self._lock:
            p = self._latest
        if p is None or (p.objective, p.bound) == self._shown:
            return
        self._shown = (p.objective, p.bound)
        gap = "-" if p.gap is None else f"{p.gap:.2%}"
        text = f"{p.elapsed:7.1f}s  best {_number(p.objective)}  bound {_number(p.bound)}  gap {gap}"
        if self.tty:
            self.stream.write("\r" + text.ljust(self._open))
            self._open = len(text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def note(self, text: str) -> None:
        self.finish()
        self.stream.write(text + "\n")
        self.stream.flush()

    def finish(self) -> None:
        if self._open:
            self.stream.write("\n")
            self._open = 0


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    return str(round(value)) if abs(value - round(value)) < 1e-6 else f"{value:.1f}"


def leave_ctrl_c_to_python() -> None:
    """Stop CP-SAT from catching Ctrl-C itself (its `catch_sigint_signal` is on by default).

    Its handler aborts the whole process (std::bad_function_call) when the solve runs outside the
    main thread, as it does here; the CLI stops a solve through its StopToken instead. Applied to
    every CpSolver, as the pin-conflict explanation (scheduler/explain.py) makes its own.
    """
    from ortools.sat.python import cp_model

    if getattr(cp_model.CpSolver.solve, "leaves_ctrl_c_to_python", False):
        return
    solve_catching_sigint = cp_model.CpSolver.solve

    def solve_without_sigint(self, *args, **kwargs):
        self.parameters.catch_sigint_signal = False
        return solve_catching_sigint(self, *args, **kwargs)

    solve_without_sigint.leaves_ctrl_c_to_python = True
    cp_model.CpSolver.solve = solve_without_sigint


def solve_with_progress(station: Station, week: dt.date, *, backend: str, time_limit: float, days: int,
                        workers: int | None, history: History | None = None, job=None, doing: str = "Solving"):
    """Solve in a worker thread; Ctrl-C stops the search and keeps the best roster so far.

    `job(progress, stop)`, when given, runs instead of `solve` (e.g. a re-plan) and its answer is returned.
    """
    leave_ctrl_c_to_python()
    display, stop, outcome, done = ProgressDisplay(), StopToken(), {}, threading.Event()
    if job is None:
        def job(progress, stop):
            return solve(station, week, backend, time_limit, progress, stop, days=days, workers=workers,
                         history=history)

    def work() -> None:
        try:
            outcome["result"] = job(display.update, stop)
        except BaseException as error:  # re-raised in the main thread
            outcome["error"] = error
        finally:
            done.set()

    print(f"{doing} {station.name}, {days} days from {week} with {backend} (time limit {time_limit:g} s). "
          "Ctrl-C stops and keeps the best roster found so far.")
    threading.Thread(target=work, name="solve", daemon=True).start()
    # Not thread.join(timeout): a KeyboardInterrupt inside join() can make is_alive() wrongly false.
    while not done.is_set():
        try:
            done.wait(0.25)
            if stop.stopped:
                stop.stop()  # again: a solver still being built when Ctrl-C came missed the first stop
            display.show()
        except KeyboardInterrupt:
            if stop.stopped:
                display.note("Interrupted again: quitting without a roster.")
                sys.stderr.flush()
                os._exit(EXIT_INTERRUPTED)  # the solver's native threads are still running
            display.note("Stopping: keeping the best roster found so far (Ctrl-C again to quit at once) ...")
            stop.stop()
    display.show()
    display.finish()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


# --------------------------------------------------------------------------- output


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def print_table(headers: tuple[str, ...], rows: list[tuple], right: tuple[int, ...] = ()) -> None:
    """A plain text table; Chinese characters count two columns wide."""
    cells = [tuple(str(c) for c in row) for row in [headers, *rows]]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(headers))]
    for row in cells:
        padded = [" " * (w - _width(c)) + c if i in right else c + " " * (w - _width(c))
                  for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        print("  " + "  ".join(padded).rstrip())


def uncovered_demand(station: Station, week: dt.date, result: Result, days: int) -> list[dict]:
    """The demand rows in force that the roster leaves short, as coverage.csv lists them."""
    table = coverage_table(station, week, result.roster, days)
    return [
        {**{k: row[k] for k in ("date", "shift_id", "grid_id", "role", "skill")},
         **{k: int(row[k]) for k in ("required", "assigned", "missing")}}
        for row in table.to_dict("records") if row["missing"] > 0
    ]


def write_outputs(out: Path, station: Station, week: dt.date, days: int, result: Result,
                  history: History | None = None) -> list[dict]:
    """roster.csv, coverage.csv, roster.xlsx (when there is a roster) and summary.json; returns the uncovered rows."""
    out.mkdir(parents=True, exist_ok=True)
    uncovered = []
    if result.has_roster:
        write_roster_csv(out / "roster.csv", station, result.roster)
        write_coverage_csv(out / "coverage.csv", station, week, result.roster, days)
        write_roster_xlsx(out / "roster.xlsx", station, week, result.roster, days)
        write_gaps(out / "gaps.txt", station, week, result.roster, days, history)
        uncovered = uncovered_demand(station, week, result, days)
    else:
        for name in ROSTER_FILES:  # a roster left from an earlier run must not pass for this one
            (out / name).unlink(missing_ok=True)
    summary = {"station": station.name, "week": week.isoformat(), "days": days, **result.summary(),
               "uncovered": uncovered}
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return uncovered


def print_result(station: Station, result: Result, uncovered: list[dict]) -> None:
    print("\nObjective terms (weighted, lower is better):")
    terms = [(name, zh, result.terms.get(name, 0)) for name, (zh, _) in rules.OBJECTIVE_TERMS.items()]
    print_table(("term", "项目", "value"), [*terms, ("total", "合计", result.objective)], right=(2,))

    missing = sum(row["missing"] for row in uncovered)
    print(f"\nUncovered demand: {missing} person(s) missing on {len(uncovered)} demand row(s)")
    if uncovered:
        grids = station.grids_by_id
        rows = [(row["date"], row["shift_id"], f"{row['grid_id']} {grids[row['grid_id']].name}",
                 _who_is_needed(row), row["missing"]) for row in uncovered[:UNCOVERED_SHOWN]]
        print_table(("date", "shift", "grid", "role/skill", "missing"), rows, right=(4,))
        if len(uncovered) > UNCOVERED_SHOWN:
            print(f"  ... and {len(uncovered) - UNCOVERED_SHOWN} more row(s), see coverage.csv")


def write_gaps(path: Path, station: Station, week: dt.date, roster: list, days: int,
               history: History | None = None) -> None:
    """gaps.txt: why each uncovered demand is uncovered, in Chinese and English (coverage.csv keeps its columns)."""
    text = format_gaps(explain_gaps(station, week, roster, days, history=history)) or "所有需求均已满足。 All demand is covered."
    path.write_text(text + "\n", encoding="utf-8")


def print_gaps(station: Station, week: dt.date, roster: list, days: int, history: History | None = None) -> None:
    explanations = explain_gaps(station, week, roster, days, history=history)
    if not explanations:
        return
    print("\nWhy demand is uncovered (缺岗原因):")
    print(format_gaps(explanations[:UNCOVERED_SHOWN]))
    if len(explanations) > UNCOVERED_SHOWN:
        print(f"  ... and {len(explanations) - UNCOVERED_SHOWN} more, see gaps.txt")


def _who_is_needed(row: dict) -> str:
    role = f"{row['role']} {ROLE_NAMES_ZH[row['role']]}" if row["role"] else "any role"
    return f"{role}, skill {row['skill']}" if row["skill"] else role


def status_line(result: Result) -> str:
    gap = "-" if result.gap is None else f"{result.gap:.2%}"
    return (f"Status: {result.status}, objective {_number(result.objective)}, bound {_number(result.bound)}, "
            f"gap {gap}, {result.wall_time:.1f} s with {result.backend}" + (", stopped early" if result.stopped else ""))


# --------------------------------------------------------------------------- commands


def load(folder: Path) -> Station:
    try:
        return load_station(folder)
    except StationDataError as error:
        raise Failure(EXIT_DATA, f"{folder}: {len(error.issues)} problem(s) in the station data:",
                      *(str(issue) for issue in error.issues)) from None


def run_solve(station: Station, week: dt.date, days: int, out: Path, **options) -> Result:
    """Solve, write the outputs and print the report; raises Failure without a roster."""
    result = solve_with_progress(station, week, days=days, **options)
    uncovered = write_outputs(out, station, week, days, result, options.get("history"))
    if result.status is SolveStatus.INFEASIBLE:
        messages = [c.message for c in result.conflicts] or ["(no smaller set of pins and rules was found)"]
        raise Failure(EXIT_INFEASIBLE, "The pinned assignments (pins.csv) cannot all hold with the hard rules:",
                      *(f"  - {m}" for m in messages), status_line(result), f"Wrote {out / 'summary.json'} (no roster).")
    if not result.has_roster:
        why = ("the solve was stopped before any roster was found" if result.stopped else
               f"none was found within the time limit of {options['time_limit']:g} s; try a longer --time-limit")
        raise Failure(EXIT_NO_ROSTER, f"No roster: {why}.", status_line(result))
    print_result(station, result, uncovered)
    print_gaps(station, week, result.roster, days, options.get("history"))
    print(f"\nWrote {', '.join((*ROSTER_FILES, 'summary.json'))} to {out}")
    print(status_line(result))
    return result


def cmd_solve(args: argparse.Namespace) -> int:
    station = load(args.station_dir)
    run_solve(station, args.week, args.days, args.out, backend=args.backend, time_limit=args.time_limit,
              workers=args.workers, history=read_history(station, args.week, args.history))
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    station = load(args.station_dir)
    try:
        roster = read_roster_csv(args.roster_csv)
    except StationDataError as error:
        raise Failure(EXIT_DATA, f"{args.roster_csv}: cannot read the roster:",
                      *(str(issue) for issue in error.issues)) from None
    except OSError as error:
        raise Failure(EXIT_DATA, f"cannot read the roster {args.roster_csv}: {error.strerror}") from None
    history = read_history(station, args.week, args.history)
    report = check_roster(station, args.week, roster, args.days, history=history)
    if args.json:
        data = {"station": station.name, "week": args.week.isoformat(), "days": args.days, "ok": report.ok,
                "objective": report.objective, "terms": report.terms,
                "violations": [vars(v) for v in report.violations],
                "missing": sum(row.missing for row in report.coverage),
                "gaps": [e.to_dict() for e in explain_gaps(station, args.week, roster, args.days, history=history)]}
        print(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        print(format_report(report, station))
        print_gaps(station, args.week, roster, args.days, history)
    return EXIT_OK if report.ok else EXIT_VIOLATIONS


def cmd_generate(args: argparse.Namespace) -> int:
    station = generate_station(police=args.police, auxiliary=args.auxiliary, volunteers=args.volunteers,
                               grids=args.grids, seed=args.seed, week_start=args.week, name=args.name)
    save_station(station, args.out_dir)
    print(f"Wrote {station.name} to {args.out_dir}: {args.police} police, {args.auxiliary} auxiliaries, "
          f"{args.volunteers} volunteers, {len(station.grids)} grids, {len(station.demand)} demand rows, "
          f"{len(station.availability)} availability rows (seed {args.seed}, week of {args.week})")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    station = load(DEMO_STATION)
    result = run_solve(station, DEMO_WEEK, 7, args.out, backend="cpsat", time_limit=args.time_limit, workers=None)
    report = check_roster(station, DEMO_WEEK, read_roster_csv(args.out / "roster.csv"), 7)
    print("\nIndependent check of the written roster.csv:")
    if report.ok and report.objective == result.objective and report.terms == result.terms:
        print(f"  the checker agrees: no hard rule broken, objective {report.objective} as the solver reported.")
        return EXIT_OK
    print(format_report(report, station))
    differ = [f"{term} {result.terms.get(term)} (solver) vs {value} (checker)"
              for term, value in report.terms.items() if result.terms.get(term) != value]
    print(f"\n  the checker DISAGREES: {len(report.violations)} violation(s); objective {result.objective} (solver) "
          f"vs {report.objective} (checker)" + "".join(f"\n    {line}" for line in differ))
    return EXIT_VIOLATIONS


# --------------------------------------------------------------------------- re-planning and history


def read_roster(path: Path) -> list:
    try:
        return read_roster_csv(path)
    except StationDataError as error:
        raise Failure(EXIT_DATA, f"{path}: cannot read the roster:", *(str(issue) for issue in error.issues)) from None
    except OSError as error:
        raise Failure(EXIT_DATA, f"cannot read the roster {path}: {error.strerror}") from None


def read_history(station: Station, week: dt.date, paths: list[Path] | None) -> History | None:
    """--history: earlier roster CSVs; the newest (by its last date) gives the tail, all give the counts."""
    if not paths:
        return None
    rosters = [read_roster(path) for path in paths]
    newest = max(range(len(rosters)), key=lambda i: max((a.date for a in rosters[i]), default=dt.date.min))
    rosters.append(rosters.pop(newest))
    try:
        return History.from_rosters(station, week, rosters)
    except ValueError as error:
        raise Failure(EXIT_DATA, f"--history: {error}") from None


CHANGE_COLUMNS = ("kind", "person_id", "name", "before_date", "before_shift", "before_grid", "after_date",
                  "after_shift", "after_grid")


def write_changes_csv(path: Path, changes: list) -> None:
    """changes.csv: one row per change (UTF-8 with BOM, formula-guarded like roster.csv)."""
    from scheduler.export import guard_cell

    def cells(a) -> list[str]:
        return ["", "", ""] if a is None else [a.date.isoformat(), a.shift_id, a.grid_id]

    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(CHANGE_COLUMNS)
        for c in changes:
            writer.writerow([guard_cell(v) for v in [c.kind, c.person_id, c.name, *cells(c.before), *cells(c.after)]])


def cmd_replan(args: argparse.Namespace) -> int:
    from scheduler.replan import replan

    station = load(args.station_dir)
    previous = read_roster(args.previous)
    history = read_history(station, args.week, args.history)
    answer = {}

    def job(progress, stop):
        answer["replan"] = replan(station, args.week, previous, now=args.now, backend=args.backend,
                                  time_limit=args.time_limit, days=args.days, progress=progress, stop=stop,
                                  history=history, workers=args.workers)
        return answer["replan"].result

    (args.out / "changes.csv").unlink(missing_ok=True)  # one left from an earlier run must not pass for this one
    run_solve(station, args.week, args.days, args.out, backend=args.backend, time_limit=args.time_limit,
              workers=args.workers, job=job, doing="Re-planning", history=history)
    changes = answer["replan"].changes
    write_changes_csv(args.out / "changes.csv", changes)
    counts = answer["replan"].counts
    print(f"\nChanges (变更): {len(changes)} — {counts['moved']} moved 调整, {counts['added']} added 新增, "
          f"{counts['released']} released 撤下; written to {args.out / 'changes.csv'}")
    for c in changes:
        print(f"  - {c.describe('zh')}\n    {c.describe('en')}")
    return EXIT_OK


# --------------------------------------------------------------------------- the Curtois-Qu benchmark
# scheduler.curtois reads the benchmark and scores a solution by its own definition; curtois_station
# maps an instance into the engine's model, so the engine solves it as it solves a station.

VIOLATIONS_SHOWN = 30


def read_curtois_instance(path: Path):
    from scheduler.curtois import CurtoisFormatError, parse_instance

    try:
        return parse_instance(path)
    except CurtoisFormatError as error:
        raise Failure(EXIT_DATA, f"{path}: {len(error.problems)} problem(s) in the instance:",
                      *str(error).splitlines()) from None


def best_known_for(name: str, path: Path | None, instance_path: Path):
    """The best known values of an instance: from --best-known, else best_known.csv next to it, if there."""
    from scheduler.curtois import CurtoisFormatError, read_best_known

    if path is None:
        path = instance_path.parent / "best_known.csv"
        if not path.exists():
            return None
    try:
        return read_best_known(path).get(name)
    except CurtoisFormatError as error:
        raise Failure(EXIT_DATA, *str(error).splitlines()) from None


def cmd_curtois(args: argparse.Namespace) -> int:
    from scheduler.curtois import evaluate, summary, write_solution
    from scheduler.curtois_station import from_roster, to_station

    instance = read_curtois_instance(args.instance)
    best = best_known_for(instance.name, args.best_known, args.instance)
    try:
        station, start = to_station(instance)
    except ValueError as error:
        raise Failure(EXIT_DATA, f"{args.instance}: the engine cannot take this instance: {error}") from None
    result = solve_with_progress(station, start, backend=args.backend, time_limit=args.time_limit,
                                 days=instance.horizon, workers=args.workers)
    args.out.mkdir(parents=True, exist_ok=True)
    solution_csv = args.out / "solution.csv"
    evaluation = None
    if result.has_roster:
        triples = from_roster(result.roster, start)
        write_solution(solution_csv, triples)
        evaluation = evaluate(instance, triples)
    else:
        solution_csv.unlink(missing_ok=True)  # a solution left from an earlier run must not pass for this one
    data = {**summary(instance, evaluation, best), "file": str(args.instance), "time_limit": args.time_limit,
            **{k: v for k, v in result.summary().items() if k not in ("objective", "terms", "conflicts")},
            "engine_objective": result.objective, "engine_terms": dict(result.terms)}
    (args.out / "summary.json").write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if evaluation is None:
        why = ("the engine found the instance infeasible" if result.status is SolveStatus.INFEASIBLE else
               "none was found in time; try a longer --time-limit")
        code = EXIT_INFEASIBLE if result.status is SolveStatus.INFEASIBLE else EXIT_NO_ROSTER
        raise Failure(code, f"No solution: {why}.", status_line(result), f"Wrote {args.out / 'summary.json'}.")
    return report_curtois(data, evaluation, result, args.out)


def report_curtois(data: dict, evaluation, result: Result, out: Path) -> int:
    terms = ", ".join(f"{name.replace('_', ' ')} {value}" for name, value in evaluation.terms.items())
    print(f"\nBenchmark objective {evaluation.objective} ({terms}); the engine's objective {_number(result.objective)}.")
    best = data["best_known"]
    if best:
        distance = data["distance_to_best_known_pct"]
        print(f"Best known: lower {best['lower']}, upper {best['upper']}"
              + ("." if distance is None else f"; ours is {distance:+.2f}% from the best known solution."))
        if result.bound is not None and result.bound > best["upper"] + 1e-6:
            print(f"  warning: the engine's bound {_number(result.bound)} is above the best known solution: "
                  "the instance was not mapped faithfully.")
    print(f"Wrote solution.csv and summary.json to {out}")
    print(status_line(result))
    problems = [f"  - {line}" for line in data["hard_violations"][:VIOLATIONS_SHOWN]]
    if len(data["hard_violations"]) > VIOLATIONS_SHOWN:
        problems.append(f"  ... and {len(data['hard_violations']) - VIOLATIONS_SHOWN} more, see summary.json")
    if problems:
        raise Failure(EXIT_VIOLATIONS, f"The solution breaks {len(data['hard_violations'])} hard rule(s) of the "
                      "benchmark:", *problems)
    if evaluation.objective != result.objective:
        raise Failure(EXIT_VIOLATIONS, f"The benchmark's objective {evaluation.objective} differs from the engine's "
                      f"{_number(result.objective)}: the instance was not mapped faithfully.")
    print("The benchmark's checker agrees: no hard rule broken, the same objective as the engine.")
    return EXIT_OK


# --------------------------------------------------------------------------- the web portal
# `web` (Flask) is imported inside these functions only, so the engine commands never load it.


def open_portal_database():
    """The portal app with its database upgraded to the newest migration."""
    from flask_migrate import upgrade

    from web import create_app

    app = create_app()
    with app.app_context():
        upgrade()
    return app


def cmd_serve(args: argparse.Namespace) -> int:
    app = open_portal_database()
    if args.demo:
        from web.services.users import DEMO_PLANNER, database_is_empty, demo_password, seed_demo

        with app.app_context():
            password = demo_password(app.instance_path)
            if database_is_empty():
                station = seed_demo(password, DEMO_STATION)
                print(f"Demo: imported {station.name} with an account for the planner and each of its "
                      f"{len(station.people)} people.")
            else:
                print("Demo: the database is not empty, so nothing was seeded; the demo accounts, if any, "
                      "are the ones seeded before.")
        print(f"Demo accounts: '{DEMO_PLANNER}' (planner) and every person_id (P001, A001, V0001, ...), "
              f"all with the demo-only password: {password}")
    print(f"Ping'an Patrol Roster portal on http://{args.host}:{args.port}/ (database "
          f"{app.config['SQLALCHEMY_DATABASE_URI']}); Ctrl-C stops it.")
    app.run(host=args.host, port=args.port, debug=False, use_reloader=False, threaded=True)
    return EXIT_OK


def cmd_create_user(args: argparse.Namespace) -> int:
    password = args.password
    if password is None:
        import getpass

        password = getpass.getpass(f"Password for {args.username}: ")
        if getpass.getpass("Repeat the password: ") != password:
            raise Failure(EXIT_DATA, "The two passwords differ; no user was created.")
    app = open_portal_database()
    from web.services.users import UserError, create_user

    with app.app_context():
        try:
            user = create_user(args.username, args.role, password, args.person,
                               min_length=app.config["PASSWORD_MIN_LENGTH"])
        except UserError as error:
            raise Failure(EXIT_DATA, f"No user created: {error}.") from None
        linked = f", linked to person {user.person_id}" if user.person_id else ""
        print(f"Created user {user.username!r} with role {user.role}{linked}.")
    return EXIT_OK


# --------------------------------------------------------------------------- arguments


def cmd_staffing(args: argparse.Namespace) -> int:
    """How many more people would cover all demand of the week (scheduler/staffing.py)."""
    from scheduler.staffing import staffing_what_if

    station = load(args.station_dir)
    leave_ctrl_c_to_python()
    print(f"Staffing what-if for {station.name}, {args.days} days from {args.week} "
          f"(availability {args.availability}, time limit {args.time_limit:g} s) ...")
    answer = staffing_what_if(station, args.week, days=args.days, backend=args.backend, time_limit=args.time_limit,
                              availability=args.availability, max_extra=args.max_extra, workers=args.workers)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "staffing.json").write_text(json.dumps(answer.to_json(), ensure_ascii=False, indent=2) + "\n",
                                                encoding="utf-8")
    if answer.report is None:
        code = EXIT_INFEASIBLE if answer.status is SolveStatus.INFEASIBLE else EXIT_NO_ROSTER
        raise Failure(code, *answer.lines_zh(), *answer.lines_en())
    print(*answer.lines_zh(), sep="\n")
    print(*answer.lines_en(), sep="\n")
    if args.out is not None:
        print(f"Wrote {args.out / 'staffing.json'}")
    return EXIT_OK


def iso_date(text: str) -> dt.date:
    try:
        return parse_iso_date(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-11-23") from None


def local_time(text: str) -> dt.datetime:
    for layout in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"):
        try:
            return dt.datetime.strptime(text.strip(), layout)
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"{text!r} is not a local time; write it as \"YYYY-MM-DD HH:MM\"")


HISTORY_HELP = ("earlier roster CSVs, in any order: the newest (by its last date) carries rest and runs across "
                "the first date, all count toward fair nights and weekends (pass as many weeks as you look back)")


def station_dir(text: str) -> Path:
    if not Path(text).is_dir():
        raise argparse.ArgumentTypeError(f"station folder {text!r} not found")
    return Path(text)


def _bounded(kind, low, what):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or value < low:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}")
        return value
    return parse


positive_int = _bounded(int, 1, "a whole number of at least 1")
count = _bounded(int, 0, "a whole number of at least 0")
seconds = _bounded(float, 0.1, "a number of seconds (at least 0.1)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="run.py", description="Ping'an Patrol Roster (平安巡防排班): "
                                     "weekly patrol rosters for community police stations.",
                                     epilog="Exit codes: 0 done, 1 rule violations (check), 2 bad arguments or "
                                     "data, 3 pins in conflict, 4 no roster in time, 130 interrupted.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("solve", help="build the best roster for a station and week")
    p.add_argument("station_dir", metavar="STATION_DIR", type=station_dir, help="station folder (shared/FORMAT.md)")
    p.add_argument("--week", type=iso_date, required=True, help="first date of the plan, YYYY-MM-DD")
    p.add_argument("--out", type=Path, required=True, metavar="OUT_DIR", help="folder for the roster files")
    p.add_argument("--backend", choices=BACKENDS, default="cpsat")
    p.add_argument("--time-limit", type=seconds, default=30.0, metavar="SECONDS", help="default 30")
    p.add_argument("--days", type=positive_int, default=7, help="length of the plan in days (default 7)")
    p.add_argument("--workers", type=positive_int, default=None, help="solver threads (default: CPUs, at most 8)")
    p.add_argument("--history", type=Path, nargs="+", metavar="PREVIOUS_ROSTER_CSV", help=HISTORY_HELP)
    p.set_defaults(run=cmd_solve)

    p = sub.add_parser("replan", help="repair a published roster for new facts, changing as little as possible")
    p.add_argument("station_dir", metavar="STATION_DIR", type=station_dir, help="station folder with the new facts")
    p.add_argument("--week", type=iso_date, required=True, help="first date of the plan, YYYY-MM-DD")
    p.add_argument("--previous", type=Path, required=True, metavar="OLD_ROSTER_CSV", help="the published roster")
    p.add_argument("--out", type=Path, required=True, metavar="OUT_DIR", help="folder for changes.csv and the roster")
    p.add_argument("--now", type=local_time, default=None, metavar='"YYYY-MM-DD HH:MM"',
                   help="station local time (Asia/Shanghai); shifts started by then never move (default: none)")
    p.add_argument("--backend", choices=BACKENDS, default="cpsat")
    p.add_argument("--time-limit", type=seconds, default=30.0, metavar="SECONDS", help="default 30")
    p.add_argument("--days", type=positive_int, default=7, help="length of the plan in days (default 7)")
    p.add_argument("--workers", type=positive_int, default=None, help="solver threads (default: CPUs, at most 8)")
    p.add_argument("--history", type=Path, nargs="+", metavar="PREVIOUS_ROSTER_CSV", help=HISTORY_HELP)
    p.set_defaults(run=cmd_replan)

    p = sub.add_parser("check", help="check a roster.csv against the hard rules and compute its objective")
    p.add_argument("station_dir", metavar="STATION_DIR", type=station_dir)
    p.add_argument("roster_csv", metavar="ROSTER_CSV", type=Path)
    p.add_argument("--week", type=iso_date, required=True, help="first date of the plan, YYYY-MM-DD")
    p.add_argument("--days", type=positive_int, default=7)
    p.add_argument("--json", action="store_true", help="print violations, terms and objective as JSON")
    p.add_argument("--history", type=Path, nargs="+", metavar="PREVIOUS_ROSTER_CSV", help=HISTORY_HELP)
    p.set_defaults(run=cmd_check)

    p = sub.add_parser("generate", help="write a synthetic station folder")
    p.add_argument("out_dir", metavar="OUT_DIR", type=Path)
    for role in ("police", "auxiliary", "volunteers"):
        p.add_argument(f"--{role}", type=count, required=True, metavar="N")
    p.add_argument("--grids", type=positive_int, required=True, metavar="N")
    p.add_argument("--seed", type=int, required=True, metavar="S")
    p.add_argument("--week", type=iso_date, default=DEMO_WEEK, help="first date of the week (default 2026-11-23)")
    p.add_argument("--name", help="station name (default: drawn from the seed)")
    p.set_defaults(run=cmd_generate)

    p = sub.add_parser("demo", help="solve fixtures/demo-station for 2026-11-23 and check the written roster")
    p.add_argument("--out", type=Path, default=Path("out/demo"), metavar="OUT_DIR", help="default out/demo")
    p.add_argument("--time-limit", type=seconds, default=30.0, metavar="SECONDS", help="default 30")
    p.set_defaults(run=cmd_demo)

    p = sub.add_parser("curtois", help="solve a Curtois-Qu benchmark instance and score it by the benchmark")
    p.add_argument("instance", metavar="INSTANCE.txt", type=Path, help="an instance file (shared/bench/curtois)")
    p.add_argument("--out", type=Path, required=True, metavar="OUT_DIR", help="folder for solution.csv and "
                   "summary.json")
    p.add_argument("--backend", choices=BACKENDS, default="cpsat")
    # The benchmark's usual 10 minutes; at 60 s the largest instance (Instance24) got no roster.
    p.add_argument("--time-limit", type=seconds, default=600.0, metavar="SECONDS",
                   help="default 600 (10 minutes, as the benchmark results are reported); every instance "
                        "gets a roster from about 150 s")
    p.add_argument("--workers", type=positive_int, default=None, help="solver threads (default: CPUs, at most 8)")
    p.add_argument("--best-known", type=Path, default=None, metavar="CSV",
                   help="best known values (default: best_known.csv next to the instance, if there)")
    p.set_defaults(run=cmd_curtois)

    p = sub.add_parser("serve", help="start the web portal (upgrades its database first)")
    p.add_argument("--host", default="127.0.0.1", help="default 127.0.0.1 (this machine only)")
    p.add_argument("--port", type=positive_int, default=5000, help="default 5000")
    p.add_argument("--demo", action="store_true", help="seed the demo station and demo accounts into an empty "
                   "database and print their password")
    p.set_defaults(run=cmd_serve)

    p = sub.add_parser("create-user", help="create a portal account")
    p.add_argument("username", metavar="USERNAME")
    p.add_argument("--role", required=True, choices=("admin", "planner", "officer", "volunteer"))
    p.add_argument("--person", metavar="PERSON_ID", help="link the account to this person of the station data")
    p.add_argument("--password", help="default: asked for (not echoed)")
    p.set_defaults(run=cmd_create_user)

    p = sub.add_parser("staffing", help="how many more police, auxiliaries and volunteers would cover all demand")
    p.add_argument("station_dir", metavar="STATION_DIR", type=station_dir)
    p.add_argument("--week", type=iso_date, required=True, help="first date of the plan, YYYY-MM-DD")
    p.add_argument("--days", type=positive_int, default=7, help="length of the plan in days (default 7)")
    p.add_argument("--availability", choices=("all", "like_existing"), default="all",
                   help="extra people are available always (all) or like most existing people of their role")
    p.add_argument("--max-extra", type=count, default=None, metavar="N", help="at most N extra people of each kind")
    p.add_argument("--backend", choices=BACKENDS, default="cpsat")
    p.add_argument("--time-limit", type=seconds, default=60.0, metavar="SECONDS", help="default 60")
    p.add_argument("--workers", type=positive_int, default=None, help="solver threads (default: CPUs, at most 8)")
    p.add_argument("--out", type=Path, default=None, metavar="OUT_DIR", help="folder for staffing.json")
    p.set_defaults(run=cmd_staffing)
    return parser


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):  # Chinese names print on any console or pipe
            stream.reconfigure(encoding="utf-8", errors="replace", line_buffering=True)
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except Failure as failure:
        sys.stdout.flush()
        print(*failure.lines, sep="\n", file=sys.stderr)
        return failure.code
    except KeyboardInterrupt:
        print("\nInterrupted.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # e.g. `run.py check ... | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_VIOLATIONS


if __name__ == "__main__":
    sys.exit(main())
