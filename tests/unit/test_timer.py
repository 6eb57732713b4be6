"""The call timer state machine: every legal and every illegal transition."""

from __future__ import annotations

import itertools

import pytest

from qwtimer.core.clock import FakeClock
from qwtimer.core.errors import IllegalTransition
from qwtimer.core.timer import Action, CallState, SegmentKind, allowed_actions, next_state
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from tests.unit.scenario import customer

S, A = CallState, Action

LEGAL: dict[tuple[CallState, Action], CallState] = {
    (S.IDLE, A.START): S.TALK,
    (S.TALK, A.HOLD): S.HOLD,
    (S.TALK, A.RESEARCH): S.RESEARCH,
    (S.TALK, A.STOP): S.STOPPED,
    (S.HOLD, A.WORK): S.WORKING_HOLD,
    (S.HOLD, A.RESUME): S.TALK,
    (S.HOLD, A.RESEARCH): S.RESEARCH,
    (S.HOLD, A.STOP): S.STOPPED,
    (S.WORKING_HOLD, A.WORK): S.HOLD,
    (S.WORKING_HOLD, A.RESUME): S.TALK,
    (S.WORKING_HOLD, A.RESEARCH): S.RESEARCH,
    (S.WORKING_HOLD, A.STOP): S.STOPPED,
    (S.RESEARCH, A.RESUME): S.TALK,  # a call-back in the same case
    (S.RESEARCH, A.STOP): S.STOPPED,
    (S.STOPPED, A.RESEARCH): S.RESEARCH,  # research after the call (R5)
}
ILLEGAL = [pair for pair in itertools.product(CallState, Action) if pair not in LEGAL]


@pytest.mark.parametrize(("state", "action"), list(LEGAL), ids=lambda v: v.value)
def test_legal_transition(state: CallState, action: Action) -> None:
    assert next_state(state, action) is LEGAL[(state, action)]
    assert action in allowed_actions(state)


@pytest.mark.parametrize(("state", "action"), ILLEGAL, ids=lambda v: v.value)
def test_illegal_transition_raises_a_helpful_message(state: CallState, action: Action) -> None:
    with pytest.raises(IllegalTransition) as err:
        next_state(state, action)
    message = str(err.value)
    assert message.startswith(f"cannot {action.value}: the call is {state.phrase}")
    # the message says what to do instead: every allowed action, or how to begin
    allowed = allowed_actions(state)
    assert action not in allowed
    if state is CallState.IDLE:
        assert "start one first" in message
    for other in allowed:
        assert other.value in message


def test_the_table_covers_every_pair() -> None:
    assert len(LEGAL) + len(ILLEGAL) == len(CallState) * len(Action)
    assert len(LEGAL) == 15


def test_each_running_state_records_its_own_segment_kind() -> None:
    assert S.TALK.segment_kind is SegmentKind.TALK
    assert S.HOLD.segment_kind is SegmentKind.HOLD
    assert S.WORKING_HOLD.segment_kind is SegmentKind.WORKING_HOLD
    assert S.RESEARCH.segment_kind is SegmentKind.RESEARCH
    assert S.IDLE.segment_kind is None and S.STOPPED.segment_kind is None
    assert [s for s in CallState if s.running] == [S.TALK, S.HOLD, S.WORKING_HOLD, S.RESEARCH]


# -- the same machine behind the desk's running call ---------------------------------------
def test_the_running_call_follows_the_machine(desk: Desk, clock: FakeClock) -> None:
    calls = Calls(desk)
    c = customer(desk)
    with pytest.raises(IllegalTransition, match="no call is running"):
        calls.act(Action.HOLD)
    with pytest.raises(IllegalTransition, match="no call is running"):
        calls.stop()
    call = calls.start(c)
    with pytest.raises(IllegalTransition, match="already running"):
        calls.start(c)
    path = [A.HOLD, A.WORK, A.WORK, A.WORK, A.RESUME, A.RESEARCH, A.RESUME, A.HOLD, A.RESEARCH]
    state = S.TALK
    for action in path:
        clock.advance(10)
        state = next_state(state, action)
        assert calls.act(action).state == state.value
    with pytest.raises(IllegalTransition, match="cannot hold: the call is researching"):
        calls.act(A.HOLD)
    calls.stop()
    with pytest.raises(IllegalTransition, match="only research can be added"):
        calls.act(A.HOLD, call.id)
    with pytest.raises(IllegalTransition, match="cannot stop: the call is stopped"):
        calls.stop(call_id=call.id)


def test_research_cannot_be_added_to_another_call_while_one_runs(
    desk: Desk, clock: FakeClock
) -> None:
    calls = Calls(desk)
    first = calls.start(customer(desk, "First"))
    clock.advance(60)
    calls.stop()
    calls.start(customer(desk, "Second"))
    with pytest.raises(IllegalTransition, match="stop it before adding research"):
        calls.act(A.RESEARCH, first.id)


def test_start_and_stop_are_not_actions_of_act(desk: Desk) -> None:
    calls = Calls(desk)
    calls.start(customer(desk))
    for action in (A.START, A.STOP):
        with pytest.raises(ValueError, match="start"):
            calls.act(action)
