"""The phone drives the real window on a real X server: ``qwtimer ring`` from a second process,
a qwtimer:// link opened by the desktop (``xdg-open`` and the installed desktop entry), a second
start handing over, and a whole call answered, held, taken back and hung up by the phone,
checked with ``qwtimer calls --json``. What the window shows is read from its own log lines."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Desktop

pytestmark = [pytest.mark.display, pytest.mark.slow]

QWTIMER = [sys.executable, "-m", "qwtimer"]


def wait_for(what: str, ok: Any, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not ok():
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout} s"
        time.sleep(0.05)


class Desk:
    """The data folder, its commands as separate processes and the window's log."""

    def __init__(self, root: Path, display: str) -> None:
        self.data, self.logs, self.home = root / "data", root / "logs", root / "home"
        self.env = {
            **os.environ,
            "DISPLAY": display,
            "QT_QPA_PLATFORM": "xcb",
            "QWTIMER_DATA_DIR": str(self.data),
            "QWTIMER_TECHNICIAN": "tess",
            "QWTIMER_LOG_DIR": str(self.logs),
            "HOME": str(self.home),
            "XDG_DATA_HOME": str(self.home / "share"),
            "XDG_CONFIG_HOME": str(self.home / "config"),
            "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
        }
        self.env.pop("QWTIMER_EXIT_WHEN_READY", None)

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*QWTIMER, *args], env=self.env, capture_output=True, text=True, timeout=60
        )

    def log(self) -> str:
        return "".join(p.read_text() for p in self.logs.glob("*.log"))

    def shows(self, name: str, number: str) -> None:
        line = f"phone: showing {name} for {number}"
        wait_for(f"the window to show {name}", lambda: line in self.log())


def test_the_phone_drives_a_whole_call_in_the_real_window(desktop: Desktop, tmp_path: Path):
    desk = Desk(tmp_path, desktop.env["DISPLAY"])
    for name, phone in (("Acme Ltd", "(555) 010-0100"), ("Bravo Inc", "555.010.0101")):
        add = ["customer", "add", name, "--product", "desktop", "--plan", "license"]
        assert desk.run(*add, "--maintenance-until", "2027-06-30", "--phone", phone).returncode == 0
    window = subprocess.Popen([*QWTIMER], env=desk.env, stdout=subprocess.PIPE, text=True)
    try:
        desktop.wait_window("qwtimer: tess")
        done = desk.run("ring", "--from", "+1 (555) 010-0100", "--call-id", "pbx-1")
        assert done.returncode == 0, done.stderr
        desk.shows("Acme Ltd", "+15550100100")

        # a second start hands over and exits; the first keeps running
        second = desk.run()
        assert second.returncode == 0 and "already open" in second.stdout
        assert window.poll() is None

        answered = time.monotonic()
        for event in ("answer", "hold", "unhold", "end"):
            if event != "answer":
                time.sleep(2)
            sent = desk.run("ring", "--from", "5550100100", "--call-id", "pbx-1", "--event", event)
            assert sent.returncode == 0, sent.stderr
        hung_up = time.monotonic()
        stop = desktop.wait_window("Stop the call")
        desktop.focus(stop)
        desktop.type("Asked about hold music")  # the notes take the typing at once
        time.sleep(3)  # the technician types notes: not billed
        desktop.key("ctrl+Return")
        desktop.wait_window("Bill: Acme Ltd")
        [row] = json.loads(desk.run("calls", "--json").stdout)
        assert row["customer"] == "Acme Ltd" and row["state"] == "stopped"
        assert row["hold_seconds"] >= 2 and row["talk_seconds"] >= 4, row
        # the call lasted from the answer to the hang-up, not the 3 s Stop stayed open
        assert row["talk_seconds"] + row["hold_seconds"] <= hung_up - answered + 1, row
        assert row["billable_seconds"] == row["talk_seconds"]
        assert (row["billed_seconds"], row["from_bank_seconds"]) == (60, 60)  # R3: a minute
        shown = json.loads(desk.run("call", "show", row["call_id"], "--json").stdout)
        kinds = [s["kind"] for s in shown["segments"]]
        assert kinds == ["talk", "hold", "talk"], shown["segments"]

        # a qwtimer:// link opened by the desktop reaches the same window
        if shutil.which("xdg-open") is None:
            pytest.skip("xdg-open is not installed (xdg-utils)")
        desk.env.pop("QWTIMER_NO_DESKTOP_INSTALL", None)
        installed = subprocess.run(
            [sys.executable, "-m", "qwtimer.desk.desktop_entry"],
            env=desk.env,
            capture_output=True,
            text=True,
        )
        assert installed.returncode == 0, installed.stderr
        url = "qwtimer://call?from=%2B1%20555%20010%200101&id=pbx-2&event=ring"
        subprocess.run(["xdg-open", url], env=desk.env, check=True, timeout=60)
        desk.shows("Bravo Inc", "+15550100101")
        assert window.poll() is None
    finally:
        window.terminate()
        window.wait(timeout=20)
