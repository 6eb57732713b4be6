"""A call named on the command line: its whole id, or the start of it that ``qwtimer calls``
shows (its first 8 characters), as long as no other call's id starts the same way."""

from __future__ import annotations

from qwtimer.core.errors import InputError
from qwtimer.store.models import Call

SHOWN = 8  # characters of a call's id the calls table shows
SHORTEST = 4  # a shorter start names too many calls to be worth looking up


def find_call(text: str) -> Call:
    """The one call ``text`` names (its id, or a start of it). None found, or several, is an
    ``InputError`` that says what to give instead."""
    key = text.strip()
    exact: Call | None = Call.get_or_none(Call.id == key) if key else None
    if exact is not None:
        return exact
    start = key.lower()
    if len(start) >= SHORTEST:  # ids are lowercase ASCII below '~': a range of the index
        found = list(Call.select().where((Call.id >= start) & (Call.id < start + "~")).limit(2))
        if len(found) == 1:
            return found[0]
        if found:
            raise InputError(
                f"'{key}' is the start of more than one call's id: give more of it "
                "('qwtimer calls --csv' shows whole ids)"
            )
    raise InputError(
        f"no call '{key}': 'qwtimer calls' shows each call's id (its first {SHOWN} "
        "characters are enough)"
    )
