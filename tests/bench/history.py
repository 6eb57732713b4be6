"""A realistic local history: N calls (default 1,000,000) over two years, 50 technicians and
20,000 customers, every row as qwtimer writes it.

The database is made by qwtimer itself (``Desk``: schema, triggers, indexes, the card-number
guard), then filled in one transaction with bulk inserts: customers with their product lines,
purchases, cards and included minutes (R1); calls with talk, hold, working hold and research
segments; each stop's close with the bill ``core.billing`` computes against the customer's
bank as it stood, and the entries ``core.settlement`` posts for it. Some calls were reopened
for research after the call (R5, a second close), some were re-settled by the ledger or moved
(``call_correction``), supervisors posted a few adjustments, and the newest calls of this
device are still provisional (not yet synced). The rest came down from the ledger.

Generated files are cached by size in ``tests/bench/.cache`` (not committed)::

    python -m tests.bench.history --calls 1000000     # prints the data folder
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import time
import uuid
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from qwtimer.core import bank, billing, settlement
from qwtimer.core.billing import Bill
from qwtimer.core.eligibility import PRODUCT_NAMES, Product
from qwtimer.core.policy import Policy
from qwtimer.core.timer import OUTCOMES, SegmentKind
from qwtimer.desk.context import Desk
from qwtimer.paths import local_db_path
from qwtimer.store.models import database

CALLS = 1_000_000
TECHNICIANS = 50
CUSTOMERS = 20_000
DAYS = 730
END = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)  # fixed: a size always gives the same file
GENERATOR = 1  # bump when the rows change: cached files of older generators are not reused
CACHE = Path(__file__).resolve().parent / ".cache"
ME = "tech01"  # this device's technician; the other 49 reached it through the ledger
PROVISIONAL_CALLS = 20  # this device's newest calls, not yet synced
CHUNK = 20_000

_CALL = (
    "INSERT INTO call (id, customer_id, technician, device_id, policy_version, state, "
    "started_at, utc_offset_min, manual, heartbeat_at, heartbeat_mono_ms, heartbeat_boot_ms, "
    "boot_id, pending_gap_ms, pending_gap_at, synced) "
    "VALUES (?, ?, ?, ?, ?, 'stopped', ?, ?, ?, ?, ?, ?, ?, 0, NULL, ?)"
)
_SEGMENT = (
    "INSERT INTO segment (id, call_id, seq, kind, start_at, end_at, utc_offset_min, "
    "mono_start_ms, boot_start_ms, duration_ms, open, note, synced) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, '', ?)"
)
_CLOSE = (
    "INSERT INTO call_close (id, call_id, seq, outcome, notes, stopped_at, bill_json, "
    "settlement, card_ref, last_seq, synced) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)"
)
_ENTRY = (
    "INSERT INTO entry (id, customer_id, call_id, kind, seconds, cents, card_ref, reason, "
    "author, device_id, created_at, reverses_id, grant_key, synced) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)"
)
_CORRECTION = (
    "INSERT INTO call_correction (id, call_id, customer_id, kind, before, after, reason, "
    "author, device_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
# ``Bill.as_dict()`` without its deep copy (the JSON is the same, in a fraction of the time)
_BILL_FIELDS = tuple(f.name for f in fields(Bill))
_NOTES = (
    "",
    "",
    "walked through the quote template",
    "printer setup; fixed",
    "sync error with the CRM, cleared the cache",
    "license key re-issued",
    "called back after checking the logs",
)


def _ts(at: datetime) -> str:
    return at.isoformat(timespec="microseconds")


class _Ids:
    """Fast unique ids (UUID text) from the seeded generator: a size always gives the same
    rows."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def __call__(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))


def _segments(rng: random.Random) -> list[tuple[SegmentKind, int]]:
    """One call's segments before its first stop: talk, maybe hold (worked on or not),
    maybe research off the phone, each followed by talk again."""
    segs = [(SegmentKind.TALK, rng.randint(30_000, 900_000))]
    if rng.random() < 0.35:
        segs.append((SegmentKind.HOLD, rng.randint(10_000, 300_000)))
        if rng.random() < 0.4:
            segs.append((SegmentKind.WORKING_HOLD, rng.randint(30_000, 600_000)))
        segs.append((SegmentKind.TALK, rng.randint(30_000, 600_000)))
    if rng.random() < 0.15:
        segs.append((SegmentKind.RESEARCH, rng.randint(60_000, 900_000)))
        segs.append((SegmentKind.TALK, rng.randint(30_000, 180_000)))
    return segs


class _Writer:
    def __init__(self, folder: Path, calls: int, customers: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.new_id = _Ids(self.rng)
        self.calls = calls
        self.n_customers = customers
        self.desk = Desk(folder, technician=ME)
        self.db = self.desk.db
        self.con = self.db.connection()
        self.policy: Policy = self.desk.policies.in_force(END.date())
        self.device = self.desk.device_id
        self.devices = {f"tech{n:02d}": self.new_id() for n in range(1, TECHNICIANS + 1)}
        self.devices[ME] = self.device
        self.bank: dict[str, int] = {}
        self.card: dict[str, str] = {}
        self.rows: dict[str, list[tuple[Any, ...]]] = {}

    def _add(self, sql: str, row: tuple[Any, ...]) -> None:
        self.rows.setdefault(sql, []).append(row)

    def _flush(self) -> None:
        """Write what is gathered, parents first (the foreign keys are checked)."""
        order = ("INSERT INTO customer ", "INSERT INTO call ", "INSERT INTO segment ")
        first = [sql for start in order for sql in self.rows if sql.startswith(start)]
        for sql in first + [sql for sql in self.rows if sql not in first]:
            self.con.executemany(sql, self.rows[sql])
        self.rows.clear()

    # -- customers ---------------------------------------------------------------------
    def customers(self, n: int, start: datetime) -> list[str]:
        rng, ids = self.rng, []
        for i in range(n):
            cid = self.new_id()
            ids.append(cid)
            made = start - timedelta(days=rng.randint(1, 900), seconds=rng.randint(0, 86_399))
            self._add(
                "INSERT INTO customer (id, name, phone, email, created_at, synced) "
                "VALUES (?, ?, ?, ?, ?, 1)",
                (
                    cid,
                    f"Customer {i:05d} {rng.choice(('Ltd', 'Inc', 'LLC', 'GmbH', 'Pty'))}",
                    f"+1 555 {i // 10_000 % 10}{i % 10_000:04d}",
                    f"desk{i}@customer{i}.example",
                    _ts(made),
                ),
            )
            self.bank[cid] = 0
            products = []
            if rng.random() < 0.75:
                products.append(("desktop", "license", None))
            if not products or rng.random() < 0.35:
                products.append(("web", "subscription", rng.choice(("essential", "pinnacle"))))
            for product, plan, edition in products:
                until = (END + timedelta(days=rng.randint(-200, 400))).date()
                maint, active = (until, None) if plan == "license" else (None, until)
                self._add(
                    "INSERT INTO product_line (id, customer_id, product, plan, edition, "
                    "maintenance_until, active_until, created_at, synced) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)",
                    (self.new_id(), cid, product, plan, edition, maint, active, _ts(made)),
                )
                self._add(
                    "INSERT INTO purchase (id, customer_id, product, kind, until, created_at, "
                    "synced) VALUES (?, ?, ?, ?, ?, ?, 1)",
                    (self.new_id(), cid, product, plan, until, _ts(made)),
                )
                grant = bank.included_minutes(
                    cid, product, PRODUCT_NAMES[Product(product)], ME, "", self.policy
                )
                if grant is not None:  # R1, posted by the ledger
                    self._entry(grant, made, settlement.LEDGER_DEVICE, 1)
            if rng.random() < 0.85:
                ref = f"tok_{rng.getrandbits(40):010x}"
                self.card[cid] = ref
                self._add(
                    "INSERT INTO payment_ref (id, customer_id, ref, last4, created_at, synced) "
                    "VALUES (?, ?, ?, ?, ?, 1)",
                    (self.new_id(), cid, ref, f"{rng.randint(0, 9999):04d}", _ts(made)),
                )
        self._flush()
        return ids

    def _entry(self, p: settlement.Posting, at: datetime, device: str, synced: int) -> None:
        self.bank[p.customer_id] += p.seconds
        what = (p.id, p.customer_id, p.call_id, p.kind.value, p.seconds, p.cents, p.card_ref)
        self._add(_ENTRY, (*what, p.reason, p.author, device, _ts(at), p.grant_key, synced))

    # -- calls -------------------------------------------------------------------------
    def _stop(
        self,
        call_id: str,
        customer: str,
        tech: str,
        segs: list[tuple[SegmentKind, int]],
        previous: Bill | None,
        at: datetime,
        mine: bool,
    ) -> Bill:
        """One stop, as ``desk.call_billing.bill_and_post`` writes it."""
        card = self.card.get(customer)
        bill, part = billing.settle(
            billing.tally(segs), self.bank[customer], card is not None, self.policy, previous
        )
        close_id = self.new_id()
        synced = 0 if mine else 1
        device = self.device if mine else settlement.LEDGER_DEVICE
        for posting in settlement.close_postings(
            close_id,
            call_id,
            customer,
            tech,
            "",
            bill.stop_number,
            bill.added_billed_seconds,
            part,
            card,
        ):
            self._entry(posting, at, device, synced)
        outcome = OUTCOMES[0] if self.rng.random() < 0.8 else self.rng.choice(OUTCOMES[1:])
        self._add(
            _CLOSE,
            (
                close_id,
                call_id,
                bill.stop_number,
                outcome,
                self.rng.choice(_NOTES),
                _ts(at),
                json.dumps({f: getattr(bill, f) for f in _BILL_FIELDS}, sort_keys=True),
                bill.settlement.value,
                len(segs),
                synced,
            ),
        )
        return bill

    def _call(self, customer: str, tech: str, start: datetime, mine: bool) -> None:
        rng = self.rng
        call_id = self.new_id()
        segs = _segments(rng)
        reopened = rng.random() < 0.03  # research after the call (R5)
        offset = -300 if rng.random() < 0.7 else -480
        synced = 0 if mine else 1
        boot = f"boot-{tech}-{start.date().isoformat()}"
        mono = rng.randint(1_000_000, 50_000_000)
        at = start
        rows = []

        def segment(seq: int, kind: SegmentKind, ms: int) -> None:
            nonlocal at, mono
            end = at + timedelta(milliseconds=ms)
            head = (self.new_id(), call_id, seq, kind.value, _ts(at), _ts(end))
            rows.append((*head, offset, mono, mono, ms, synced))
            at, mono = end, mono + ms

        for seq, (kind, ms) in enumerate(segs, 1):
            segment(seq, kind, ms)
        bill = self._stop(call_id, customer, tech, segs, None, at, mine)
        if reopened:
            gap = rng.randint(60_000, 3_600_000)
            at, mono = at + timedelta(milliseconds=gap), mono + gap
            extra = (SegmentKind.RESEARCH, rng.randint(120_000, 1_800_000))
            segs.append(extra)
            segment(len(segs), *extra)
            self._stop(call_id, customer, tech, segs, bill, at, mine)
        head = (call_id, customer, tech, self.devices[tech], self.policy.version, _ts(start))
        manual = int(rng.random() < 0.05)
        self._add(_CALL, (*head, offset, manual, _ts(at), mono, mono, boot, synced))
        self.rows.setdefault(_SEGMENT, []).extend(rows)
        roll = rng.random()
        if roll < 0.004 and not mine:  # the ledger settled it differently
            self._correction(call_id, customer, "resettled", "1 block, $30.00", "from the bank")
        elif roll < 0.005:
            self._correction(call_id, customer, "moved", "Someone Else Ltd", "wrong caller")
        elif roll < 0.007 and not mine:  # a supervisor's adjustment (R13)
            minutes = rng.choice((-5, -2, 2, 5, 10))
            self._entry(
                settlement.Posting(
                    self.new_id(),
                    customer,
                    None,
                    settlement.EntryKind.ADJUSTMENT,
                    minutes * 60,
                    0,
                    None,
                    "goodwill after a long outage" if minutes > 0 else "duplicate call",
                    "sue",
                    "",
                ),
                at + timedelta(days=1),
                self.devices["tech50"],
                1,
            )

    def _correction(self, call_id: str, customer: str, kind: str, before: str, after: str) -> None:
        reason = "the ledger settled the call first" if kind == "resettled" else after
        who = (reason, ME, self.device, _ts(END))
        self._add(_CORRECTION, (self.new_id(), call_id, customer, kind, before, after, *who))

    def run(self, progress: bool) -> None:
        rng = self.rng
        start = END - timedelta(days=DAYS)
        t0 = time.monotonic()
        with self.db.atomic():
            self.con.execute("PRAGMA cache_size = -1000000")  # 1 GB while filling
            customers = self.customers(self.n_customers, start)
            # Some customers call far more often than others.
            weights = [rng.paretovariate(1.2) for _ in customers]
            span = DAYS * 86_400 - 3_600
            starts = sorted(rng.randrange(span) for _ in range(self.calls))
            callers = rng.choices(customers, weights, k=self.calls)
            techs = [f"tech{n:02d}" for n in range(1, TECHNICIANS + 1)]
            mine_from = self.calls - PROVISIONAL_CALLS
            for n, (offset, customer) in enumerate(zip(starts, callers, strict=True)):
                mine = n >= mine_from
                tech = ME if mine else rng.choice(techs)
                self._call(customer, tech, start + timedelta(seconds=offset), mine)
                if n % CHUNK == CHUNK - 1:
                    self._flush()
                    if progress:
                        rate = (n + 1) / (time.monotonic() - t0)
                        print(f"{n + 1:,} calls ({rate:,.0f}/s)", file=sys.stderr, flush=True)
            self._flush()
        self.con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.desk.close()


def generate(
    folder: Path,
    calls: int = CALLS,
    *,
    customers: int | None = None,
    seed: int = 1,
    progress: bool = False,
) -> Path:
    """Fill a new data folder ``folder`` with ``calls`` calls of history; returns the folder.
    ``customers`` defaults to 20,000 at a million calls (one per 50 calls, at least 200).
    The models stay bound to whatever they were bound to before."""
    if local_db_path(folder).exists():
        raise FileExistsError(f"{folder} already holds a database")
    n = customers or min(CUSTOMERS, max(200, calls // 50))
    before = database.obj
    try:
        _Writer(folder, calls, n, seed).run(progress)
    finally:
        database.initialize(before)
    return folder


def cached(calls: int = CALLS, *, progress: bool = False) -> Path:
    """The data folder of the cached history of ``calls`` calls (made on first use)."""
    folder = CACHE / f"history-{calls}-g{GENERATOR}"
    if local_db_path(folder).exists():
        _migrated(folder)
        return folder
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    generate(partial, calls, progress=progress)
    partial.rename(folder)
    return folder


def _migrated(folder: Path) -> None:
    """Bring a cached file made by an older schema up to date once, in place (its backup
    is not kept: the generator can make it again)."""
    before = database.obj
    Desk(folder).close()
    database.initialize(before)
    for backup in folder.glob("*.bak-*"):
        backup.unlink()


def copy_of(calls: int, into: Path) -> Path:
    """A private copy of the cached history of ``calls`` calls (a benchmark writes to it)."""
    source = cached(calls)
    into.mkdir(parents=True, exist_ok=True)
    for path in source.iterdir():
        if path.is_file() and not path.name.endswith(("-wal", "-shm")):
            shutil.copy2(path, into / path.name)
    return into


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.history", description=__doc__)
    parser.add_argument("--calls", type=int, default=CALLS, help="how many calls (1,000,000)")
    a = parser.parse_args(argv)
    if a.calls < PROVISIONAL_CALLS:
        print(f"--calls must be at least {PROVISIONAL_CALLS}", file=sys.stderr)
        return 2
    t0 = time.monotonic()
    folder = cached(a.calls, progress=True)
    print(f"{folder} ({time.monotonic() - t0:.1f} s)", file=sys.stderr)
    print(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
