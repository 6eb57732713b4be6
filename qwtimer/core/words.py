"""Words for people in messages: counted nouns ("1 block", "2 blocks", never "1 block(s)"),
lengths of time ("1:05:00") and dates said aloud ("1 March 2027"). Imported by the window's
first screen: nothing heavy here."""

from __future__ import annotations

from datetime import date

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and the noun, singular for exactly one (``count(1, "block") == "1 block"``)."""
    word = noun if n == 1 else (plural or noun + "s")
    return f"{n:,} {word}"


def clock_text(seconds: int) -> str:
    """Seconds as h:mm:ss or m:ss for people."""
    sign = "-" if seconds < 0 else ""
    s = abs(seconds)
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{sign}{h}:{m:02d}:{sec:02d}" if h else f"{sign}{m}:{sec:02d}"


def long_date(d: date) -> str:
    """'1 March 2027', as people read a date aloud (the same in every locale)."""
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"
