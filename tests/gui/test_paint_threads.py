"""The window paints on the GUI thread alone: Qt's GUI thread pool, which would hand parts of
each repaint to other threads, is off in the application qwtimer makes (``application()``).
Each case runs in a process of its own: the setting is read when the application is made."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(
    not Path("/proc/self/task").is_dir(), reason="threads are listed from /proc (Linux)"
)

# A table of text cells, shown and scrolled: the repaints the customer list makes after
# every keystroke. Prints the names of the process's threads afterwards.
PAINT = """
import glob, json, os, sys
from PySide6.QtWidgets import QApplication, QTableWidget, QTableWidgetItem
if sys.argv[1] == "qwtimer":
    from qwtimer.gui.app import application
    app = application()
else:
    app = QApplication([])
table = QTableWidget(300, 4)
table.resize(900, 700)
for r in range(300):
    for c in range(4):
        table.setItem(r, c, QTableWidgetItem(f"Customer {r} column {c}"))
table.show()
app.processEvents()
for row in range(0, 300, 25):
    table.scrollToItem(table.item(row, 0))
    table.viewport().repaint()
    app.processEvents()
print(json.dumps(sorted(open(p).read().strip() for p in glob.glob("/proc/self/task/*/comm"))))
"""


def threads_after_painting(app: str, **env: str) -> list[str]:
    base = {k: v for k, v in os.environ.items() if k != "QT_NO_GUI_THREADPOOL"}
    base.setdefault("QT_QPA_PLATFORM", "offscreen")
    out = subprocess.run(
        [sys.executable, "-c", PAINT, app],
        env={**base, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return list(json.loads(out.stdout.strip().splitlines()[-1]))


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="Qt's pool paints alone on one core")
def test_a_bare_application_hands_its_paints_to_qts_pool() -> None:
    """The reference: without the setting, Qt starts its pooled threads to paint, so the
    check below would see them."""
    assert "Thread (pooled)" in threads_after_painting("bare")


def test_qwtimers_application_paints_on_the_gui_thread_alone() -> None:
    assert "Thread (pooled)" not in threads_after_painting("qwtimer")
