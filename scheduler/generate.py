"""Synthetic but realistic stations for demos, tests and benchmarks.

`generate_station` builds a community police station as a planner would describe it: sworn
police (民警), auxiliaries (辅警) and red-armband volunteers (义警) with Chinese names, phones and
skills; grids of the four levels; day, evening and a night shift that crosses midnight; a weekly
demand template scaled so the station is a little short-staffed; a Friday night-patrol campaign
(夜巡) given as date rows; leave for some officers and opt-in slots for every volunteer.

Everything random comes from one `random.Random(seed)`, and nothing iterates over a set, so the
same arguments give the same station, byte for byte once saved.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
from itertools import accumulate

from .model import WEEKDAYS, Availability, DemandRow, Grid, Person, Rules, Shift, Station

DEFAULT_WEEK_START = dt.date(2026, 11, 23)  # a Monday

# About sixty common surnames, most common first (the draw is weighted that way).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏"
)
# About a hundred characters common in given names.
GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌辉鹏飞波宇浩俊峰林琳燕丹婷"
    "雪梅海亮晨欣怡佳慧颖璐倩晓云凤春秋月阳荣德福康宁思远嘉豪涵雨泽博睿鑫宏新永庆立成金凯琴淑珍"
)
PHONE_PREFIXES = ("130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "152", "155",
                  "156", "157", "158", "159", "166", "176", "177", "180", "181", "186", "187", "189")

# Skill tags and the share of each role holding them.
SKILL_RATES = {
    "police": {"driver": 0.40, "first_aid": 0.30, "mediation": 0.20, "english": 0.10, "uyghur": 0.03,
               "sign_language": 0.02},
    "auxiliary": {"driver": 0.35, "first_aid": 0.25, "mediation": 0.15, "english": 0.05, "uyghur": 0.02,
                  "sign_language": 0.02},
    "volunteer": {"mediation": 0.25, "first_aid": 0.15, "driver": 0.10, "english": 0.05, "sign_language": 0.03},
}

GRID_NAMES = {
    1: ("火车站广场", "人民广场", "汽车客运站", "市民中心广场", "地铁五里墩站", "中心医院门口", "体育中心"),
    2: ("建设路商圈", "三堡街夜市", "解放路", "中山路步行街", "新华路商业街", "万达广场商圈", "五一路美食街", "东风路"),
    3: ("铁路巷", "东门背街", "菜市场后巷", "老街小巷", "学府后街", "南关小巷", "棉纺路背街", "粮站胡同"),
    4: ("幸福里小区", "阳光花园", "东庄城中村", "和平里小区", "锦绣家园", "石桥村", "柳树湾村", "红星新村",
        "金桥小区", "望江苑"),
}
LEVEL_SHARES = {1: 0.15, 2: 0.25, 3: 0.30, 4: 0.30}
COMMUNITIES = ("五里墩社区", "红旗社区", "东风社区", "建设社区", "新华社区", "幸福社区", "长青社区", "向阳社区")
STATION_PLACES = ("五里墩", "三堡", "新华路", "红旗", "东风", "建设路", "长青", "向阳")

SHIFTS = (
    Shift("day", "白班", 8 * 60, 16 * 60, False),
    Shift("evening", "中班", 16 * 60, 22 * 60, False),
    Shift("night", "夜班", 22 * 60, 6 * 60, True),  # crosses midnight
)
SHIFT_IDS = tuple(s.shift_id for s in SHIFTS)
WEEKEND = ("sat", "sun")

# Demand template: starting head counts per (level, shift) and role; each grid, weekday and shift is
# a cell. Cells listed here may grow when the station has more people; the floors are never cut.
START = {
    "police": {1: {"day": 1, "evening": 2, "night": 1}, 2: {"day": 1, "evening": 1, "night": 1},
               3: {"evening": 0}},
    "auxiliary": {1: {"day": 2, "evening": 3, "night": 2}, 2: {"day": 1, "evening": 2, "night": 1},
                  3: {"day": 1, "evening": 1, "night": 1}, 4: {"day": 1, "evening": 1, "night": 0}},
    "volunteer": {3: {"day": 0, "evening": 1}, 4: {"day": 1, "evening": 2}},
}
# Level 1 and 2 need police and auxiliaries on every shift; level 3 and 4 need an auxiliary by day
# and evening (volunteers there must be escorted).
FLOORS = {
    "police": {1: {"day": 1, "evening": 1, "night": 1}, 2: {"day": 1, "evening": 1, "night": 1}},
    "auxiliary": {1: {"day": 1, "evening": 1, "night": 1}, 2: {"day": 1, "evening": 1, "night": 1},
                  3: {"day": 1, "evening": 1}, 4: {"day": 1, "evening": 1}},
}
LEVEL_WEIGHT = {"police": {1: 3.0, 2: 2.0, 3: 0.5}, "auxiliary": {1: 3.0, 2: 2.5, 3: 1.5, 4: 1.0},
                "volunteer": {3: 1.0, 4: 2.0}}
SHIFT_WEIGHT = {"police": {"day": 1.0, "evening": 1.6, "night": 1.0},
                "auxiliary": {"day": 1.0, "evening": 1.5, "night": 0.6},
                "volunteer": {"day": 1.0, "evening": 1.5}}
WEEKEND_WEIGHT = 1.4

# The Friday night campaign (夜巡): extra people on the night shift of level 1 and 2 grids.
CAMPAIGN_EXTRA = {"police": 1, "auxiliary": 1}
CAMPAIGN_VOLUNTEERS = {1: 2, 2: 1}

# Volunteers offer slots mostly on evenings and weekends; nights only for the Friday campaign.
VOLUNTEER_DAY_WEIGHT = {"mon": 1.0, "tue": 1.0, "wed": 1.0, "thu": 1.0, "fri": 1.3, "sat": 1.8, "sun": 1.6}
VOLUNTEER_SHIFT_WEIGHT = {"day": 1.0, "evening": 1.5, "night": 0.0}
VOLUNTEER_CAMPAIGN_NIGHT_WEIGHT = 0.8

Cell = tuple[str, str, str]  # (grid_id, weekday, shift_id)


def generate_station(
    *,
    police: int,
    auxiliary: int,
    volunteers: int,
    grids: int,
    seed: int,
    week_start: dt.date = DEFAULT_WEEK_START,
    name: str | None = None,
    load: float = 1.10,
    volunteer_load: float = 0.70,
) -> Station:
    """A synthetic station; the same arguments always give the same station.

    `load` is the required police (and auxiliary) shifts of the week over their capacity
    (people times the weekly cap): above 1 the station is short-staffed, as real ones are.
    `volunteer_load` is the volunteers' demand over the shifts they offer. The floors (police and
    auxiliaries on every shift of level 1 and 2 grids, an auxiliary by day and evening elsewhere)
    are kept even when that puts demand above the target.
    """
    if min(police, auxiliary, volunteers) < 0 or grids < 1:
        raise ValueError("counts must not be negative and a station needs at least one grid")
    rng = random.Random(seed)
    station_name = f"{rng.choice(STATION_PLACES)}派出所"  # always drawn, so `name` changes nothing else
    dates = [week_start + dt.timedelta(days=i) for i in range(7)]
    friday = next(d for d in dates if d.weekday() == 4)

    grid_list = _grids(rng, grids)
    people = _people(rng, police, auxiliary, volunteers, grid_list)
    rules = Rules()
    availability = _officer_leave(rng, people, dates) + _volunteer_offers(rng, people, dates, friday)

    offered = _volunteer_offer(people, availability, rules)
    targets = {
        "police": round(load * police * rules.max_shifts_per_week["police"]),
        "auxiliary": round(load * auxiliary * rules.max_shifts_per_week["auxiliary"]),
        "volunteer": round(volunteer_load * offered),
    }
    demand = _demand(rng, grid_list, targets, friday, with_volunteers=volunteers > 0)
    return Station(
        name=name if name is not None else station_name,
        people=tuple(people),
        grids=tuple(grid_list),
        shifts=SHIFTS,
        demand=tuple(demand),
        availability=tuple(availability),
        rules=rules,
    )


# --- people and grids ---------------------------------------------------------------------------

_SURNAME_CUM = list(accumulate(1.0 / (i + 4) for i in range(len(SURNAMES))))


def _chinese_name(rng: random.Random) -> str:
    surname = rng.choices(SURNAMES, cum_weights=_SURNAME_CUM)[0]
    given_length = 2 if rng.random() < 0.65 else 1
    return surname + "".join(rng.choice(GIVEN_CHARS) for _ in range(given_length))


def _phone(rng: random.Random) -> str:
    return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def _skills(rng: random.Random, role: str) -> frozenset[str]:
    return frozenset(skill for skill, rate in SKILL_RATES[role].items() if rng.random() < rate)


def _level_counts(n: int) -> list[int]:
    """Grid levels in order: about 15/25/30/30 percent, every level present once n >= 4."""
    if n < 4:
        return [1, 4, 2][:n]
    counts = {level: max(1, int(share * n)) for level, share in LEVEL_SHARES.items()}
    # Hand out the rest by largest remainder (ties to the higher level), take back from the largest.
    by_remainder = sorted(LEVEL_SHARES, key=lambda lv: (-(LEVEL_SHARES[lv] * n - int(LEVEL_SHARES[lv] * n)), -lv))
    i = 0
    while sum(counts.values()) < n:
        counts[by_remainder[i % 4]] += 1
        i += 1
    while sum(counts.values()) > n:
        counts[max(counts, key=lambda lv: (counts[lv], lv))] -= 1
    return [level for level in (1, 2, 3, 4) for _ in range(counts[level])]


def _grids(rng: random.Random, n: int) -> list[Grid]:
    width = max(2, len(str(n)))
    communities = list(COMMUNITIES[: max(1, min(len(COMMUNITIES), n // 3 + 1))])
    shuffled = {level: rng.sample(names, len(names)) for level, names in GRID_NAMES.items()}
    used = {level: 0 for level in GRID_NAMES}
    out = []
    for i, level in enumerate(_level_counts(n), start=1):
        names = shuffled[level]
        k = used[level]
        used[level] += 1
        grid_name = names[k % len(names)] + (str(k // len(names) + 1) if k >= len(names) else "")
        out.append(Grid(f"G{i:0{width}d}", grid_name, level, rng.choice(communities)))
    return out


def _people(rng: random.Random, police: int, auxiliary: int, volunteers: int, grids: list[Grid]) -> list[Person]:
    people = []
    for role, prefix, count in (("police", "P", police), ("auxiliary", "A", auxiliary)):
        width = max(3, len(str(count)))
        for i in range(1, count + 1):
            people.append(Person(f"{prefix}{i:0{width}d}", _chinese_name(rng), role,
                                 skills=_skills(rng, role), phone=_phone(rng)))
    # Volunteers live mostly in residential grids; about a quarter are retirees offering 3-4 shifts.
    home_cum = list(accumulate({1: 0.2, 2: 0.5, 3: 2.0, 4: 3.0}[g.level] for g in grids))
    width = max(4, len(str(volunteers)))
    for i in range(1, volunteers + 1):
        person_name = _chinese_name(rng)
        home = rng.choices(grids, cum_weights=home_cum)[0].grid_id if rng.random() < 0.85 else None
        cap = rng.choice((3, 4)) if rng.random() < 0.25 else None
        people.append(Person(f"V{i:0{width}d}", person_name, "volunteer", home_grid=home,
                             skills=_skills(rng, "volunteer"), max_shifts_per_week=cap, phone=_phone(rng)))
    return people


# --- availability -------------------------------------------------------------------------------


def _officer_leave(rng: random.Random, people: list[Person], dates: list[dt.date]) -> list[Availability]:
    """About a tenth of police and auxiliaries are away: whole days of leave or single shifts (training, court)."""
    rows = []
    for role in ("police", "auxiliary"):
        officers = [p for p in people if p.role == role]
        for person in sorted(rng.sample(officers, int(0.1 * len(officers) + 0.5)), key=lambda p: p.person_id):
            if rng.random() < 0.6:
                length = rng.randint(1, 3)
                first = rng.randrange(len(dates) - length + 1)
                rows += [Availability(person.person_id, d, None, "unavailable") for d in dates[first:first + length]]
            else:
                for day in sorted(rng.sample(dates, rng.randint(1, 2))):
                    rows.append(Availability(person.person_id, day, rng.choice(SHIFT_IDS), "unavailable"))
    return rows


def _volunteer_offers(rng: random.Random, people: list[Person], dates: list[dt.date],
                      friday: dt.date) -> list[Availability]:
    """Each volunteer opts in to 2-6 (date, shift) slots, some preferred; some also offer a whole day."""
    slots, weights = [], []
    for day in dates:
        for shift_id in SHIFT_IDS:
            weight = VOLUNTEER_SHIFT_WEIGHT[shift_id]
            if shift_id == "night" and day == friday:
                weight = VOLUNTEER_CAMPAIGN_NIGHT_WEIGHT
            if weight > 0:
                slots.append((day, shift_id))
                weights.append(weight * VOLUNTEER_DAY_WEIGHT[WEEKDAYS[day.weekday()]])
    day_cum = list(accumulate(VOLUNTEER_DAY_WEIGHT[WEEKDAYS[d.weekday()]] for d in dates))
    rows = []
    for person in people:
        if person.role != "volunteer":
            continue
        count = rng.randint(3, 6) if person.max_shifts_per_week else rng.randint(2, 6)
        picked = _weighted_sample(rng, slots, weights, count)
        for day, shift_id in sorted(picked, key=lambda s: (s[0], SHIFT_IDS.index(s[1]))):
            status = "preferred" if rng.random() < 0.3 else "available"
            rows.append(Availability(person.person_id, day, shift_id, status))
        if rng.random() < 0.15:
            free = [d for d in dates if all(d != day for day, _ in picked)]
            if free:
                day = rng.choices(dates, cum_weights=day_cum)[0]
                day = day if day in free else rng.choice(free)
                rows.append(Availability(person.person_id, day, None, "available"))
    return rows


def _weighted_sample(rng: random.Random, items: list, weights: list[float], count: int) -> list:
    items, weights = list(items), list(weights)
    out = []
    for _ in range(min(count, len(items))):
        i = rng.choices(range(len(items)), weights=weights)[0]
        out.append(items.pop(i))
        weights.pop(i)
    return out


def _volunteer_offer(people: list[Person], availability: list[Availability], rules: Rules) -> int:
    """Shifts the volunteers offer: per volunteer the dates opted in to, at most their weekly cap."""
    dates_by_person: dict[str, list[dt.date]] = {}
    for a in availability:
        if a.status != "unavailable":
            days = dates_by_person.setdefault(a.person_id, [])
            if a.date not in days:
                days.append(a.date)
    total = 0
    for p in people:
        if p.role == "volunteer":
            cap = p.max_shifts_per_week if p.max_shifts_per_week is not None else rules.max_shifts_per_week["volunteer"]
            total += min(cap, len(dates_by_person.get(p.person_id, [])))
    return total


# --- demand -------------------------------------------------------------------------------------


def _fit(rng: random.Random, cells: dict[Cell, int], floors: dict[Cell, int], weights: dict[Cell, float],
         target: int) -> None:
    """Grow or shrink the head counts, one person at a time, toward target.

    Each step adds where the count is lowest for its weight (removes where it is highest), so the
    template stays smooth; a random factor per cell keeps equal cells from all moving together.
    """
    jitter = {k: weights[k] * rng.uniform(0.85, 1.15) for k in cells}
    missing = target - sum(cells.values())
    if missing > 0 and cells:
        heap = [((n + 1) / jitter[k], i, k) for i, (k, n) in enumerate(cells.items())]
        heapq.heapify(heap)
        for _ in range(missing):
            _, i, key = heapq.heappop(heap)
            cells[key] += 1
            heapq.heappush(heap, ((cells[key] + 1) / jitter[key], i, key))
    for _ in range(-missing):
        removable = [k for k in cells if cells[k] > floors[k]]
        if not removable:
            return
        key = max(removable, key=lambda k: cells[k] / jitter[k])
        cells[key] -= 1


def _demand(rng: random.Random, grids: list[Grid], targets: dict[str, int], friday: dt.date,
            with_volunteers: bool) -> list[DemandRow]:
    roles = ("police", "auxiliary", "volunteer") if with_volunteers else ("police", "auxiliary")
    campaign_grids = [g for g in grids if g.level in (1, 2)]
    heads: dict[str, dict[Cell, int]] = {}
    for role in roles:
        cells: dict[Cell, int] = {}
        floors: dict[Cell, int] = {}
        weights: dict[Cell, float] = {}
        for g in grids:
            for weekday in WEEKDAYS:
                for shift_id, start in START[role].get(g.level, {}).items():
                    cell = (g.grid_id, weekday, shift_id)
                    cells[cell] = start
                    floors[cell] = FLOORS.get(role, {}).get(g.level, {}).get(shift_id, 0)
                    weights[cell] = (LEVEL_WEIGHT[role][g.level] * SHIFT_WEIGHT[role][shift_id]
                                     * (WEEKEND_WEIGHT if weekday in WEEKEND else 1.0))
                    cells[cell] = max(cells[cell], floors[cell])
        # The Friday night template of campaign grids is replaced by the campaign rows, which add
        # a fixed number of people on top of it.
        if role == "volunteer":
            campaign = sum(CAMPAIGN_VOLUNTEERS[g.level] for g in campaign_grids)
        else:
            campaign = CAMPAIGN_EXTRA[role] * len(campaign_grids)
        _fit(rng, cells, floors, weights, targets[role] - campaign)
        heads[role] = cells

    rows = []
    for g in grids:
        for weekday in WEEKDAYS:
            for shift_id in SHIFT_IDS:
                rows += _cell_rows(g, weekday, shift_id, heads, friday=None)
    for g in campaign_grids:
        rows += _cell_rows(g, "fri", "night", heads, friday=friday)
    return rows


def _cell_rows(g: Grid, weekday: str, shift_id: str, heads: dict[str, dict[Cell, int]],
               friday: dt.date | None) -> list[DemandRow]:
    """Demand rows of one grid, weekday and shift; with `friday`, the campaign's date rows instead."""
    cell = (g.grid_id, weekday, shift_id)
    day: str | dt.date = friday if friday is not None else weekday
    busy = shift_id == "evening" or weekday in WEEKEND
    rows = []
    for role in ("police", "auxiliary"):
        need = heads[role].get(cell, 0)
        if friday is not None:
            need += CAMPAIGN_EXTRA[role]
            rows.append(DemandRow(g.grid_id, day, shift_id, role, need, need + 1))
        elif need > 0:
            extra = 1 if (role == "police" and busy) or (role == "auxiliary" and g.level <= 2 and shift_id == "evening") else 0
            rows.append(DemandRow(g.grid_id, day, shift_id, role, need, need + extra))
    if "volunteer" in heads:
        if friday is not None:
            need = CAMPAIGN_VOLUNTEERS[g.level]
            rows.append(DemandRow(g.grid_id, day, shift_id, "volunteer", need, need + 1))
        elif cell in heads["volunteer"]:
            need = heads["volunteer"][cell]
            rows.append(DemandRow(g.grid_id, day, shift_id, "volunteer", need,
                                  need + (2 if g.level == 4 and shift_id == "evening" else 1)))
    # Skill rows: someone trained in first aid on busy key-site evenings, a police driver at night.
    if g.level == 1 and shift_id == "evening":
        rows.append(DemandRow(g.grid_id, day, shift_id, None, 1, 1, skill="first_aid"))
    if g.level == 1 and shift_id == "night":
        rows.append(DemandRow(g.grid_id, day, shift_id, "police", 1, 1, skill="driver"))
    return rows
