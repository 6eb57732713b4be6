"""How pushed rows enter the central ledger: staging, then identical, merged or conflicting.

On PostgreSQL a batch of one table is copied (``COPY``) into a temporary staging table, then
the rows with new keys go in with one ``INSERT ... SELECT``. A row whose key the ledger
already holds is compared column by column: identical is success (a retry after a lost reply),
a change where the desk may change a row (``cs.EDITABLE``) is applied, anything else is a
conflict, reported and never overwritten (a customer's contact or a product line's dates that
differ become a revision, ``store.revisions``). SQLite does the same without COPY.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg

from qwtimer.store import central_schema as cs
from qwtimer.store.central_dialect import Central


@dataclass(frozen=True)
class Conflict:
    table: str
    id: str
    problem: str

    def as_dict(self) -> dict[str, str]:
        return {"table": self.table, "id": self.id, "problem": self.problem}


def _eq(central: Central, cols: Sequence[str]) -> str:
    return " AND ".join(f"s.{c} {central.same} t.{c}" for c in cols)


@dataclass
class Staged:
    inserted: list[tuple[Any, ...]]
    identical: int
    merged: int
    conflicts: list[Conflict]


_PG_TYPES = {"TEXT": "text", "INT": "int4", "BIGINT": "int8", "BOOL": "bool"}
_MODELS = {m._meta.table_name: m for m in cs.MODELS}


def _binary_types(table: str, cols: Sequence[str]) -> list[str] | None:
    """The PostgreSQL types of these columns, for a binary COPY (cheaper to send and to read
    than text); None when one is not known (then the COPY is in text)."""
    model = _MODELS.get(table)
    if model is None:
        return None
    types = [_PG_TYPES.get(getattr(model._meta.columns.get(c), "field_type", "")) for c in cols]
    return None if None in types else [str(t) for t in types]


def bulk_insert(
    central: Central,
    table: str,
    cols: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    stage: str | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> set[Any] | None:
    """Insert ``rows`` through a staging table (COPY on PostgreSQL); a row whose key the
    table already holds is skipped. Returns the first column of the rows inserted, or None
    when every row went in (the common case: nothing to look up). The staging table
    ``stage_<table>`` stays until the end of the caller's transaction. ``meanwhile`` is
    called once the rows are staged, just before the server moves them into ``table`` (on
    PostgreSQL: work for another thread starts there while this one waits on the server)."""
    return central.bulk_insert(table, cols, rows, stage or f"stage_{table}", meanwhile)


def bulk_insert_pg(
    central: Central,
    table: str,
    cols: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    stage: str,
    meanwhile: Callable[[], object] | None,
) -> set[Any] | None:
    """``bulk_insert`` on PostgreSQL: a binary COPY into a temporary table dropped at commit."""
    names = ", ".join(cols)
    cur = central.db.cursor()
    cur.execute(
        f"CREATE TEMP TABLE {stage} ON COMMIT DROP AS SELECT {names} FROM {table} WITH NO DATA",
        prepare=False,  # the staging table is new in every transaction: nothing to reuse
    )
    types = _binary_types(table, cols)
    fmt = " (FORMAT BINARY)" if types else ""
    with cur.copy(f"COPY {stage} ({names}) FROM STDIN{fmt}") as copy:
        if types:
            copy.set_types(types)
        for r in rows:
            copy.write_row(r)
    key = cols[0]
    if meanwhile is not None:
        meanwhile()
    # A plain insert is much cheaper than ON CONFLICT, and a first push holds only new
    # keys; when any key is already there (a retry), redo it the careful way.
    cur.execute("SAVEPOINT bulk_insert", prepare=False)
    try:
        cur.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {stage}", prepare=False)
        cur.execute("RELEASE SAVEPOINT bulk_insert", prepare=False)
        return None  # every row (a key already there raises instead)
    except psycopg.errors.UniqueViolation:
        cur.execute("ROLLBACK TO SAVEPOINT bulk_insert", prepare=False)
        cur.execute(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM {stage} "
            f"ON CONFLICT DO NOTHING RETURNING {key}"
        )
    return {r[0] for r in cur.fetchall()}


def bulk_insert_sqlite(
    central: Central,
    table: str,
    cols: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    stage: str,
    meanwhile: Callable[[], object] | None,
) -> set[Any] | None:
    """``bulk_insert`` on the embedded ledger: a temporary table, dropped by ``drop_stage``."""
    names = ", ".join(cols)
    db = central.db
    db.execute_sql(f"DROP TABLE IF EXISTS temp.{stage}")
    db.execute_sql(f"CREATE TEMP TABLE {stage} AS SELECT {names} FROM main.{table} WHERE 0")
    db.cursor().executemany(
        f"INSERT INTO temp.{stage} ({names}) VALUES ({', '.join('?' * len(cols))})", rows
    )
    if meanwhile is not None:
        meanwhile()
    cur = db.execute_sql(
        f"INSERT INTO main.{table} ({names}) SELECT {names} FROM temp.{stage} WHERE true "
        f"ON CONFLICT DO NOTHING RETURNING {cols[0]}"
    )
    return {r[0] for r in cur.fetchall()}


def stage_insert(
    central: Central,
    table: str,
    rows: Sequence[tuple[Any, ...]],
    meanwhile: Callable[[], object] | None = None,
    author: str = "",
) -> Staged:
    """Insert ``rows`` (``PUSHED[table]`` order) inside the caller's transaction and sort
    out the rows the ledger already held: identical, merged or conflicts. ``meanwhile``:
    see ``bulk_insert``; ``author``: who a change found on a held row is recorded as (on
    PostgreSQL always the login)."""
    new_ids = bulk_insert(central, table, cs.PUSHED[table], rows, meanwhile=meanwhile)
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
        from qwtimer.store import revisions  # it builds on this module

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
