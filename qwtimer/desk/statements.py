"""Customer statements for a period, as plain data (the desk-wide report is
``desk.team_report``).

A statement lists every ledger entry of one customer in a period, oldest first, with the bank
after each one: grants (R1), call debits with the call's breakdown (R3-R6), block purchases
with their charges (R6), adjustments and reversals with who, when and why (R13). The opening
balance is the sum of the entries before the period, the closing balance the opening plus the
period's entries: a balance is always a sum of entries (R2). Nothing here writes the ledger.

Every entry of the period counts in exactly one total, by its own kind: included minutes
(grants, R1), bought (block purchases, R6), adjustments (adjustments and reversals, R13) or
used (call debits). So for every statement
``opening + included + bought + adjustments - used = closing``.

Periods are whole local days: ``since`` from its first instant, ``until`` to its last.
Time is integer seconds and money integer cents.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from peewee import SQL, fn

from qwtimer.core.errors import InputError
from qwtimer.core.settlement import EntryKind
from qwtimer.desk.context import Desk
from qwtimer.desk.csv_out import SafeCsv
from qwtimer.desk.periods import Period
from qwtimer.store.models import Call, CallClose, Customer, Entry

BREAKDOWN_KEYS = (
    "talk_seconds",
    "hold_seconds",
    "working_hold_seconds",
    "research_seconds",
    "billable_seconds",
    "billed_seconds",
    "from_bank_seconds",
    "overage_seconds",
    "blocks_purchased",
    "charge_cents",
    "settlement",
    "policy_version",
)
LINE_KEYS = (
    "at",
    "kind",
    "entry_id",
    "seconds",
    "cents",
    "balance_seconds",
    "author",
    "reason",
    "call_id",
    "reverses",
    "card_ref",
    "technician",
    "outcome",
    *BREAKDOWN_KEYS,
)


@dataclass(frozen=True)
class StatementLine:
    """One ledger entry and the bank after it. ``reason`` is the entry's own text; for a call
    debit ``call`` holds the bill of the stop that posted it (the whole call as of that stop)."""

    at: datetime
    kind: str
    entry_id: str
    seconds: int
    cents: int
    balance_seconds: int
    author: str
    reason: str
    call_id: str | None = None
    reverses: str | None = None
    card_ref: str | None = None
    technician: str | None = None
    outcome: str | None = None
    call: dict[str, Any] = field(default_factory=dict)

    def row(self) -> dict[str, Any]:
        """A flat row (the CSV columns, ``LINE_KEYS``)."""
        d = asdict(self)
        bill = d.pop("call")
        d["at"] = self.at.isoformat()
        return {**{k: d.get(k) for k in LINE_KEYS[:13]}, **{k: bill.get(k) for k in BREAKDOWN_KEYS}}


@dataclass(frozen=True)
class Statement:
    customer_id: str
    customer: str
    period: Period
    opening_seconds: int
    lines: list[StatementLine]
    closing_seconds: int
    included_seconds: int
    used_seconds: int
    bought_seconds: int
    adjusted_seconds: int
    charged_cents: int
    unsettled_seconds: int
    made_at: datetime
    made_by: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "customer_id": self.customer_id,
            "customer": self.customer,
            "since": self.period.since.isoformat() if self.period.since else None,
            "until": self.period.until.isoformat() if self.period.until else None,
            "opening_seconds": self.opening_seconds,
            "closing_seconds": self.closing_seconds,
            "included_seconds": self.included_seconds,
            "used_seconds": self.used_seconds,
            "bought_seconds": self.bought_seconds,
            "adjusted_seconds": self.adjusted_seconds,
            "charged_cents": self.charged_cents,
            "unsettled_seconds": self.unsettled_seconds,
            "made_at": self.made_at.isoformat(),
            "made_by": self.made_by,
            "lines": [line.row() for line in self.lines],
        }

    def totals(self) -> list[tuple[str, int]]:
        """The header's figures in the order they add up: opening + included + bought +
        adjustments - used = closing."""
        return [
            ("opening", self.opening_seconds),
            ("included", self.included_seconds),
            ("bought", self.bought_seconds),
            ("adjustments", self.adjusted_seconds),
            ("used", self.used_seconds),
            ("closing", self.closing_seconds),
        ]

    def balances(self) -> list[tuple[datetime, int]]:
        """The bank over time: (instant, seconds) after each entry, opening first."""
        start = self.period.start or (self.lines[0].at if self.lines else self.made_at)
        return [(start, self.opening_seconds)] + [(x.at, x.balance_seconds) for x in self.lines]


def _closes(call_ids: Iterable[str]) -> dict[str, tuple[Call, list[CallClose]]]:
    """Each call with its stops (closes), first stop first."""
    ids = sorted(set(call_ids))
    if not ids:
        return {}
    found: dict[str, tuple[Call, list[CallClose]]] = {
        c.id: (c, []) for c in Call.select().where(Call.id.in_(ids))
    }
    for close in CallClose.select().where(CallClose.call.in_(ids)).order_by(CallClose.seq):
        found[close.call_id][1].append(close)
    return found


def posted_by(entry: Entry, closes: list[CallClose]) -> CallClose | None:
    """The stop that posted ``entry``: a stop writes its entries at its own instant, so it is
    the call's last stop at or before the entry. Its bill never changes, so a line built from
    it reads the same in every later statement."""
    found = None
    for close in closes:
        if close.stopped_at <= entry.created_at:
            found = close
    return found


def statement(desk: Desk, customer: Customer, period: Period) -> Statement:
    """The customer's statement for ``period``. Reads only; the ledger is never changed (R13)."""
    before = Entry.select(fn.COALESCE(fn.SUM(Entry.seconds), 0)).where(Entry.customer == customer)
    if period.start is not None:
        opening = int(before.where(Entry.created_at < period.start).scalar())
    else:
        opening = 0
    q = Entry.select().where(Entry.customer == customer)
    if period.start is not None:
        q = q.where(Entry.created_at >= period.start)
    if period.end is not None:
        q = q.where(Entry.created_at < period.end)
    entries = list(q.order_by(Entry.created_at, SQL("rowid")))
    calls = _closes(e.call_id for e in entries if e.call_id)
    lines: list[StatementLine] = []
    balance = opening
    included = used = bought = adjusted = charged = 0
    for e in entries:
        balance += e.seconds
        charged += e.cents
        # Each entry in exactly one total, by its own kind, so the header always adds up.
        if e.kind == EntryKind.GRANT:
            included += e.seconds
        elif e.kind == EntryKind.CALL_DEBIT:
            used -= e.seconds
        elif e.kind == EntryKind.PURCHASE:
            bought += e.seconds
        else:  # adjustments and reversals (R13)
            adjusted += e.seconds
        call, closes = calls.get(e.call_id, (None, [])) if e.call_id else (None, [])
        close = posted_by(e, closes)
        bill = json.loads(close.bill_json) if close else {}
        lines.append(
            StatementLine(
                at=e.created_at,
                kind=e.kind,
                entry_id=e.id,
                seconds=e.seconds,
                cents=e.cents,
                balance_seconds=balance,
                author=e.author,
                reason=e.reason,
                call_id=e.call_id,
                reverses=e.reverses_id,
                card_ref=e.card_ref,
                technician=call.technician if call else None,
                outcome=close.outcome if close else None,
                call={k: bill.get(k) for k in BREAKDOWN_KEYS}
                if e.kind == EntryKind.CALL_DEBIT
                else {},
            )
        )
    return Statement(
        customer_id=customer.id,
        customer=customer.name,
        period=period,
        opening_seconds=opening,
        lines=lines,
        closing_seconds=balance,
        included_seconds=included,
        used_seconds=used,
        bought_seconds=bought,
        adjusted_seconds=adjusted,
        charged_cents=charged,
        unsettled_seconds=max(0, -balance),  # R6.1: a negative bank waits for payment
        made_at=desk.clock.read().utc,
        made_by=desk.technician,
    )


# -- CSV ----------------------------------------------------------------------------------
Progress = Callable[[int, int], None]


def write_statement_csv(st: Statement, stream: Any, progress: Progress | None = None) -> None:
    """One row per entry (``LINE_KEYS``), integer seconds and cents, after an opening row and
    before a closing row that carry the balances. Right after the opening row come the
    period's totals, one row each (kind ``included``, ``bought``, ``adjustments``, ``used``,
    in ``seconds``): opening + included + bought + adjustments - used = closing."""
    w = SafeCsv(stream, LINE_KEYS)
    w.writeheader()
    start = st.period.start or (st.lines[0].at if st.lines else st.made_at)
    w.writerow({"at": start.isoformat(), "kind": "opening", "balance_seconds": st.opening_seconds})
    for kind, seconds in st.totals()[1:-1]:
        w.writerow({"at": start.isoformat(), "kind": kind, "seconds": seconds})
    for n, line in enumerate(st.lines, start=1):
        w.writerow(line.row())
        if progress and n % 50 == 0:
            progress(n, len(st.lines))
    w.writerow(
        {
            "at": st.made_at.isoformat(),
            "kind": "closing",
            "seconds": st.closing_seconds - st.opening_seconds,
            "cents": st.charged_cents,
            "balance_seconds": st.closing_seconds,
            "author": st.made_by,
        }
    )
    if progress:
        progress(len(st.lines), len(st.lines))


@contextmanager
def output_file(path: Path | str) -> Iterator[Path]:
    """A temporary file beside ``path`` that becomes ``path`` only if the block succeeds.

    An export that fails part-way leaves nothing behind; a folder that does not exist or
    cannot be written is an ``InputError`` before anything is made.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise InputError(f"{target} is a folder: give a file name to write")
    if not folder.is_dir():
        raise InputError(f"cannot write {target}: the folder {folder} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise InputError(f"cannot write {target}: {exc.strerror or exc}") from exc
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    except OSError as exc:
        raise InputError(f"cannot write {target}: {exc.strerror or exc}") from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
