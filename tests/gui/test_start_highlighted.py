"""F2 starts exactly the caller highlighted in the list, never a customer picked earlier."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from qwtimer.desk.context import Desk
from qwtimer.store.models import Call
from tests.gui.conftest import add_customer, pick


def _find(qtbot: Any, w: Any, text: str) -> None:
    """Ctrl+F and type, as a technician does (no Enter)."""
    qtbot.keyClick(w, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(w.search.box, text)


def test_f2_starts_the_highlighted_customer_after_search(
    qtbot: Any, make_window: Any, desk: Desk, answers: Any
) -> None:
    add_customer(desk, "Acme Corp")
    add_customer(desk, "Zeta Systems")
    w = make_window()
    pick(qtbot, w, "acme")
    qtbot.keyClick(w, Qt.Key.Key_F2)
    answers.give("stop", ("resolved", ""))
    qtbot.keyClick(w, Qt.Key.Key_F9)
    assert w.controller.live is None and w.customer.name == "Acme Corp"

    _find(qtbot, w, "zeta")
    assert w.search.model.rowCount() == 1  # only Zeta listed and highlighted
    qtbot.keyClick(w, Qt.Key.Key_F2)
    assert w.controller.live is not None and w.controller.live.call.customer.name == "Zeta Systems"
    running = Call.get(Call.state == "talk")
    assert running.customer.name == "Zeta Systems"
    assert w.entitlement.heading.text() == "Zeta Systems"


def test_f2_with_nobody_highlighted_says_so_and_starts_nothing(
    qtbot: Any, make_window: Any, desk: Desk, answers: Any
) -> None:
    add_customer(desk, "Acme Corp")
    w = make_window()
    pick(qtbot, w, "acme")
    _find(qtbot, w, "nobody by this name")
    assert w.search.model.rowCount() == 0
    qtbot.keyClick(w, Qt.Key.Key_F2)
    assert Call.select().count() == 0
    assert "no customer is highlighted" in w.last_error


def test_f2_follows_the_highlight_moved_with_the_arrow_keys(
    qtbot: Any, make_window: Any, desk: Desk
) -> None:
    add_customer(desk, "Acme Corp")
    add_customer(desk, "Acme Labs")
    w = make_window()
    assert not w.commands.start.isEnabled()  # nobody picked or highlighted by hand
    _find(qtbot, w, "acme")
    qtbot.keyClick(w.search.box, Qt.Key.Key_Down)
    assert w.commands.start.isEnabled()
    qtbot.keyClick(w, Qt.Key.Key_F2)
    assert w.controller.live is not None and w.controller.live.call.customer.name == "Acme Labs"
