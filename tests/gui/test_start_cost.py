"""What the window loads before it shows: only what the first screen needs. Supervisor
review, editors, receipts, Settings, the phone number tables and the ledger's driver are
loaded when first used, and the desk services come in before PySide6 (which reads the source
of every module imported after it). Each test runs a fresh process, as a start does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

# Opens the real window on a fresh data folder and lists the modules loaded once it is up:
# after the start-up work queued with it (customers, recent calls, recovery, the phone).
SHOWN = """
import json, sys
from PySide6.QtCore import QTimer
from qwtimer.desk.context import Desk
from qwtimer.gui.app import application, open_window
app = application()
desk = Desk(sys.argv[1], technician="t")
window = open_window(desk)
def shown():
    print(json.dumps(sorted(m for m in sys.modules if sys.modules[m] is not None)))
    app.exit(0)
QTimer.singleShot(0, shown)
app.exec()
window.runner.wait()
desk.close()
"""

LATER = (
    "phonenumbers",
    "psycopg",
    "qwtimer.store.central",
    "qwtimer.store.sync",
    "qwtimer.gui.settings_dialog",
    "qwtimer.gui.customer_editor",
    "qwtimer.gui.receipt_dialog",
    "qwtimer.gui.supervisor",
    "qwtimer.printing",
)


def _env() -> dict[str, str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QWTIMER_NO_DESKTOP_INSTALL": "1"}
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).resolve().parents[2]), *sys.path])
    return env


def test_the_window_shows_without_what_its_first_screen_does_not_use(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-c", SHOWN, str(tmp_path / "data")],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    loaded = json.loads(out.stdout.strip().splitlines()[-1])
    early = [m for m in loaded if any(m == n or m.startswith(n + ".") for n in LATER)]
    assert early == []


def test_the_desk_services_load_before_pyside6_reads_every_later_module() -> None:
    code = "import sys, qwtimer.gui.app; print(' '.join(sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], env=_env(), capture_output=True, text=True, check=True
    )
    order = out.stdout.split()
    assert order.index("qwtimer.desk.calls") < order.index("PySide6.QtCore")
    assert order.index("peewee") < order.index("PySide6.QtCore")
