"""The window shows its first screen (the search box and the customer list) before the rest
of it is imported and built, and nothing done in between is lost: typing, a phone event, a
close. ``open_window`` builds the rest on the event loop's first turn, right after the
window is on screen."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt

from qwtimer.core.phone_events import make
from qwtimer.desk.context import Desk
from qwtimer.gui import phone_calls
from qwtimer.gui.app import open_window
from qwtimer.gui.main_window import MainWindow
from tests.gui.conftest import Answers, add_customer


@pytest.fixture
def first_screen(qtbot: Any, desk: Desk, answers: Answers) -> Iterator[MainWindow]:
    add_customer(desk, "Ada Lovelace Ltd")
    add_customer(desk, "Grace Hopper Inc")
    w = MainWindow(desk, staged=True)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    if w.built:
        w.close()
        w.controller.ticker.stop()
    w.runner.wait()


def test_typing_in_the_first_screen_finds_the_caller_before_the_rest_is_built(
    qtbot: Any, first_screen: MainWindow
) -> None:
    w = first_screen
    w.begin_loading()
    qtbot.keyClicks(w.search.box, "grace")  # typed while the customers are still loading
    qtbot.waitUntil(lambda: w.loaded, timeout=10_000)
    assert not w.built
    assert w.search.model.rowCount() == 1
    assert w.search.model.row_at(0).name == "Grace Hopper Inc"  # type: ignore[union-attr]
    w.startup()  # the rest of the window: F2 starts the call for the one highlighted
    assert w.built
    qtbot.keyClick(w.search.box, Qt.Key.Key_F2)
    assert w.controller.live is not None and w.controller.live.customer_name == "Grace Hopper Inc"


def test_open_window_shows_the_first_screen_then_builds_the_rest_on_the_event_loop(
    qtbot: Any, desk: Desk, answers: Answers
) -> None:
    add_customer(desk)
    seen: list[tuple[bool, bool]] = []
    w = open_window(desk, shown=lambda: seen.append((w.isVisible(), w.built)))
    qtbot.addWidget(w)
    try:
        assert not w.built  # nothing of the rest before the event loop runs
        qtbot.waitUntil(lambda: w.built and w.loaded, timeout=10_000)
        assert seen == [(True, False)]  # on screen, the rest not yet built
        assert w.tabs.count() == 2 and w.menuBar().actions()
    finally:
        w.crash.uninstall()
        w.close()
        w.controller.ticker.stop()
        w.runner.wait()


def test_a_phone_event_before_the_rest_is_built_is_acted_on(
    qtbot: Any, first_screen: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = first_screen
    asked: list[str] = []

    def choose(parent: Any, number: str, found: list[Any]) -> str:
        asked.append(number)  # both test customers share this number
        return str(found[0].id)

    monkeypatch.setattr(phone_calls.ChooseCaller, "ask", choose)
    w.begin_loading()
    w.phone_event(make("ring", "+1 (555) 010-4242", "c1"))  # arrives during the first screen
    qtbot.waitUntil(lambda: not w.runner.busy(), timeout=10_000)
    assert w.built and asked
    assert w.customer is not None and w.customer.name == "Ada Lovelace Ltd"


def test_closing_the_first_screen_closes_the_window(first_screen: MainWindow) -> None:
    w = first_screen
    assert w.close()
    assert not w.isVisible() and not w.built
