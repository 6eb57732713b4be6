"""The real qwtimer process on a real X server, driven by real keyboard and mouse input;
the result is checked through the command line (`qwtimer calls --json`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import Desktop

pytestmark = [pytest.mark.display, pytest.mark.slow]


def cli(data: Path, *args: str) -> object:
    out = subprocess.run(
        [sys.executable, "-m", "qwtimer", "--data-dir", str(data), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(out.stdout) if "--json" in args else out.stdout


def test_a_call_driven_by_keyboard_and_mouse_is_recorded_and_billed(
    desktop: Desktop, tmp_path: Path
):
    data = tmp_path / "data"
    cli(
        data,
        "customer",
        "add",
        "Ada Example",
        "--product",
        "desktop",
        "--plan",
        "license",
        "--maintenance-until",
        "2027-06-30",
        "--phone",
        "+1 555 0100",
    )
    env = {**desktop.env, "QT_QPA_PLATFORM": "xcb", "QWTIMER_TECHNICIAN": "e2e"}
    env.pop("QWTIMER_EXIT_WHEN_READY", None)
    app = subprocess.Popen(
        [sys.executable, "-m", "qwtimer", "--data-dir", str(data)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        window = desktop.wait_window("qwtimer: e2e")
        desktop.focus(window)
        deadline = time.monotonic() + 30
        while True:  # the customer list loads in the background: try until the call starts
            desktop.key("Tab", "Tab")  # focus leaves the search box ...
            desktop.click(window, 120, 58)  # ... and the mouse puts it back
            desktop.key("ctrl+a")
            desktop.type("ada")
            desktop.key("Return")  # pick the caller
            desktop.key("F2")  # Start
            status = cli(data, "timer", "status", "--json")
            if status["state"] == "talk":  # type: ignore[index]
                break
            if time.monotonic() > deadline:
                desktop.screenshot(tmp_path / "failed.png")
                raise AssertionError(f"the call did not start: {status}")
            time.sleep(1)
        time.sleep(2.2)
        desktop.key("F3")  # Hold
        time.sleep(1.2)
        desktop.key("F4")  # Working on hold
        time.sleep(1.2)
        desktop.key("F5")  # Resume
        time.sleep(1.2)
        desktop.key("F9")  # Stop
        dialog = desktop.wait_window("Stop the call")
        desktop.focus(dialog)
        desktop.key("Return")  # Stop and bill (outcome: resolved)
        rows: list[dict[str, object]] = []
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            rows = cli(data, "calls", "--json")  # type: ignore[assignment]
            if rows and rows[0]["state"] == "stopped":
                break
            time.sleep(0.3)
        else:
            desktop.screenshot(tmp_path / "failed.png")
        assert len(rows) == 1 and rows[0]["state"] == "stopped", rows
        row = rows[0]
        assert row["customer"] == "Ada Example" and row["technician"] == "e2e"
        assert row["outcome"] == "resolved"
        assert row["hold_seconds"] >= 1 and row["working_hold_seconds"] >= 1
        assert row["talk_seconds"] >= 3
        assert row["billed_seconds"] == 60  # under a minute of billable time, rounded up (R3)
        shown = cli(data, "call", "show", str(row["call_id"]), "--json")
        kinds = [s["kind"] for s in shown["segments"]]  # type: ignore[index]
        assert kinds == ["talk", "hold", "working_hold", "talk"]
        desktop.focus(window)
        desktop.key("ctrl+q")  # no call runs: the window closes without asking
        assert app.wait(timeout=15) == 0
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()
        if os.environ.get("QWTIMER_E2E_LOG"):
            print(app.stdout.read() if app.stdout else "")
