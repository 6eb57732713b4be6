"""``qwtimer ring`` and ``qwtimer 'qwtimer://call?...'``: the event reaches the window over the
local socket (here a plain listening socket standing in for it), bad input is one line with
status 2 and nothing sent, and a window that never comes up is one line with status 1."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from qwtimer.cli import main
from qwtimer.desk import instance_link as link


class Listener:
    """A socket at the window's address that records each message and answers ok."""

    def __init__(self, where: str) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(where)
        self.sock.listen(8)
        self.got: list[dict[str, Any]] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                self.got.append(link.decode(link._read_line(conn)))
                conn.sendall(link.encode({"ok": True}))


@pytest.fixture
def window(data_dir: Path) -> Iterator[Listener]:
    data_dir.mkdir(parents=True, exist_ok=True)
    where = link.address(data_dir)
    listener = Listener(where)
    yield listener
    listener.sock.close()
    os.unlink(where)


def run(data_dir: Path, *args: str) -> int:
    return main(["--data-dir", str(data_dir), "--technician", "tess", *args])


def test_ring_hands_the_checked_event_to_the_running_window(
    data_dir: Path, window: Listener, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ("ring", "--from", "+1 (555) 010-0100", "--call-id", "pbx-7", "--event", "hold")
    assert run(data_dir, *args) == 0
    assert window.got == [{"do": "event", "event": "hold", "from": "+15550100100", "id": "pbx-7"}]
    assert capsys.readouterr().out == "hold from +1 555-010-0100 sent to the window\n"


def test_a_qwtimer_link_given_alone_is_handed_over_as_the_desktop_passes_it(
    data_dir: Path, window: Listener
) -> None:
    assert run(data_dir, "qwtimer://call?from=%2B15550100100&id=x1&event=answer") == 0
    assert run(data_dir, "open-url", "qwtimer://call?from=555-010-0100") == 0
    assert [(m["event"], m["id"]) for m in window.got] == [("answer", "x1"), ("ring", "")]


@pytest.mark.parametrize(
    "args",
    [
        ("ring", "--from", "not a number"),
        ("ring", "--from", "12"),
        ("ring", "--from", "5550100100", "--event", "explode"),
        ("ring", "--from", "5550100100", "--call-id", "bad id with spaces"),
        ("ring", "--from", ""),
        ("qwtimer://call?id=1",),
        ("qwtimer://hangup?from=5550100100",),
        ("qwtimer://call?from=5550100100&event=ring&event=end",),
        ("qwtimer://call?from=5550100100&colour=red",),
        ("open-url", "https://example.com/call?from=5550100100"),
    ],
)
def test_bad_input_is_one_line_with_status_2_and_nothing_is_sent(
    data_dir: Path, window: Listener, capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    assert run(data_dir, *args) == 2
    err = capsys.readouterr().err
    assert err.startswith("qwtimer: ") and err.count("\n") == 1, err
    assert window.got == []


def test_with_no_window_running_ring_starts_one_and_delivers_the_event(
    data_dir: Path, tmp_path: Path
) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QWTIMER_LOG_DIR": str(tmp_path)}
    cmd = [sys.executable, "-m", "qwtimer", "--data-dir", str(data_dir), "--technician", "tess"]
    add = ["customer", "add", "Acme Ltd", "--product", "web", "--plan", "subscription"]
    subprocess.run([*cmd, *add, "--active-until", "2027-01-01"], env=env, check=True)
    done = subprocess.run(
        [*cmd, "ring", "--from", "5550100100"], env=env, capture_output=True, text=True, timeout=60
    )
    pid = 0
    try:  # (a customer exists, so the window makes no first-run offer)
        assert done.returncode == 0, done.stderr
        pid = int(Path(link.address(data_dir) + ".lock").read_text().split()[0])
        log = next(tmp_path.glob("*.log"))
        deadline = time.monotonic() + 10
        while "phone: ring +15550100100" not in log.read_text():
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
    finally:
        if pid:
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 10
            while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
                time.sleep(0.05)
        for left in (link.address(data_dir), link.address(data_dir) + ".lock"):
            Path(left).unlink(missing_ok=True)  # what a killed window leaves (taken over later)


def test_a_window_that_never_comes_up_is_said_in_one_line_with_status_1(
    data_dir: Path, tmp_path: Path
) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    cmd = [sys.executable, "-m", "qwtimer", "--data-dir", str(data_dir), "--technician", "tess"]
    done = subprocess.run(
        [*cmd, "ring", "--from", "5550100100"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "did not come up within 10 s" in done.stderr
