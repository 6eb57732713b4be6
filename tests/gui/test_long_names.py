"""A customer with a long name (a real desk has them) never widens the window's call column
past the window: everything in it stays in view, no sideways scrolling to reach Start."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from qwtimer.desk.context import Desk
from tests.gui.conftest import add_customer, pick

LONG = "Wide World Importers & Logistics International (Northern Region) Ltd"


def test_a_long_customer_name_wraps_in_the_call_column(
    qtbot: Any, make_window: Any, desk: Desk
) -> None:
    add_customer(desk, LONG)
    w = make_window()
    w.resize(1000, 650)  # a small laptop screen
    pick(qtbot, w, "wide world")
    qtbot.keyClick(w, Qt.Key.Key_F2)
    w.controller.tick()
    qtbot.wait(50)  # the layout settles
    assert LONG in w.entitlement.heading.text() and LONG in w.call_panel.state_label.text()
    assert w.scroller.horizontalScrollBar().maximum() == 0  # nothing out of sight sideways
    assert w.right.width() <= w.scroller.viewport().width()
