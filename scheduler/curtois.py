"""The Curtois-Qu shift scheduling benchmark: its instance files, its solution files and its objective.

Instances (schedulingbenchmarks.org, Curtois and Qu 2014) are text sections; `parse_instance` reads
them into frozen values. `evaluate` is an independent checker written from the benchmark's own
model, not from the engine: it lists every hard rule a solution breaks and computes the objective
as the benchmark defines it (unmet on-requests, violated off-requests, cover under and over).
No solver is imported here.

Boundary rules, as in the benchmark's integer programme (Curtois and Qu 2014, the constraints on
fewest consecutive shifts and fewest consecutive days off sum over d = 1 .. h - (s + 1)): a run of
shifts or of days off is held to its minimum only when a day of the other kind lies on both sides
of it inside the horizon; a run touching the first or the last day is free (so also wssuite/NurseScheduler's
reader). Checked with a separate exact model: these rules give Instance1 its published optimum 607;
holding end runs of days off to their minimum would give 807. Day 0 is a Monday and
weekend w is days 7w + 5 and 7w + 6; it counts as worked if either day has a shift.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

SECTIONS = ("SECTION_HORIZON", "SECTION_SHIFTS", "SECTION_STAFF", "SECTION_DAYS_OFF", "SECTION_SHIFT_ON_REQUESTS",
            "SECTION_SHIFT_OFF_REQUESTS", "SECTION_COVER")
REQUIRED_SECTIONS = ("SECTION_HORIZON", "SECTION_SHIFTS", "SECTION_STAFF", "SECTION_COVER")
SOLUTION_HEADER = ("staff_id", "day", "shift_id")
SATURDAY, SUNDAY = 5, 6
OBJECTIVE_TERMS = ("on_requests", "off_requests", "cover_under", "cover_over")


class CurtoisFormatError(ValueError):
    """Everything wrong with one file, each problem with its line number."""

    def __init__(self, path: str | Path, problems: list[tuple[int | None, str]]):
        self.path, self.problems = str(path), list(problems)
        super().__init__("\n".join(self.format_problem(line, text) for line, text in self.problems))

    def format_problem(self, line: int | None, text: str) -> str:
        return f"{self.path}: {text}" if line is None else f"{self.path}, line {line}: {text}"


class _RowError(ValueError):
    """A problem with the row being read; the reader adds the file and line."""


# --------------------------------------------------------------------------- the instance


@dataclass(frozen=True)
class ShiftType:
    shift_id: str
    minutes: int
    forbidden_next: frozenset[str]  # shifts that may not be worked on the day after this one


@dataclass(frozen=True)
class StaffMember:
    staff_id: str
    max_shifts: dict[str, int]  # most shifts of each type over the horizon; a type not named is unlimited
    max_minutes: int
    min_minutes: int
    max_consecutive: int  # most shifts in a row
    min_consecutive: int  # fewest shifts in a row
    min_days_off: int  # fewest days off in a row
    max_weekends: int


@dataclass(frozen=True)
class Request:
    staff_id: str
    day: int
    shift_id: str
    weight: int


@dataclass(frozen=True)
class Cover:
    day: int
    shift_id: str
    requirement: int
    under_weight: int  # per missing person
    over_weight: int  # per extra person


@dataclass(frozen=True)
class CurtoisInstance:
    name: str
    horizon: int  # days; day 0 is a Monday
    shifts: tuple[ShiftType, ...]
    staff: tuple[StaffMember, ...]
    days_off: dict[str, frozenset[int]]  # staff id -> days they must not work
    on_requests: tuple[Request, ...]
    off_requests: tuple[Request, ...]
    cover: tuple[Cover, ...]

    @property
    def weeks(self) -> int:
        """Whole weeks, hence weekends, in the horizon."""
        return self.horizon // 7

    @property
    def shifts_by_id(self) -> dict[str, ShiftType]:
        return {s.shift_id: s for s in self.shifts}

    @property
    def staff_by_id(self) -> dict[str, StaffMember]:
        return {s.staff_id: s for s in self.staff}


# --------------------------------------------------------------------------- reading an instance


def parse_instance(path: str | Path) -> CurtoisInstance:
    """Read an instance file; raises CurtoisFormatError naming every bad line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise CurtoisFormatError(path, [(None, f"cannot read the file: {error}")]) from None
    problems: list[tuple[int | None, str]] = []
    sections = _split_sections(text, problems)
    for name in REQUIRED_SECTIONS:
        if name not in sections:
            problems.append((None, f"the section {name} is missing"))
    if problems:
        raise CurtoisFormatError(path, problems)
    reader = _InstanceReader(sections, problems)
    instance = reader.read(path.stem)
    if problems:
        raise CurtoisFormatError(path, problems)
    return instance


def _split_sections(text: str, problems: list) -> dict[str, list[tuple[int, str]]]:
    """Data lines by section, each with its line number; comments and blank lines dropped."""
    sections: dict[str, list[tuple[int, str]]] = {}
    current: list | None = None
    ignored: list = []  # lines of a section already reported as bad, or before the first section
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("SECTION_"):
            current = ignored
            if line not in SECTIONS:
                problems.append((number, f"unknown section {line!r}; expected one of {', '.join(SECTIONS)}"))
            elif line in sections:
                problems.append((number, f"the section {line} appears a second time"))
            else:
                current = sections[line] = []
            continue
        if current is None:
            problems.append((number, "data before the first section (a SECTION_... line must come first)"))
            current = ignored
        current.append((number, line))
    return sections


class _InstanceReader:
    """Reads the sections in the order their references need, whatever their order in the file."""

    def __init__(self, sections: dict[str, list[tuple[int, str]]], problems: list):
        self.sections, self.problems = sections, problems
        self.horizon = 0
        self.shift_ids: set[str] = set()
        self.staff_ids: set[str] = set()

    def rows(self, section: str, reader, fields: int | None):
        """The rows of a section read by `reader`; a bad row is reported and left out."""
        out = []
        for number, line in self.sections.get(section, []):
            cells = [c.strip() for c in line.split(",")]
            try:
                if fields is not None and len(cells) != fields:
                    raise _RowError(f"{section}: expected {fields} comma-separated fields, found {len(cells)}")
                out.append((number, reader(cells)))
            except _RowError as error:
                self.problems.append((number, str(error)))
        return out

    def first_cells(self, section: str) -> set[str]:
        """The ids a section names, even on rows that turn out bad, so one bad row is reported once."""
        return {line.split(",", 1)[0].strip() for _, line in self.sections.get(section, [])}

    def read(self, name: str) -> CurtoisInstance:
        self.horizon = self.read_horizon()
        self.shift_ids = self.first_cells("SECTION_SHIFTS")
        self.staff_ids = self.first_cells("SECTION_STAFF")
        shift_rows = self.unique(self.rows("SECTION_SHIFTS", self.shift, 3), "shift", lambda s: s.shift_id)
        shifts = tuple(self.check_successors(shift_rows))
        staff_rows = self.unique(self.rows("SECTION_STAFF", self.staff_member, 8), "staff id", lambda s: s.staff_id)
        days_off: dict[str, frozenset[int]] = {s.staff_id: frozenset() for _, s in staff_rows}
        for _, (staff_id, days) in self.rows("SECTION_DAYS_OFF", self.days_off, None):
            days_off[staff_id] = days_off[staff_id] | days
        cover_rows = self.unique(self.rows("SECTION_COVER", self.cover, 5), "cover row for day and shift",
                                 lambda c: (c.day, c.shift_id))
        return CurtoisInstance(
            name=name, horizon=self.horizon, shifts=shifts, staff=tuple(s for _, s in staff_rows), days_off=days_off,
            on_requests=tuple(r for _, r in self.rows("SECTION_SHIFT_ON_REQUESTS", self.request, 4)),
            off_requests=tuple(r for _, r in self.rows("SECTION_SHIFT_OFF_REQUESTS", self.request, 4)),
            cover=tuple(c for _, c in cover_rows),
        )

    def unique(self, rows, what: str, key):
        seen, out = {}, []
        for number, value in rows:
            k = key(value)
            if k in seen:
                self.problems.append((number, f"{what} {k!r} already given on line {seen[k]}"))
            else:
                seen[k] = number
                out.append((number, value))
        return out

    def read_horizon(self) -> int:
        lines = self.sections["SECTION_HORIZON"]
        if len(lines) != 1:
            where = lines[1][0] if len(lines) > 1 else None
            self.problems.append((where, f"SECTION_HORIZON must hold exactly one number, found {len(lines)} lines"))
            return 0
        number, line = lines[0]
        try:
            return _whole(line, "the horizon (days)", low=1)
        except _RowError as error:
            self.problems.append((number, str(error)))
            return 0

    def shift(self, cells: list[str]) -> ShiftType:
        shift_id = _identifier(cells[0], "shift id")
        forbidden = frozenset(c.strip() for c in cells[2].split("|") if c.strip())
        return ShiftType(shift_id, _whole(cells[1], f"length in minutes of shift {shift_id}", low=1), forbidden)

    def check_successors(self, rows):
        for number, shift in rows:
            unknown = sorted(shift.forbidden_next - self.shift_ids)
            if unknown:
                self.problems.append((number, f"shift {shift.shift_id}: unknown shift(s) {', '.join(unknown)} "
                                              "among the shifts that may not follow it"))
            yield shift

    def staff_member(self, cells: list[str]) -> StaffMember:
        staff_id = _identifier(cells[0], "staff id")
        names = ("most total minutes", "fewest total minutes", "most consecutive shifts", "fewest consecutive shifts",
                 "fewest consecutive days off", "most weekends")
        values = [_whole(cell, f"{what} of staff {staff_id}") for cell, what in zip(cells[2:], names, strict=True)]
        member = StaffMember(staff_id, self.max_shifts(cells[1], staff_id), *values)
        if member.min_minutes > member.max_minutes:
            raise _RowError(f"staff {staff_id}: fewest total minutes {member.min_minutes} exceed the most "
                            f"{member.max_minutes}")
        return member

    def max_shifts(self, text: str, staff_id: str) -> dict[str, int]:
        limits: dict[str, int] = {}
        for part in (p.strip() for p in text.split("|") if p.strip()):
            shift_id, sep, value = part.partition("=")
            shift_id = shift_id.strip()
            if not sep:
                raise _RowError(f"staff {staff_id}: most shifts entry {part!r} is not SHIFT=NUMBER")
            if shift_id not in self.shift_ids:
                raise _RowError(f"staff {staff_id}: most shifts names unknown shift {shift_id!r}")
            if shift_id in limits:
                raise _RowError(f"staff {staff_id}: most shifts of {shift_id} given twice")
            limits[shift_id] = _whole(value, f"most shifts of {shift_id} for staff {staff_id}")
        return limits

    def days_off(self, cells: list[str]) -> tuple[str, frozenset[int]]:
        staff_id = self.known_staff(cells[0])
        return staff_id, frozenset(self.day(cell) for cell in cells[1:] if cell)

    def request(self, cells: list[str]) -> Request:
        staff_id = self.known_staff(cells[0])
        return Request(staff_id, self.day(cells[1]), self.known_shift(cells[2]), _whole(cells[3], "the weight"))

    def cover(self, cells: list[str]) -> Cover:
        day, shift_id = self.day(cells[0]), self.known_shift(cells[1])
        return Cover(day, shift_id, _whole(cells[2], "the requirement"), _whole(cells[3], "the weight for under"),
                     _whole(cells[4], "the weight for over"))

    def day(self, text: str) -> int:
        day = _whole(text, "the day")
        if day >= self.horizon:
            raise _RowError(f"day {day} is outside the horizon of {self.horizon} days (0 to {self.horizon - 1})")
        return day

    def known_staff(self, text: str) -> str:
        if text not in self.staff_ids:
            raise _RowError(f"unknown staff id {text!r} (not in SECTION_STAFF)")
        return text

    def known_shift(self, text: str) -> str:
        if text not in self.shift_ids:
            raise _RowError(f"unknown shift id {text!r} (not in SECTION_SHIFTS)")
        return text


def _whole(text: str, what: str, low: int = 0) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise _RowError(f"{what} must be a whole number, found {text.strip()!r}") from None
    if value < low:
        raise _RowError(f"{what} must be at least {low}, found {value}")
    return value


def _identifier(text: str, what: str) -> str:
    if not text or any(c in text for c in "|= "):
        raise _RowError(f"{what} {text!r} must be non-empty without '|', '=' or spaces")
    return text


# --------------------------------------------------------------------------- solution files


def write_solution(path: str | Path, triples: Iterable[tuple[str, int, str]]) -> None:
    """One line `staff_id,day,shift_id` per shift worked, after a header line."""
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(SOLUTION_HEADER)
        writer.writerows((staff, int(day), shift) for staff, day, shift in triples)


def read_solution(path: str | Path) -> list[tuple[str, int, str]]:
    """The triples of a solution file; raises CurtoisFormatError naming every bad line."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise CurtoisFormatError(path, [(None, f"cannot read the file: {error}")]) from None
    if not lines or tuple(c.strip() for c in lines[0].split(",")) != SOLUTION_HEADER:
        raise CurtoisFormatError(path, [(1, f"the header line must be {','.join(SOLUTION_HEADER)}")])
    triples, problems = [], []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = [c.strip() for c in line.split(",")]
        try:
            if len(cells) != 3 or not cells[0] or not cells[2]:
                raise _RowError("expected staff_id,day,shift_id")
            triples.append((cells[0], _whole(cells[1], "the day"), cells[2]))
        except _RowError as error:
            problems.append((number, str(error)))
    if problems:
        raise CurtoisFormatError(path, problems)
    return triples


# --------------------------------------------------------------------------- best known values


@dataclass(frozen=True)
class BestKnown:
    lower: int  # best known lower bound of the objective
    upper: int  # best known objective of a solution (equal to lower where optimality is proven)

    def distance_pct(self, objective: float | None) -> float | None:
        """How far above the best known solution `objective` is, in percent of it."""
        if objective is None:
            return None
        return 100.0 * (objective - self.upper) / self.upper if self.upper else None


def read_best_known(path: str | Path) -> dict[str, BestKnown]:
    """best_known.csv (`instance,lower_bound,upper_bound`) by instance name; raises CurtoisFormatError."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise CurtoisFormatError(path, [(None, f"cannot read the file: {error}")]) from None
    if not lines or [c.strip() for c in lines[0].split(",")] != ["instance", "lower_bound", "upper_bound"]:
        raise CurtoisFormatError(path, [(1, "the header line must be instance,lower_bound,upper_bound")])
    best, problems = {}, []
    for number, line in enumerate(lines[1:], start=2):
        cells = [c.strip() for c in line.split(",")]
        if not line.strip():
            continue
        try:
            if len(cells) != 3:
                raise _RowError("expected instance,lower_bound,upper_bound")
            best[cells[0]] = BestKnown(_whole(cells[1], "the lower bound"), _whole(cells[2], "the upper bound"))
        except _RowError as error:
            problems.append((number, str(error)))
    if problems:
        raise CurtoisFormatError(path, problems)
    return best


def summary(instance: CurtoisInstance, evaluation: Evaluation | None, best: BestKnown | None) -> dict:
    """The benchmark's side of a run summary: the instance, the objective by its definition, the broken rules."""
    objective = None if evaluation is None else evaluation.objective
    return {
        "instance": instance.name,
        "horizon_days": instance.horizon,
        "staff": len(instance.staff),
        "shift_types": len(instance.shifts),
        "objective": objective,
        "terms": None if evaluation is None else dict(evaluation.terms),
        "hard_violations": None if evaluation is None else [str(v) for v in evaluation.violations],
        "best_known": None if best is None else {"lower": best.lower, "upper": best.upper},
        "distance_to_best_known_pct": None if best is None else best.distance_pct(objective),
    }


# --------------------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class Violation:
    rule: str
    staff_id: str | None
    day: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"


@dataclass
class Evaluation:
    objective: int
    terms: dict[str, int]
    violations: list[Violation] = field(default_factory=list)

    @property
    def feasible(self) -> bool:
        return not self.violations


def evaluate(instance: CurtoisInstance, solution: Iterable[tuple[str, int, str]]) -> Evaluation:
    """The benchmark's objective of a solution and every hard rule it breaks."""
    triples = list(solution)
    violations = _unknown_references(instance, triples)
    known = [(p, d, s) for p, d, s in triples
             if p in instance.staff_by_id and s in instance.shifts_by_id and 0 <= d < instance.horizon]
    violations += _more_than_one_shift_a_day(known)
    worked = _worked(instance, known)
    for member in instance.staff:
        days = worked[member.staff_id]
        for rule in STAFF_RULES:
            violations += rule(instance, member, days)
    terms = {
        "on_requests": _unmet_on_requests(instance, worked),
        "off_requests": _violated_off_requests(instance, worked),
        **_cover_deviation(instance, known),
    }
    return Evaluation(sum(terms.values()), terms, violations)


def _unknown_references(instance: CurtoisInstance, triples) -> list[Violation]:
    out = []
    for staff_id, day, shift_id in triples:
        if staff_id not in instance.staff_by_id:
            out.append(Violation("unknown", staff_id, day, f"unknown staff id {staff_id!r}"))
        if shift_id not in instance.shifts_by_id:
            out.append(Violation("unknown", staff_id, day, f"unknown shift id {shift_id!r}"))
        if not 0 <= day < instance.horizon:
            out.append(Violation("unknown", staff_id, day, f"day {day} outside the horizon 0..{instance.horizon - 1}"))
    return out


def _more_than_one_shift_a_day(triples) -> list[Violation]:
    shifts = defaultdict(list)
    for staff_id, day, shift_id in triples:
        shifts[staff_id, day].append(shift_id)
    return [Violation("one_shift_per_day", p, d, f"{p} has {len(s)} shifts on day {d}: {', '.join(s)}")
            for (p, d), s in shifts.items() if len(s) > 1]


def _worked(instance: CurtoisInstance, triples) -> dict[str, dict[int, str]]:
    """staff id -> day -> shift (the first one given, should a day hold two)."""
    worked: dict[str, dict[int, str]] = {m.staff_id: {} for m in instance.staff}
    for staff_id, day, shift_id in triples:
        worked[staff_id].setdefault(day, shift_id)
    return worked


def _runs(instance: CurtoisInstance, days: dict[int, str], working: bool) -> list[tuple[int, int]]:
    """(first day, length) of each maximal run of working days (or of days off)."""
    runs, start = [], None
    for day in range(instance.horizon + 1):
        inside = day < instance.horizon and (day in days) == working
        if inside and start is None:
            start = day
        elif not inside and start is not None:
            runs.append((start, day - start))
            start = None
    return runs


def _inside(instance: CurtoisInstance, start: int, length: int) -> bool:
    """A run with a day of the other kind on both sides inside the horizon (the benchmark's minimums hold)."""
    return start > 0 and start + length < instance.horizon


def _days_off(instance, member, days) -> list[Violation]:
    return [Violation("days_off", member.staff_id, d, f"{member.staff_id} works on day {d}, a day off")
            for d in sorted(instance.days_off.get(member.staff_id, ())) if d in days]


def _max_shifts_per_type(instance, member, days) -> list[Violation]:
    counts = Counter(days.values())
    return [Violation("max_shifts", member.staff_id, None,
                      f"{member.staff_id} works {counts[s]} {s} shifts, at most {limit} allowed")
            for s, limit in member.max_shifts.items() if counts[s] > limit]


def _total_minutes(instance, member, days) -> list[Violation]:
    lengths = instance.shifts_by_id
    total = sum(lengths[s].minutes for s in days.values())
    if total > member.max_minutes:
        return [Violation("max_minutes", member.staff_id, None,
                          f"{member.staff_id} works {total} minutes, at most {member.max_minutes} allowed")]
    if total < member.min_minutes:
        return [Violation("min_minutes", member.staff_id, None,
                          f"{member.staff_id} works {total} minutes, at least {member.min_minutes} required")]
    return []


def _consecutive_shifts(instance, member, days) -> list[Violation]:
    out = []
    for start, length in _runs(instance, days, working=True):
        if length > member.max_consecutive:
            out.append(Violation("max_consecutive", member.staff_id, start, f"{member.staff_id} works {length} "
                                 f"days in a row from day {start}, at most {member.max_consecutive} allowed"))
        if length < member.min_consecutive and _inside(instance, start, length):
            out.append(Violation("min_consecutive", member.staff_id, start, f"{member.staff_id} works {length} "
                                 f"day(s) in a row from day {start}, at least {member.min_consecutive} required"))
    return out


def _consecutive_days_off(instance, member, days) -> list[Violation]:
    return [Violation("min_days_off", member.staff_id, start, f"{member.staff_id} has {length} day(s) off in a "
                      f"row from day {start}, at least {member.min_days_off} required")
            for start, length in _runs(instance, days, working=False)
            if length < member.min_days_off and _inside(instance, start, length)]


def _weekends(instance, member, days) -> list[Violation]:
    worked = [w for w in range(instance.weeks) if 7 * w + SATURDAY in days or 7 * w + SUNDAY in days]
    if len(worked) > member.max_weekends:
        return [Violation("max_weekends", member.staff_id, None, f"{member.staff_id} works {len(worked)} weekends, "
                          f"at most {member.max_weekends} allowed")]
    return []


def _forbidden_successions(instance, member, days) -> list[Violation]:
    shifts = instance.shifts_by_id
    return [Violation("forbidden_succession", member.staff_id, d, f"{member.staff_id} works {s} on day {d} and "
                      f"{days[d + 1]} on day {d + 1}, which may not follow {s}")
            for d, s in sorted(days.items()) if d + 1 in days and days[d + 1] in shifts[s].forbidden_next]


STAFF_RULES = (_days_off, _max_shifts_per_type, _total_minutes, _consecutive_shifts, _consecutive_days_off,
               _weekends, _forbidden_successions)


def _unmet_on_requests(instance: CurtoisInstance, worked) -> int:
    return sum(r.weight for r in instance.on_requests if worked[r.staff_id].get(r.day) != r.shift_id)


def _violated_off_requests(instance: CurtoisInstance, worked) -> int:
    return sum(r.weight for r in instance.off_requests if worked[r.staff_id].get(r.day) == r.shift_id)


def _cover_deviation(instance: CurtoisInstance, triples) -> dict[str, int]:
    on_duty = Counter((day, shift_id) for _, day, shift_id in triples)
    under = sum(max(0, c.requirement - on_duty[c.day, c.shift_id]) * c.under_weight for c in instance.cover)
    over = sum(max(0, on_duty[c.day, c.shift_id] - c.requirement) * c.over_weight for c in instance.cover)
    return {"cover_under": under, "cover_over": over}
