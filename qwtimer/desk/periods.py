"""Periods of whole local days, as statements, reports and listings take them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from qwtimer.core.errors import InputError
from qwtimer.core.times import local_zone_text


def first_instant(day: date) -> datetime:
    """The first instant whose local date is ``day`` (as the database's ``'localtime'`` says):
    its midnight; where the clocks skip midnight, the moment they jump; where midnight comes
    twice, the first. A day the clocks skip whole starts where the next one does."""
    midnight = datetime.combine(day, time.min)
    both = (midnight.astimezone(), midnight.replace(fold=1).astimezone())
    on_the_day = [t for t in both if t.astimezone().date() == day]
    return min(on_the_day) if on_the_day else max(both)


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
        return first_instant(self.since) if self.since else None

    @property
    def end(self) -> datetime | None:
        """The first instant after the period."""
        if self.until is None:
            return None
        return first_instant(self.until + timedelta(days=1))

    def holds(self, at: datetime) -> bool:
        return (self.start is None or at >= self.start) and (self.end is None or at < self.end)

    def text(self) -> str:
        """The period for people, naming the zone its days are in: '2026-11-01 to today,
        days in EST'."""
        return f"{self.since or 'the beginning'} to {self.until or 'today'}, days in {local_zone_text()}"
