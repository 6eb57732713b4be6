"""The real qwtimer process on a real X server, driven by real keyboard and mouse input: one
whole call (talk, hold, working hold, talk, stop) and research added after it, each bill read
off the screen and checked against the command line (`qwtimer calls --json`)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.e2e.conftest import Desktop
from tests.e2e.session import Session, cli, expected_lines

pytestmark = [pytest.mark.display, pytest.mark.slow]


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
    s = Session(desktop, data, tmp_path)
    app = s.open_window("e2e")
    try:
        window = desktop.wait_window("qwtimer: e2e")
        desktop.focus(window)
        s.start_call(window, "ada")
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
