"""``make soak``: the real window with a call running for a shift's stretch (15 minutes by
default, ``QWTIMER_SOAK_MINUTES`` to change it), as a separate process on the offscreen
platform (or the display in ``QWTIMER_SOAK_PLATFORM``, e.g. ``xcb``).

The window ticks and repaints once a second on the real clock, exactly as for a technician.
Once a minute the window's process reports its resident memory, ``None``'s reference count
(which a leaking Qt binding drops until the interpreter aborts) and the elapsed time it shows.
The report: minutes survived, memory growth, ``None`` drift, and how the process ended.
Not part of ``make test`` or ``make bench``: it takes as long as it soaks.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from qwtimer.core.policy import PolicyBook
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers, LineInput
from tests.conftest import POLICY_FILE

MINUTES = float(os.environ.get("QWTIMER_SOAK_MINUTES", "15"))

SOAK_APP = """
import sys
from PySide6.QtCore import QTimer
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.store.models import Customer
from qwtimer.gui.app import application, open_window

def rss_kb():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0

minutes = float(sys.argv[2])
app = application()
desk = Desk(sys.argv[1], technician="soak")
window = open_window(desk)
count = [0]
def report():
    count[0] += 1
    print(f"minute {count[0]} {rss_kb()} {sys.getrefcount(None)} "
          f"{window.call_panel.elapsed.text()}", flush=True)
    if count[0] >= minutes:
        Calls(desk).stop()
        app.exit(0)
def begin():
    Calls(desk).start(Customer.select().first())
    window.refresh()
    print(f"start {rss_kb()} {sys.getrefcount(None)} 0:00", flush=True)
    every = QTimer(window)
    every.timeout.connect(report)
    every.start(60_000)
window.ready.connect(begin)
sys.exit(app.exec())
"""


def soak(minutes: float = MINUTES) -> dict[str, object]:
    """Run the window with a call for ``minutes``; what it reported and how it ended."""
    with tempfile.TemporaryDirectory(prefix="qwtimer-soak-") as tmp:
        folder = Path(tmp) / "data"
        desk = Desk(folder, technician="soak", policies=PolicyBook.from_dir(POLICY_FILE.parent))
        Customers(desk).add(
            "Soak Test Ltd", LineInput("desktop", "license", maintenance_until="2027-06-30")
        )
        desk.close()
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": os.environ.get("QWTIMER_SOAK_PLATFORM", "offscreen"),
            "QWTIMER_TECHNICIAN": "soak",
            "QWTIMER_LOG_DIR": str(Path(tmp) / "logs"),
        }
        t0 = time.monotonic()
        proc = subprocess.run(
            [sys.executable, "-c", SOAK_APP, str(folder), str(minutes)],
            env=env,
            capture_output=True,
            text=True,
            timeout=minutes * 60 + 300,
        )
        wall = time.monotonic() - t0
    # "start RSS NONE ELAPSED" then "minute N RSS NONE ELAPSED" once a minute
    lines = [line.split() for line in proc.stdout.splitlines() if line.split()]
    start = next((line[1:] for line in lines if line[0] == "start"), None)
    done = [line[2:] for line in lines if line[0] == "minute"]
    last = done[-1] if done else start
    return {
        "minutes asked": minutes,
        "minutes survived": len(done),
        "wall minutes": round(wall / 60, 1),
        "exit status": proc.returncode,
        "elapsed shown at the end": last[2] if last else "-",
        "RSS at start (MiB)": round(int(start[0]) / 1024, 1) if start else "-",
        "RSS growth (MiB)": round((int(last[0]) - int(start[0])) / 1024, 1)
        if start and last
        else "-",
        # after the first minute: start-up work (the sync engine loads) is over by then
        "RSS growth after minute 1 (MiB)": round((int(last[0]) - int(done[0][0])) / 1024, 1)
        if done
        else "-",
        "None refcount drift": int(last[1]) - int(start[1]) if start and last else "-",
        "stderr (last line)": (proc.stderr.strip().splitlines() or ["-"])[-1],
    }


def main() -> int:
    """Print the soak's figures; exit 1 if the window did not last the whole soak."""
    result = soak()
    for key, value in result.items():
        print(f"{key:>32}: {value}")
    ok = result["exit status"] == 0 and result["minutes survived"] == int(MINUTES)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
