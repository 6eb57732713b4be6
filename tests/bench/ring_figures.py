"""Figures for the phone: event to customer shown in the window, through ``qwtimer ring`` and
through a ``qwtimer://`` link (``xdg-open`` with the desktop entry when present, otherwise the
program given the link as the desktop runs it), and a second start's hand-over; with the
start of a bare Python interpreter as the reference. Over 50,000 customers whose phones are
typed in mixed formats.

    python -m tests.bench.ring_figures [--rings 20]

Not part of ``make bench`` (its table takes modules named ``bench_*``)."""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from qwtimer.desk import instance_link as link
from tests.bench.bench_gui import make_customers

FORMATS = ("({a}) {b}-{c}", "+1 {a} {b} {c}", "{a}.{b}.{c}", "1-{a}-{b}-{c}")


def phone(i: int) -> tuple[str, str]:
    """Customer ``i``'s phone as typed, and as E.164."""
    a, b, c = "212", f"{500 + i // 10_000:03d}", f"{i % 10_000:04d}"
    return FORMATS[i % len(FORMATS)].format(a=a, b=b, c=c), f"+1{a}{b}{c}"


def prepare(folder: Path, n: int) -> list[tuple[str, str]]:
    """``n`` customers; returns (name, E.164) of each."""
    from qwtimer.desk.context import Desk

    names = make_customers(folder, n)
    desk = Desk(folder, technician="bench")
    ids = [r[0] for r in desk.db.execute_sql("SELECT id FROM customer ORDER BY rowid")]
    with desk.db.atomic():
        desk.db.connection().executemany(
            "UPDATE customer SET phone = ? WHERE id = ?",
            [(phone(i)[0], cid) for i, cid in enumerate(ids)],
        )
    desk.close()
    return [(names[i], phone(i)[1]) for i in range(n)]


def _stamp(line: str) -> float:
    return datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").timestamp()


def shown_at(log: Path, name: str, number: str, call: str, deadline: float) -> tuple[float, float]:
    """When the window received the ring of ``call`` and when it logged that it shows
    ``name`` (epoch seconds, from its log lines)."""
    needle, got = f"phone: showing {name} for {number}", f"phone: ring {number} ({call}): act"
    while time.monotonic() < deadline:
        lines = log.read_text().splitlines()
        shown = [_stamp(line) for line in lines if needle in line]
        received = [_stamp(line) for line in lines if got in line]
        if shown and received:
            return received[-1], shown[-1]
        time.sleep(0.002)
    raise TimeoutError(needle)


def summary(label: str, ms: list[float]) -> str:
    ms = sorted(ms)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return f"{label}: median {statistics.median(ms):.0f} ms, p95 {p95:.0f} ms (n={len(ms)})"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rings", type=int, default=20)
    parser.add_argument("--customers", type=int, default=50_000)
    opts = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="qwtimer-ring-"))
    folder, logs, home = root / "data", root / "logs", root / "home"
    people = prepare(folder, opts.customers)
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        "QWTIMER_DATA_DIR": str(folder),
        "QWTIMER_TECHNICIAN": "bench",
        "QWTIMER_LOG_DIR": str(logs),
        "QWTIMER_NO_DESKTOP_INSTALL": "1",
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "share"),
        "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
    }
    env.pop("QWTIMER_EXIT_WHEN_READY", None)
    program = [sys.executable, "-m", "qwtimer"]
    window = subprocess.Popen(program, env=env, stdout=subprocess.DEVNULL)
    try:
        link.deliver(link.address(folder), link.show_message(), start=lambda: None, deadline_s=60)
        log = next(logs.glob("*.log"))
        xdg = shutil.which("xdg-open") if env.get("DISPLAY") else None
        if xdg:
            entry = [sys.executable, "-m", "qwtimer.desk.desktop_entry"]
            subprocess.run(entry, env=env, check=True, capture_output=True)
        results: dict[str, list[float]] = {"command": [], "link": [], "window": []}
        step = max(1, len(people) // (opts.rings + 1))
        for n in range(opts.rings):
            for how in ("command", "link"):
                name, number = people[(n * step + (how == "link") * 7) % len(people)]
                call = f"bench-{how}-{n}"
                if how == "command":
                    cmd = [*program, "ring", "--from", number, "--call-id", call]
                else:
                    url = f"qwtimer://call?from=%2B{number[1:]}&id={call}"
                    cmd = [xdg, url] if xdg else [*program, url]
                t0 = time.time()
                subprocess.run(cmd, env=env, check=True, capture_output=True)
                received, shown = shown_at(log, name, number, call, time.monotonic() + 30)
                results[how].append((shown - t0) * 1000)
                results["window"].append((shown - received) * 1000)
                end = [*program, "ring", "--from", number, "--call-id", call, "--event", "end"]
                subprocess.run(end, env=env, check=True, capture_output=True)
        handover = []
        for _ in range(opts.rings // 2 or 1):
            t0 = time.perf_counter()
            subprocess.run(program, env=env, check=True, capture_output=True)
            handover.append((time.perf_counter() - t0) * 1000)
        bare = []
        for _ in range(opts.rings // 2 or 1):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-c", "pass"], check=True)
            bare.append((time.perf_counter() - t0) * 1000)
        print(f"{opts.customers:,} customers, phones typed in {len(FORMATS)} formats")
        print(
            summary(
                "ring through `qwtimer ring`, command start to customer shown", results["command"]
            )
        )
        via = "xdg-open and the desktop entry" if xdg else "the program given the link"
        print(summary(f"ring through a qwtimer:// link ({via}) to customer shown", results["link"]))
        print(
            summary("of which in the window: event received to customer shown", results["window"])
        )
        print(summary("second start handing over to the running window, to exit", handover))
        print(summary("reference: bare Python interpreter start", bare))
    finally:
        window.terminate()
        window.wait(timeout=20)
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
