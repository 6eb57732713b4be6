"""The sync engine: push unsynced local rows to the central ledger (pull: ``sync_pull``).

Push (DESIGN.md "The central ledger and sync"):

- The device sends what it observed, never money: reference rows first (customers, product
  lines, purchases, cards, block orders, a supervisor's entries outside calls), then calls as
  *units*: a batch holds every unsynced row of some calls (the call header, its closed
  segments, its closes, a supervisor's entries), segments before closes. The ledger itself
  writes the grants, purchases, call debits and splits they call for, in the same
  transaction, each customer under its lock (``central_settle`` on PostgreSQL,
  ``sync_allocation`` on the embedded ledger). The device's own money entries stay
  provisional until the pull brings the ledger's (``provisional``).
- Which calls a push sends is decided before its reference rows are read: a call made while
  the push is under way (a new customer's, say) waits for the next push, which sends its
  customer and product lines first. Sent now, the ledger would settle it against a bank it
  does not hold yet.
- One central transaction per batch. On PostgreSQL every table of the batch is copied
  (``COPY``) into a temporary staging table first, then one message moves them all in
  (``INSERT ... SELECT`` per table, ``sync_stage``): the writers' lock, taken by the first
  of those inserts, is held for that message and the commit only. A row the ledger
  already holds is compared column by column: identical is success (a retry after a lost
  reply creates nothing), different is a conflict, reported and never overwritten. A
  customer's contact and a product line's dates change only through revisions, sent after
  the new reference rows and applied by the ledger's one function (``revisions``).
- Local rows are marked synced only after the central commit, and never the rejected ones.
  Reading the next batch and writing the marks run in two helper threads, each on its own
  connection to the local database, while the ledger works on the current batch: each
  batch's marks are written as soon as it is committed, so a push ends with at most one
  batch's marks left to write.
- Serialisation failures and deadlocks are retried; a lost connection stops the push (the
  next sync carries on where it stopped: nothing is lost, nothing doubled).
- Rows the ledger's security would refuse (written by another technician; an adjustment by
  a technician, R13) are not sent: they are reported as problems and stay unsynced.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from peewee import SqliteDatabase

from qwtimer.core.billing import Settlement
from qwtimer.core.policy import PolicyBook
from qwtimer.core.settlement import SUPERVISOR_KINDS
from qwtimer.store import central_guard as guard
from qwtimer.store import central_schema as cs
from qwtimer.store import revisions
from qwtimer.store import sync_allocation as alloc
from qwtimer.store.central import LedgerError, busy_error
from qwtimer.store.central_dialect import Central
from qwtimer.store.central_settle import UNKNOWN_POLICY
from qwtimer.store.ledger_errors import Conflict
from qwtimer.store.sync_stage import Staged, stage_batch

Progress = Callable[[str, int, int], None]  # (what, done, total)
Hook = Callable[[str], None]  # named points of a push, for fault-injection tests
REFERENCE = ("customer", "product_line", "purchase", "payment_ref", "block_order")
# The order rows go in within a batch: a close is settled from segments already there.
_ORDER = (*REFERENCE, "call", "segment", "call_close", "entry")
# Entries a device sends: a supervisor's adjustments and reversals (R13). Grants, purchases
# and call debits are the ledger's to write; the device's own stay provisional.
_SENT_KINDS = ", ".join(f"'{k}'" for k in SUPERVISOR_KINDS)
RETRIES = 6
# Where a row names its writer (the ledger's security checks it), and an entry's kind.
_I_WHO = {
    "call": cs.PUSHED["call"].index("technician"),
    "block_order": cs.PUSHED["block_order"].index("technician"),
    "entry": cs.PUSHED["entry"].index("author"),
}
_I_KIND = cs.PUSHED["entry"].index("kind")


@dataclass
class PushResult:
    inserted: dict[str, int] = field(default_factory=dict)  # new rows per table
    identical: int = 0  # rows the ledger already held, unchanged (retries)
    merged: int = 0  # product lines whose dates moved
    settled: int = 0  # call closes settled by the ledger
    unsettled: list[dict[str, Any]] = field(default_factory=list)  # flagged (R6.1)
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def pushed(self) -> int:
        return sum(self.inserted.values())


def _unsynced_filter(table: str) -> str:
    if table == "customer":  # a merged duplicate stays on the device (desk.merge)
        return "synced = 0 AND merged_into IS NULL"
    if table == "entry":
        return f"synced = 0 AND kind IN ({_SENT_KINDS})"
    return "synced = 0 AND open = 0" if table == "segment" else "synced = 0"


def pending(local: SqliteDatabase) -> int:
    """How many local rows wait for the ledger (closed segments only)."""
    total = local.execute_sql(f"SELECT count(*) FROM revision WHERE {revisions.UNSENT}")
    total = total.fetchone()[0]
    for table in cs.PUSHED:
        total += local.execute_sql(
            f"SELECT count(*) FROM {table} WHERE {_unsynced_filter(table)}"
        ).fetchone()[0]
    return int(total)


class Engine:
    """One sync run's push for one device. Use from one thread."""

    def __init__(
        self,
        local: SqliteDatabase,
        central: Central,
        policies: PolicyBook,
        *,
        batch_rows: int = 5000,
        batch_calls: int = 2500,
        progress: Progress | None = None,
        hook: Hook | None = None,
        author: str = "",
    ) -> None:
        """``author``: who this device's changes are recorded as on a SQLite ledger (a
        PostgreSQL ledger records the login)."""
        self.local = local
        self.author = author
        self.central = central
        self.policies = policies
        self.batch_rows = batch_rows
        self.batch_calls = batch_calls
        self.progress = progress or (lambda what, done, total: None)
        self.hook = hook or (lambda point: None)
        self.result = PushResult()
        # Committed batches whose local rows are not marked yet: marked in the marker
        # thread right after their central commit, and all before push() returns.
        self._unmarked: list[tuple[dict[str, list[tuple[Any, ...]]], dict[str, Staged]]] = []
        self._marks: list[Future[None]] = []
        self._marker = ThreadPoolExecutor(1)

    # -- reading the device ------------------------------------------------------------
    def _rows(self, table: str, where: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        cols = ", ".join(cs.PUSHED[table])
        rows: list[tuple[Any, ...]] = self.local.execute_sql(
            f"SELECT {cols} FROM {table} WHERE {where} ORDER BY rowid", params
        ).fetchall()
        return rows

    def _refuse(self, table: str, row: tuple[Any, ...]) -> str | None:
        """Rows the ledger's security would refuse, said in words: on PostgreSQL a row
        written by another login; on both ledgers a technician's adjustment or reversal (R13:
        the embedded ledger's supervisor is its creator, and it has no row security of its
        own, so this is where it refuses them)."""
        role = self.central.role
        i_who = _I_WHO.get(table)
        if role is not None and i_who is not None and row[i_who] != role:
            return (
                f"written by '{row[i_who]}' but this computer syncs as '{role}': "
                f"sync as {row[i_who]} to send it"
            )
        if table == "entry" and not self.central.supervisor and row[_I_KIND] in SUPERVISOR_KINDS:
            return "only a supervisor may post adjustments and reversals (R13)"
        return None

    def _screen(self, batch: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
        """The rows to send: those the ledger's security would refuse are reported instead,
        with the rows of a refused call."""
        refused_calls: set[str] = set()
        send: dict[str, list[tuple[Any, ...]]] = {}
        i_parent = {"segment": 1, "call_close": 1, "entry": cs.PUSHED["entry"].index("call_id")}
        for table, rows in batch.items():
            parent = i_parent.get(table)
            if table not in ("call", "entry") and not (parent is not None and refused_calls):
                send[table] = rows  # nothing in these rows for the ledger's security to refuse
                continue
            keep = []
            for row in rows:
                why = self._refuse(table, row)
                if why is None and parent is not None and row[parent] in refused_calls:
                    why = "its call was not sent (see the call's problem)"
                if why:
                    self.result.conflicts.append(Conflict(table, str(row[0]), why))
                    if table == "call":
                        refused_calls.add(str(row[0]))
                    continue
                keep.append(row)
            send[table] = keep
        return send

    # -- the push ------------------------------------------------------------------------
    def push(self) -> PushResult:
        """Send every unsynced row. Returns what happened (also in ``self.result`` when it
        raises LedgerOffline half way: the batches committed before stay marked)."""
        self._marker = ThreadPoolExecutor(1, thread_name_prefix="sync-mark")
        try:
            return self._push()
        finally:
            try:
                self._flush_marks()
            finally:
                self._marker.shutdown()

    def _push(self) -> PushResult:
        total = pending(self.local)
        self.progress("push", 0, total)
        with ThreadPoolExecutor(1, thread_name_prefix="sync-read") as reader:
            try:
                reader.submit(self._big_cache)
                # Chosen (read to the end) before any reference row is read: every chosen
                # call's customer was on the device before it, and is sent before it.
                units = reader.submit(self._units).result()
                done = self._push_reference(total)
                self._push_units(reader, units, done, total)
            finally:
                reader.submit(self.local.close)  # that thread's connection only
        return self.result

    def _push_reference(self, total: int) -> int:
        """Customers, product lines, purchases, cards, block orders, then a supervisor's
        entries outside calls; the revisions once their rows are there. Returns the rows
        done."""
        done = 0
        for table in (*REFERENCE, "entry"):
            where = _unsynced_filter(table) + (" AND call_id IS NULL" if table == "entry" else "")
            rows = self._rows(table, where)
            for i in range(0, len(rows), self.batch_rows):
                chunk = rows[i : i + self.batch_rows]
                self._batch({table: chunk})
                done += len(chunk)
                self.progress("push", done, total)
            if table == REFERENCE[-1]:  # changes to rows the ledger holds, once they are there
                moved, problems = revisions.push(self.local, self.central)
                self.result.merged += moved
                self.result.conflicts += problems
        return done

    def _units(self) -> list[str]:
        """The calls with a row to send, in creation order (neighbours on disk, oldest
        stops first)."""
        return [
            r[0]
            for r in self.local.execute_sql(
                "SELECT c.id FROM call c WHERE c.id IN (SELECT id FROM call WHERE synced = 0 "
                "UNION SELECT call_id FROM segment WHERE synced = 0 AND open = 0 "
                "UNION SELECT call_id FROM call_close WHERE synced = 0 "
                f"UNION SELECT call_id FROM entry WHERE {_unsynced_filter('entry')} "
                "AND call_id IS NOT NULL) ORDER BY c.rowid"
            ).fetchall()
        ]

    def _push_units(
        self, reader: ThreadPoolExecutor, units: list[str], done: int, total: int
    ) -> None:
        """The calls in batches; the next batch is read from the device while the ledger
        works on this one."""
        chunks = [units[i : i + self.batch_calls] for i in range(0, len(units), self.batch_calls)]
        ahead = reader.submit(self._read_units, chunks[0]) if chunks else None
        for k in range(len(chunks)):
            assert ahead is not None
            batch = ahead.result()
            if k + 1 < len(chunks):
                ahead = reader.submit(self._read_units, chunks[k + 1])
            self._batch(batch)
            done += sum(len(v) for v in batch.values())
            self.progress("push", min(done, total), total)

    def _read_units(self, ids: list[str]) -> dict[str, list[tuple[Any, ...]]]:
        """Every unsynced row of these calls."""
        marks = ", ".join("?" * len(ids))
        batch = {
            # every header, synced or not: its rows need it (identical is free)
            "call": self._rows("call", f"id IN ({marks})", ids),
            # +synced: look rows up by their call, not through the synced index
            "segment": self._rows(
                "segment", f"+synced = 0 AND +open = 0 AND call_id IN ({marks})", ids
            ),
            "call_close": self._rows("call_close", f"+synced = 0 AND call_id IN ({marks})", ids),
            "entry": self._rows(
                "entry", f"+synced = 0 AND kind IN ({_SENT_KINDS}) AND call_id IN ({marks})", ids
            ),
        }
        return batch

    def _batch(self, batch: dict[str, list[tuple[Any, ...]]]) -> None:
        screened = self.central.role is not None or not self.central.supervisor
        send = self._screen(batch) if screened else batch
        for attempt in range(RETRIES):
            try:
                staged = self._transaction(send)
                break
            except Exception as exc:
                state = guard.sqlstate(exc)
                if state in ("40001", "40P01") and attempt < RETRIES - 1:
                    time.sleep(0.01 * 2**attempt)
                    continue
                busy = busy_error(exc, self.central.where)  # a timeout: rolled back whole
                if busy is not None:
                    raise busy from exc
                if state == UNKNOWN_POLICY:  # rolled back whole: the next sync carries on
                    raise LedgerError(
                        f"the ledger ({self.central.where}) refused the push: "
                        f"{guard.first_line(exc)}; an administrator runs 'qwtimer ledger "
                        "init URL' with this version of qwtimer, then sync again (nothing "
                        "was half-written)"
                    ) from exc
                lost = guard.lost_error(exc, self.central.where)  # it syncs later
                if lost is not None:
                    raise lost from exc
                raise
        self._unmarked.append((send, staged))
        self._flush_marks(wait=False)

    def _flush_marks(self, wait: bool = True) -> None:
        """Mark committed batches synced, in the marker thread (in parallel with the next
        central batch). ``wait``: until every mark is written, then close that connection."""
        if self._unmarked:
            work, self._unmarked = self._unmarked, []
            self._marks.append(self._marker.submit(self._mark_all, work))
        if wait:
            try:
                for job in self._marks:
                    job.result()
            finally:
                self._marks = []
                self._marker.submit(self.local.close).result()

    def _big_cache(self) -> None:
        """A larger page cache for this thread's connection (large pushes)."""
        self.local.execute_sql("PRAGMA cache_size = -65536")

    def _mark_all(
        self, work: list[tuple[dict[str, list[tuple[Any, ...]]], dict[str, Staged]]]
    ) -> None:
        self._big_cache()
        with self.local.atomic():
            for send, staged in work:
                self._mark_synced(send, staged)

    def _transaction(self, send: dict[str, list[tuple[Any, ...]]]) -> dict[str, Staged]:
        """One batch in one ledger transaction. The observed rows go in; the ledger settles
        what they call for (``central_settle`` on PostgreSQL; the embedded ledger here, in
        the same transaction, ``sync_allocation``), each customer under its lock."""

        def settle(table: str, s: Staged) -> None:
            self.hook(f"{table}:inserted")
            # the ledger settles what was observed (PostgreSQL: its own triggers)
            self.central.after_insert(table, s.inserted, self.author, self.policies)

        batch = [(t, send[t]) for t in _ORDER if send.get(t)]
        with self.central.transaction():
            staged = stage_batch(self.central, batch, self.author, settle)
            self.hook("settled")
            self.hook("before_commit")
        self.hook("after_commit")
        # R6.1: the unsettled splits as stored, new or returned to a replay (read after the
        # commit: the writers' lock is not held for it)
        sent = [r[0] for r in send.get("call_close", [])]
        stored = alloc.stored(self.central, sent, Settlement.UNSETTLED) if sent else []
        for table, s in staged.items():
            self.result.inserted[table] = self.result.inserted.get(table, 0) + len(s.inserted)
            self.result.identical += s.identical
            self.result.merged += s.merged
            self.result.conflicts += s.conflicts
        if "call_close" in staged:
            self.result.settled += len(staged["call_close"].inserted)
        self.result.unsettled += stored  # R6.1: flagged for a supervisor
        return staged

    def _mark_synced(
        self, send: dict[str, list[tuple[Any, ...]]], staged: dict[str, Staged]
    ) -> None:
        """After the central commit: every sent row except the conflicts is synced."""
        bad = {(t, c.id) for t, s in staged.items() for c in s.conflicts}
        cur = self.local.cursor()
        for table, rows in send.items():
            ok = [r for r in rows if (table, r[0]) not in bad]
            if table in cs.LATER_WINS:  # only if the dates sent are still the local ones
                cols = cs.PUSHED[table]
                idx = [cols.index(c) for c in cs.EDITABLE[table]]
                cond = " AND ".join(f"{c} IS ?" for c in cs.EDITABLE[table])
                cur.executemany(
                    f"UPDATE {table} SET synced = 1 WHERE id = ? AND {cond}",
                    [(r[0], *(r[i] for i in idx)) for r in ok],
                )
                continue
            for i in range(0, len(ok), 500):
                part = [r[0] for r in ok[i : i + 500]]
                marks = ", ".join("?" * len(part))
                cur.execute(f"UPDATE {table} SET synced = 1 WHERE id IN ({marks})", part)
