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

import pytest

# Opens the real window on a fresh data folder and lists the modules loaded once it is up:
# the customers read, then the rest of the window built and its start-up work done (recent
# calls, recovery, the phone).
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
window.ready.connect(shown)  # after the rest of the window, which waits for it too
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


# What the rest of the window is built from, and the single-instance door (a local socket):
# loaded once its first screen is up.
SECOND_STAGE = (
    "PySide6.QtNetwork",
    "qwtimer.gui.instance",
    "qwtimer.core.billing",
    "qwtimer.desk.calls",
    "qwtimer.desk.customers",
    "qwtimer.gui.actions",
    "qwtimer.gui.call_controller",
    "qwtimer.gui.call_panel",
    "qwtimer.gui.entitlement",
    "qwtimer.gui.notifier",
    "qwtimer.gui.phone_setup",
    "qwtimer.gui.prompts",
    "qwtimer.gui.recent_calls",
    "qwtimer.gui.sync_panel",
    "qwtimer.gui.timeline",
    "qwtimer.gui.tray",
)


def test_the_first_screen_is_built_from_its_own_few_modules() -> None:
    code = "import sys, qwtimer.gui.app; print(' '.join(sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], env=_env(), capture_output=True, text=True, check=True
    )
    loaded = set(out.stdout.split())
    assert sorted(loaded & set(SECOND_STAGE)) == []


def test_the_first_screens_desk_services_load_before_pyside6_and_the_store_after_it_shows() -> None:
    code = "import sys, qwtimer.entry, qwtimer.gui.window_start; print(' '.join(sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], env=_env(), capture_output=True, text=True, check=True
    )
    order = out.stdout.split()
    for service in ("qwtimer.desk.search", "qwtimer.desk.changes"):
        assert order.index(service) < order.index("PySide6.QtCore")
    later = ("peewee", "qwtimer.desk.context", "qwtimer.gui.runner", "qwtimer.gui.changes")
    assert [m for m in later if m in order] == []  # loaded once the first screen shows


# Starts the window as ``qwtimer`` does and counts the calls of the single-instance door's
# event filter until every customer is loaded.
FILTERED = """
import sys

import pytest
from qwtimer.gui import instance, window_start
calls = []
real = instance.Instance.eventFilter
def counted(self, watched, event):
    calls.append(1)
    return real(self, watched, event)
instance.Instance.eventFilter = counted
status = window_start.run(sys.argv[1], "t")
print(len(calls))
sys.exit(status)
"""


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS hands links over as events")
def test_the_window_runs_no_python_for_every_event_of_every_widget(tmp_path: Path) -> None:
    env = {**_env(), "QWTIMER_EXIT_WHEN_READY": "1"}
    out = subprocess.run(
        [sys.executable, "-c", FILTERED, str(tmp_path / "data")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert out.stdout.split()[-1] == "0"
