"""The real qwtimer process on a real X server, driven by real keyboard and mouse input: one
whole call (talk, hold, working hold, talk, stop) and research added after it, each bill read
off the screen and checked against the command line (`qwtimer calls --json`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from qwtimer.core.billing import clock_text
from tests.e2e.conftest import Desktop

pytestmark = [pytest.mark.display, pytest.mark.slow]

T = TypeVar("T")


def cli(data: Path, *args: str) -> Any:
    out = subprocess.run(
        [sys.executable, "-m", "qwtimer", "--data-dir", str(data), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(out.stdout) if "--json" in args else out.stdout


class Session:
    """The window under test, watched through the command line."""

    def __init__(self, desktop: Desktop, data: Path, shots: Path) -> None:
        self.desktop, self.data, self.shots = desktop, data, shots

    def wait(self, what: str, check: Callable[[], T | None], timeout: float = 30) -> T:
        """Poll ``check`` until it gives something; on a timeout, keep a screenshot."""
        deadline = time.monotonic() + timeout
        while True:
            found = check()
            if found:
                return found
            if time.monotonic() > deadline:
                self.desktop.screenshot(self.shots / "failed.png")
                raise AssertionError(f"{what}: not within {timeout} s")
            time.sleep(0.2)

    def status(self) -> dict[str, Any]:
        status: dict[str, Any] = cli(self.data, "timer", "status", "--json")
        return status

    def state_then_time(self, state: str, seconds: int) -> None:
        """Wait for the call to be in ``state``, then for at least ``seconds`` more of it.

        The tally counts whole seconds, so the one seen when the state shows may already
        hold most of a second: waiting for one more than asked makes the time real.
        """
        seen = self.wait(
            f"the call to be {state}",
            lambda: (s := self.status())["state"] == state and s["seconds"][state] + 1,
        )
        self.wait(
            f"{seconds} s of {state}",
            lambda: self.status()["seconds"][state] >= seen + seconds,
        )

    def stop_and_read_the_bill(self, title: str) -> str:
        """F9, Stop and bill (resolved), then the bill as the window shows it."""
        self.desktop.key("F9")
        dialog = self.desktop.wait_window("Stop the call")
        self.desktop.focus(dialog)
        self.desktop.key("Return")
        bill = self.desktop.wait_window(title)
        self.desktop.focus(bill)
        self.desktop.key("ctrl+c")  # Copy: the bill as shown, for the ticket
        shown = self.wait("the bill on the clipboard", lambda: self.desktop.clipboard())
        self.desktop.key("Escape")
        self.desktop.gone(title)
        return shown

    def stopped_row(self, researched: bool) -> dict[str, Any]:
        """The call's row once it is stopped (with its research, if ``researched``)."""

        def row() -> dict[str, Any] | None:
            rows = cli(self.data, "calls", "--json")
            done = len(rows) == 1 and rows[0]["state"] == "stopped"
            return (
                dict(rows[0]) if done and bool(rows[0]["research_seconds"]) == researched else None
            )

        return self.wait("the call to be stopped and billed", row)


def expected_lines(row: dict[str, Any]) -> list[str]:
    """The bill's first lines, in the window's words, from `qwtimer calls --json`."""
    return [
        f"Talk {clock_text(row['talk_seconds'])}, hold {clock_text(row['hold_seconds'])}, "
        f"working hold {clock_text(row['working_hold_seconds'])}, research "
        f"{clock_text(row['research_seconds'])}.",
        f"Billable {clock_text(row['billable_seconds'])}, billed "
        f"{clock_text(row['billed_seconds'])} (policy {row['policy_version']}); not billed "
        f"{clock_text(row['unbilled_seconds'])}.",
    ]


def test_a_whole_call_and_research_after_it_bill_on_screen_as_the_command_line_says(
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
    s = Session(desktop, data, tmp_path)
    try:
        window = desktop.wait_window("qwtimer: e2e")
        desktop.focus(window)

        def start() -> bool:  # the customer list loads in the background: try until it starts
            desktop.key("Tab", "Tab")  # focus leaves the search box ...
            desktop.click(window, 120, 58)  # ... and the mouse puts it back
            desktop.key("ctrl+a")
            desktop.type("ada")
            desktop.key("Return")  # pick the caller
            desktop.key("F2")  # Start
            return bool(s.status()["state"] == "talk")

        s.wait("the call to start", start)
        s.state_then_time("talk", 3)
        desktop.key("F3")  # Hold
        s.state_then_time("hold", 2)
        desktop.key("F4")  # Working on hold
        s.state_then_time("working_hold", 2)
        desktop.key("F5")  # Resume
        s.state_then_time("talk", 2)
        shown = s.stop_and_read_the_bill("Bill: Ada Example")
        row = s.stopped_row(researched=False)
        assert row["customer"] == "Ada Example" and row["technician"] == "e2e"
        assert row["outcome"] == "resolved"
        assert row["hold_seconds"] >= 2 and row["working_hold_seconds"] >= 2
        assert row["talk_seconds"] >= 5
        assert row["billed_seconds"] == 60  # under a minute of billable time, rounded up (R3)
        assert shown.splitlines()[:3] == ["Bill: Ada Example", *expected_lines(row)]

        desktop.focus(window)
        desktop.key("ctrl+r")  # recent calls: the stopped call is the first row
        desktop.key("Down", "Return")  # reopen it for research after the call (R5) ...
        asked = desktop.wait_window("Reopen a billed call")  # ... which asks first
        desktop.focus(asked)
        desktop.key("alt+r")  # Reopen for research
        s.state_then_time("research", 3)
        desktop.focus(window)  # no window manager hands the focus back when a dialog closes
        shown = s.stop_and_read_the_bill("Bill: Ada Example")
        row = s.stopped_row(researched=True)
        assert row["research_seconds"] >= 3
        assert shown.splitlines()[:3] == ["Bill: Ada Example", *expected_lines(row)]
        call = cli(data, "call", "show", str(row["call_id"]), "--json")
        kinds = [seg["kind"] for seg in call["segments"]]
        assert kinds == ["talk", "hold", "working_hold", "talk", "research"]

        desktop.focus(window)
        desktop.key("ctrl+q")  # no call runs: the window closes without asking
        assert app.wait(timeout=15) == 0
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()
        if os.environ.get("QWTIMER_E2E_LOG"):
            print(app.stdout.read() if app.stdout else "")
