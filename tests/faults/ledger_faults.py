"""The team's ledger fails mid-push. PostgreSQL (a throwaway cluster): the connection cut
through a TCP proxy at a named point of the push (the server may never hear of it, as when
a laptop's network vanishes: the ledger ends the abandoned transaction itself), the connection slowed and then cut at a
random moment, the server stopped and started again mid-push. The SQLite ledger: its file
locked by another process for longer than a sync waits. Each device has a twin that pushes
the same work to a second ledger without faults; after the device's retries both ledgers'
money must be equal, table by table."""

from __future__ import annotations

import contextlib
import os
import random
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from tests.faults.checks import Tally, check_integrity, check_timer_rows, compare_money
from tests.faults.twins import device_with_twin
from tests.integration.devices import Device
from tests.pgcluster import Cluster, bin_dir

SMALL = {"batch_rows": 2, "batch_calls": 1}  # many batches: many places to be cut


class Proxy:
    """A TCP proxy to ``port`` on localhost that can slow every packet or cut every
    connection through it."""

    def __init__(self, port: int) -> None:
        self.target = port
        self.delay = 0.0
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.server.getsockname()[1])
        self.live: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:  # the proxy was closed
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target), timeout=30)
                upstream.settimeout(None)
            except OSError:  # the server is down (restarting): the client sees it refused
                client.close()
                continue
            self.live += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                if self.delay:
                    time.sleep(self.delay)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                s.close()

    def cut(self) -> None:
        """Every connection through the proxy dies at once, as when a network drops."""
        for s in self.live:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
        self.live.clear()

    def close(self) -> None:
        self.cut()
        self.server.close()


@contextlib.contextmanager
def ledger_timeouts(lock: float, statement: float) -> Iterator[None]:
    """Shorter ledger timeouts for the runs (a sync waits ``lock`` s for a lock; the ledger
    ends a transaction left idle for ``statement`` s), as the environment variables set them."""
    names = ("QWTIMER_LEDGER_LOCK_TIMEOUT", "QWTIMER_LEDGER_STATEMENT_TIMEOUT")
    saved = {n: os.environ.get(n) for n in names}
    os.environ.update(dict(zip(names, (str(lock), str(statement)), strict=True)))
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def at_point(k: int, act: Callable[[], None]) -> Callable[[str], None]:
    seen = [0]

    def hook(point: str) -> None:
        seen[0] += 1
        if seen[0] == k:
            act()

    return hook


def _until_synced(device: Device, url: str, tally: Tally) -> bool:
    """Sync again (as the window does every minute) until it goes through; False: the first
    sync already did."""
    error = ""
    for attempt in range(8):
        report = device.sync(url, **SMALL)
        if report.ok:
            return attempt > 0
        error = report.error or ""
        time.sleep(1)
    tally.problems.append(f"{device.desk.folder.name} could not finish its push: {error}")
    return False


def _round(
    root: Path, n: int, clean: str, faulty: str, tally: Tally, fault: Callable[..., bool]
) -> None:
    """One device and its twin; ``fault(device)`` pushes the device with a fault and says
    whether the push was cut."""
    device, twin = device_with_twin(root, n)
    try:
        if not twin.sync(clean, **SMALL).ok:
            tally.problems.append(f"the fault-free twin {n} could not push")
        tally.runs += 1
        cut = fault(device)
        tally.faults += bool(_until_synced(device, faulty, tally) or cut)
        compare_money(faulty, clean, tally)
        for d in (device, twin):
            check_timer_rows(d.desk.db_path, tally)
    finally:
        device.close()
        twin.close()
    check_integrity(root, tally)


def pg_ledger(root: Path, runs: int, rng: random.Random) -> Tally:
    tally = Tally("PostgreSQL ledger cut, slowed, restarted mid-push")
    if bin_dir() is None:
        if os.environ.get("QWTIMER_REQUIRE_PG") == "1":
            tally.problems.append("no PostgreSQL server binaries (QWTIMER_REQUIRE_PG=1)")
        else:
            tally.skipped = "no PostgreSQL server binaries (initdb, pg_ctl) installed"
        return tally
    from tests.integration.conftest import new_ledger

    cluster = Cluster().start()
    proxy = Proxy(cluster.port)
    try:
        clean, faulty = new_ledger(cluster), new_ledger(cluster)
        via = f"postgresql://tess@127.0.0.1:{proxy.port}/{faulty.dbname}"

        def cut(device: Device) -> bool:
            return not device.sync(via, hook=at_point(rng.randint(1, 20), proxy.cut), **SMALL).ok

        def slow(device: Device) -> bool:
            proxy.delay = 0.002
            timer = threading.Timer(rng.uniform(0.05, 1.0), proxy.cut)
            timer.start()
            try:
                return not device.sync(via, **SMALL).ok
            finally:
                timer.join()
                proxy.delay = 0.0

        def restart(device: Device) -> bool:
            hook = at_point(rng.randint(1, 20), cluster.restart)
            return not device.sync(via, hook=hook, **SMALL).ok

        faults = (cut, slow, restart)
        with ledger_timeouts(lock=2, statement=5):  # a cut the server never heard of: 5 s
            for n in range(runs):
                fault = faults[n % len(faults)]
                _round(root / f"pg{n}", n, clean.url("tess"), via, tally, fault)
    finally:
        proxy.close()
        cluster.stop()
    return tally


LOCKER = (
    "import sqlite3, sys, time\n"
    "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
    "c.execute('BEGIN EXCLUSIVE')\n"
    "print('locked', flush=True)\n"
    "time.sleep(float(sys.argv[2]))\n"
)


def sqlite_ledger_locked(root: Path, runs: int, rng: random.Random) -> Tally:
    tally = Tally("SQLite ledger locked by another process mid-sync")
    clean, faulty = f"sqlite://{root / 'clean.db'}", f"sqlite://{root / 'faulty.db'}"

    def locked(device: Device) -> bool:
        holder = subprocess.Popen(
            [sys.executable, "-c", LOCKER, faulty[len("sqlite://") :], str(rng.uniform(0.3, 3))],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
            return not device.sync(faulty, **SMALL).ok
        finally:
            holder.wait(timeout=60)
            if holder.stdout is not None:
                holder.stdout.close()

    with ledger_timeouts(lock=1, statement=60):
        for n in range(runs):
            base = root / f"lock{n}"
            if n == 0:  # the ledger file exists before anyone locks it
                first, first_twin = device_with_twin(root / "first", 0)
                first.sync(faulty, **SMALL)
                first_twin.sync(clean, **SMALL)
                first.close()
                first_twin.close()
            _round(base, n + 1, clean, faulty, tally, locked)
    return tally
