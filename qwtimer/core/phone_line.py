"""Which phone call the window follows, and what to do with each event the phone sends.

Phone systems resend events (a retried hook, a link clicked twice) and several calls may ring
at once. :class:`PhoneLine` decides, for each :class:`PhoneEvent`, whether the window acts on
it, ignores it as a repeat, or keeps it waiting because it belongs to another call:

- the window follows one call at a time (``current``, the phone system's call id, or the
  number when it sends none); the first event that arrives while it follows none (and no timer
  call runs) makes its call the current one;
- a repeat is an event equal to the last one taken for the same call (a hold after an unhold
  is not a repeat); after ``end``, a call with an id takes no more events;
- an event of another call waits (only its latest event is kept; its ``end`` drops it), and is
  offered, oldest call first, when the current call is released (stopped, ended, or the
  technician takes the waiting one);
- the memory of calls is bounded (:data:`MEMORY`), so it never grows with the day's calls.

Pure Python: the window's controller (``gui.phone_calls``) owns one.
"""

from __future__ import annotations

from collections import OrderedDict
from enum import StrEnum

from qwtimer.core.phone_events import Event, PhoneEvent

MEMORY = 256  # calls remembered for repeats; a desk never juggles this many at once


class Verdict(StrEnum):
    ACT = "act"  # the current call's event: the window acts on it
    REPEAT = "repeat"  # the same event again (or a late one of an ended call): ignored
    WAITING = "waiting"  # another call's event: kept and shown, not acted on
    GONE = "gone"  # a waiting call ended: it no longer waits


def call_of(event: PhoneEvent) -> str:
    """The call an event belongs to: the phone system's id, or the number without one."""
    return event.call_id or event.number


class PhoneLine:
    """The followed call, the waiting calls and the recent events (see the module)."""

    def __init__(self, memory: int = MEMORY) -> None:
        self.current: str | None = None
        self.waiting: OrderedDict[str, PhoneEvent] = OrderedDict()
        self._last: OrderedDict[str, PhoneEvent] = OrderedDict()
        self._memory = memory

    def take(self, event: PhoneEvent, busy: bool = False) -> Verdict:
        """What to do with ``event``. ``busy``: a timer call the phone did not start runs
        now, so a call the window does not follow yet waits instead of taking over."""
        call = call_of(event)
        last = self._last.get(call)
        if last is not None and (last == event or (last.event is Event.END and event.call_id)):
            return Verdict.REPEAT
        self._remember(call, event)
        if self.current is None and not busy and (not self.waiting or call in self.waiting):
            self.waiting.pop(call, None)
            self.current = call
        if call == self.current:
            return Verdict.ACT
        if event.event is Event.END:
            return Verdict.GONE if self.waiting.pop(call, None) is not None else Verdict.REPEAT
        self.waiting[call] = event
        return Verdict.WAITING

    def release(self) -> PhoneEvent | None:
        """The current call is over for the window (stopped or ended): follow none, and return
        the oldest waiting call's latest event to offer now (it becomes the current call)."""
        self.current = None
        if not self.waiting:
            return None
        call, event = self.waiting.popitem(last=False)
        self.current = call
        return event

    def follows(self, event: PhoneEvent) -> bool:
        """True when ``event`` belongs to the call the window follows."""
        return self.current is not None and call_of(event) == self.current

    def _remember(self, call: str, event: PhoneEvent) -> None:
        self._last[call] = event
        self._last.move_to_end(call)
        while len(self._last) > self._memory:
            self._last.popitem(last=False)
