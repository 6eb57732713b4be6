"""R6.1: qwtimer never stores a card number, in any field.

A card number is a Luhn-valid run of 13-19 digits whose first digit names a payment industry
(ISO/IEC 7812: 1-6). It may hide in free text with any separators (spaces, dots, dashes,
underscores, slashes, no-break spaces), in any script's digits (Arabic-Indic, fullwidth...), or
run on into a CVV, an expiry or a second number: every run of digits and separators is read as
groups, and every stretch of whole groups (or, inside a long unbroken group, every stretch of
digits) of card length is checked. A run written after ``+`` with at most 15 digits is a phone
number (E.164), not a card.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping

from qwtimer.core.errors import InputError

MIN_DIGITS, MAX_DIGITS = 13, 19
PHONE_MAX_DIGITS = 15  # E.164
_SEPARATORS = frozenset("._/\\,:;'*#~")
_DIGIT = re.compile(r"\d")  # any script's decimal digit (Unicode category Nd)


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _is_separator(ch: str) -> bool:
    return ch in _SEPARATORS or unicodedata.category(ch) in ("Zs", "Pd", "Cc", "Cf")


def _runs(text: str) -> Iterator[tuple[list[str], bool]]:
    """Runs of digit groups split by separators, and whether the run follows a ``+``."""
    groups: list[str] = []
    digits: list[str] = []
    plus = after_plus = False
    for ch in text + "\n\x00":
        value = unicodedata.decimal(ch, None) if ch != "\x00" else None
        if value is not None:
            if not groups and not digits:
                after_plus = plus
            digits.append(str(value))
            continue
        if digits:
            groups.append("".join(digits))
            digits = []
        if ch != "\x00" and _is_separator(ch):
            continue
        if groups:
            yield groups, after_plus
            groups = []
        plus = ch == "+"


def _candidates(groups: list[str]) -> Iterator[str]:
    for i in range(len(groups)):
        joined = ""
        for j in range(i, len(groups)):
            joined += groups[j]
            if len(joined) > MAX_DIGITS:
                break
            if len(joined) >= MIN_DIGITS:
                yield joined
    for group in groups:  # numbers run together, or a number run on into its CVV
        if len(group) > MAX_DIGITS:
            for size in range(MIN_DIGITS, MAX_DIGITS + 1):
                for start in range(len(group) - size + 1):
                    yield group[start : start + size]


def holds_card_number(text: str | None) -> bool:
    """True when ``text`` holds something that reads as a card number (R6.1)."""
    if not text or len(_DIGIT.findall(text)) < MIN_DIGITS:  # most text: no scan needed
        return False
    for groups, after_plus in _runs(text):
        if after_plus and sum(len(g) for g in groups) <= PHONE_MAX_DIGITS:
            continue
        for candidate in _candidates(groups):
            if candidate[0] in "123456" and luhn_valid(candidate):
                return True
    return False


def refuse_card_numbers(fields: Mapping[str, str | None], where: str = "") -> None:
    """Raise :class:`InputError` naming the first field that holds a card number (R6.1)."""
    for name, value in fields.items():
        if holds_card_number(value):
            place = f"{where}: " if where else ""
            raise InputError(
                f"{place}{name} looks like it holds a card number; qwtimer never stores card "
                "numbers (R6.1): remove it (for payments give the processor's token or "
                "authorisation id)"
            )
