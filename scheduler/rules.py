"""The names of the hard rules and objective terms.

The same names are used by both solver backends, the checker, infeasibility explanations and
every report a planner reads, so a rule is recognisable wherever it shows up.
"""

# Hard rules (shared/FORMAT.md, "Hard rules")
ROLE_MATCHES_DEMAND = "role_matches_demand"
RESPECT_AVAILABILITY = "respect_availability"
KEEP_PINS = "keep_pins"
MIN_REST_BETWEEN_SHIFTS = "min_rest_between_shifts"  # also forbids overlapping shifts
MAX_SHIFTS_PER_WEEK = "max_shifts_per_week"
MAX_CONSECUTIVE_DAYS = "max_consecutive_days"
MAX_CONSECUTIVE_NIGHTS = "max_consecutive_nights"
MAX_PER_ROLE = "max_per_role"
ESCORT_REQUIRED = "escort_required"
# Optional rules (docs/horizon-and-rules.md): off unless station.toml or people.csv sets them
MIN_CONSECUTIVE_DAYS = "min_consecutive_days"
MIN_CONSECUTIVE_DAYS_OFF = "min_consecutive_days_off"
MAX_WEEKENDS = "max_weekends"
MIN_TOTAL_MINUTES = "min_total_minutes"
MAX_TOTAL_MINUTES = "max_total_minutes"
MAX_SHIFTS_PER_TYPE = "max_shifts_per_type"
FORBIDDEN_SUCCESSIONS = "forbidden_successions"

HARD_RULES = {
    ROLE_MATCHES_DEMAND: ("只能填补本人角色的需求", "a person fills only demand of their own role"),
    RESPECT_AVAILABILITY: ("遵守可用时间", "respect availability (volunteers opt in, officers unless on leave)"),
    KEEP_PINS: ("保留固定排班", "keep the planner's pinned assignments"),
    MIN_REST_BETWEEN_SHIFTS: ("两班之间最少休息时间", "no overlapping shifts and the minimum rest between shifts"),
    MAX_SHIFTS_PER_WEEK: ("每周最多班次", "at most the weekly number of shifts"),
    MAX_CONSECUTIVE_DAYS: ("最多连续工作天数", "at most the consecutive working days"),
    MAX_CONSECUTIVE_NIGHTS: ("最多连续夜班", "at most the consecutive night shifts"),
    MAX_PER_ROLE: ("每个网格班次每种角色人数上限", "at most `max` people of a role on a grid and shift"),
    ESCORT_REQUIRED: ("义警须有民警或辅警同行", "volunteers patrol only with a police officer or auxiliary"),
    MIN_CONSECUTIVE_DAYS: ("最少连续工作天数", "at least the consecutive working days once a run of work starts"),
    MIN_CONSECUTIVE_DAYS_OFF: ("最少连续休息天数", "at least the consecutive days off once a run of rest starts"),
    MAX_WEEKENDS: ("最多工作周末数", "at most the weekends worked in the horizon"),
    MIN_TOTAL_MINUTES: ("最少总工时", "at least the total minutes worked in the horizon"),
    MAX_TOTAL_MINUTES: ("最多总工时", "at most the total minutes worked in the horizon"),
    MAX_SHIFTS_PER_TYPE: ("每种班次最多次数", "at most the shifts of each shift type in the horizon"),
    FORBIDDEN_SUCCESSIONS: ("禁止的班次衔接", "no forbidden shift on the date after a given shift"),
}

# Objective terms (shared/FORMAT.md, "Objective"), in the order reports list them
UNCOVERED = "uncovered"
NIGHT_SPREAD = "night_spread"
WEEKEND_SPREAD = "weekend_spread"
VOLUNTEER_IDLE = "volunteer_idle"
NOT_PREFERRED = "not_preferred"
AWAY_FROM_HOME = "away_from_home"
OVER_DEMAND = "over_demand"
REQUESTS = "requests"

OBJECTIVE_TERMS = {
    UNCOVERED: ("缺岗", "uncovered demand"),
    NIGHT_SPREAD: ("夜班不均", "night shifts spread (most minus fewest)"),
    WEEKEND_SPREAD: ("周末班不均", "weekend shifts spread (most minus fewest)"),
    VOLUNTEER_IDLE: ("报名义警未排班", "volunteers who offered and got no shift"),
    NOT_PREFERRED: ("非首选时段", "volunteer shifts on slots not marked preferred"),
    AWAY_FROM_HOME: ("离开本网格", "volunteer shifts outside their home grid"),
    OVER_DEMAND: ("超出需求人数", "people above a demand row's min"),
    REQUESTS: ("未满足的班次意愿", "unmet requests to work or not to work a shift"),
}
