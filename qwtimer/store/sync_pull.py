"""Pull: what changed in the central ledger since this device's cursor, into the local tables.

- Per pulled table a cursor (the highest ``ledger_seq`` seen) is kept in the local ``meta``
  table under ``sync:<ledger id>:<table>``, written in the same local transaction as the rows,
  so an interrupted pull resumes exactly where it stopped. A cursor beyond the ledger's
  highest number (a forged number the ledger has since replaced) starts again from 0.
- Each table is read only up to its highest number as it stood when the pull began, the
  tables that refer to others read first: a product line, card, purchase or entry another
  laptop commits (with its new customer) while this pull runs comes at the next pull, with
  its customer, instead of arriving first and being dropped for want of it.
- Customers, product lines, purchases and cards come down whole (a product line's dates take
  the later of the local and central values; a customer's contact is the ledger's, unless a
  change made here has not reached the ledger yet); entries come down when another device or the
  ledger itself (settlements) wrote them. Pulled rows are marked synced: they are never pushed
  back.
- A supervisor's laptop also pulls every other device's calls, segments and closes (schema
  step 5, ``central_team``), before the entries so that their debits keep their call: the
  review, listings, reports and statements then hold the whole team's calls. They are
  written here as the ledger holds them, marked synced, as stopped calls (the timer state
  stays on the device that runs the call), never over a row already here. A technician pulls
  none (the ledger's row security would show them their own calls only, already here).
- An entry whose call is not on this device keeps its amount and reason but no call link
  (a technician's laptop has no other device's calls); the balance, a sum of entries, is
  unaffected.
- The ledger's own entries replace this device's provisional ones (same ids), and its
  splits remove the provisional entries it did not make (``provisional``): after a pull the
  device's bank is the ledger's, to the second and the cent. Each split is kept
  (``ledger_splits``), so every call's figures are the ledger's settlement (a technician's
  own calls' splits, a supervisor's the whole team's: the ledger's row security).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from peewee import SqliteDatabase

from qwtimer.core.cards import holds_card_number
from qwtimer.store import central_schema as cs
from qwtimer.store import ledger_splits, provisional
from qwtimer.store.central_dialect import Central
from qwtimer.store.central_team import TEAM_TABLES
from qwtimer.store.ledger_errors import Conflict
from qwtimer.store.local_schema import FREE_TEXT
from qwtimer.store.sync import Progress

CHUNK = 5000


@dataclass
class PullResult:
    pulled: dict[str, int] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.pulled.values())


def cursor_key(ledger_id: str, table: str) -> str:
    return f"sync:{ledger_id}:{table}"


def _cursor(local: SqliteDatabase, key: str) -> int:
    row = local.execute_sql("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return int(row[0]) if row else 0


def _in(values: Sequence[Any]) -> str:
    return ", ".join("?" * len(values))


def _local_ids(local: SqliteDatabase, table: str, ids: Sequence[Any]) -> set[Any]:
    found: set[Any] = set()
    ids = [i for i in ids if i is not None]
    for i in range(0, len(ids), 900):
        part = ids[i : i + 900]
        found |= {
            r[0]
            for r in local.execute_sql(
                f"SELECT id FROM {table} WHERE id IN ({_in(part)})", part
            ).fetchall()
        }
    return found


def pull(
    local: SqliteDatabase,
    central: Central,
    device_id: str,
    progress: Progress | None = None,
) -> PullResult:
    """Bring this device up to date with the ledger. Safe to interrupt at any point."""
    result = PullResult()
    # A supervisor reads the whole team's calls (the review); a technician none (their own
    # are here). Only rows numbered before the pull began come down, so each row's
    # customer, each segment's call and each debit's call are here before it; a row another
    # laptop commits meanwhile comes at the next pull, never dropped for want of its parent.
    team = TEAM_TABLES if central.supervisor else ()
    tops = _tops(central, team)
    tables = [t for t in cs.PULLED if t != "entry"] + [*team, "entry"]
    for table in tables:
        mine = _NOT_MINE.get(table, "")

        def store(rows: list[tuple[Any, ...]], table: str = table) -> None:
            n = (_store_team if table in team else _store)(local, table, rows, result)
            result.pulled[table] = result.pulled.get(table, 0) + n
            if progress:
                progress(f"pull {table}", result.pulled[table], result.pulled[table])

        params = [device_id] if mine else []
        _follow(local, central, table, cs.PUSHED[table], store, mine, params, tops.get(table))

    def settled(rows: list[tuple[Any, ...]]) -> None:
        # the ledger's splits: the provisional entries a close was settled without go, and
        # each split is kept, its call's figures the ledger's from now on
        provisional.drop_unmade(local, [(str(r[0]), int(r[1]), int(r[2])) for r in rows])
        ledger_splits.keep(local, [[r[i] for i in _SPLIT_AT] for r in rows])
        result.pulled["allocation"] = result.pulled.get("allocation", 0) + len(rows)

    _follow(local, central, "allocation", SETTLED_COLUMNS, settled)
    return result


# The ledger's split of each close: what ``provisional.drop_unmade`` reads first, then the
# rest of what ``ledger_splits`` keeps.
_SPLIT = ledger_splits.LEDGER_COLUMNS
SETTLED_COLUMNS = (
    "close_id",
    "billed_seconds",
    "purchased_seconds",
    *(c for c in _SPLIT if c not in ("close_id", "billed_seconds", "purchased_seconds")),
)
_SPLIT_AT = [SETTLED_COLUMNS.index(c) for c in _SPLIT]
# Rows another device wrote ({p}: this device's id); a call's segments and closes by its call.
_OF_OTHERS = "NOT EXISTS (SELECT 1 FROM call c WHERE c.id = {t}.call_id AND c.device_id = {p})"
_NOT_MINE = {
    "entry": " AND device_id <> {p}",
    "call": " AND device_id <> {p}",
    "segment": " AND " + _OF_OTHERS.replace("{t}", "segment"),
    "call_close": " AND " + _OF_OTHERS.replace("{t}", "call_close"),
}


def _follow(
    local: SqliteDatabase,
    central: Central,
    table: str,
    cols: Sequence[str],
    store: Callable[[list[tuple[Any, ...]]], None],
    where: str = "",
    params: Sequence[Any] = (),
    upto: int | None = None,
) -> None:
    """Read ``table`` after this device's cursor, a page at a time: ``store`` takes each page
    in the local transaction that also moves the cursor (an interrupted pull resumes where it
    stopped). ``where``: more conditions, ``{p}`` for the ledger's parameter mark; ``upto``:
    the highest number to read this time (the rest comes at the next pull)."""
    p = central.db.param
    key = cursor_key(central.ledger_id, table)
    seen = _cursor(local, key)
    top = central.db.execute_sql(f"SELECT max(ledger_seq) FROM {table}").fetchone()[0]
    if upto is not None:
        where += f" AND ledger_seq <= {int(upto)}"
    if seen > int(top or 0):
        # Past the ledger's highest number: it renumbered a row that carried a forged
        # number (schema step 2). Read again from the start; rows already here are kept.
        seen = 0
    while True:
        rows = central.db.execute_sql(
            f"SELECT {', '.join(cols)}, ledger_seq FROM {table} WHERE ledger_seq > {p}"
            f"{where.format(p=p)} ORDER BY ledger_seq LIMIT {CHUNK}",
            [seen, *params],
        ).fetchall()
        if not rows:
            return
        seen = max(int(r[-1]) for r in rows)
        with local.atomic():
            store([tuple(r[:-1]) for r in rows])
            local.execute_sql(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, str(seen))
            )
        if len(rows) < CHUNK:
            return


def _store(
    local: SqliteDatabase, table: str, rows: list[tuple[Any, ...]], result: PullResult
) -> int:
    cols = list(cs.PUSHED[table])
    rows = _without_card_numbers(table, cols, rows, result)
    if table == "entry":
        provisional.replace(local, [str(r[0]) for r in rows])  # the ledger's replace ours
        rows = _fit_entries(local, rows, result)
    elif table != "customer":
        known = _local_ids(local, "customer", list({r[1] for r in rows}))
        for r in rows:
            if r[1] not in known:
                result.conflicts.append(
                    Conflict(table, str(r[0]), "its customer is not on this device")
                )
        rows = [r for r in rows if r[1] in known]
    names = ", ".join([*cols, "synced"])
    marks = ", ".join("?" * (len(cols) + 1))
    editable = cs.EDITABLE.get(table, ())
    if table in cs.LATER_WINS:
        sets = ", ".join(
            f"{c} = max(coalesce({c}, excluded.{c}), coalesce(excluded.{c}, {c}))" for c in editable
        )
        later = " OR ".join(
            f"max(coalesce({c}, excluded.{c}), coalesce(excluded.{c}, {c})) IS NOT {c}"
            for c in editable
        )
        tail = f"ON CONFLICT(id) DO UPDATE SET {sets} WHERE {later}"
    elif editable:  # the ledger's current values, unless a change made here still waits
        sets = ", ".join(f"{c} = excluded.{c}" for c in editable)
        differ = " OR ".join(f"{c} IS NOT excluded.{c}" for c in editable)
        tail = (
            f"ON CONFLICT(id) DO UPDATE SET {sets} WHERE ({differ}) AND NOT EXISTS "
            "(SELECT 1 FROM revision r WHERE r.row_id = excluded.id AND r.synced = 0)"
        )
    else:
        tail = "ON CONFLICT(id) DO NOTHING"
    cur = local.cursor()
    cur.executemany(
        f"INSERT INTO {table} ({names}) VALUES ({marks}) {tail}", [(*r, 1) for r in rows]
    )
    return int(cur.rowcount)  # the rows written, never what their triggers wrote besides


def _without_card_numbers(
    table: str, cols: list[str], rows: list[tuple[Any, ...]], result: PullResult
) -> list[tuple[Any, ...]]:
    """Rows whose free text holds a card number are never copied to this device (R6.1)."""
    at = [cols.index(c) for c in FREE_TEXT.get(table, ()) if c in cols]
    kept = []
    for r in rows:
        if any(holds_card_number(r[i]) for i in at):
            result.conflicts.append(
                Conflict(table, str(r[0]), "it holds a card number (R6.1); not copied here")
            )
        else:
            kept.append(r)
    return kept


def _fit_entries(
    local: SqliteDatabase, rows: list[tuple[Any, ...]], result: PullResult
) -> list[tuple[Any, ...]]:
    """Entries as the local tables can hold them (see the module docstring)."""
    cols = cs.PUSHED["entry"]
    i_cust, i_call = cols.index("customer_id"), cols.index("call_id")
    i_rev, i_key = cols.index("reverses_id"), cols.index("grant_key")
    have = _local_ids(local, "entry", [r[0] for r in rows])
    rows = [r for r in rows if r[0] not in have]
    customers = _local_ids(local, "customer", list({r[i_cust] for r in rows}))
    calls = _local_ids(local, "call", list({r[i_call] for r in rows}))
    ids = {r[0] for r in rows}
    originals = _local_ids(local, "entry", list({r[i_rev] for r in rows})) | ids
    keys = [r[i_key] for r in rows if r[i_key]]
    taken: dict[str, str] = {}
    for i in range(0, len(keys), 900):
        part = keys[i : i + 900]
        for gid, gkey in local.execute_sql(
            f"SELECT id, grant_key FROM entry WHERE grant_key IN ({_in(part)})", part
        ).fetchall():
            taken[gkey] = gid
    out = []
    for r in rows:
        if r[i_cust] not in customers:
            result.conflicts.append(Conflict("entry", str(r[0]), "its customer is not here"))
            continue
        if r[i_key] and r[i_key] in taken:
            result.conflicts.append(
                Conflict(
                    "entry",
                    str(r[0]),
                    f"the ledger credited this product line with entry {r[0]} while this "
                    f"device credited it with entry {taken[r[i_key]]} (R1: once per line): a "
                    "supervisor reverses one",
                )
            )
            continue
        row = list(r)
        if row[i_call] not in calls:
            row[i_call] = None
        if row[i_rev] not in originals:
            row[i_rev] = None
        out.append(tuple(row))
    return out


# Whose highest number is read first: a table's before those of the tables its rows refer
# to (a debit its call and customer, a close or segment its call, a call, line, purchase or
# card its customer). Customers refer to nothing and are read whole.
_TOPS_ORDER = ("entry", "call_close", "segment", "call", "payment_ref", "purchase", "product_line")


def _tops(central: Central, team: Sequence[str]) -> dict[str, int]:
    """The highest number now of each pulled table that refers to another (``team``: the
    calls, segments and closes too), referring tables first: a row is numbered under the
    writers' lock after the rows it refers to, so every row up to these numbers finds what
    it refers to up to them (see ``pull``)."""
    tops = {}
    for table in _TOPS_ORDER:
        if table in TEAM_TABLES and table not in team:
            continue
        top = central.db.execute_sql(f"SELECT max(ledger_seq) FROM {table}").fetchone()[0]
        tops[table] = int(top or 0)
    return tops


# What the local tables hold beyond the ledger's columns, for a call, segment or close of
# another device: the timer state is that device's own; here it is a finished record.
_TEAM_EXTRA: dict[str, dict[str, Any]] = {
    "call": {"state": "stopped", "boot_id": "", "pending_gap_ms": 0, "synced": 1},
    "segment": {"open": 0, "synced": 1},
    "call_close": {"synced": 1},
}
_PARENT = {"call": "customer", "segment": "call", "call_close": "call"}


def _store_team(
    local: SqliteDatabase, table: str, rows: list[tuple[Any, ...]], result: PullResult
) -> int:
    """Other devices' calls, segments and closes as they are in the ledger, marked synced
    (never pushed back). A row already here is left as it is (this device's own are never
    overwritten); a pulled call is stopped here whatever its device does, so it is never
    this device's running call."""
    cols = list(cs.PUSHED[table])
    rows = _without_card_numbers(table, cols, rows, result)
    parent = _PARENT[table]
    known = _local_ids(local, parent, list({r[1] for r in rows}))
    kept = []
    for r in rows:
        if r[1] in known:
            kept.append(r)
        else:
            result.conflicts.append(
                Conflict(table, str(r[0]), f"its {parent} is not on this device")
            )
    if table == "call":  # the ledger's booleans (PostgreSQL) as the local 0 and 1
        i = cols.index("manual")
        kept = [(*r[:i], int(bool(r[i])), *r[i + 1 :]) for r in kept]
    extra = _TEAM_EXTRA[table]
    names = ", ".join([*cols, *extra])
    marks = ", ".join("?" * (len(cols) + len(extra)))
    cur = local.cursor()
    cur.executemany(
        f"INSERT INTO {table} ({names}) VALUES ({marks}) ON CONFLICT DO NOTHING",
        [(*r, *extra.values()) for r in kept],
    )
    return int(cur.rowcount)  # the rows written, never what their triggers wrote besides
