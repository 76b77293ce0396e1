"""The station's clock: its day and hour are China's, whatever the server's zone."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from web import station_clock
from web.config import Config


def _at(monkeypatch, utc: dt.datetime) -> None:
    class Frozen(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return utc.astimezone(tz) if tz is not None else utc.replace(tzinfo=None)

    monkeypatch.setattr(station_clock, "dt", SimpleNamespace(datetime=Frozen))


def test_the_station_day_begins_at_midnight_in_china_not_at_the_servers(monkeypatch):
    _at(monkeypatch, dt.datetime(2026, 12, 6, 17, 30, tzinfo=dt.UTC))  # Monday 01:30 in Beijing
    assert station_clock.today() == dt.date(2026, 12, 7)
    assert station_clock.now() == dt.datetime(2026, 12, 7, 1, 30)
    _at(monkeypatch, dt.datetime(2026, 12, 6, 15, 59, tzinfo=dt.UTC))
    assert station_clock.today() == dt.date(2026, 12, 6)


def test_the_portal_shows_times_in_the_station_zone():
    assert Config.BABEL_DEFAULT_TIMEZONE == station_clock.ZONE_NAME == "Asia/Shanghai"
