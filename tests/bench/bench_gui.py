"""Window figures (``python -m tests.bench gui``), each next to a reference measured in the
same run:

- process start to the window shown and taking input (target <= 1.5x), and to 50,000
  customers loaded and searchable (target <= 3x), vs a bare PySide6 window that shows and
  quits; all on the offscreen platform, run as installed with compiled bytecode;
- search-as-you-type over 50,000 customers, keystroke to updated list model and to repainted
  (target < 16 ms), with the process's CPU time per keystroke (the figure a busy machine
  disturbs least), vs a bare Python substring scan over the same 50,000 names;
- CPU of an idle running timer (the window with a call running and nobody touching it), as a
  percentage of one core over ``QWTIMER_BENCH_IDLE_SECONDS`` (default 20 s) vs a bare
  PySide6 window ticking a label once a second (target < 1%).
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterable
from pathlib import Path

from qwtimer.core.policy import PolicyBook
from qwtimer.desk.context import Desk
from qwtimer.store.models import Customer, Entry, ProductLine, Purchase
from tests.bench.common import Row, installed
from tests.conftest import POLICY_FILE

CUSTOMERS = 50_000
STARTS = 5
# The working folder of every process the start-up figures spawn: never the checkout.
OUTSIDE = tempfile.gettempdir()
IDLE_SECONDS = float(os.environ.get("QWTIMER_BENCH_IDLE_SECONDS", "20"))
WORDS = [
    "north",
    "wind",
    "contoso",
    "fabrikam",
    "tailspin",
    "litware",
    "adventure",
    "works",
    "alpine",
    "ski",
    "coho",
    "winery",
    "wide",
    "world",
    "importers",
    "proseware",
    "lucerne",
    "publishing",
    "margie",
    "travel",
    "trey",
    "research",
    "blue",
    "yonder",
    "airlines",
    "fourth",
    "coffee",
    "graphic",
    "design",
    "institute",
    "humongous",
    "insurance",
]
SUFFIXES = ("Ltd", "Inc", "LLC", "GmbH", "Co", "Group", "Partners", "Systems")

BARE_WINDOW = """
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
w = QMainWindow()
w.show()
QTimer.singleShot(0, app.quit)
app.exec()
"""

IDLE_APP = """
import sys, time
from PySide6.QtCore import QTimer
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.store.models import Customer
from qwtimer.gui.app import application, open_window
seconds = float(sys.argv[2])
app = application()
desk = Desk(sys.argv[1], technician="bench")
window = open_window(desk)
measuring = []
def begin():
    Calls(desk).start(Customer.select().first())
    window.refresh()
    window.sync_panel.finished.connect(settled)  # the sync the window makes once it is up
def settled(_report):
    if not measuring:
        measuring.append(True)
        QTimer.singleShot(3000, measure)  # let start-up work settle first
def measure():
    t0, c0 = time.perf_counter(), time.process_time()
    def end():
        cpu, wall = time.process_time() - c0, time.perf_counter() - t0
        print(f"{100 * cpu / wall:.4f}", flush=True)
        Calls(desk).stop()
        app.exit(0)
    QTimer.singleShot(int(seconds * 1000), end)
window.ready.connect(begin)
app.exec()
"""

BARE_TICKER = """
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel
seconds = float(sys.argv[1])
app = QApplication([])
label = QLabel("0:00")
label.show()
n = [0]
def tick():
    n[0] += 1
    label.setText(f"{n[0] // 60}:{n[0] % 60:02d}")
timer = QTimer()
timer.timeout.connect(tick)
timer.start(1000)
def measure():
    t0, c0 = time.perf_counter(), time.process_time()
    def end():
        cpu, wall = time.process_time() - c0, time.perf_counter() - t0
        print(f"{100 * cpu / wall:.4f}", flush=True)
        app.exit(0)
    QTimer.singleShot(int(seconds * 1000), end)
QTimer.singleShot(3000, measure)
app.exec()
"""


def _env() -> dict[str, str]:
    """The app as installed, bytecode compiled (references too), on the offscreen platform."""
    env = {**installed().env, "QT_QPA_PLATFORM": "offscreen", "QWTIMER_TECHNICIAN": "bench"}
    env.pop("QWTIMER_DATA_DIR", None)
    return env


def make_customers(folder: Path, n: int = CUSTOMERS) -> list[str]:
    """``n`` customers with a Desktop license and their R1 grant; returns their names."""
    rng = random.Random(7)
    desk = Desk(folder, technician="bench", policies=PolicyBook.from_dir(POLICY_FILE.parent))
    names = []
    customers, lines, purchases, entries = [], [], [], []
    for i in range(n):
        cid = str(uuid.uuid4())
        name = f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()} {rng.choice(SUFFIXES)} {i}"
        names.append(name)
        customers.append(
            {"id": cid, "name": name, "phone": f"+1 555 {i:06d}", "email": f"it{i}@example.com"}
        )
        lines.append(
            {
                "id": str(uuid.uuid4()),
                "customer": cid,
                "product": "desktop",
                "plan": "license",
                "maintenance_until": "2027-06-30",
            }
        )
        purchases.append(
            {
                "id": str(uuid.uuid4()),
                "customer": cid,
                "product": "desktop",
                "kind": "license",
                "until": "2027-06-30",
            }
        )
        entries.append(
            {
                "id": str(uuid.uuid4()),
                "customer": cid,
                "kind": "grant",
                "seconds": 45 * 60,
                "author": "bench",
                "device_id": desk.device_id,
                "grant_key": f"grant:{cid}:desktop",
            }
        )
    with desk.db.atomic():
        for model, rows in (
            (Customer, customers),
            (ProductLine, lines),
            (Purchase, purchases),
            (Entry, entries),
        ):
            for start in range(0, len(rows), 5000):
                model.insert_many(rows[start : start + 5000]).execute()
    desk.close()
    return names


def launch(
    cmd: list[str], env: dict[str, str] | None = None, stderr: int = subprocess.PIPE
) -> subprocess.Popen[str]:
    """Spawn ``cmd`` as the start-up figures do: the installed app's environment, and a
    working folder outside the checkout (``python -m`` and ``-c`` put it first on the path,
    so from inside the checkout the source tree would be imported instead of the installed
    copy, and its bytecode compiled on the way)."""
    return subprocess.Popen(
        cmd,
        env=env or _env(),
        cwd=OUTSIDE,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
    )


def app_command(folder: Path) -> list[str]:
    """The window as a user starts it, on ``folder``."""
    return [installed().python, "-m", "qwtimer", "--data-dir", str(folder)]


def _wall(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    proc = launch(cmd)
    out, err = proc.communicate(timeout=120)
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd} failed: {out}{err}")
    return time.perf_counter() - t0


def _markers(cmd: list[str], last: str = "ready") -> dict[str, float]:
    """Seconds from spawning ``cmd`` to each marker line it prints (``last`` among them),
    and to its exit."""
    env = {**_env(), "QWTIMER_EXIT_WHEN_READY": "1"}
    t0 = time.perf_counter()
    proc = launch(cmd, env, stderr=subprocess.DEVNULL)
    seen: dict[str, float] = {}
    assert proc.stdout is not None
    for line in proc.stdout:
        seen.setdefault(line.strip(), time.perf_counter() - t0)
    proc.wait(timeout=120)
    seen["exit"] = time.perf_counter() - t0
    if proc.returncode != 0 or last not in seen:
        raise RuntimeError(f"{cmd} failed ({proc.returncode}): {seen}")
    return seen


def startup_rows(folder: Path) -> list[Row]:
    app_cmd = app_command(folder)
    bare_cmd = [installed().python, "-c", BARE_WINDOW]
    # what the program imports before it shows the window, to the moment it is imported
    # (the process's exit, which the bare window's figure includes, left out)
    imports_cmd = [
        installed().python,
        "-c",
        "import qwtimer.gui.window_start; print('imported', flush=True)",
    ]
    _markers(app_cmd), _wall(bare_cmd)  # warm the file cache
    shown, ready, bares, imports = [], [], [], []
    for _ in range(STARTS):  # interleaved, so both see the same machine
        m = _markers(app_cmd)
        shown.append(m["shown"])
        ready.append(m["ready"])
        bares.append(_wall(bare_cmd))
        imports.append(_markers(imports_cmd, "imported")["imported"])
    bare = statistics.median(bares) * 1000
    med = statistics.median
    return [
        Row(
            "gui: start to window shown, taking input",
            med(shown) * 1000,
            "ms",
            "bare PySide6 window show+quit",
            bare,
            "<= 1.5x",
        ),
        Row(
            "gui: start to 50k customers searchable",
            med(ready) * 1000,
            "ms",
            "bare PySide6 window show+quit",
            bare,
            "<= 3x",
        ),
        Row(
            "gui: (floor) start to the window's first-screen modules imported",
            med(imports) * 1000,
            "ms",
            "bare PySide6 window show+quit",
            bare,
        ),
    ]


def search_rows(folder: Path, names: list[str]) -> list[Row]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from qwtimer.desk.search import CustomerIndex
    from qwtimer.gui.app import application
    from qwtimer.gui.customer_search import CustomerSearch

    app = application()  # made as the window makes it (its paints on the GUI thread alone)
    desk = Desk(folder, technician="bench", policies=PolicyBook.from_dir(POLICY_FILE.parent))
    t0 = time.perf_counter()
    index = CustomerIndex.load(desk)
    load = time.perf_counter() - t0
    widget = CustomerSearch()
    widget.set_index(index)
    widget.resize(800, 600)
    widget.show()
    app.processEvents()
    typed = ["north wind", "tailspin", "555 0012", "it4242@", "fabrikam co", "zzz"]
    latencies, filtering, cpu = [], [], []
    for _ in range(3):
        for word in typed:
            for n in range(1, len(word) + 1):
                t, c = time.perf_counter(), time.process_time()
                widget.box.setText(word[:n])  # what a keystroke does: filter, reset, select
                filtering.append(time.perf_counter() - t)
                app.processEvents()  # and the repaint
                latencies.append(time.perf_counter() - t)
                cpu.append(time.process_time() - c)
            widget.box.clear()
            app.processEvents()
    lowered = [n.lower() for n in names]
    scans = []
    for word in typed:
        for n in range(1, len(word) + 1):
            q = word[:n]
            t = time.perf_counter()
            _ = [s for s in lowered if q in s]
            scans.append(time.perf_counter() - t)
    widget.close()
    desk.close()

    def p95(xs: list[float]) -> float:
        return sorted(xs)[int(len(xs) * 0.95)] * 1000

    scan = statistics.median(scans) * 1000
    return [
        Row(
            "gui: search keystroke to list filtered (p95)",
            p95(filtering),
            "ms",
            "bare substring scan of 50k names (median)",
            scan,
            "< 16 ms",
        ),
        Row(
            "gui: search keystroke to repainted (median)",
            statistics.median(latencies) * 1000,
            "ms",
            "bare substring scan of 50k names (median)",
            scan,
            "< 16 ms",
        ),
        Row(
            "gui: search keystroke to repainted (p95)",
            p95(latencies),
            "ms",
            "bare substring scan of 50k names (median)",
            scan,
            "< 16 ms",
        ),
        Row(
            "gui: search keystroke to repainted, CPU of the process (p95)",
            p95(cpu),
            "ms",
            "bare substring scan of 50k names (median)",
            scan,
            "< 16 ms",
        ),
        Row("gui: customer list load (background thread)", load * 1000, "ms"),
    ]


def idle_rows(folder: Path) -> list[Row]:
    secs = str(IDLE_SECONDS)
    app = subprocess.run(
        [installed().python, "-c", IDLE_APP, str(folder), secs],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=IDLE_SECONDS + 120,
    )
    bare = subprocess.run(
        [installed().python, "-c", BARE_TICKER, secs],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=IDLE_SECONDS + 60,
    )
    for out in (app, bare):
        if out.returncode != 0:
            raise RuntimeError(out.stdout + out.stderr)
    return [
        Row(
            f"gui: CPU of idle running timer over {IDLE_SECONDS:.0f} s",
            float(app.stdout.split()[-1]),
            "% of a core",
            "bare PySide6 label ticking 1/s",
            float(bare.stdout.split()[-1]),
            "< 1%",
        ),
    ]


def rows(only: Iterable[str] = ("start", "search", "idle")) -> list[Row]:
    """The figures of the groups named in ``only`` (start, search, idle), over one data folder
    of ``CUSTOMERS`` customers."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        names = make_customers(folder)
        out: list[Row] = []
        if "start" in only:
            out += startup_rows(folder)
        if "search" in only:
            out += search_rows(folder, names)
        if "idle" in only:
            out += idle_rows(folder)
        return out


if __name__ == "__main__":  # python -m tests.bench.bench_gui [start] [search] [idle]
    import sys

    for row in rows(sys.argv[1:] or ("start", "search", "idle")):
        reference = f"  ({row.reference}: {row.reference_figure:.2f})" if row.reference else ""
        print(f"{row.name}: {row.figure:.2f} {row.unit}{reference}")
