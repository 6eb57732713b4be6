"""Parsing what people type: durations, dates, card references. Errors say what to type."""

from __future__ import annotations

import re
from datetime import date

from qwtimer.core.cards import holds_card_number
from qwtimer.core.errors import InputError

_UNIT = re.compile(r"^(\d+)\s*(s|sec|m|min|h|hr)$", re.IGNORECASE)
_CLOCK = re.compile(r"^(\d+)(?::(\d{1,2}))?(?::(\d{1,2}))?$")


def duration_seconds(text: str, what: str = "duration") -> int:
    """``12:30`` (m:ss), ``1:02:03`` (h:mm:ss), ``90s``, ``12m``, ``2h`` -> whole seconds."""
    raw = text.strip()
    if raw.startswith("-"):
        raise InputError(f"{what} '{text}' is negative; give a length of time like 12:30 or 90s")
    m = _UNIT.match(raw)
    if m:
        n = int(m.group(1))
        unit = m.group(2).lower()[0]
        return n * {"s": 1, "m": 60, "h": 3600}[unit]
    m = _CLOCK.match(raw)
    if m and m.group(2) is not None:
        parts = [int(p) for p in m.groups() if p is not None]
        if any(p >= 60 for p in parts[1:]):
            raise InputError(f"{what} '{text}' has minutes or seconds of 60 or more")
        if len(parts) == 2:
            return parts[0] * 60 + parts[1]
        return parts[0] * 3600 + parts[1] * 60 + parts[2]
    raise InputError(
        f"{what} '{text}' is not a duration; use m:ss (12:30), h:mm:ss (1:02:03), 90s or 12m"
    )


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
