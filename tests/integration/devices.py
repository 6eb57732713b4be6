"""Several technicians' laptops in one test process, each with its own local database.

The local models bind to one database at a time, so a device binds itself (``use``) before
it writes through the desk services; the sync engine itself works on the device's own
connection and needs no binding, so devices may sync in parallel threads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qwtimer.core.clock import FakeClock
from qwtimer.core.policy import PolicyBook
from qwtimer.core.timer import SegmentKind
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers, LineInput
from qwtimer.desk.ledger import Ledger
from qwtimer.desk.sync import Sync, SyncReport
from qwtimer.store import central as central_store
from qwtimer.store.models import database
from tests.conftest import POLICY_FILE

POLICIES = PolicyBook.from_dir(POLICY_FILE.parent)
LEDGER_TABLES = (
    "customer",
    "product_line",
    "purchase",
    "payment_ref",
    "call",
    "segment",
    "call_close",
    "entry",
    "allocation",
)
VOLATILE = {"ledger_seq", "allocated_at", "created_at"}


class Device:
    def __init__(self, folder: Path, technician: str) -> None:
        self.clock = FakeClock()
        self.desk = Desk(folder, clock=self.clock, technician=technician, policies=POLICIES)

    def use(self) -> Device:
        database.initialize(self.desk.db)
        return self

    def add_customer(self, name: str, extra_minutes: int = 0, card: bool = False) -> str:
        """A Desktop license (R1: 45 minutes), optionally more minutes and a card."""
        self.use()
        svc = Customers(self.desk)
        c = svc.add(name, LineInput("desktop", "license", maintenance_until="2027-01-01"))
        if extra_minutes:
            Ledger(self.desk).adjust(c, extra_minutes * 60, "opening balance")
        if card:
            svc.add_card(c, "tok_visa_4242", "4242")
        return str(c.id)

    def log(self, customer_id: str, minutes: int, research: int = 0) -> str:
        self.use()
        c = Customers(self.desk).find(customer_id)
        self.clock.advance(minutes * 60 + research * 60 + 5)
        seconds = {SegmentKind.TALK: minutes * 60}
        if research:
            seconds[SegmentKind.RESEARCH] = research * 60
        call, _ = Calls(self.desk).log(c, seconds)
        return str(call.id)

    def balance(self, customer_id: str) -> int:
        row = self.desk.db.execute_sql(
            "SELECT coalesce(sum(seconds), 0) FROM entry WHERE customer_id = ?", (customer_id,)
        ).fetchone()
        return int(row[0])

    def sync(self, url: str, hook: Any = None, progress: Any = None, **opts: int) -> SyncReport:
        return Sync(self.desk, url, **opts).run(progress=progress, hook=hook)

    def close(self) -> None:
        self.desk.close()


def dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """The whole central ledger as sorted rows, without what differs between equal runs."""
    central = central_store.connect(url, admin=True)
    try:
        out = {}
        for table in LEDGER_TABLES:
            cur = central.db.execute_sql(f"SELECT * FROM {table}")
            names = [d[0] for d in cur.description]
            keep = [i for i, n in enumerate(names) if n not in VOLATILE]
            out[table] = sorted(
                (tuple(r[i] for i in keep) for r in cur.fetchall()), key=lambda r: str(r)
            )
        return out
    finally:
        central.close()


def central_balance(url: str, customer_id: str) -> int:
    """The sum of the customer's entries in the ledger; checks the account row agrees."""
    central = central_store.connect(url, admin=True)
    try:
        p = central.db.param
        row = central.db.execute_sql(
            f"SELECT coalesce(sum(seconds), 0) FROM entry WHERE customer_id = {p}",
            (customer_id,),
        ).fetchone()
        account = central.db.execute_sql(
            f"SELECT balance_seconds FROM account WHERE customer_id = {p}", (customer_id,)
        ).fetchone()
        assert account is not None and int(account[0]) == int(row[0])
        return int(row[0])
    finally:
        central.close()


def central_balances(url: str) -> dict[str, int]:
    """Every customer's balance in the ledger, in seconds."""
    central = central_store.connect(url, admin=True)
    try:
        rows = central.db.execute_sql(
            "SELECT customer_id, sum(seconds) FROM entry GROUP BY customer_id"
        ).fetchall()
        return {str(c): int(s) for c, s in rows}
    finally:
        central.close()


def local_balances(device: Device) -> dict[str, int]:
    rows = device.desk.db.execute_sql(
        "SELECT customer_id, sum(seconds) FROM entry GROUP BY customer_id"
    ).fetchall()
    return {str(c): int(s) for c, s in rows}


def allocations(url: str, customer_id: str) -> list[dict[str, Any]]:
    central = central_store.connect(url, admin=True)
    try:
        p = central.db.param
        cur = central.db.execute_sql(
            f"SELECT * FROM allocation WHERE customer_id = {p} ORDER BY ledger_seq",
            (customer_id,),
        )
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        central.close()
