"""A shift's worth of repaints: painting a running call must not use up Python's ``None``.

A Qt binding that drops one reference to ``None`` per painter call (setPen, setBrush, drawRect,
fillRect...) or per ``QLabel.setText`` aborts the interpreter ("none_dealloc") once the
once-a-second repaint has run long enough. Here the real window paints a running call many
times over and ``None``'s reference count must not fall with the number of paints.
"""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import Qt

from qwtimer.gui.timeline import Legend
from tests.gui.conftest import pick

IMMORTAL_NONE = sys.getrefcount(None) >= 2**30  # Python 3.12+: None's count never changes
PAINTS = 300


@pytest.mark.skipif(
    IMMORTAL_NONE,
    reason="None is immortal on this Python (3.12+): painting cannot change its reference "
    "count, so this check only means something on Python 3.11",
)
def test_painting_a_running_call_never_drops_references_to_none(
    qtbot, window, clock, answers
) -> None:
    w = window
    pick(qtbot, w, "ada")
    qtbot.keyClick(w, Qt.Key.Key_F2)  # start
    qtbot.keyClick(w, Qt.Key.Key_F3)  # hold: the timeline gets a hatched segment too
    panel = w.call_panel
    painted = (panel, panel.timeline, panel.findChild(Legend))
    for widget in painted:  # warm up: first paints create caches
        widget.repaint()
    w.controller.tick()

    before = sys.getrefcount(None)
    allowed = PAINTS // 2  # None's count may wobble; a leak drops it by one or more per paint
    for n in range(PAINTS):
        if before - sys.getrefcount(None) > allowed:
            break  # fail now, well before the interpreter would abort
        clock.advance(1)
        w.controller.tick()  # new figures: the readouts change every second
        w.report(f"{n} s", error=False)  # QLabel.setText
        for widget in painted:
            widget.repaint()
    dropped = before - sys.getrefcount(None)

    assert dropped <= allowed, f"painting {n + 1} times dropped {dropped} references to None"
    assert panel.elapsed.text() == "5:00"  # the call ran (and was shown) all along
