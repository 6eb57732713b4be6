"""Parsing what people type: durations, dates, card references. Errors say what to type."""

from __future__ import annotations

import re
from datetime import date
from typing import NoReturn

from qwtimer.core.cards import holds_card_number
from qwtimer.core.errors import InputError

_UNIT = re.compile(r"^(\d+)\s*(s|sec|m|min|h|hr)$", re.IGNORECASE)
_CLOCK = re.compile(r"^(\d+)(?::(\d{1,2}))?(?::(\d{1,2}))?$")
MAX_DURATION_HOURS = 10_000  # no length of time a desk types is longer (about 14 months)
_MAX_DIGITS = 9  # more digits than this is beyond MAX_DURATION_HOURS in any unit


def duration_seconds(text: str, what: str = "duration") -> int:
    """``12:30`` (m:ss), ``1:02:03`` (h:mm:ss), ``90s``, ``12m``, ``2h`` -> whole seconds.

    Guarantees a whole number from 0 to ``MAX_DURATION_HOURS`` hours; anything else (negative,
    malformed, absurdly long, nan) raises InputError saying what to type instead."""
    raw = text.strip()
    if raw.startswith("-"):
        raise InputError(f"{what} '{text}' is negative; give a length of time like 12:30 or 90s")
    seconds: int | None = None
    m = _UNIT.match(raw)
    if m:
        _check_digits(m.group(1), text, what)
        unit = m.group(2).lower()[0]
        seconds = int(m.group(1)) * {"s": 1, "m": 60, "h": 3600}[unit]
    m = _CLOCK.match(raw) if seconds is None else None
    if m and m.group(2) is not None:
        _check_digits(m.group(1), text, what)
        parts = [int(p) for p in m.groups() if p is not None]
        if any(p >= 60 for p in parts[1:]):
            raise InputError(f"{what} '{text}' has minutes or seconds of 60 or more")
        if len(parts) == 2:
            seconds = parts[0] * 60 + parts[1]
        else:
            seconds = parts[0] * 3600 + parts[1] * 60 + parts[2]
    if seconds is not None:
        if seconds > MAX_DURATION_HOURS * 3600:
            _too_long(text, what)
        return seconds
    raise InputError(
        f"{what} '{text}' is not a duration; use m:ss (12:30), h:mm:ss (1:02:03), 90s or 12m"
    )


def _too_long(text: str, what: str) -> NoReturn:
    shown = text if len(text) <= 24 else text[:20] + "..."
    raise InputError(
        f"{what} '{shown}' is longer than {MAX_DURATION_HOURS:,} hours; check it for a typo "
        "and give a length of time like 12:30, 1:02:03 or 90s"
    )


def _check_digits(digits: str, text: str, what: str) -> None:
    """Refuses a number too long to be a length of time before it is converted."""
    if len(digits.lstrip("0")) > _MAX_DIGITS:
        _too_long(text, what)


def day(text: str, what: str = "date") -> date:
    """An ISO date (2026-12-31)."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(
            f"{what} '{text}' is not a date; use YYYY-MM-DD, e.g. 2026-12-31"
        ) from None


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
        raise InputError(f"last four digits '{text}' must be exactly 4 digits, e.g. 4242")
    return cleaned
