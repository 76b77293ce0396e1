"""What each kind of neighbourhood gained, in all and per 100 s, from a runlog.py log run with
DEBUG=by_person:

    python3 benchmarks/tools/kinds.py out/i20.log

Kinds: `few` (a few people over the whole horizon), `window` (a window of days), `weekends` (every
weekend day), `few days` (many people on a few consecutive days), `scattered` (many people on
single days anywhere); by size (people), with how many were tried, kept, proven optimal and their
seconds.
"""

from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass

import lab  # noqa: F401  (puts the project on the path)

from scheduler import by_person

# by_person._keep_if_better's debug line, after logging's "%(relativeCreated)8.0f %(name)s " prefix
LINE = re.compile(r"^\s*(\d+) scheduler\.by_person by person: (?:([a-z ]*), )?(\d+) people, window (\S+), (\w+) in ([\d.]+) s, "
                  r"(\d+) -> (\d+)")
# A line without the kind's name shows its window's length: None, or the days of a window of fixed
# length (the engine's own names for those); any other length is the weekends'.
BY_WINDOW = {str(days): name for days, name in by_person.KIND_NAMES.items() if days is None or isinstance(days, int)}


@dataclass
class Tally:
    tried: int = 0
    kept: int = 0
    gain: int = 0
    optimal: int = 0
    seconds: float = 0.0


def kind_of(window: str) -> str:
    """The kind of a line without its name (older logs, from_roster.py's moves), by its window."""
    return BY_WINDOW.get(window, "weekends")


def tally(lines) -> tuple[dict[tuple[str, int], Tally], dict[int, Counter]]:
    """By (kind, people): the neighbourhoods' tally; by 100 s band: each kind's gain."""
    kinds: dict[tuple[str, int], Tally] = defaultdict(Tally)
    bands: dict[int, Counter] = defaultdict(Counter)
    for line in lines:
        m = LINE.match(line)
        if not m:
            continue
        ms, name, people, window, status, seconds, before, after = m.groups()
        kind, gain = name or kind_of(window), max(0, int(before) - int(after))
        t = kinds[(kind, int(people))]
        t.tried += 1
        t.kept += gain > 0
        t.gain += gain
        t.optimal += status == "optimal"
        t.seconds += float(seconds)
        bands[int(ms) // 100_000][kind] += gain
    return kinds, bands


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as handle:
        kinds, bands = tally(handle)
    print("kind     people  tried  kept  optimal  gain  gain/try  s/try")
    for (kind, people), t in sorted(kinds.items()):
        print(f"{kind:8} {people:6} {t.tried:6} {t.kept:5} {t.optimal:8} {t.gain:5} {t.gain / t.tried:9.1f}"
              f" {t.seconds / t.tried:6.1f}")
    for band in sorted(bands):
        print(f"{band * 100}-{band * 100 + 100} s", dict(bands[band]))
