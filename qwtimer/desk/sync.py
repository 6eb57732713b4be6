"""Sync runs for the window and the command line: push, pull, status, the problem list.

A run opens the ledger, pushes every unsynced row, pulls what changed and records the
outcome in the local ``meta`` table (last success, last error in words, the problem list), so
the status survives restarts. Being offline is normal: the run says so and nothing is lost.
Safe to call from a worker thread (it touches no widgets and opens its own connections).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from qwtimer.core.errors import QwtimerError
from qwtimer.core.times import local, local_text, local_time_text
from qwtimer.desk.changes import Changes, note
from qwtimer.desk.context import Desk

if TYPE_CHECKING:
    from qwtimer.store import sync as engine

# The engine and the ledger's drivers load on the first sync, not with the window.

Progress = Callable[[str, int, int], None]
MAX_PROBLEMS = 500  # kept for the window's problem list; --json prints them all
K_LAST_OK, K_LAST_ERROR, K_PROBLEMS, K_URL = (
    "sync:last_ok_at",
    "sync:last_error",
    "sync:problems",
    "ledger_url",
)


@dataclass
class SyncReport:
    """One run, as ``qwtimer sync --json`` prints it."""

    ledger: str
    ok: bool = False
    offline: bool = False
    pushed: dict[str, int] = field(default_factory=dict)
    identical: int = 0
    pulled: dict[str, int] = field(default_factory=dict)
    settled: int = 0
    unsettled: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[dict[str, str]] = field(default_factory=list)
    resettled: list[dict[str, Any]] = field(default_factory=list)  # see desk.resettle
    error: str | None = None
    pending: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "ledger": self.ledger,
            "ok": self.ok,
            "offline": self.offline,
            "pushed": self.pushed,
            "pushed_total": sum(self.pushed.values()),
            "already_in_ledger": self.identical,
            "pulled": self.pulled,
            "pulled_total": sum(self.pulled.values()),
            "settled_closes": self.settled,
            "unsettled": self.unsettled,
            "conflicts": self.conflicts,
            "resettled": self.resettled,
            "errors": [self.error] if self.error else [],
            "pending": self.pending,
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class SyncStatus:
    last_ok_at: str | None
    pending: int
    last_error: str | None
    problems: list[dict[str, str]]
    # a supervisor's laptop holds the whole team's calls as of this sync (``sync_pull``);
    # None for a technician (their own calls only) and before the first sync
    team_as_of: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "last_ok_at": self.last_ok_at,
            "pending": self.pending,
            "last_error": self.last_error or None,
            "problems": self.problems,
            "team_as_of": self.team_as_of,
        }


def team_as_of(desk: Desk) -> str | None:
    """When this laptop last received the whole team's calls: a supervisor's last successful
    sync (ISO 8601), None on a technician's laptop or before the first sync."""
    from qwtimer.desk.roles import SUPERVISOR, known_role

    if known_role(desk) != SUPERVISOR:
        return None
    return desk.meta(K_LAST_OK) or None


def calls_source(desk: Desk, now: datetime) -> str:
    """Where the calls this laptop shows come from and how old they are, in one line:
    "the team's calls as of the last sync, 14:05 UTC (12 min ago)" on a supervisor's laptop."""
    as_of = team_as_of(desk)
    if as_of is None:
        return (
            "the calls made on this computer (a supervisor's laptop holds the whole team's "
            "after a sync)"
        )
    at = datetime.fromisoformat(as_of)
    minutes = max(0, int((now - at).total_seconds() // 60))
    when = local_time_text(at) if local(at).date() == local(now).date() else local_text(at)
    if minutes < 1:
        ago = "just now"
    elif minutes < 120:
        ago = f"{minutes} min ago"
    elif minutes < 48 * 60:
        ago = f"{minutes // 60} h ago"
    else:
        ago = f"{minutes // (24 * 60)} days ago"
    said = f"the team's calls as of the last sync, {when} ({ago})"
    if desk.meta(K_LAST_ERROR):  # the last try failed: say that newer calls may be missing
        said += "; the last sync failed, so calls made since may be missing"
    return said


_log = logging.getLogger(__name__)


class Sync:
    def __init__(self, desk: Desk, url: str | None = None, **engine_options: int) -> None:
        """``engine_options``: ``batch_rows`` / ``batch_calls`` (smaller batches: finer
        progress, more transactions)."""
        from qwtimer.store import central as central_store

        self.desk = desk
        self.engine_options = engine_options
        self.url = central_store.resolve_url(
            url, os.environ.get("QWTIMER_LEDGER"), self._get(K_URL), desk.folder
        )

    def _set(self, key: str, value: str) -> None:
        self.desk.db.execute_sql(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value)
        )

    def _get(self, key: str) -> str | None:
        row = self.desk.db.execute_sql("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def _set_role(self, role: str) -> None:
        """Remember what the ledger lets this login do (``desk.roles``)."""
        from qwtimer.desk.roles import role_key

        key = role_key(self.url, self.desk.technician)
        if self._get(key) != role:  # written when it changes: no extra commit per sync
            with self.desk.db.atomic():
                self._set(key, role)

    def describe(self, table: str, row_id: str) -> str:
        """The row a problem is about, in words: "the call for Acme Ltd at 14:05",
        "Acme Ltd's product line"; the table and the id's start when it is not here."""
        q = self.desk.db.execute_sql
        call_id = customer_id = None
        if table == "call":
            call_id = row_id
        elif table in ("segment", "call_close", "allocation", "entry"):
            src = "call_close" if table == "allocation" else table  # keyed by the close
            found = q(f"SELECT call_id FROM {src} WHERE id = ?", (row_id,)).fetchone()
            call_id = found[0] if found else None
            if call_id is None and table == "entry":
                found = q("SELECT customer_id FROM entry WHERE id = ?", (row_id,)).fetchone()
                customer_id = found[0] if found else None
        elif table == "customer":
            customer_id = row_id
        elif table in ("product_line", "purchase", "payment_ref", "block_order"):
            found = q(f"SELECT customer_id FROM {table} WHERE id = ?", (row_id,)).fetchone()
            customer_id = found[0] if found else None
        if call_id is not None:
            found = q(
                "SELECT cu.name, c.started_at, c.utc_offset_min FROM call c "
                "JOIN customer cu ON cu.id = c.customer_id WHERE c.id = ?",
                (call_id,),
            ).fetchone()
            if found:
                at = datetime.fromisoformat(found[1]) + timedelta(minutes=int(found[2] or 0))
                return f"the call for {found[0]} on {at:%Y-%m-%d at %H:%M}"
        if customer_id is not None:
            found = q("SELECT name FROM customer WHERE id = ?", (customer_id,)).fetchone()
            if found:
                kind = {"customer": "", "entry": " ledger entry"}.get(table, " " + table)
                return f"{found[0]}" + (f"'s{kind.replace('_', ' ')}" if kind else "")
        return f"{table.replace('_', ' ')} {row_id[:8]}"

    def status(self) -> SyncStatus:
        from qwtimer.store import sync as engine

        problems = json.loads(self._get(K_PROBLEMS) or "[]")
        return SyncStatus(
            self._get(K_LAST_OK),
            engine.pending(self.desk.db),
            self._get(K_LAST_ERROR),
            problems,
            team_as_of(self.desk),
        )

    def run(self, progress: Progress | None = None, hook: engine.Hook | None = None) -> SyncReport:
        """Push then pull. Never raises for the ledger's sake: the report says what happened,
        and it says what changed: anything, once rows were pulled or calls re-settled;
        otherwise the sync state of what was sent (``note``)."""
        from qwtimer.desk import resettle
        from qwtimer.store import central as central_store
        from qwtimer.store import sync as engine
        from qwtimer.store import sync_pull
        from qwtimer.store.central import LedgerOffline

        started = datetime.now(UTC)
        report = SyncReport(ledger=self.url.split("@")[-1])
        central = None
        try:
            central = central_store.connect(self.url, who=self.desk.technician)
            report.ledger = central.where
            self._set_role(central.role_name)
            eng = engine.Engine(
                self.desk.db,
                central,
                self.desk.policies,
                progress=progress,
                hook=hook,
                author=self.desk.technician,
                **self.engine_options,
            )
            sent = resettle.unsynced_closes(self.desk.db)
            try:
                pushed = eng.push()
            finally:
                pushed = eng.result
                report.pushed = {k: v for k, v in pushed.inserted.items() if v}
                report.identical = pushed.identical
                report.settled = pushed.settled
                report.unsettled = pushed.unsettled
                report.conflicts = [c.as_dict() for c in pushed.conflicts]
            with self.desk.db.atomic():
                report.resettled = resettle.record(
                    self.desk.db, central, sent, self.desk.technician
                )
            pulled = sync_pull.pull(self.desk.db, central, self.desk.device_id, progress)
            report.pulled = {k: v for k, v in pulled.pulled.items() if v}
            report.conflicts += [c.as_dict() for c in pulled.conflicts]
            report.ok = True
        except LedgerOffline as exc:
            report.offline = True
            report.error = f"{exc}; you are offline: nothing is lost, it syncs later"
        except QwtimerError as exc:
            report.error = str(exc)
        except Exception as exc:  # not a known condition: a bug, logged and said as one
            busy = central_store.busy_error(exc, report.ledger)
            if busy is None:
                _log.exception("the sync stopped on an unexpected error")
            report.error = (
                str(busy)
                if busy
                else f"the sync stopped on an unexpected error (a fault in qwtimer, written to "
                f"the log file; nothing was half-written): {exc.__class__.__name__}: {exc}".strip()
            )
        finally:
            if central is not None:
                with contextlib.suppress(Exception):  # a dead connection may not close
                    central.close()
        report.pending = engine.pending(self.desk.db)
        report.seconds = (datetime.now(UTC) - started).total_seconds()
        with self.desk.db.atomic():
            if report.ok:
                self._set(K_LAST_OK, started.isoformat(timespec="seconds"))
                self._set(K_LAST_ERROR, "")
            else:
                self._set(K_LAST_ERROR, report.error or "")
            problems = [
                *report.conflicts,
                *(
                    {
                        "table": "allocation",
                        "id": a["close_id"],
                        "problem": "pay-per-minute left unsettled, no card on file (R6.1): "
                        "flagged for a supervisor",
                    }
                    for a in report.unsettled
                ),
            ]
            for p in problems:
                p["what"] = self.describe(p["table"], p["id"])
            if report.ok or problems:
                self._set(K_PROBLEMS, json.dumps(problems[:MAX_PROBLEMS]))
        moved = any(report.pulled.values()) or bool(report.resettled)
        note(Changes.everything() if moved else Changes(ledger=True))
        return report
