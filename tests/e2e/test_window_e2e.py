"""The real qwtimer process on a real X server, driven by real keyboard and mouse input: one
whole call (talk, hold, working hold, talk, stop) and research added after it, each bill read
off the screen and checked against the command line (`qwtimer calls --json`); and what is
paid outside a call (a card put on file, blocks bought, a call logged by hand)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import Desktop
from tests.e2e.session import Session, cli, expected_lines, finish

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
        shown = s.stop_and_read_the_bill("Bill: Ada Example", "Reset the template path", "alt+u")
        row = s.stopped_row(researched=False)
        assert row["customer"] == "Ada Example" and row["technician"] == "e2e"
        assert (row["outcome"], row["notes"]) == ("unresolved", "Reset the template path")
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
        finish(app)


def test_a_card_blocks_and_a_call_logged_by_hand_from_the_keyboard(
    desktop: Desktop, tmp_path: Path
):
    data = tmp_path / "data"
    cli(data, "customer", "add", "Ada Example", "--product", "desktop", "--plan", "license",
        "--maintenance-until", "2027-06-30")  # fmt: skip
    s = Session(desktop, data, tmp_path)
    app = s.open_window("e2e")
    try:
        window = desktop.wait_window("qwtimer: e2e")
        desktop.focus(window)

        def dialog(key: str, title: str) -> str | None:
            """Find Ada (the list loads in the background), then ``key``: its dialog."""
            desktop.focus(window)
            desktop.key("ctrl+f", "ctrl+a")
            desktop.type("ada")
            desktop.key("Return", key)
            found = desktop.run("search", "--onlyvisible", "--name", title)
            return found.split()[0] if found else None

        card = s.wait("the card dialog", lambda: dialog("ctrl+k", "Card on file: Ada Example"))
        desktop.focus(card)
        desktop.type("tok_e2e_visa")
        desktop.key("Tab")
        desktop.type("4242")
        desktop.key("Return")
        desktop.gone("Card on file")
        assert s.cli("customer", "show", "Ada Example", "--json")["card"]["last4"] == "4242"

        buy = s.wait("the buy dialog", lambda: dialog("ctrl+b", "Buy minutes: Ada Example"))
        desktop.focus(buy)
        desktop.key("ctrl+a")
        desktop.type("2")
        desktop.key("Return")  # Charge $60.00 to the card ending 4242
        desktop.gone("Buy minutes")
        bank = s.wait("the blocks in the bank", lambda: _bank(s) == 105 * 60)
        assert bank

        log = s.wait("the log dialog", lambda: dialog("ctrl+l", "Log a call: Ada Example"))
        desktop.focus(log)
        desktop.type("1:50:00")  # Talk: beyond the bank (1:45:00), so one block more
        desktop.key("Return")  # Log and bill: the card on file pays
        bill = desktop.wait_window("Bill: Ada Example")
        desktop.focus(bill)
        desktop.key("Escape")
        rows = s.cli("calls", "--json")
        assert [(r["talk_seconds"], r["billed_seconds"], r["charge_cents"]) for r in rows] == [
            (110 * 60, 110 * 60, 3000)
        ]
        assert _bank(s) == 25 * 60  # 105 + 30 bought - 110 used
        desktop.focus(window)
        desktop.key("ctrl+q")
        assert app.wait(timeout=15) == 0
    finally:
        finish(app)


def _bank(s: Session) -> int:
    shown: int = s.cli("customer", "show", "Ada Example", "--json")["balance_seconds"]
    return shown
