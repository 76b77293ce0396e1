"""The words of a gap explanation, in Chinese and English.

Each reason has a clause with `{n}` (how many people) and, where the reason has one, `{detail}`
(what blocked them: a shift, a grid, a limit). When people share a reason for different details
the detail lists each with its count, e.g. "前一天中班3人、后一天白班1人".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from .. import rules as R
from ..model import ROLE_NAMES_ZH, Station
from .blockers import PREVIOUS_WEEK

WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
ROLE_NAMES_EN = {"police": ("police officer", "police officers"), "auxiliary": ("auxiliary", "auxiliaries"),
                 "volunteer": ("volunteer", "volunteers")}
LANGUAGES = ("zh", "en")

# reason -> (Chinese clause, English clause)
REASONS: dict[str, tuple[str, str]] = {
    "here": ("{n}人已排在此岗", "{n} already assigned here"),
    "on_leave": ("{n}人请假", "{n} on leave or unavailable"),
    "not_offered": ("{n}人未报名该时段", "{n} did not offer this shift"),
    "pinned_elsewhere": ("{n}人已固定排在同班次其他网格（{detail}）", "{n} pinned to another grid in the same shift ({detail})"),
    "busy_elsewhere": ("{n}人已排在同班次其他网格（{detail}）", "{n} already on another grid in the same shift ({detail})"),
    "weekly_cap": ("{n}人已排满本周班次（{detail}）", "{n} at their weekly maximum ({detail})"),
    "rest": ("{n}人因休息规则（{detail}）不能排", "{n} blocked by the rest rule ({detail})"),
    "consecutive_days": ("{n}人因连续工作天数上限（{detail}）不能排", "{n} at the limit of days in a row ({detail})"),
    "consecutive_nights": ("{n}人因连续夜班上限（{detail}）不能排", "{n} at the limit of nights in a row ({detail})"),
    "min_days": ("{n}人因最少连续工作天数（{detail}）不能排", "{n} would work a run shorter than the minimum ({detail})"),
    "min_days_off": ("{n}人因最少连续休息天数（{detail}）不能排", "{n} would get a rest shorter than the minimum ({detail})"),
    "max_weekends": ("{n}人已达周末工作上限（{detail}）", "{n} at their most weekends ({detail})"),
    "max_minutes": ("{n}人将超过总工时上限（{detail}）", "{n} would pass their most working time ({detail})"),
    "max_per_type": ("{n}人已排满该班次上限（{detail}）", "{n} at their most shifts of this type ({detail})"),
    "succession": ("{n}人因禁止的班次衔接（{detail}）不能排", "{n} blocked by a forbidden succession ({detail})"),
    "role_not_needed": ("{n}人的角色在此没有需求（{detail}）", "{n} of a role not needed here ({detail})"),
    "role_full": ("{n}人因该角色人数已满（{detail}）不能排", "{n} blocked as their role is full here ({detail})"),
    "no_escort": ("{n}人无{detail}同行（义警须有人带领）", "{n} with no {detail} there to escort them"),
    "other_rule": ("{n}人因{detail}不能排", "{n} blocked by the rule: {detail}"),
    "free": ("{n}人可排但未排（{detail}）", "{n} free but not assigned ({detail})"),
}


def role_zh(role: str | None) -> str:
    return ROLE_NAMES_ZH[role] if role else "人员"


def role_en(role: str | None, n: int = 1) -> str:
    singular, plural = ROLE_NAMES_EN.get(role, ("person", "people"))
    return singular if n == 1 else plural


def _relative_day(offset: int, date: dt.date, lang: str) -> str:
    zh, en = {-1: ("前一天", "the day before"), 0: ("当天", "the same day"), 1: ("后一天", "the day after")}.get(
        offset, (WEEKDAYS_ZH[date.weekday()], f"on {WEEKDAYS_EN[date.weekday()]}"))
    return zh if lang == "zh" else en


def _last_week_day(date: dt.date, lang: str) -> str:
    """A date of the previous roster's week, e.g. 上周日 / on last week's Sun."""
    return f"上{WEEKDAYS_ZH[date.weekday()]}" if lang == "zh" else f"on last week's {WEEKDAYS_EN[date.weekday()]}"


def _rest(station: Station, date: dt.date, detail: tuple, lang: str) -> str:
    """detail: (days from the gap's date, shift id), with PREVIOUS_WEEK last when that shift is last week's."""
    offset, shift_id = detail[:2]
    shift = station.shifts_by_id[shift_id].name
    day = date + dt.timedelta(days=offset)
    when = _last_week_day(day, lang) if _from_last_week(detail) else _relative_day(offset, day, lang)
    return f"{when}{shift}" if lang == "zh" else f"{shift} {when}"


def _from_last_week(detail: tuple) -> bool:
    return bool(detail) and detail[-1] == PREVIOUS_WEEK


def _counting_last_week(text: str, detail: tuple, lang: str) -> str:
    if not _from_last_week(detail):
        return text
    return f"{text}，连上周" if lang == "zh" else f"{text}, counting last week"


def _grid(station: Station, date: dt.date, detail: tuple, lang: str) -> str:
    return detail[0]


def _cap(station: Station, date: dt.date, detail: tuple, lang: str) -> str:
    return f"{detail[0]}个班" if lang == "zh" else f"{detail[0]} shifts"


def _limit_days(station: Station, date: dt.date, detail: tuple, lang: str) -> str:
    return _counting_last_week(f"最多{detail[0]}天" if lang == "zh" else f"at most {detail[0]}", detail, lang)


def _limit_nights(station: Station, date: dt.date, detail: tuple, lang: str) -> str:
    return _counting_last_week(f"最多{detail[0]}个" if lang == "zh" else f"at most {detail[0]}", detail, lang)


def _at_least_days(station: Station, date: dt.date, detail: tuple, lang: str) -> str:
    return f"至少{detail[0]}天" if lang == "zh" else f"at least {detail[0]} days"


def _weekends(station: Station, date: dt.date, detail: tuple, lang: str) -> str:
    return f"最多{detail[0]}个周末" if lang == "zh" else f"at most {detail[0]}"


def _minutes(station: Station, date: dt.date, detail: tuple, lang: str) -> str:
    hours = f"{detail[0] / 60:g}"
    return f"最多{hours}小时" if lang == "zh" else f"at most {hours} h"


def _per_type(station: Station, date: dt.date, detail: tuple, lang: str) -> str:
    shift_id, most = detail
    name = station.shifts_by_id[shift_id].name
    return f"{name}最多{most}个" if lang == "zh" else f"{name} at most {most}"


def _role(station: Station, date: dt.date, detail: tuple, lang: str) -> str:
    return role_zh(detail[0]) if lang == "zh" else role_en(detail[0], 2)


def _role_max(station: Station, date: dt.date, detail: tuple, lang: str) -> str:
    role, most = detail
    return f"{role_zh(role)}最多{most}人" if lang == "zh" else f"at most {most} {role_en(role, most)}"


def _escorts(station: Station, date: dt.date, detail: tuple, lang: str) -> str:
    if lang == "zh":
        return "或".join(role_zh(r) for r in detail)
    return " or ".join(role_en(r) for r in detail)


def _objective(station: Station, date: dt.date, detail: tuple, lang: str) -> str:
    """detail: (objective change of adding one of them, the terms that would grow), or () when not tried
    (past gaps.MAX_TRIALS)."""
    if not detail:
        return "未逐一试排" if lang == "zh" else "not tried one by one"
    delta, grown = detail
    if delta < 0:
        if lang == "zh":
            return f"排入其中一人可使目标值降低{-delta}，此排班不是最优：手工修改过或求解提前停止"
        return f"adding one of them lowers the objective by {-delta}: the roster is not optimal " \
               "(edited by hand or the solve stopped early)"
    if lang == "zh":
        terms = "、".join(R.OBJECTIVE_TERMS[t][0] for t in grown)
        return f"为避免{terms}：排入其中一人会使目标值增加{delta}"
    terms = ", ".join(R.OBJECTIVE_TERMS[t][1] for t in grown)
    return f"kept out for {terms}: adding one of them raises the objective by {delta}"


def _rule(station: Station, date: dt.date, detail: tuple, lang: str) -> str:
    zh, en = R.HARD_RULES[detail[0]]
    return f"{zh}规则" if lang == "zh" else en


DETAIL_WORDS: dict[str, Callable[[Station, dt.date, tuple, str], str]] = {
    "pinned_elsewhere": _grid,
    "busy_elsewhere": _grid,
    "weekly_cap": _cap,
    "rest": _rest,
    "consecutive_days": _limit_days,
    "consecutive_nights": _limit_nights,
    "min_days": _at_least_days,
    "min_days_off": _at_least_days,
    "max_weekends": _weekends,
    "max_minutes": _minutes,
    "max_per_type": _per_type,
    "succession": _rest,
    "role_not_needed": _role,
    "role_full": _role_max,
    "no_escort": _escorts,
    "other_rule": _rule,
    "free": _objective,
}


def clause(station: Station, date: dt.date, reason: str, details: dict[tuple, int], lang: str) -> str:
    """One reason's clause: how many people, and what blocked them (each detail with its count)."""
    n = sum(details.values())
    words = DETAIL_WORDS.get(reason)
    text = ""
    if words is not None:
        most_first = sorted(details.items(), key=lambda item: -item[1])
        if len(details) == 1:
            text = words(station, date, next(iter(details)), lang)
        elif lang == "zh":
            text = "、".join(f"{words(station, date, d, lang)} {k}人" for d, k in most_first)
        else:
            text = ", ".join(f"{words(station, date, d, lang)}: {k}" for d, k in most_first)
    return REASONS[reason][LANGUAGES.index(lang)].format(n=n, detail=text)


def needed_zh(role: str | None, skill: str | None) -> str:
    return f"具备{skill}技能的{role_zh(role)}" if skill else role_zh(role)


def needed_en(role: str | None, skill: str | None, n: int) -> str:
    return f"{role_en(role, n)} with skill {skill}" if skill else role_en(role, n)


def headline(station: Station, date: dt.date, shift_id: str, grid_id: str, lang: str) -> str:
    shift, grid = station.shifts_by_id[shift_id], station.grids_by_id[grid_id]
    if lang == "zh":
        return f"{WEEKDAYS_ZH[date.weekday()]}（{date.month}月{date.day}日）{shift.name} {grid_id}（{grid.name}）"
    return f"{WEEKDAYS_EN[date.weekday()]} {date.isoformat()} {shift.name} shift, grid {grid_id} ({grid.name})"


def sentence(station: Station, date: dt.date, shift_id: str, grid_id: str, role: str | None, skill: str | None,
             missing: int, candidates: int, clauses: list[str], lang: str) -> str:
    where = headline(station, date, shift_id, grid_id, lang)
    if lang == "zh":
        pool = needed_zh(role, skill)
        if not candidates:
            return f"{where}缺{missing}名{pool}：站内没有{pool}。"
        return f"{where}缺{missing}名{pool}：全部{candidates}名{pool}中" + "，".join(clauses) + "。"
    if not candidates:
        return f"{where}: {missing} {needed_en(role, skill, missing)} missing; the station has no " \
               f"{needed_en(role, skill, 2)}."
    return (f"{where}: {missing} {needed_en(role, skill, missing)} missing; of all {candidates} "
            f"{needed_en(role, skill, candidates)}: " + ", ".join(clauses) + ".")
