"""How pushed rows enter the central ledger: staging, then identical, merged or conflicting.

On PostgreSQL each table of a batch is copied (``COPY``) into a temporary staging table,
then the rows go in with one ``INSERT ... SELECT`` a table, all in one message
(``stage_batch``). When a key is already there (a retry), each table is staged again and
only its new keys go in, one table after the other. A row whose key the ledger already holds
is compared column by column: identical is success (a retry after a lost reply), a change
where the desk may change a row (``cs.EDITABLE``) is applied, anything else is a conflict,
reported and never overwritten (a customer's contact or a product line's dates that differ
become a revision, ``store.revisions``). SQLite does the same without COPY, table by table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qwtimer.store import central_schema as cs
from qwtimer.store import revisions
from qwtimer.store.ledger_errors import Conflict

if TYPE_CHECKING:
    from qwtimer.store.central_dialect import Central


def _eq(central: Central, cols: Sequence[str]) -> str:
    return " AND ".join(f"s.{c} {central.same} t.{c}" for c in cols)


@dataclass
class Staged:
    inserted: list[tuple[Any, ...]]
    identical: int
    merged: int
    conflicts: list[Conflict]


def bulk_insert(
    central: Central,
    table: str,
    cols: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    stage: str | None = None,
) -> set[Any] | None:
    """Insert ``rows`` through a staging table (COPY on PostgreSQL); a row whose key the
    table already holds is skipped. Returns the first column of the rows inserted, or None
    when every row went in (the common case: nothing to look up). The staging table
    ``stage_<table>`` stays until the end of the caller's transaction."""
    return central.bulk_insert(table, cols, rows, stage or f"stage_{table}")


def stage_batch(
    central: Central,
    batch: Sequence[tuple[str, Sequence[tuple[Any, ...]]]],
    author: str,
    each: Callable[[str, Staged], object],
) -> dict[str, Staged]:
    """Insert a push's batch (table and rows, ``PUSHED[table]`` order, in the order given)
    inside the caller's transaction; ``each(table, staged)`` follows each table in turn.

    When no key is already there, every table goes in at once (``Central.insert_all``: on
    PostgreSQL the writers' lock is then held for one round trip and the commit); else,
    and on a ledger that goes table by table, each table is staged, inserted and sorted
    out (``stage_insert``) before the next, ``each`` between them."""
    at_once = central.insert_all([(t, cs.PUSHED[t], rows) for t, rows in batch])
    out: dict[str, Staged] = {}
    for table, rows in batch:
        if at_once:
            out[table] = Staged(list(rows), 0, 0, [])
        else:
            out[table] = stage_insert(central, table, rows, author=author)
        each(table, out[table])
    return out


def stage_insert(
    central: Central,
    table: str,
    rows: Sequence[tuple[Any, ...]],
    author: str = "",
) -> Staged:
    """Insert ``rows`` (``PUSHED[table]`` order) inside the caller's transaction and sort
    out the rows the ledger already held: identical, merged or conflicts. ``author``: who a
    change found on a held row is recorded as (on PostgreSQL always the login)."""
    new_ids = bulk_insert(central, table, cs.PUSHED[table], rows)
    if new_ids is None:
        out = Staged(list(rows), 0, 0, [])
    else:
        out = Staged([r for r in rows if r[0] in new_ids], 0, 0, [])
    if new_ids is not None and len(new_ids) < len(rows):
        _compare(central, table, f"stage_{table}", out, len(rows) - len(new_ids), author)
    central.drop_stage(f"stage_{table}")
    return out


def _compare(
    central: Central, table: str, stage: str, out: Staged, existing: int, author: str
) -> None:
    """Rows the ledger already held: identical, changed only where the desk may change them
    (applied as revisions, ``store.revisions``), or conflicts."""
    editable = cs.EDITABLE.get(table, ())
    fixed = [c for c in cs.PUSHED[table] if c not in editable]
    db = central.db
    rows = db.execute_sql(
        f"SELECT s.id, t.id IS NULL FROM {stage} s LEFT JOIN {table} t ON t.id = s.id "
        f"WHERE t.id IS NULL OR NOT ({_eq(central, fixed)})"
    ).fetchall()
    for rid, missing in rows:
        problem = (
            "the ledger refused it: another row already holds this key (for a grant: the "
            "product line was already credited, R1), or the id belongs to someone else"
            if missing
            else "the ledger holds a different row with this id; it was not overwritten: "
            "a supervisor must compare both"
        )
        out.conflicts.append(Conflict(table, str(rid), problem))
    if editable:
        names = ", ".join(f"s.{c}" for c in ("id", *editable))
        changed = db.execute_sql(
            f"SELECT {names} FROM {stage} s JOIN {table} t ON t.id = s.id "
            f"WHERE {_eq(central, fixed)} AND NOT ({_eq(central, editable)})"
        ).fetchall()
        for r in changed:
            row = dict(zip(("id", *editable), r, strict=True))
            change = {c: row.get(c) for c in revisions.COLUMNS}
            change.update(
                id=revisions.legacy_id(table, row),
                target=table,
                row_id=row["id"],
                changed_by=central.role or author,
                device_id="",
                changed_at=revisions.now_text(),
            )
            done = revisions.apply(central, [change[c] for c in revisions.COLUMNS])
            out.merged += done == "applied"
    out.identical = existing - len(out.conflicts)
