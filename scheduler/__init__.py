"""平安排班 roster engine: station data in, roster out. No Flask, no database.

The solver backends are imported only when a solve asks for them, so importing this package
(as the portal does) loads neither OR-Tools nor PuLP.
"""

from .checker import CheckReport, check_roster
from .history import History, PastCounts
from .model import Assignment, DataIssue, Station, StationDataError
from .replan import Change, ReplanResult, replan
from .result import Progress, Result, SolveStatus, StopToken
from .solve import BACKENDS, solve
from .station_io import load_station, save_station

__all__ = [
    "BACKENDS", "Assignment", "Change", "CheckReport", "DataIssue", "History", "PastCounts", "Progress",
    "ReplanResult", "Result", "SolveStatus", "Station", "StationDataError", "StopToken", "check_roster",
    "load_station", "replan", "save_station", "solve",
]
