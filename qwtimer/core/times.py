"""Times as people and machines read them: one convention everywhere.

- People read local time with its zone always shown: ``2026-11-30 09:07 EST``, or
  ``2026-11-30 14:07 UTC`` where local time is UTC. A zone without a common abbreviation shows
  its offset: ``2026-11-30 11:07 UTC-03:00``.
- Machines (``--json``, CSV) read ISO 8601 with the offset: ``2026-11-30T14:07:00+00:00``.

Times are stored in UTC. "Local" is the zone of the running process (``TZ`` or the system's),
looked up at each call, so a process that changes zone shows the new one at once.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo


def aware(at: datetime | str) -> datetime:
    """``at`` as an aware datetime; ISO text is parsed, and a time without a zone is UTC (as
    every stored time is)."""
    dt = datetime.fromisoformat(at) if isinstance(at, str) else at
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def local(at: datetime | str, tz: tzinfo | None = None) -> datetime:
    """``at`` in ``tz``, or in the local zone when ``tz`` is None."""
    return aware(at).astimezone(tz)


def zone_text(dt: datetime) -> str:
    """The zone of an aware datetime as people read it: ``EST``, ``CET``, ``UTC``, or
    ``UTC+05:30`` when the zone has no letters of its own."""
    offset = dt.utcoffset()
    name = dt.tzname() or ""
    if name.isalpha() and name.upper() == name:
        return name
    if offset is None or not offset:
        return "UTC"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{mins:02d}"


def local_text(at: datetime | str, tz: tzinfo | None = None, *, seconds: bool = False) -> str:
    """Date, time and zone for people: ``2026-11-30 09:07 EST`` (with ``:ss`` if asked)."""
    dt = local(at, tz)
    shape = "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"
    return f"{dt.strftime(shape)} {zone_text(dt)}"


def local_time_text(at: datetime | str, tz: tzinfo | None = None) -> str:
    """Time of day and zone for people: ``09:07 EST``."""
    dt = local(at, tz)
    return f"{dt.strftime('%H:%M')} {zone_text(dt)}"


def local_zone_text(at: datetime | str | None = None) -> str:
    """The local zone as people read it, at ``at`` (default now): ``EST`` in winter, ``EDT``
    in summer."""
    return zone_text(local(at if at is not None else datetime.now(UTC)))


def iso(at: datetime | str) -> str:
    """ISO 8601 with the offset, for machines: ``2026-11-30T14:07:00+00:00``."""
    return aware(at).isoformat()
