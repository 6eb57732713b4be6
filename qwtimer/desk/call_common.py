"""What the call modules share: the outcome a stop may record (R10) and what a gap is."""

from __future__ import annotations

from qwtimer.core.errors import InputError
from qwtimer.core.timer import OUTCOMES

GAP_THRESHOLD_MS = 5_000  # a sleep shorter than this is clock noise, not a gap


def check_outcome(outcome: str) -> None:
    if outcome not in OUTCOMES:
        raise InputError(f"outcome '{outcome}' is not one of: {', '.join(OUTCOMES)}")
