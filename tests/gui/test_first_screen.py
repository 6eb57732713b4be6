"""The window shows its first screen (the search box and the customer list) before the rest
of it is imported and built, and nothing done in between is lost: typing, a phone event, a
close. ``open_window`` builds the rest once the customers are searchable (or after
``REST_AFTER_MS``, whichever comes first); whatever needs the rest before builds it."""

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
from qwtimer.gui.window_stages import REST_AFTER_MS
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


def close_opened(w: MainWindow) -> None:
    """Close a window ``open_window`` opened: its crash hooks, its ticker, its runner."""
    w.crash.uninstall()
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


def test_open_window_builds_the_rest_once_the_customers_are_searchable(
    qtbot: Any, desk: Desk, answers: Answers
) -> None:
    add_customer(desk)
    seen: list[tuple[bool, bool]] = []
    at_ready: list[bool] = []
    w = open_window(
        desk,
        shown=lambda: seen.append((w.isVisible(), w.built)),
        ready=lambda: at_ready.append(w.built),
    )
    qtbot.addWidget(w)
    try:
        assert not w.built  # nothing of the rest before the event loop runs
        qtbot.waitUntil(lambda: w.built and w.loaded, timeout=10_000)
        assert seen == [(True, False)]  # on screen, the rest not yet built
        assert at_ready == [False]  # searchable first: the rest is built right after
        assert w.started and w.tabs.count() == 2 and w.menuBar().actions()
    finally:
        close_opened(w)


def test_the_rest_is_built_after_a_while_when_the_customers_are_slow_to_come(
    qtbot: Any, desk: Desk, answers: Answers, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads: list[bool] = []
    monkeypatch.setattr(MainWindow, "load_customers", lambda self: loads.append(True))
    w = open_window(desk)  # the customers' read never answers
    qtbot.addWidget(w)
    try:
        qtbot.wait(REST_AFTER_MS // 2)
        assert not w.built
        qtbot.waitUntil(lambda: w.built, timeout=REST_AFTER_MS * 4)
        assert w.started and not w.loaded and loads
    finally:
        close_opened(w)


def test_enter_in_the_first_screen_picks_the_caller_and_builds_the_rest(
    qtbot: Any, first_screen: MainWindow
) -> None:
    w = first_screen
    w.begin_loading()
    qtbot.waitUntil(lambda: w.loaded, timeout=10_000)
    qtbot.keyClicks(w.search.box, "ada")
    assert not w.built
    qtbot.keyClick(w.search.box, Qt.Key.Key_Return)
    assert w.built and w.started
    assert w.customer is not None and w.customer.name == "Ada Lovelace Ltd"


def test_a_shortcut_pressed_before_the_rest_is_built_runs_its_action(
    qtbot: Any, first_screen: MainWindow
) -> None:
    w = first_screen
    w.begin_loading()
    qtbot.waitUntil(lambda: w.loaded, timeout=10_000)
    qtbot.keyClicks(w.search.box, "grace")
    assert not w.built
    qtbot.keyClick(w.search.box, Qt.Key.Key_F2)  # Start, before the window has its actions
    assert w.built
    assert w.controller.live is not None and w.controller.live.customer_name == "Grace Hopper Inc"


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
