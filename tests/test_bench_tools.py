"""benchmarks/tools/: the measurement scripts read what the engine writes and set what it reads."""

from __future__ import annotations

import logging
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks" / "tools"))

import kinds  # noqa: E402
import lab  # noqa: E402
import requests_left  # noqa: E402

from scheduler import by_person, columns  # noqa: E402
from scheduler.curtois_station import from_roster  # noqa: E402

from .scheduler.stations import needs_bench  # noqa: E402


def test_constants_are_set_for_a_run_and_a_misspelt_one_is_refused(monkeypatch):
    monkeypatch.setattr(by_person, "FEW_SECONDS", by_person.FEW_SECONDS)  # restored after the test
    monkeypatch.setattr(by_person, "FEW", by_person.FEW)
    assert lab.set_constants(["by_person.FEW_SECONDS=1.5", "by_person.FEW=(2, 3)"]) == \
        [("by_person.FEW_SECONDS", 1.5), ("by_person.FEW", (2, 3))]
    assert by_person.FEW_SECONDS == 1.5 and by_person.FEW == (2, 3)
    with pytest.raises(SystemExit, match="has no FEW_SECOND"):
        lab.set_constants(["by_person.FEW_SECOND=1"])
    with pytest.raises(SystemExit, match="module.CONSTANT=value"):
        lab.set_constants(["FEW_SECONDS=1"])


@needs_bench
def test_kinds_counts_every_neighbourhood_the_engine_logs(monkeypatch):
    inst, station, start = lab.instance("Instance4")  # 28 days: every kind of neighbourhood
    monkeypatch.setattr(columns, "worth_it", lambda *a: False)  # the columns could prove it and stop early
    lines: list[str] = []
    handler = logging.Handler(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(relativeCreated)8.0f %(name)s %(message)s"))  # runlog.py's
    handler.emit = lambda record: lines.append(handler.format(record))
    logger = logging.getLogger("scheduler.by_person")
    # Whatever earlier tests left: the logger disabled, logging.disable, or its level cached as off.
    monkeypatch.setattr(logger, "disabled", False)
    monkeypatch.setattr(logging.root.manager, "disable", logging.NOTSET)
    level = logger.level
    logger.setLevel(logging.DEBUG)  # not setattr: setLevel also clears the loggers' cached levels
    logger.addHandler(handler)
    try:
        result = by_person.solve_by_person(station, start, time_limit=6, days=inst.horizon, workers=1)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    summary = next(re.search(r"(\d+) neighbourhoods, (\d+) kept", line) for line in lines if "kept" in line)
    tally, bands = kinds.tally(lines)
    assert sum(t.tried for t in tally.values()) == int(summary[1]) > 0
    assert sum(t.kept for t in tally.values()) == int(summary[2])
    seen = {kind for kind, _people in tally}
    # Every kind; the many people on a few days on consecutive days, or on scattered ones, or both.
    assert {"few", "window", "weekends"} < seen <= set(by_person.KIND_NAMES.values())
    assert seen & {"few days", "scattered"}
    # A line without the kind's name (older logs, from_roster.py's moves) counts by its window.
    nameless = f"    12 scheduler.by_person by person: 30 people, window {by_person.FEW_DAYS}, optimal in 1.0 s, 10 -> 8"
    assert list(kinds.tally([nameless])[0]) == [("few days", 30)]
    assert sum(sum(b.values()) for b in bands.values()) == sum(t.gain for t in tally.values())
    # what the neighbourhoods gained is what the roster lost from the first one
    first = next(int(re.search(r"first roster (\d+) after", line)[1]) for line in lines if "first roster" in line)
    assert first - result.objective == sum(t.gain for t in tally.values())
    # and the roster can be read back by the tools that take a solution
    why, _off_days = requests_left.unmet(inst, from_roster(result.roster, start))
    assert sum(why.values()) == result.terms["requests"]
