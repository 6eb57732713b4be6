"""Building blocks the fault tests share: a device with an identical twin of its database
(the same script of work, to be run once with a fault and once without), and clocks that
read later than the machine's (a restart after a crash, with or without a reboot)."""

from __future__ import annotations

import random
import shutil
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from qwtimer.core.clock import Reading, SystemClock
from qwtimer.paths import local_db_path
from tests.integration.devices import Device


def device_with_twin(root: Path, n: int) -> tuple[Device, Device]:
    """Device ``n``: two customers (the first with a card on file), one to three calls each
    that run past the bank, and a twin with a byte-for-byte copy of its database."""
    d = Device(root / f"dev{n}", "tess")
    rng = random.Random(n)
    for c in range(2):
        cid = d.add_customer(f"Customer {n}.{c}", card=(c == 0))
        for _ in range(rng.randint(1, 3)):
            d.log(cid, rng.choice([5, 20, 40]))
    d.desk.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    twin_dir = root / f"twin{n}"
    twin_dir.mkdir()
    shutil.copy2(local_db_path(d.desk.folder), local_db_path(twin_dir))
    return d, Device(twin_dir, "tess")


class Later:
    """The machine's clocks read ``seconds`` later: the technician reopens the app after a
    pause, so the dead call's last heartbeat is stale. ``boot_id`` given: after a reboot."""

    def __init__(self, seconds: float, boot_id: str | None = None) -> None:
        self.inner = SystemClock()
        self.ms = round(seconds * 1000)
        self.boot_id = boot_id

    def read(self) -> Reading:
        r = self.inner.read()
        return replace(
            r,
            monotonic_ms=r.monotonic_ms + self.ms,
            boottime_ms=r.boottime_ms + self.ms,
            utc=r.utc + timedelta(milliseconds=self.ms),
            boot_id=self.boot_id or r.boot_id,
        )
