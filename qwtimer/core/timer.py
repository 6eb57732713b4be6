"""The call timer state machine (DESIGN.md "The call, as data").

States and the segment kind each one records::

    idle --start--> talk
    talk <--hold/resume--> hold <--work--> working_hold --resume--> talk
    talk | hold | working_hold --research--> research     (off the phone, R5)
    research --resume--> talk                            (a call-back in the same case)
    any running state --stop--> stopped
    stopped --research--> research                       (research after the call, R5)

The machine is pure: it says which segment kind follows which action, nothing about time.
"""

from __future__ import annotations

from enum import StrEnum

from qwtimer.core.errors import IllegalTransition


class SegmentKind(StrEnum):
    """What a stretch of a call was. R4 decides which kinds are billable (policy data)."""

    TALK = "talk"
    HOLD = "hold"  # passive hold: nobody works the issue, never billed (R4, R11)
    WORKING_HOLD = "working_hold"  # the technician works the issue while the caller holds (R11)
    RESEARCH = "research"  # billable during, after or before a call-back (R5)


class CallState(StrEnum):
    IDLE = "idle"
    TALK = "talk"
    HOLD = "hold"
    WORKING_HOLD = "working_hold"
    RESEARCH = "research"
    STOPPED = "stopped"

    @property
    def running(self) -> bool:
        return self not in (CallState.IDLE, CallState.STOPPED)

    @property
    def phrase(self) -> str:
        """The state in the desk's words: 'on hold', 'researching'."""
        return _PHRASES[self]

    @property
    def segment_kind(self) -> SegmentKind | None:
        """The kind of segment open while in this state (None when idle or stopped)."""
        return SegmentKind(self.value) if self.running else None


_PHRASES = {
    CallState.IDLE: "not started",
    CallState.TALK: "talking",
    CallState.HOLD: "on hold",
    CallState.WORKING_HOLD: "on hold (working)",
    CallState.RESEARCH: "researching",
    CallState.STOPPED: "stopped",
}


# How a call ended. Billing never depends on it (R6.2); "referred" means referred to
# professional services, with the time already spent billed like any other (R10).
class Outcome(StrEnum):
    """How a call ended (R10)."""

    RESOLVED = "resolved"
    UNRESOLVED = "unresolved"
    REFERRED = "referred"


OUTCOMES = tuple(o.value for o in Outcome)

# What unrecorded time (a sleep, a restart) was, as the technician says it: the same answers
# on the command line ('timer gap') and in the window. None: not part of the call.
GAP_ANSWERS: dict[str, SegmentKind | None] = {
    "hold": SegmentKind.HOLD,
    "working": SegmentKind.WORKING_HOLD,
    "talk": SegmentKind.TALK,
    "research": SegmentKind.RESEARCH,
    "none": None,
}


class Action(StrEnum):
    START = "start"
    HOLD = "hold"
    WORK = "work"  # toggles working_hold while on hold
    RESUME = "resume"
    RESEARCH = "research"
    STOP = "stop"


_S = CallState
_TABLE: dict[tuple[CallState, Action], CallState] = {
    (_S.IDLE, Action.START): _S.TALK,
    (_S.TALK, Action.HOLD): _S.HOLD,
    (_S.HOLD, Action.WORK): _S.WORKING_HOLD,
    (_S.WORKING_HOLD, Action.WORK): _S.HOLD,
    (_S.HOLD, Action.RESUME): _S.TALK,
    (_S.WORKING_HOLD, Action.RESUME): _S.TALK,
    (_S.RESEARCH, Action.RESUME): _S.TALK,
    (_S.TALK, Action.RESEARCH): _S.RESEARCH,
    (_S.HOLD, Action.RESEARCH): _S.RESEARCH,
    (_S.WORKING_HOLD, Action.RESEARCH): _S.RESEARCH,
    (_S.STOPPED, Action.RESEARCH): _S.RESEARCH,
    (_S.TALK, Action.STOP): _S.STOPPED,
    (_S.HOLD, Action.STOP): _S.STOPPED,
    (_S.WORKING_HOLD, Action.STOP): _S.STOPPED,
    (_S.RESEARCH, Action.STOP): _S.STOPPED,
}

_HINTS: dict[CallState, str] = {
    _S.IDLE: "no call is running; start one first",
    _S.TALK: "you can hold, research or stop",
    _S.HOLD: "you can work, resume, research or stop",
    _S.WORKING_HOLD: "you can work (to stop working), resume, research or stop",
    _S.RESEARCH: "you can resume (a call-back) or stop",
    _S.STOPPED: "only research can be added to it",
}


def allowed_actions(state: CallState) -> list[Action]:
    """The actions the state allows, in a stable order."""
    return [a for a in Action if (state, a) in _TABLE]


def next_state(state: CallState, action: Action) -> CallState:
    """The state after ``action``; raises IllegalTransition with what is allowed instead."""
    try:
        return _TABLE[(state, action)]
    except KeyError:
        raise IllegalTransition(
            f"cannot {action.value}: the call is {state.phrase}; {_HINTS[state]}"
        ) from None
