"""Which phone call the window follows: repeats ignored, other calls kept waiting."""

from __future__ import annotations

from qwtimer.core.phone_events import make
from qwtimer.core.phone_line import PhoneLine, Verdict

A, B = "+15550100100", "+15550100101"


def ev(event: str, number: str = A, call_id: str = "a1") -> object:
    return make(event, number, call_id)


def test_the_first_call_is_followed_and_its_events_are_acted_on() -> None:
    line = PhoneLine()
    assert [line.take(ev(e)) for e in ("ring", "answer", "hold", "unhold", "end")] == [
        Verdict.ACT
    ] * 5
    assert line.current == "a1"


def test_a_resent_event_is_a_repeat_but_a_second_hold_is_not() -> None:
    line = PhoneLine()
    assert line.take(ev("hold")) is Verdict.ACT
    assert line.take(ev("hold")) is Verdict.REPEAT
    assert line.take(ev("unhold")) is Verdict.ACT
    assert line.take(ev("hold")) is Verdict.ACT  # on hold again: a new hold, not a repeat


def test_nothing_of_an_ended_call_is_acted_on_again() -> None:
    line = PhoneLine()
    line.take(ev("ring"))
    line.take(ev("end"))
    assert line.take(ev("end")) is Verdict.REPEAT
    assert line.take(ev("hold")) is Verdict.REPEAT


def test_without_a_call_id_the_same_number_may_call_again_after_it_ended() -> None:
    line = PhoneLine()
    line.take(ev("ring", call_id=""))
    line.take(ev("end", call_id=""))
    line.release()
    assert line.take(ev("ring", call_id="")) is Verdict.ACT


def test_another_calls_events_wait_and_the_oldest_is_offered_on_release() -> None:
    line = PhoneLine()
    line.take(ev("answer"))
    assert line.take(ev("ring", B, "b1")) is Verdict.WAITING
    assert line.take(ev("ring", "+15550100102", "c1")) is Verdict.WAITING
    assert line.take(ev("hold", B, "b1")) is Verdict.WAITING  # its latest event is kept
    assert list(line.waiting) == ["b1", "c1"]
    offered = line.release()
    assert offered is not None and offered.call_id == "b1" and offered.event == "hold"
    assert line.current == "b1" and list(line.waiting) == ["c1"]


def test_a_waiting_call_that_ends_no_longer_waits() -> None:
    line = PhoneLine()
    line.take(ev("answer"))
    line.take(ev("ring", B, "b1"))
    assert line.take(ev("end", B, "b1")) is Verdict.GONE
    assert line.release() is None and line.current is None


def test_a_call_the_phone_did_not_start_makes_a_new_ring_wait() -> None:
    line = PhoneLine()
    assert line.take(ev("ring"), busy=True) is Verdict.WAITING
    assert line.current is None
    offered = line.release()
    assert offered is not None and line.current == "a1"


def test_the_memory_of_calls_is_bounded() -> None:
    line = PhoneLine(memory=8)
    for n in range(100):
        line.take(ev("end", call_id=f"x{n}"))
        line.release()
    assert len(line._last) == 8
    assert line.take(ev("end", call_id="x0")) is not Verdict.REPEAT  # long forgotten
