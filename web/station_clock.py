"""The station's clock. The stations are in China: shifts, deadlines and "today" are the station's
local time (Asia/Shanghai), whatever the server's zone (the machine's date differs from 16:00 to
24:00 UTC). The one place that names the zone; Flask-Babel's default zone (config) is this one too.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

ZONE_NAME = "Asia/Shanghai"
ZONE = ZoneInfo(ZONE_NAME)


def today() -> dt.date:
    """Today at the station."""
    return dt.datetime.now(ZONE).date()


def now() -> dt.datetime:
    """Now at the station, naive (the time of the shifts and of the engine's `now`)."""
    return dt.datetime.now(ZONE).replace(tzinfo=None)
