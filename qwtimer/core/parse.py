"""Parsing what people type: durations, dates, card references. Errors say what to type."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime
from typing import NoReturn

from qwtimer.core.cards import holds_card_number
from qwtimer.core.errors import InputError

# ASCII digits only: int() would read other scripts' digits, which nobody types as a duration.
_UNIT = re.compile(r"(\d+)\s*(s|sec|m|min|h|hr)", re.IGNORECASE | re.ASCII)
_CLOCK = re.compile(r"(\d+)(?::(\d{1,2}))?(?::(\d{1,2}))?", re.ASCII)
MAX_DURATION_HOURS = 10_000  # no length of time a desk types is longer (about 14 months)
_MAX_DIGITS = 9  # more digits than this is beyond MAX_DURATION_HOURS in any unit


def duration_seconds(text: str, what: str = "duration") -> int:
    """``12:30`` (m:ss), ``1:02:03`` (h:mm:ss), ``90s``, ``12m``, ``2h`` -> whole seconds.

    Guarantees a whole number from 0 to ``MAX_DURATION_HOURS`` hours; anything else (negative,
    malformed, absurdly long, nan) raises InputError saying what to type instead."""
    raw = text.strip()
    if raw.startswith("-"):
        raise InputError(
            f"{what} '{_shown(text)}' is negative; give a length of time like 12:30 or 90s"
        )
    seconds: int | None = None
    m = _UNIT.fullmatch(raw)
    if m:
        _check_digits(m.group(1), text, what)
        unit = m.group(2).lower()[0]
        seconds = int(m.group(1)) * {"s": 1, "m": 60, "h": 3600}[unit]
    m = _CLOCK.fullmatch(raw) if seconds is None else None
    if m and m.group(2) is not None:
        _check_digits(m.group(1), text, what)
        parts = [int(p) for p in m.groups() if p is not None]
        if any(p >= 60 for p in parts[1:]):
            raise InputError(f"{what} '{_shown(text)}' has minutes or seconds of 60 or more")
        if len(parts) == 2:
            seconds = parts[0] * 60 + parts[1]
        else:
            seconds = parts[0] * 3600 + parts[1] * 60 + parts[2]
    if seconds is not None:
        if seconds > MAX_DURATION_HOURS * 3600:
            _too_long(text, what)
        return seconds
    raise InputError(
        f"{what} '{_shown(text)}' is not a duration; use m:ss (12:30), h:mm:ss (1:02:03), 90s or 12m"
    )


def _too_long(text: str, what: str) -> NoReturn:
    raise InputError(
        f"{what} '{_shown(text)}' is longer than {MAX_DURATION_HOURS:,} hours; check it for a typo "
        "and give a length of time like 12:30, 1:02:03 or 90s"
    )


def _check_digits(digits: str, text: str, what: str) -> None:
    """Refuses a number too long to be a length of time before it is converted."""
    if len(digits.lstrip("0")) > _MAX_DIGITS:
        _too_long(text, what)


# Dates people give: every report adds a day to a period's end and converts it to local time,
# which Python's date arithmetic survives only well inside years 1-9999.
FIRST_YEAR = 1970
LAST_YEAR = 2999


def day(text: str, what: str = "date") -> date:
    """An ISO date (2026-12-31) in years ``FIRST_YEAR`` to ``LAST_YEAR``; anything else raises
    InputError saying what to type."""
    raw = text.strip()
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        raise InputError(
            f"{what} '{_shown(text)}' is not a date; use YYYY-MM-DD, e.g. 2026-12-31"
        ) from None
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise InputError(
            f"{what} {value.isoformat()} is out of range; give a date from {FIRST_YEAR} to "
            f"{LAST_YEAR}, e.g. 2026-12-31"
        )
    return value


_MOMENT = re.compile(r"(?:(\d{4}-\d{2}-\d{2})[ T])?(\d{1,2}):(\d{2})", re.ASCII)
MOMENT_HINT = "YYYY-MM-DD HH:MM, or HH:MM for today, e.g. 2026-12-03 14:30"


def local_moment(text: str, today: date, what: str = "time") -> datetime:
    """A local date and time as people type it (``2026-12-03 14:30``, or ``14:30`` on
    ``today``), as an aware UTC datetime. A time the local clocks skip (a change to summer
    time) is refused; anything else not a time raises InputError saying what to type."""
    raw = text.strip()
    m = _MOMENT.fullmatch(raw)
    if m is None:
        raise InputError(f"{what} '{_shown(text)}' is not a time; use {MOMENT_HINT}")
    on = day(m.group(1), what) if m.group(1) else today
    hour, minute = int(m.group(2)), int(m.group(3))
    if hour > 23 or minute > 59:
        raise InputError(f"{what} '{_shown(text)}' is not a time of day; use {MOMENT_HINT}")
    wall = datetime(on.year, on.month, on.day, hour, minute)
    at = wall.astimezone()  # read in the local zone
    if at.astimezone(UTC).astimezone().replace(tzinfo=None) != wall:
        raise InputError(
            f"{what} {wall:%Y-%m-%d %H:%M} does not exist here: the clocks skipped it (a change "
            "to summer time); give the time as the clocks showed it"
        )
    return at.astimezone(UTC)


def signed_seconds(text: str, what: str = "--minutes") -> int:
    """An amount of time with an optional sign: ``+10m``, ``-90s``, ``5:00``. Guarantees
    exactly one sign at most (``+-5m`` is refused, never read as +5m) and the bounds of
    :func:`duration_seconds`."""
    raw = text.strip()
    sign = -1 if raw.startswith("-") else 1
    body = raw[1:] if raw[:1] in "+-" else raw
    if body.strip()[:1] in ("+", "-"):
        raise InputError(
            f"{what} '{_shown(text)}' has more than one sign; give one, e.g. +10m or -90s"
        )
    return sign * duration_seconds(body, what)


MAX_INTERVAL_SECONDS = 3600.0  # a heartbeat rarer than this would lose too much to a crash


def interval_seconds(text: str, what: str = "--interval") -> float:
    """A positive, finite number of seconds up to ``MAX_INTERVAL_SECONDS`` (``0.5``, ``2``)."""
    try:
        value = float(text.strip()) if text.isascii() else math.nan  # float() reads any digits
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and 0 < value <= MAX_INTERVAL_SECONDS):
        raise InputError(
            f"{what} '{_shown(text)}' is not a number of seconds from more than 0 to "
            f"{MAX_INTERVAL_SECONDS:g}; give e.g. 1 or 0.5"
        )
    return value


def whole_number(text: str, what: str, low: int = 1, high: int = 1_000_000) -> int:
    """A whole number written in ASCII digits, from ``low`` to ``high``."""
    raw = text.strip()
    body = raw[1:] if raw[:1] in "+-" else raw
    if not (body.isascii() and body.isdigit() and len(body) <= 12):
        raise InputError(f"{what} '{_shown(text)}' is not a whole number; give e.g. {low}")
    value = int(raw)
    if not low <= value <= high:
        raise InputError(f"{what} {value} is out of range; give {low} to {high:,}")
    return value


def _shown(text: str) -> str:
    """``text`` short enough, and free of control characters, to quote in one line."""
    flat = "".join(ch if ch.isprintable() else "?" for ch in text)
    return flat if len(flat) <= 24 else flat[:20] + "..."


def card_reference(ref: str) -> str:
    """A processor token or authorisation id; never a card number (R6.1)."""
    cleaned = ref.strip()
    if not cleaned:
        raise InputError("the card reference is empty; give the processor's token or auth id")
    if holds_card_number(cleaned):
        raise InputError(
            "the card reference looks like a card number; qwtimer never stores card numbers "
            "(R6.1): "
            "enter the payment processor's token or authorisation id instead"
        )
    if len(cleaned) > 200:
        raise InputError("the card reference is longer than 200 characters")
    return cleaned


def last_four(text: str) -> str:
    cleaned = text.strip()
    if not (len(cleaned) == 4 and cleaned.isascii() and cleaned.isdigit()):
        raise InputError(f"last four digits '{_shown(text)}' must be exactly 4 digits, e.g. 4242")
    return cleaned
