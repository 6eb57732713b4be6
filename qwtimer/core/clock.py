"""Clocks the timer reads. Durations come from the monotonic clock only.

Three readings are taken together:

- ``monotonic_ms``: never jumps, stops while the machine is suspended (Linux ``CLOCK_MONOTONIC``).
  Every billed duration comes from differences of this clock.
- ``boottime_ms``: like ``monotonic_ms`` but keeps counting through a suspend (``CLOCK_BOOTTIME``).
  ``boottime - monotonic`` growing means the machine slept: that time is reported as a gap and
  never billed silently.
- ``now_utc``: the wall clock, for display and for the record only. A jump of the wall clock
  (NTP, a manual change, a time-zone move) changes no bill.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol


@dataclass(frozen=True)
class Reading:
    """One simultaneous reading of the three clocks."""

    monotonic_ms: int
    boottime_ms: int
    utc: datetime
    utc_offset_min: int
    boot_id: str

    @property
    def local_date(self) -> date:
        """The day on the desk's wall calendar at this reading (the zone it was read in)."""
        return (self.utc + timedelta(minutes=self.utc_offset_min)).date()


class Clock(Protocol):
    """What the timer needs from a clock."""

    def read(self) -> Reading:
        """Return the current reading of all three clocks."""
        ...


def _local_offset_min(utc: datetime) -> int:
    offset = utc.astimezone().utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else 0


def _boot_id() -> str:
    """Identifies this boot: monotonic readings are comparable only within one boot."""
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as fh:
            return fh.read().strip()
    except OSError:  # pragma: no cover - non-Linux: approximate by the boot instant
        return str(round(time.time() - time.monotonic()))


class SystemClock:
    """The machine's clocks."""

    def __init__(self) -> None:
        self.boot_id = _boot_id()

    def read(self) -> Reading:
        mono = time.monotonic_ns() // 1_000_000
        if hasattr(time, "CLOCK_BOOTTIME"):
            boot = time.clock_gettime_ns(time.CLOCK_BOOTTIME) // 1_000_000
        else:  # pragma: no cover - platforms without CLOCK_BOOTTIME cannot see a suspend
            boot = mono
        utc = datetime.now(UTC)
        return Reading(mono, boot, utc, _local_offset_min(utc), self.boot_id)


class FakeClock:
    """A clock tests move by hand. Starts at an arbitrary, fixed instant."""

    def __init__(
        self,
        start: datetime | None = None,
        monotonic_ms: int = 1_000_000,
        utc_offset_min: int = 0,
    ) -> None:
        self.mono = monotonic_ms
        self.boot = monotonic_ms
        self.utc = start or datetime(2026, 11, 27, 14, 0, 0, tzinfo=UTC)
        self.utc_offset_min = utc_offset_min
        self.boot_id = "fake-boot-1"

    def read(self) -> Reading:
        return Reading(self.mono, self.boot, self.utc, self.utc_offset_min, self.boot_id)

    def advance(self, seconds: float) -> None:
        """Let real time pass: all three clocks move together."""
        ms = round(seconds * 1000)
        self.mono += ms
        self.boot += ms
        self.utc += timedelta(milliseconds=ms)

    def jump_wall(self, seconds: float) -> None:
        """Move only the wall clock (NTP step, manual change, time-zone mistake)."""
        self.utc += timedelta(seconds=seconds)

    def reboot(self, seconds: float) -> None:
        """The machine restarts: a new boot whose clocks start again near zero."""
        self.boot_id = f"fake-boot-{int(self.boot_id.rsplit('-', 1)[1]) + 1}"
        self.utc += timedelta(seconds=seconds)
        self.mono = 5_000
        self.boot = 5_000

    def suspend(self, seconds: float) -> None:
        """The machine sleeps: wall and boot time move, the monotonic clock does not."""
        ms = round(seconds * 1000)
        self.boot += ms
        self.utc += timedelta(milliseconds=ms)
