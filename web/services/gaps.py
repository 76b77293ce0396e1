"""Why demand is uncovered, for the roster page: the engine's explanations in the page's language.

The engine writes each explanation in Chinese and English itself (scheduler/gaps), with the rule
names of scheduler/rules.py; the portal only picks the language the planner reads the page in.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import get_locale

from scheduler import Assignment, History, Station
from scheduler.gaps import explain_gaps


def page_language() -> str:
    """English ("en") when the planner switched to it, else Chinese (the portal's default)."""
    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else "zh"


def gap_explanations(station: Station, week_start: dt.date, assignments: list[Assignment],
                     days: int = 7, history: History | None = None) -> dict[tuple, str]:
    """(date, shift_id, grid_id, role, skill) of each uncovered demand row -> why, in the page's language."""
    return {(e.date, e.shift_id, e.grid_id, e.role, e.skill): e.text
            for e in explain_gaps(station, week_start, assignments, days, lang=page_language(), history=history)}
