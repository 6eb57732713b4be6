"""One window per user and data folder: the claim, the hand-over, stale leftovers of a crash,
two starts racing, and garbage on the socket."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from qwtimer.desk import instance_link as link
from qwtimer.desk.instance_link import lock_path
from qwtimer.gui.instance import Instance


def exchange(qtbot: Any, where: str, data: bytes) -> bytes:
    """Send raw bytes from another thread (as another process would) and return the reply,
    the window's event loop running meanwhile."""
    got: list[bytes] = []

    def client() -> None:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(5)
            s.connect(where)
            s.sendall(data)
            got.append(link._read_line(s))

    threading.Thread(target=client, daemon=True).start()
    qtbot.waitUntil(lambda: bool(got), timeout=5000)
    return got[0]


@pytest.fixture
def where(tmp_path: Path) -> str:
    return link.address(tmp_path / "data")


def test_only_one_claims_a_data_folder_and_a_second_start_hands_over(
    qtbot: Any, where: str
) -> None:
    first, second = Instance(where), Instance(where)
    assert first.claim()
    assert not second.claim()
    with qtbot.waitSignal(first.shown):
        assert link.decode(exchange(qtbot, where, link.encode(link.show_message()))) == {"ok": True}
    first.release()
    assert second.claim()  # once the first window is gone, the folder is free again
    second.release()


def test_a_socket_and_lock_left_by_a_crashed_window_are_taken_over(qtbot: Any, where: str) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    Path(lock_path(where)).write_text(f"{dead.stdout.strip()}\npython\n{socket.gethostname()}\n")
    leftover = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    leftover.bind(where)
    leftover.close()  # the file stays; nobody listens on it
    with pytest.raises(link.NotRunning):
        link.send(where, link.show_message())
    instance = Instance(where)
    assert instance.claim()
    with qtbot.waitSignal(instance.shown):
        exchange(qtbot, where, link.encode(link.show_message()))
    instance.release()


@pytest.mark.parametrize(
    "garbage",
    [
        b"\xff\xfe\x00garbage\n",
        b"[1, 2, 3]\n",
        b'{"do": "format the disk"}\n',
        b'{"do": "event", "event": "ring", "from": "not a number"}\n',
        b'{"do": "event", "event": "explode", "from": "+15550100100"}\n',
        b'{"do": "event", "event": "ring", "from": 5550100100}\n',
        b"x" * (link.MAX_MESSAGE_BYTES + 10),
    ],
)
def test_garbage_on_the_socket_is_refused_and_logged_and_the_window_carries_on(
    qtbot: Any, where: str, garbage: bytes, log_dir: Path
) -> None:
    instance = Instance(where)
    assert instance.claim()
    got: list[object] = []
    instance.phone.connect(got.append)
    instance.shown.connect(lambda: got.append("shown"))
    reply = link.decode(exchange(qtbot, where, garbage))
    assert reply["ok"] is False and "\n" not in str(reply["error"])
    assert instance.refused == 1
    with qtbot.waitSignal(instance.phone):  # the next good message is taken as usual
        exchange(qtbot, where, b'{"do":"event","event":"ring","from":"555-010-0100","id":"a"}\n')
    assert [str(getattr(e, "number", e)) for e in got] == ["+15550100100"]
    instance.release()


def test_two_windows_started_at_once_on_one_folder_leave_one_running(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QWTIMER_DATA_DIR": str(tmp_path / "d")}
    env.pop("QWTIMER_EXIT_WHEN_READY", None)
    cmd = [sys.executable, "-m", "qwtimer", "--technician", "tess"]
    subprocess.run([*cmd, "policy", "show"], env=env, check=True, capture_output=True)
    racers = [
        subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    try:
        deadline = time.monotonic() + 30
        while all(p.poll() is None for p in racers) and time.monotonic() < deadline:
            time.sleep(0.05)
        done = [p for p in racers if p.poll() is not None]
        assert len(done) == 1, "exactly one start hands over and exits"
        out, err = done[0].communicate()
        assert done[0].returncode == 0, err
        assert "already open for this data folder" in out
        running = next(p for p in racers if p is not done[0])
        time.sleep(1)
        assert running.poll() is None  # the first keeps running
    finally:
        for p in racers:
            if p.poll() is None:
                p.terminate()
                p.wait(timeout=10)


def test_a_link_macos_hands_over_as_an_open_url_event_reaches_the_window(
    qtbot: Any, where: str
) -> None:
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QFileOpenEvent
    from PySide6.QtWidgets import QApplication

    instance = Instance(where)
    got: list[Any] = []
    instance.phone.connect(got.append)
    app = QApplication.instance()
    app.installEventFilter(instance)
    try:
        app.sendEvent(app, QFileOpenEvent(QUrl("qwtimer://call?from=555-010-0100&event=answer")))
        app.sendEvent(app, QFileOpenEvent(QUrl("qwtimer://call?from=nonsense")))
    finally:
        app.removeEventFilter(instance)
    assert [(e.event.value, e.number) for e in got] == [("answer", "+15550100100")]
    assert instance.refused == 1


def test_a_window_ended_by_the_session_hands_its_data_folder_back(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QWTIMER_DATA_DIR": str(tmp_path / "d")}
    cmd = [sys.executable, "-m", "qwtimer", "--technician", "tess"]
    where = link.address(tmp_path / "d")
    window = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
    try:
        link.deliver(where, link.show_message(), start=lambda: None, deadline_s=30)
    finally:
        window.terminate()
        assert window.wait(timeout=20) == 0
    assert not Path(where).exists() and not Path(lock_path(where)).exists()
