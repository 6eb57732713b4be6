"""Periods of whole local days, as statements, reports and listings take them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from qwtimer.core.errors import InputError
from qwtimer.core.times import local_zone_text


@dataclass(frozen=True)
class Period:
    """Whole local days; either end may be open."""

    since: date | None = None
    until: date | None = None

    def __post_init__(self) -> None:
        if self.since and self.until and self.until < self.since:
            raise InputError(
                f"--until {self.until} is before --since {self.since}: give the earlier date first"
            )

    @property
    def start(self) -> datetime | None:
        return datetime.combine(self.since, time.min).astimezone() if self.since else None

    @property
    def end(self) -> datetime | None:
        """The first instant after the period."""
        if self.until is None:
            return None
        return datetime.combine(self.until + timedelta(days=1), time.min).astimezone()

    def holds(self, at: datetime) -> bool:
        return (self.start is None or at >= self.start) and (self.end is None or at < self.end)

    def text(self) -> str:
        """The period for people, naming the zone its days are in: '2026-11-01 to today,
        days in EST'."""
        return f"{self.since or 'the beginning'} to {self.until or 'today'}, days in {local_zone_text()}"
