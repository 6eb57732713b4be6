"""A bug in the window is never silent and never stops the call: the traceback goes to the log,
one line names the log, and the running call's timer goes on. Help opens the log folder.

These tests run the window as ``open_window`` does (its exception hooks installed), so
pytest-qt's own capture of exceptions in slots is off here.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices

from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.gui.app import open_window
from qwtimer.gui.main_window import MainWindow
from tests.gui.conftest import Answers, add_customer, pick


@pytest.fixture
def live_window(qtbot: Any, desk: Desk, answers: Answers) -> Iterator[MainWindow]:
    add_customer(desk)
    w = open_window(desk)
    qtbot.addWidget(w)
    qtbot.waitUntil(lambda: w.loaded, timeout=10_000)
    yield w
    w.crash.uninstall()
    w.close()
    w.controller.ticker.stop()
    w.runner.wait()


def start_call(qtbot: Any, w: MainWindow) -> None:
    pick(qtbot, w, "ada")
    qtbot.keyClick(w, Qt.Key.Key_F2)
    assert w.controller.live is not None and w.controller.ticker.isActive()


@pytest.mark.qt_no_exception_capture
def test_a_bug_in_the_tick_is_logged_told_in_one_line_and_the_call_goes_on(
    qtbot: Any,
    live_window: MainWindow,
    clock: Any,
    log_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    w = live_window
    start_call(qtbot, w)
    real_heartbeat = Calls.heartbeat
    failures = []

    def heartbeat_with_a_bug(self: Calls) -> Any:
        if not failures:
            failures.append(1)
            raise ZeroDivisionError("a bug in the heartbeat")
        return real_heartbeat(self)

    monkeypatch.setattr(Calls, "heartbeat", heartbeat_with_a_bug)
    qtbot.waitUntil(lambda: "Unexpected error" in w.status.text(), timeout=5_000)

    log = log_dir / "qwtimer.log"
    line = w.status.text()
    assert "\n" not in line
    assert str(log) in line and "ZeroDivisionError" in line and "call goes on" in line
    assert w.crash.box is not None and w.crash.box.isVisible() and not w.crash.box.isModal()
    text = log.read_text()
    assert "Traceback (most recent call last)" in text and "heartbeat_with_a_bug" in text

    clock.advance(42)  # the ticker fires again: the call is still timed and shown
    qtbot.waitUntil(lambda: w.call_panel.elapsed.text() == "0:42", timeout=5_000)
    assert w.controller.ticker.isActive()


@pytest.mark.qt_no_exception_capture
def test_a_bug_in_a_background_thread_is_logged_and_told_on_the_window(
    qtbot: Any, live_window: MainWindow, log_dir: Path
) -> None:
    w = live_window

    def job() -> None:
        raise LookupError("a bug off the GUI thread")

    worker = threading.Thread(target=job, name="import")
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: "LookupError" in w.status.text(), timeout=5_000)
    assert str(log_dir / "qwtimer.log") in w.status.text()
    text = (log_dir / "qwtimer.log").read_text()
    assert "in thread import" in text and "a bug off the GUI thread" in text


@pytest.mark.qt_no_exception_capture
def test_a_bug_in_a_background_operation_goes_to_the_crash_handler_and_the_call_goes_on(
    qtbot: Any, live_window: MainWindow, clock: Any, log_dir: Path
) -> None:
    w = live_window
    start_call(qtbot, w)
    shown: list[object] = []

    def import_with_a_bug() -> None:
        raise KeyError("a bug in an import")

    w.runner.run(import_with_a_bug, shown.append, on_error=shown.append, desk=w.desk)
    qtbot.waitUntil(lambda: "KeyError" in w.status.text(), timeout=5_000)
    assert str(log_dir / "qwtimer.log") in w.status.text() and "call goes on" in w.status.text()
    assert shown == []  # a bug is not a known condition: never shown as one
    text = (log_dir / "qwtimer.log").read_text()
    assert "in a background operation" in text and "import_with_a_bug" in text
    clock.advance(5)
    w.controller.tick()
    assert w.controller.live is not None and w.call_panel.elapsed.text() == "0:05"


class Opened(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def show(self, url: QUrl) -> None:
        self.urls.append(url)


def test_help_opens_the_log_folder(qtbot: Any, live_window: MainWindow, log_dir: Path) -> None:
    opened = Opened()
    QDesktopServices.setUrlHandler("file", opened, "show")
    try:
        help_menu = next(m.menu() for m in live_window.menuBar().actions() if m.text() == "&Help")
        entry = next(a for a in help_menu.actions() if a.text() == "Open &log folder")
        entry.trigger()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert [Path(u.toLocalFile()) for u in opened.urls] == [log_dir]
    assert log_dir.is_dir()
