"""Counted nouns in messages: "1 block", "2 blocks", never "1 block(s)"."""

from __future__ import annotations


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and the noun, singular for exactly one (``count(1, "block") == "1 block"``)."""
    word = noun if n == 1 else (plural or noun + "s")
    return f"{n:,} {word}"
