"""The window under test: a real MainWindow over a real desk with a fake clock.

Every dialog's ``ask`` is replaced by a script the test sets up; a dialog the test did not
expect fails the test instead of blocking it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QLabel, QLineEdit, QWidget

from qwtimer.core.clock import FakeClock
from qwtimer.core.timer import SegmentKind
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers, LineInput
from qwtimer.gui import prompts, stop_dialog
from qwtimer.gui.customer_editor import CustomerEditor
from qwtimer.gui.log_call_dialog import LogCallDialog
from qwtimer.gui.main_window import MainWindow
from qwtimer.gui.minutes_dialog import BuyMinutes, CardOnFile
from qwtimer.gui.supervisor import SupervisorWindow
from qwtimer.store.models import Customer, Segment

DIALOGS = {
    "recovery": (prompts.RecoveryPrompt, "ask"),
    "gap": (prompts.GapPrompt, "ask"),
    "first_run": (prompts.FirstRunOffer, "ask"),
    "close": (prompts.CloseDuringCall, "ask"),
    "card": (prompts.CardPrompt, "ask"),
    "confirm": (prompts.ConfirmCharge, "ask"),
    "warn": (prompts.WarnMinutes, "ask"),
    "reason": (prompts.ReasonPrompt, "ask"),
    "reopen": (prompts.ReopenPrompt, "ask"),
    "stop": (stop_dialog.StopDialog, "ask"),
    "editor": (CustomerEditor, "edit"),
    "buy": (BuyMinutes, "ask"),
    "card_on_file": (CardOnFile, "ask"),
    "log": (LogCallDialog, "ask_log"),
    "csv_file": (MainWindow, "choose_csv"),
}


class Answers:
    """Scripted answers per dialog; records what each dialog was asked."""

    def __init__(self) -> None:
        self.queue: dict[str, list[Any]] = {k: [] for k in DIALOGS}
        self.asked: dict[str, list[tuple[Any, ...]]] = {k: [] for k in DIALOGS}

    def give(self, dialog: str, *answers: Any) -> None:
        self.queue[dialog].extend(answers)

    def hook(self, name: str) -> Callable[..., Any]:
        def ask(*args: Any, **named: Any) -> Any:
            asked = (*args[1:], *named.values())  # the parent widget dropped
            self.asked[name].append(asked)
            if not self.queue[name] and name == "close":
                return "close"  # closing the window at the end of a test
            if not self.queue[name]:
                pytest.fail(f"unexpected {name} dialog: {asked}")
            answer = self.queue[name].pop(0)
            return answer(*args, **named) if callable(answer) else answer

        return ask


@pytest.fixture(autouse=True)
def no_sync_by_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    """A window under test syncs only when its test says so: a sync a few seconds after it
    opens, or after its writes, would land at a moment the test does not choose.
    tests/gui/test_sync_panel.py covers those syncs, the end-to-end tests the real app's."""
    from qwtimer.gui import sync_panel

    monkeypatch.setattr(sync_panel, "FIRST_MS", 0)
    monkeypatch.setattr(sync_panel, "SOON_MS", 0)


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> Answers:
    a = Answers()
    for name, (cls, attr) in DIALOGS.items():
        monkeypatch.setattr(cls, attr, a.hook(name))
    return a


def add_customer(
    desk: Desk, name: str = "Ada Lovelace Ltd", used_minutes: int = 0, card: bool = False
) -> Customer:
    """A Desktop license customer (45 min bank, R1), optionally with minutes already used."""
    customers = Customers(desk)
    c = customers.add(
        name,
        LineInput("desktop", "license", maintenance_until="2027-06-30"),
        "+1 (555) 010-4242",
        "ada@example.com",
        allow_duplicate=True,  # every test customer shares this phone and email
    )
    if used_minutes:
        Calls(desk).log(c, {SegmentKind.TALK: used_minutes * 60})
    if card:
        customers.add_card(c, "tok_test_123", "4242")
    return c


@pytest.fixture
def make_window(qtbot: Any, desk: Desk, answers: Answers) -> Iterator[Callable[[], MainWindow]]:
    made: list[MainWindow] = []

    def make() -> MainWindow:
        w = MainWindow(desk)
        qtbot.addWidget(w)
        w.show()
        qtbot.waitExposed(w)
        w.activateWindow()
        w.startup()
        qtbot.waitUntil(lambda: w.loaded, timeout=10_000)
        made.append(w)
        return w

    yield make
    for w in made:
        answers.queue["close"].clear()
        w.close()
        w.controller.ticker.stop()
        w.runner.wait()


@pytest.fixture
def window(make_window: Callable[[], MainWindow], desk: Desk) -> MainWindow:
    add_customer(desk)
    return make_window()


def pick(qtbot: Any, w: MainWindow, text: str) -> None:
    """Type into the search box and press Enter, as a technician would."""
    w.search.box.setFocus()
    w.search.box.clear()
    qtbot.keyClicks(w.search.box, text)
    qtbot.keyClick(w.search.box, Qt.Key.Key_Return)


def recent_shown(qtbot: Any, w: MainWindow) -> None:
    """Wait until Recent calls shows what it read (it reads off the GUI thread)."""
    qtbot.waitUntil(lambda: not w.runner.busy())


def segment_rows(call_id: str) -> list[tuple[str, int]]:
    return [
        (s.kind, s.duration_ms)
        for s in Segment.select()
        .where(Segment.call == call_id)
        .order_by(Segment.start_at, Segment.seq)
    ]


@pytest.fixture
def review(qtbot: Any, desk: Desk, clock: FakeClock) -> Iterator[SupervisorWindow]:
    """The supervisor's review over a small history (``supervisor_fixtures.history``)."""
    from tests.gui.supervisor_fixtures import review_window  # it builds on this module

    yield from review_window(qtbot, desk, clock)


@pytest.fixture
def make_review(qtbot: Any, desk: Desk) -> Iterator[Callable[[], SupervisorWindow]]:
    """Opens the review over whatever the test wrote; closed before the desk."""
    from tests.gui.supervisor_fixtures import review_factory

    yield from review_factory(qtbot, desk)


def squeezed(dialog: QWidget) -> list[str]:
    """The shown fields and word-wrapped messages of ``dialog`` drawn smaller than they need:
    a message or a box shown in a dialog that does not grow takes its room from them."""
    out = []
    for w in dialog.findChildren(QWidget):
        if not w.isVisible() or isinstance(w.parent(), QAbstractSpinBox | QComboBox):
            continue  # (a spin box's or combo box's own line edit sits inside its frame)
        if isinstance(w, QLineEdit | QComboBox | QAbstractSpinBox):
            short = w.height() < w.sizeHint().height()
        elif isinstance(w, QLabel) and w.wordWrap() and w.text():
            short = w.height() < w.heightForWidth(w.width())
        else:
            continue
        if short:
            out.append(w.accessibleName() or w.objectName() or type(w).__name__)
    return out


def cut_hints(dialog: QWidget) -> list[str]:
    """The shown text fields of ``dialog`` too narrow for their placeholder (the hint that
    says what to type), by the text's width plus the field's frame and margins."""
    return [
        w.placeholderText()
        for w in dialog.findChildren(QLineEdit)
        if w.isVisible()
        and w.placeholderText()
        and w.width() < w.fontMetrics().horizontalAdvance(w.placeholderText()) + 12
    ]
