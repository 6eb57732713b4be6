"""The README's table of the window's keys is the window's: every key it lists does what it
says, and every key the window has is listed."""

from __future__ import annotations

import re
from pathlib import Path

from qwtimer.gui.actions import CALL_COMMANDS, OTHER_COMMANDS

README = Path(__file__).resolve().parents[2] / "README.md"
MENU_KEYS = {"Alt+S"}  # menus open with Alt and their underlined letter, not by a command


def readme_keys() -> dict[str, str]:
    """Each key of the README's table of the technician's window, with its row's action."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## The technician's window", 1)[1].split("\n## ", 1)[0]
    keys: dict[str, str] = {}
    for row in re.findall(r"^\| ([^|]+) \| ([^|]+) \|$", section, re.MULTILINE):
        shown, action = (cell.strip() for cell in row)
        if shown in ("key", "---"):
            continue
        for key in shown.split(" / "):
            keys[key] = action
    return keys


def test_every_key_in_the_readme_is_the_windows_and_every_key_of_the_window_is_listed():
    listed = readme_keys()
    window = {c.shortcut: c.text for c in (*CALL_COMMANDS, *OTHER_COMMANDS) if c.shortcut}
    assert set(listed) - MENU_KEYS == set(window), (
        f"README only: {sorted(set(listed) - MENU_KEYS - set(window))}; "
        f"window only: {sorted(set(window) - set(listed))}"
    )


def test_each_readme_row_names_the_commands_its_keys_run():
    listed = readme_keys()
    for c in (*CALL_COMMANDS, *OTHER_COMMANDS):
        if not c.shortcut:
            continue
        words = [w.rstrip("s") for w in c.text.replace("&", "").lower().split() if len(w) > 3]
        row = listed[c.shortcut].lower()
        assert any(w.rstrip("…") in row for w in words), (c.shortcut, c.text, row)
