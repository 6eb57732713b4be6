"""Words for people in messages: counted nouns ("1 block", "2 blocks", never "1 block(s)")
and lengths of time ("1:05:00"). Imported by the window's first screen: nothing heavy here."""

from __future__ import annotations


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
