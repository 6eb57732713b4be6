"""The call controller on its own, without a window or a dialog: its questions go to a scripted
prompts object, its answers come out as signals (live_changed, stopped, idle)."""

from __future__ import annotations

from typing import Any

import pytest

from qwtimer.core.clock import FakeClock
from qwtimer.core.timer import Action, CallState
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.gui.call_controller import CallController
from qwtimer.gui.call_prompts import CallPrompts
from qwtimer.gui.changes import ChangeHub
from tests.gui.conftest import add_customer, segment_rows


class ScriptedPrompts:
    """Answers each question from a script and records what was asked."""

    def __init__(self) -> None:
        self.script: dict[str, list[Any]] = {}
        self.asked: list[tuple[Any, ...]] = []

    def give(self, question: str, *answers: Any) -> None:
        self.script.setdefault(question, []).extend(answers)

    def _answer(self, question: str, *asked: Any) -> Any:
        self.asked.append((question, *asked))
        if not self.script.get(question):
            pytest.fail(f"unexpected {question} question: {asked}")
        answer = self.script[question].pop(0)
        return answer() if callable(answer) else answer

    def stop(self, customer: str, total_seconds: int, charge: str) -> tuple[str, str] | None:
        return self._answer("stop", customer, total_seconds, charge)  # type: ignore[no-any-return]

    def card(self, customer: str, overage: int, charge_cents: int, blocks: int) -> str | None:
        return self._answer("card", customer, overage, charge_cents, blocks)  # type: ignore[no-any-return]

    def confirm_charge(self, customer: str, charge: str, reason: str) -> bool:
        return bool(self._answer("confirm", customer, charge, reason))

    def recovery(self, customer: str, elapsed: int, down_seconds: int) -> str | None:
        return self._answer("recovery", customer, elapsed, down_seconds)  # type: ignore[no-any-return]

    def gap(self, customer: str, gap_seconds: int) -> str | None:
        return self._answer("gap", customer, gap_seconds)  # type: ignore[no-any-return]

    def reason(self, title: str, text: str, action: str) -> str | None:
        return self._answer("reason", title, text, action)  # type: ignore[no-any-return]


class Heard:
    """Everything the controller said, in order."""

    def __init__(self, c: CallController) -> None:
        self.events: list[tuple[Any, ...]] = []
        c.live_changed.connect(lambda live: self.events.append(("live", live.state)))
        c.idle.connect(lambda: self.events.append(("idle",)))
        c.stopped.connect(lambda cid, name, bill: self.events.append(("stopped", name, bill)))
        c.interrupted.connect(lambda cid, name, s: self.events.append(("interrupted", name, s)))
        c.said.connect(lambda text, error: self.events.append(("said", text, error)))

    def kinds(self) -> list[str]:
        return [e[0] for e in self.events]


@pytest.fixture
def prompts() -> ScriptedPrompts:
    return ScriptedPrompts()


@pytest.fixture
def controller(qtbot: Any, desk: Desk, prompts: ScriptedPrompts) -> Any:
    hub = ChangeHub(desk)
    c = CallController(desk, prompts, hub)
    yield c
    c.shutdown()


def test_the_scripted_prompts_fit_the_interface(prompts: ScriptedPrompts) -> None:
    answer: CallPrompts = prompts  # checked by the type checker; here: every method exists
    for name in ("stop", "card", "confirm_charge", "recovery", "gap", "reason"):
        assert callable(getattr(answer, name))


def test_start_shows_the_live_call_and_starts_the_tick(
    controller: CallController, desk: Desk, clock: FakeClock
) -> None:
    heard = Heard(controller)
    ada = add_customer(desk)
    controller.do(Action.START, ada.id)
    assert heard.events == [("live", CallState.TALK)]
    assert controller.ticker.isActive() and controller.live is not None
    clock.advance(30)
    controller.tick()
    assert controller.live.elapsed_seconds == 30 and heard.kinds() == ["live", "live"]


def test_stop_asks_outcome_and_notes_and_bills_as_of_the_moment_f9_was_pressed(
    controller: CallController, prompts: ScriptedPrompts, desk: Desk, clock: FakeClock
) -> None:
    ada = add_customer(desk)
    controller.do(Action.START, ada.id)
    clock.advance(150)
    controller.tick()
    heard = Heard(controller)

    def thinks_for_a_minute() -> tuple[str, str]:
        clock.advance(60)  # the Stop dialog stays open: none of this is billed
        controller.tick()  # the tick goes on while asking, and records nothing
        return "resolved", "reset the licence"

    prompts.give("stop", thinks_for_a_minute)
    bill = controller.stop()
    assert prompts.asked == [("stop", "Ada Lovelace Ltd", 150, "no charge: 3:00 from the bank")]
    assert bill is not None and bill["talk_seconds"] == 150 and bill["billed_seconds"] == 180
    # the call as of F9 is shown while asking (the timer agrees with the dialog), then stopped
    assert heard.kinds() == ["live", "stopped", "idle"] and heard.events[1][2] == bill
    assert controller.live is None and not controller.ticker.isActive()


def test_going_back_from_stop_leaves_the_call_running_with_no_time_lost(
    controller: CallController, prompts: ScriptedPrompts, desk: Desk, clock: FakeClock
) -> None:
    ada = add_customer(desk)
    controller.do(Action.START, ada.id)
    clock.advance(40)
    prompts.give("stop", None)
    assert controller.stop() is None
    clock.advance(20)
    controller.tick()
    assert controller.live is not None and controller.live.elapsed_seconds == 60
    assert Calls(desk).current() is not None


def test_recovery_after_a_crash_ends_the_call_at_its_last_heartbeat(
    controller: CallController, prompts: ScriptedPrompts, desk: Desk, clock: FakeClock
) -> None:
    calls = Calls(desk)
    call = calls.start(add_customer(desk))
    clock.advance(100)
    calls.heartbeat()
    clock.reboot(3600)  # the window was gone for an hour
    heard = Heard(controller)
    prompts.give("recovery", "end")
    prompts.give("stop", ("unresolved", "line dropped"))
    controller.check_recovery()
    assert prompts.asked[0] == ("recovery", "Ada Lovelace Ltd", 100, 3600)
    assert heard.events[0] == ("interrupted", "Ada Lovelace Ltd", 100)
    assert [e[0] for e in heard.events[1:]] == ["stopped", "idle"]
    assert segment_rows(call.id) == [("talk", 100_000)]  # the hour away is not billed
    assert heard.events[1][2]["billed_seconds"] == 120


def test_recovery_resume_then_the_gap_question_says_what_the_time_was(
    controller: CallController, prompts: ScriptedPrompts, desk: Desk, clock: FakeClock
) -> None:
    calls = Calls(desk)
    call = calls.start(add_customer(desk))
    clock.advance(100)
    calls.heartbeat()
    clock.reboot(300)
    prompts.give("recovery", "resume")
    prompts.give("gap", "hold")
    controller.check_recovery()
    assert [q[0] for q in prompts.asked] == ["recovery", "gap"]
    assert prompts.asked[1] == ("gap", "Ada Lovelace Ltd", 300)
    assert segment_rows(call.id)[:2] == [("talk", 100_000), ("hold", 300_000)]
    assert controller.live is not None and controller.ticker.isActive()


def test_a_suspend_is_asked_about_once_and_never_billed_silently(
    controller: CallController, prompts: ScriptedPrompts, desk: Desk, clock: FakeClock
) -> None:
    ada = add_customer(desk)
    controller.do(Action.START, ada.id)
    clock.advance(30)
    controller.tick()
    clock.suspend(600)
    heard = Heard(controller)
    prompts.give("gap", None)  # not now
    controller.tick()
    controller.tick()  # the same gap is not asked again on every tick
    assert prompts.asked == [("gap", "Ada Lovelace Ltd", 600)]
    assert ("said", "the unaccounted time is waiting: Ctrl+G when you know what it was", True) in (
        heard.events
    )
    prompts.give("gap", "none")  # Stop first wants the gap accounted for
    prompts.give("stop", ("resolved", ""))
    bill = controller.stop()
    assert bill is not None and bill["talk_seconds"] == 30  # the sleep was not part of it


def test_a_question_open_blocks_every_other_action(
    controller: CallController, prompts: ScriptedPrompts, desk: Desk
) -> None:
    ada = add_customer(desk)
    with controller.question():
        controller.do(Action.START, ada.id)
    assert controller.live is None and Calls(desk).current() is None
