"""Figures for the phone (``python -m tests.bench ring``): event to customer shown in the
window through each of the three entries, a second start's hand-over, and the window's own
share; over 50,000 customers whose phones are typed in mixed formats, the app run as installed
with compiled bytecode. References in the same run: a bare Python interpreter start (what
every command and link pays before qwtimer runs) and a bare HTTP round trip to a loopback
server (what a posted event pays before qwtimer reads it).

- ``qwtimer ring --from NUMBER``: the command's start to the customer shown;
- a ``qwtimer://`` link: ``xdg-open`` with the desktop entry when there is a display and
  xdg-open, otherwise the program given the link as the desktop runs it;
- ``POST /event`` to the loopback endpoint with the token.

"Shown" is the moment the window logs that it shows the customer, read from its log file."""

from __future__ import annotations

import http.client
import http.server
import json
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

from tests.bench.bench_gui import make_customers
from tests.bench.common import ROOT, Row, installed

RINGS = int(os.environ.get("QWTIMER_BENCH_RINGS", "20"))
CUSTOMERS = 50_000
FORMATS = ("({a}) {b}-{c}", "+1 {a} {b} {c}", "{a}.{b}.{c}", "1-{a}-{b}-{c}")


def phone(i: int) -> tuple[str, str]:
    """Customer ``i``'s phone as typed, and as E.164."""
    a, b, c = "212", f"{500 + i // 10_000:03d}", f"{i % 10_000:04d}"
    return FORMATS[i % len(FORMATS)].format(a=a, b=b, c=c), f"+1{a}{b}{c}"


def prepare(folder: Path, n: int, port: int) -> tuple[list[tuple[str, str]], str]:
    """``n`` customers and the endpoint on at ``port``; returns (name, E.164) of each and
    the endpoint's token."""
    from qwtimer.desk import phone_settings, phone_token
    from qwtimer.desk.context import Desk

    names = make_customers(folder, n)
    desk = Desk(folder, technician="bench")
    ids = [r[0] for r in desk.db.execute_sql("SELECT id FROM customer ORDER BY rowid")]
    with desk.db.atomic():
        desk.db.connection().executemany(
            "UPDATE customer SET phone = ? WHERE id = ?",
            [(phone(i)[0], cid) for i, cid in enumerate(ids)],
        )
    phone_settings.save(desk, phone_settings.PhoneSettings(endpoint=True, port=port))
    token = phone_token.ensure(desk)
    desk.close()
    return [(names[i], phone(i)[1]) for i in range(n)], token


def _stamp(line: str) -> float:
    return datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").timestamp()


def shown_at(log: Path, name: str, number: str, call: str) -> tuple[float, float]:
    """When the window received the ring of ``call`` and when it logged that it shows
    ``name`` (epoch seconds, from its log lines)."""
    needle, got = f"phone: showing {name} for {number}", f"phone: ring {number} ({call}): act"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        lines = log.read_text().splitlines()
        shown = [_stamp(line) for line in lines if needle in line]
        received = [_stamp(line) for line in lines if got in line]
        if shown and received:
            return received[-1], shown[-1]
        time.sleep(0.002)
    raise TimeoutError(needle)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _post(port: int, token: str, body: dict[str, str]) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        data = json.dumps(body).encode()
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        conn.request("POST", "/event", data, headers)
        return conn.getresponse().status
    finally:
        conn.close()


def _bare_round_trips(n: int) -> list[float]:
    """A bare HTTP POST answered by Python's own server on loopback, in milliseconds."""

    class Answer(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(202)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            _post(server.server_address[1], "x", {"event": "ring"})
            times.append((time.perf_counter() - t0) * 1000)
        return times
    finally:
        server.shutdown()


def _p95(ms: list[float]) -> float:
    ms = sorted(ms)
    return ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]


def measure(rings: int = RINGS, customers: int = CUSTOMERS) -> dict[str, list[float]]:
    from qwtimer.desk import instance_link as link

    root = Path(tempfile.mkdtemp(prefix="qwtimer-ring-"))
    folder, logs, home = root / "data", root / "logs", root / "home"
    env = {
        **installed().env,
        "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        "QWTIMER_DATA_DIR": str(folder),
        "QWTIMER_TECHNICIAN": "bench",
        "QWTIMER_LOG_DIR": str(logs),
        "QWTIMER_NO_DESKTOP_INSTALL": "1",
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "share"),
        "PYTHON_KEYRING_BACKEND": "file_keyring.FileKeyring",
        "QWTIMER_BENCH_KEYRING": str(root / "keyring.json"),
    }
    env["PYTHONPATH"] = str(ROOT / "tests" / "bench")  # the keyring above, and no checkout
    env.pop("QWTIMER_EXIT_WHEN_READY", None)
    import keyring

    from tests.bench.file_keyring import FileKeyring

    keyring.set_keyring(FileKeyring(root / "keyring.json"))  # the token is made in this process
    port = _free_port()
    people, token = prepare(folder, customers, port)
    program = [installed().python, "-m", "qwtimer"]
    window = subprocess.Popen(program, env=env, stdout=subprocess.DEVNULL, cwd=root)
    results: dict[str, list[float]] = {"command": [], "link": [], "endpoint": [], "window": []}
    try:
        link.deliver(link.address(folder), link.show_message(), start=lambda: None, deadline_s=60)
        log = next(logs.glob("*.log"))
        xdg = shutil.which("xdg-open") if env.get("DISPLAY") else None
        if xdg:
            entry = [installed().python, "-m", "qwtimer.desk.desktop_entry"]
            subprocess.run(entry, env=env, check=True, capture_output=True, cwd=root)
        step = max(1, len(people) // (rings + 1))
        for n in range(rings):
            for k, how in enumerate(("command", "link", "endpoint")):
                name, number = people[(n * step + 7 * k) % len(people)]
                call = f"bench-{how}-{n}"
                t0 = time.time()
                if how == "endpoint":
                    status = _post(port, token, {"event": "ring", "from": number, "id": call})
                    if status != 202:
                        raise RuntimeError(f"the endpoint answered {status}")
                else:
                    url = f"qwtimer://call?from=%2B{number[1:]}&id={call}"
                    ring = [*program, "ring", "--from", number, "--call-id", call]
                    cmd = ring if how == "command" else [xdg, url] if xdg else [*program, url]
                    subprocess.run(cmd, env=env, check=True, capture_output=True, cwd=root)
                received, shown = shown_at(log, name, number, call)
                results[how].append((shown - t0) * 1000)
                results["window"].append((shown - received) * 1000)
                end = [*program, "ring", "--from", number, "--call-id", call, "--event", "end"]
                subprocess.run(end, env=env, check=True, capture_output=True, cwd=root)
        results["handover"] = []
        for _ in range(rings // 2 or 1):
            t0 = time.perf_counter()
            subprocess.run(program, env=env, check=True, capture_output=True, cwd=root)
            results["handover"].append((time.perf_counter() - t0) * 1000)
        results["python"] = []
        for _ in range(rings // 2 or 1):
            t0 = time.perf_counter()
            subprocess.run([installed().python, "-c", "pass"], env=env, check=True, cwd=root)
            results["python"].append((time.perf_counter() - t0) * 1000)
        results["http"] = _bare_round_trips(rings)
    finally:
        window.terminate()
        window.wait(timeout=20)
        shutil.rmtree(root, ignore_errors=True)
    return results


def rows() -> list[Row]:
    r = measure()
    med = statistics.median
    python, http_ref = med(r["python"]), med(r["http"])
    out = []
    for how, label, ref, ref_figure in (
        ("command", "`qwtimer ring` to customer shown", "bare Python start", python),
        ("link", "qwtimer:// link to customer shown", "bare Python start", python),
        ("endpoint", "POST /event to customer shown", "bare loopback HTTP POST", http_ref),
    ):
        out.append(Row(f"phone: {label} (median)", med(r[how]), "ms", ref, ref_figure))
        out.append(Row(f"phone: {label} (p95)", _p95(r[how]), "ms", ref, ref_figure))
    out.append(
        Row("phone: in the window, event received to shown (median)", med(r["window"]), "ms")
    )
    out.append(
        Row(
            "phone: second start handing over, to exit (median)",
            med(r["handover"]),
            "ms",
            "bare Python start",
            python,
        )
    )
    return out


if __name__ == "__main__":
    from tests.bench.__main__ import main

    raise SystemExit(main(["ring"]))
