"""One technician's laptop for the ledger benchmark, as its own process: a day of calls timed
through qwtimer's own timer with a fake clock, a sync (push, then pull) after every few calls.

Run by ``bench_ledger`` with the interpreter of the installed qwtimer (so it imports qwtimer
and nothing of this checkout)::

    python laptop.py CONFIG.json

It speaks with the benchmark by lines, which makes the barrier of all laptops:

1. it sets itself up (its data folder, its customers with a card each, its cursors at the
   ledger's highest numbers as of the fill: a laptop that pulled yesterday), prints
   ``ready`` and waits for ``go``;
2. it syncs (its new customers go up; the customers other laptops share come down; it syncs
   again until they have: a sync refused "ledger busy" brings nothing),
   times its day's calls and syncs after every ``sync_every`` calls and after the last,
   then again until a sync goes through (so everything it did has reached the ledger),
   prints ``done`` and waits for ``final``;
3. once every laptop is done it syncs a last time (only pulls are left by then), writes its
   result (its device, every sync's time and outcome) to ``result`` and prints ``bye``.

A laptop that shares customers picks one of them for about half of its calls: those
laptops spend the same few customers' small banks at the same time.
"""

from __future__ import annotations

import json
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from qwtimer.core.clock import FakeClock
from qwtimer.core.errors import InputError
from qwtimer.core.timer import Action
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers, LineInput
from qwtimer.desk.sync import Sync
from qwtimer.store.models import Customer
from qwtimer.store.sync_pull import cursor_key

DAY = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # the laptops' day, after the filled history
SYNCS_FOR_SHARED = 30  # first syncs a laptop tries before its shared customers must be there
SYNCS_TO_GO_THROUGH = 100  # syncs a laptop tries, at the end of its day, until one goes through


def _wait(word: str) -> None:
    line = sys.stdin.readline().strip()
    if line != word:
        raise SystemExit(f"laptop: expected '{word}' from the benchmark, got '{line}'")


def _say(word: str) -> None:
    print(word, flush=True)


class Laptop:
    """A technician's desk in its own folder, syncing with the ledger at ``url``."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.rng = random.Random(config["seed"])
        self.clock = FakeClock(start=DAY)
        self.desk = Desk(Path(config["folder"]), clock=self.clock, technician=config["technician"])
        self.syncs: list[dict[str, Any]] = []

    def set_up(self) -> list[Customer]:
        """In step with the ledger as of the fill, with this laptop's own customers."""
        db = self.desk.db
        with db.atomic():
            for table, top in self.config["tops"].items():
                db.execute_sql(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                    (cursor_key(self.config["ledger_id"], table), str(top)),
                )
        customers = Customers(self.desk)
        own = []
        for n in range(self.config["own_customers"]):
            name = f"{self.config['technician']} customer {n + 1}"
            c = customers.add(name, LineInput("desktop", "license", maintenance_until="2027-12-31"))
            customers.add_card(c, f"tok_{self.config['technician']}_{n + 1}", "4242")
            own.append(c)
        return own

    def sync(self) -> None:
        t0 = time.perf_counter()
        report = Sync(self.desk, self.config["url"]).run()
        took = time.perf_counter() - t0
        self.syncs.append(
            {
                "seconds": took,
                "ok": report.ok,
                "pushed": sum(report.pushed.values()),
                "calls": report.pushed.get("call", 0),
                "pulled": sum(report.pulled.values()),
                "conflicts": len(report.conflicts),
                "conflict": report.conflicts[:1],
                "error": report.error,
            }
        )

    def one_call(self, calls: Calls, customer: Customer) -> None:
        """Talk, hold, working hold, research: a few minutes each, as a technician times it."""
        rng, clock = self.rng, self.clock
        calls.start(customer)
        clock.advance(rng.randint(60, 600))
        if rng.random() < 0.6:
            calls.act(Action.HOLD)
            clock.advance(rng.randint(10, 180))
            if rng.random() < 0.5:
                calls.act(Action.WORK)
                clock.advance(rng.randint(10, 240))
            calls.act(Action.RESUME)
            clock.advance(rng.randint(30, 300))
        if rng.random() < 0.4:
            calls.act(Action.RESEARCH)
            clock.advance(rng.randint(60, 600))
        calls.stop(confirmed=True)
        clock.advance(rng.randint(30, 300))  # between calls

    def shared_customers(self) -> list[Customer]:
        """The customers this laptop shares with others, once a sync has brought them down:
        a sync refused "ledger busy" brings nothing, and the technician syncs again."""
        customers = Customers(self.desk)
        for _ in range(SYNCS_FOR_SHARED):
            self.sync()
            try:
                return [customers.find(c) for c in self.config["shared"]]
            except InputError:
                time.sleep(self.rng.uniform(0.5, 2.0))
        raise SystemExit(
            f"laptop: the shared customers never came down in {SYNCS_FOR_SHARED} syncs"
        )

    def day(self, own: list[Customer]) -> int:
        shared = self.shared_customers()
        calls = Calls(self.desk)
        n = self.config["calls"]
        for i in range(n):
            pick = shared if shared and self.rng.random() < 0.5 else own
            self.one_call(calls, self.rng.choice(pick))
            if (i + 1) % self.config["sync_every"] == 0 or i + 1 == n:
                self.sync()
        self.sync_through()
        return n

    def sync_through(self) -> None:
        """Sync again, as the technician would, until a sync goes through: a sync refused
        "ledger busy" sent nothing and brought nothing."""
        for _ in range(SYNCS_TO_GO_THROUGH):
            if self.syncs and self.syncs[-1]["ok"]:
                return
            time.sleep(self.rng.uniform(0.5, 2.0))
            self.sync()
        raise SystemExit(f"laptop: no sync went through in {SYNCS_TO_GO_THROUGH} tries")


def main(argv: list[str]) -> int:
    config = json.loads(Path(argv[1]).read_text())
    laptop = Laptop(config)
    own = laptop.set_up()
    _say("ready")
    _wait("go")
    t0 = time.perf_counter()
    calls = laptop.day(own)
    day_s = time.perf_counter() - t0
    _say("done")
    _wait("final")
    laptop.sync()  # every laptop has sent everything: this pull brings the whole day
    laptop.sync_through()
    result = {
        "technician": config["technician"],
        "device_id": laptop.desk.device_id,
        "db_path": str(laptop.desk.db_path),
        "calls": calls,
        "day_seconds": day_s,
        "syncs": laptop.syncs,
    }
    laptop.desk.close()
    Path(config["result"]).write_text(json.dumps(result))
    _say("bye")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
