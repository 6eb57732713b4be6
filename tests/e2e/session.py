"""The window under test, driven by real input and watched through its own command line:
shared by the end-to-end tests of qwtimer run with Python and of the bundle."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from qwtimer.core.words import clock_text
from tests.e2e.conftest import Desktop

T = TypeVar("T")


# qwtimer run from this checkout with Python; the bundle's executable is the other program.
PYTHON_PROGRAM = (sys.executable, "-m", "qwtimer")


def cli(data: Path, *args: str, program: Sequence[str] = PYTHON_PROGRAM) -> Any:
    """``program --data-dir DATA ARGS``: its JSON with ``--json``, else its output."""
    out = subprocess.run(
        [*program, "--data-dir", str(data), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(out.stdout) if "--json" in args else out.stdout


class Session:
    """The window under test, watched through the command line of the same ``program``."""

    def __init__(
        self, desktop: Desktop, data: Path, shots: Path, program: Sequence[str] = PYTHON_PROGRAM
    ) -> None:
        self.desktop, self.data, self.shots = desktop, data, shots
        self.program = tuple(program)

    def cli(self, *args: str) -> Any:
        return cli(self.data, *args, program=self.program)

    def open_window(self, technician: str) -> subprocess.Popen[str]:
        """Start the program's window on the desktop as ``technician``."""
        env = {**self.desktop.env, "QT_QPA_PLATFORM": "xcb", "QWTIMER_TECHNICIAN": technician}
        env.pop("QWTIMER_EXIT_WHEN_READY", None)
        return subprocess.Popen(
            [*self.program, "--data-dir", str(self.data)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def start_call(self, window: str, typed: str) -> None:
        """Find the caller by ``typed`` in the search box, pick them and start (F2)."""

        def start() -> bool:  # the customer list loads in the background: try until it starts
            self.desktop.key("Tab", "Tab")  # focus leaves the search box ...
            self.desktop.click(window, 120, 58)  # ... and the mouse puts it back
            self.desktop.key("ctrl+a")
            self.desktop.type(typed)
            self.desktop.key("Return")  # pick the caller
            self.desktop.key("F2")  # Start
            return bool(self.status()["state"] == "talk")

        self.wait("the call to start", start)

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
        status: dict[str, Any] = self.cli("timer", "status", "--json")
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

    def stop_and_read_the_bill(self, title: str, notes: str = "", *keys: str) -> str:
        """F9, the notes typed where the dialog puts the typing, ``keys`` (alt+u:
        unresolved), Ctrl+Enter to stop and bill; then the bill as the window shows it."""
        self.desktop.key("F9")
        dialog = self.desktop.wait_window("Stop the call")
        self.desktop.focus(dialog)
        if notes:
            self.desktop.type(notes)
        self.desktop.key(*keys, "ctrl+Return")
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
            rows = self.cli("calls", "--json")
            done = len(rows) == 1 and rows[0]["state"] == "stopped"
            return (
                dict(rows[0]) if done and bool(rows[0]["research_seconds"]) == researched else None
            )

        return self.wait("the call to be stopped and billed", row)


def finish(app: subprocess.Popen[str]) -> None:
    """After a test: the window killed if it is still up, and its output printed when
    ``QWTIMER_E2E_LOG`` is set."""
    if app.poll() is None:
        app.kill()
        app.wait()
    if os.environ.get("QWTIMER_E2E_LOG") and app.stdout:
        print(app.stdout.read())


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
