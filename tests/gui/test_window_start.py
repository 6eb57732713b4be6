"""The window's staged start (``qwtimer.gui.window_start``): the first screen shows before
the data folder is opened; what is typed meanwhile is searched for once the customers are
read; phone events that come meanwhile are held until the desk is open; a data folder that
cannot be opened is said and ends the program with status 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from qwtimer.core.phone_events import make
from qwtimer.desk import instance_link as link
from qwtimer.desk.context import Desk
from qwtimer.gui import phone_calls
from qwtimer.gui.instance import Instance
from qwtimer.gui.main_window import MainWindow
from qwtimer.gui.window_start import Claim, WindowStart
from tests.gui.conftest import Answers, add_customer


def test_the_first_screen_shows_and_takes_typing_before_the_desk_is_given(
    qtbot: Any, desk: Desk, answers: Answers
) -> None:
    add_customer(desk, "Ada Lovelace Ltd")
    add_customer(desk, "Grace Hopper Inc")
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    claim = Claim(desk.folder)
    assert claim.lock.tryLock(0)
    start = WindowStart(app, None, None, desk, claim)
    w = start.window
    qtbot.addWidget(w)
    try:
        start.show()
        assert w.isVisible() and not w.opened and start.instance is None
        qtbot.keyClicks(w.search.box, "grace")  # typed before the desk is open
        qtbot.waitUntil(lambda: w.loaded and w.built, timeout=10_000)
        assert start.instance is not None  # listening once the window showed
        assert w.windowTitle() == "qwtimer: tess"
        assert w.search.model.rowCount() == 1
        assert w.search.model.row_at(0).name == "Grace Hopper Inc"  # type: ignore[union-attr]
    finally:
        w.close()
        if w.built:
            w.controller.ticker.stop()
        start.desk = None  # the fixture closes its desk
        start.end()


def test_a_phone_event_before_the_desk_is_open_is_held_until_it_is(
    qtbot: Any, desk: Desk, answers: Answers, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_customer(desk, "Ada Lovelace Ltd")
    asked: list[str] = []

    def choose(parent: Any, number: str, found: list[Any]) -> str:
        asked.append(number)
        return str(found[0].id)

    monkeypatch.setattr(phone_calls.ChooseCaller, "ask", choose)
    w = MainWindow(None, staged=True)
    qtbot.addWidget(w)
    w.show()
    try:
        w.phone_event(make("ring", "+1 (555) 010-4242", "c1"))  # no desk yet
        assert w.held and not w.built and w.customer is None
        w.attach(desk)  # the event is acted on now
        w.begin_loading()
        qtbot.waitUntil(lambda: not w.runner.busy(), timeout=10_000)
        assert not w.held and w.built
        assert w.customer is not None and w.customer.name == "Ada Lovelace Ltd"
    finally:
        w.close()
        if w.built:
            w.controller.ticker.stop()
        w.runner.wait()


# Starts the window as ``qwtimer`` does, its message boxes noted instead of shown.
DAMAGED = """
import sys
from PySide6.QtWidgets import QMessageBox
said = []
QMessageBox.critical = staticmethod(lambda parent, title, text: said.append((title, text)))
from qwtimer.gui import app, main_window, window_start
status = window_start.run(sys.argv[1], "t")
windows = [w for w in app.application().topLevelWidgets() if isinstance(w, main_window.MainWindow)]
print(status, len(said), said[0][0] if said else "", any(w.isVisible() for w in windows))
print(said[0][1] if said else "")
"""


def test_a_data_folder_that_cannot_be_opened_is_said_and_exits_2(tmp_path: Path) -> None:
    folder = tmp_path / "damaged"
    folder.mkdir()
    (folder / "qwtimer.db").write_bytes(b"not a database at all" * 100)
    out = subprocess.run(
        [sys.executable, "-c", DAMAGED, str(folder)],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    first, told = out.stdout.splitlines()[:2]
    assert first == "2 1 qwtimer cannot open its data False"  # said once; the window closed
    assert "damaged" in told
    assert f"qwtimer: {told}" in out.stderr


def _env() -> dict[str, str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QWTIMER_NO_DESKTOP_INSTALL": "1"}
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).resolve().parents[2]), *sys.path])
    env.pop("QWTIMER_EXIT_WHEN_READY", None)
    return env


# Starts the window as ``qwtimer`` does and notes, when the window is shown, whether the
# desk's module (so any desk), the single-instance door's socket module (QtNetwork; the
# folder's lock file is taken before, with QtCore) and the store's Peewee were loaded.
AT_SHOW = """
import json, sys
from qwtimer.gui import main_window, window_start
seen = []
real_show = main_window.MainWindow.show
def show(self):
    loaded = ("qwtimer.desk.context", "PySide6.QtNetwork", "peewee")
    seen.append([m in sys.modules for m in loaded])
    real_show(self)
main_window.MainWindow.show = show
status = window_start.run(sys.argv[1], "t")
print(json.dumps([status, seen, "qwtimer.desk.context" in sys.modules]))
"""


def test_the_window_shows_before_its_desk_opens_or_its_door_listens(tmp_path: Path) -> None:
    env = {**_env(), "QWTIMER_EXIT_WHEN_READY": "1"}
    out = subprocess.run(
        [sys.executable, "-c", AT_SHOW, str(tmp_path / "data")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    lines = out.stdout.split("\n")
    assert lines[:2] == ["shown", "ready"]
    status, seen, desk_loaded = json.loads(lines[2])
    assert status == 0
    assert seen == [[False, False, False]]  # shown: no desk, no claim's socket, no Peewee yet
    assert desk_loaded  # then the desk was opened


# Starts the window as ``qwtimer`` does while another window holds the data folder; notes
# every MainWindow made.
SECOND = """
import json, sys
from qwtimer.gui import main_window, window_start
made = []
real_init = main_window.MainWindow.__init__
def init(self, *args, **kwargs):
    made.append(1)
    real_init(self, *args, **kwargs)
main_window.MainWindow.__init__ = init
status = window_start.run(sys.argv[1], "t")
print(json.dumps([status, len(made)]))
"""


def test_a_second_start_hands_over_to_the_window_holding_the_folder_and_shows_nothing(
    qtbot: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    first = Instance(link.address(folder))
    assert first.claim()  # the window already running for this folder
    try:
        second = subprocess.Popen(
            [sys.executable, "-c", SECOND, str(folder)],
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        with qtbot.waitSignal(first.shown, timeout=60_000):  # it comes forward
            qtbot.waitUntil(lambda: second.poll() is not None, timeout=60_000)
        out, err = second.communicate(timeout=10)
        assert second.returncode == 0, err
        assert json.loads(out.splitlines()[-1]) == [0, 0]  # handed over; no window was made
        assert "already open for this data folder" in out
    finally:
        first.release()
