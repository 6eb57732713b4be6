"""The central ledger's two dialects: one rule set, PostgreSQL or an embedded SQLite file.

Everything that differs between them lives here, behind one small interface, so the sync
engine, the revisions and the migrations never ask which ledger they talk to:

- how a write transaction starts (``transaction``), a parameter (``param``), ``IN`` over many
  values (``where_in``), null-safe equality (``same``);
- who settles what was observed (``settles_itself``): PostgreSQL's own functions, run by
  triggers (``central_settle``), or, on the embedded ledger, the push's transaction calling
  the same reference in Python (``after_insert``, ``sync_allocation``);
- the schema steps' frozen text (``frozen``, ``central_frozen``) and the parts of steps
  written in each dialect's own SQL (``guard_sql``, ``settle_step``).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, ClassVar

import psycopg
from peewee import Database

from qwtimer.core.policy import PolicyBook
from qwtimer.store import central_frozen
from qwtimer.store import central_schema as cs

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


@dataclass
class Central:
    """An open central ledger. ``role`` is the PostgreSQL login (None for a SQLite file)."""

    db: Database
    where: str  # for messages: host/db or the file, never a password
    role: str | None = None
    ledger_id: str = ""
    supervisor: bool = True  # may post adjustments and reversals (R13)

    param = "?"
    same = "IS"  # null-safe equality of two columns
    settles_itself = False  # the database writes the money entries itself (its triggers)
    frozen: ClassVar[dict[int, tuple[str, ...]]] = {}  # each step's frozen text, by step

    @property
    def role_name(self) -> str:
        """What the ledger lets this login do: "supervisor" or "technician" (R13)."""
        return "supervisor" if self.supervisor else "technician"

    def close(self) -> None:
        if not self.db.is_closed():
            self.db.close()

    def raw(self) -> Any:
        """The driver connection of this thread (psycopg or sqlite3)."""
        return self.db.connection()

    def transaction(self) -> AbstractContextManager[Any]:
        """A write transaction that holds the ledger's write lock from its first statement."""
        raise NotImplementedError

    def where_in(self, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        """``column IN values`` as SQL and its parameters."""
        raise NotImplementedError

    def after_insert(
        self, table: str, rows: Sequence[tuple[Any, ...]], author: str, policies: PolicyBook
    ) -> None:
        """Observed rows just went in (``PUSHED[table]`` order): settle what they call for,
        in the same transaction, unless the database does it itself."""

    def bulk_insert(
        self,
        table: str,
        cols: Sequence[str],
        rows: Sequence[tuple[Any, ...]],
        stage: str,
    ) -> set[Any] | None:
        """See ``sync_stage.bulk_insert``."""
        raise NotImplementedError

    def insert_all(self, tables: Sequence[tuple[str, Sequence[str], Sequence[Any]]]) -> bool:
        """Put every row of these tables (name, columns, rows; in this order) in at once,
        when none of their keys is already there. True when done; False when nothing was
        done (a key is there, or this ledger goes table by table): the caller then inserts
        each table with ``bulk_insert``."""
        return False

    def drop_stage(self, stage: str) -> None:
        """The staging table of ``bulk_insert`` is no longer needed."""

    def apply_revision(self, row: Sequence[Any]) -> str:
        """Apply one revision (``revisions.COLUMNS`` order): see ``revisions.apply``."""
        raise NotImplementedError

    def revision_step(self) -> None:
        """Schema step 2's own SQL (the PostgreSQL function and its rights)."""

    def guard_sql(self) -> list[str]:
        """Schema step 3: the ledger numbers rows itself and refuses card numbers."""
        raise NotImplementedError

    def settle_step(self) -> None:
        """Schema step 4: only the ledger writes money (``central_settle``)."""
        raise NotImplementedError


class PgCentral(Central):
    param = "%s"
    same = "IS NOT DISTINCT FROM"
    settles_itself = True
    frozen = central_frozen.PG

    def transaction(self) -> AbstractContextManager[Any]:
        return self.db.atomic()  # type: ignore[no-any-return]

    def where_in(self, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        return f"{column} = ANY(%s)", [list(values)]

    def bulk_insert(
        self,
        table: str,
        cols: Sequence[str],
        rows: Sequence[tuple[Any, ...]],
        stage: str,
    ) -> set[Any] | None:
        """A binary COPY into a temporary table dropped at commit."""
        names = ", ".join(cols)
        cur = self.db.cursor()
        self._stage(cur, table, cols, rows, stage)
        key = cols[0]
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

    def insert_all(self, tables: Sequence[tuple[str, Sequence[str], Sequence[Any]]]) -> bool:
        """Every table staged first (COPY), then every row moved in one round trip.

        The first insert into a pulled table takes the ledger's writers' lock (``SEQ_LOCK``),
        held to the commit: here nothing travels between the laptop and the server while it
        is held but this one message and the commit, so a slow network or a busy laptop
        does not keep every other push waiting. A key already there (a retry after a lost
        reply) undoes it all, staging included, for the careful way table by table."""
        cur = self.db.cursor()
        cur.execute("SAVEPOINT insert_all", prepare=False)
        for table, cols, rows in tables:
            self._stage(cur, table, cols, rows, f"all_{table}")
        moves = "; ".join(
            f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(cols)} FROM all_{table}"
            for table, cols, _ in tables
        )
        try:  # no parameters: several statements go as one simple query
            cur.execute(f"{moves}; RELEASE SAVEPOINT insert_all", prepare=False)
        except psycopg.errors.UniqueViolation:
            cur.execute("ROLLBACK TO SAVEPOINT insert_all", prepare=False)
            cur.execute("RELEASE SAVEPOINT insert_all", prepare=False)
            return False
        return True

    @staticmethod
    def _stage(
        cur: Any, table: str, cols: Sequence[str], rows: Sequence[tuple[Any, ...]], stage: str
    ) -> None:
        """``rows`` copied (binary COPY) into a new temporary table dropped at commit."""
        names = ", ".join(cols)
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

    def apply_revision(self, row: Sequence[Any]) -> str:
        marks = ", ".join(["%s"] * len(row))
        return str(self.db.execute_sql(f"SELECT apply_revision({marks})", row).fetchone()[0])

    def revision_step(self) -> None:
        from qwtimer.store import revisions

        conn = self.raw()  # no parameters: the function's text keeps its % signs
        for stmt in revisions.pg_sql():
            conn.execute(stmt)

    def guard_sql(self) -> list[str]:
        from qwtimer.store import central_guard as guard

        return guard.pg_guard_sql()

    def settle_step(self) -> None:
        from playhouse.migrate import SchemaMigrator, migrate  # loaded for a migration only

        from qwtimer.store import central_settle as settle

        migrator = SchemaMigrator.from_database(self.db)
        migrate(
            migrator.add_index("allocation", ("call_id",), name="allocation_call"),
            migrator.add_index("call_close", ("call_id",), name="call_close_call"),
        )
        for stmt in settle.pg_sql():
            self.db.execute_sql(stmt)


class SqliteCentral(Central):
    frozen = central_frozen.SQLITE

    def transaction(self) -> AbstractContextManager[Any]:
        return self.db.atomic("IMMEDIATE")  # type: ignore[no-any-return]

    def where_in(self, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        return f"{column} IN ({', '.join('?' * len(values))})", list(values)

    def after_insert(
        self, table: str, rows: Sequence[tuple[Any, ...]], author: str, policies: PolicyBook
    ) -> None:
        from qwtimer.store import sync_allocation as twin

        if table == "product_line":
            twin.post_grants(self, rows, author, policies)
        elif table == "block_order":
            twin.post_orders(self, rows, policies)
        elif table == "call_close":
            twin.settle_closes(self, rows, policies)

    def bulk_insert(
        self,
        table: str,
        cols: Sequence[str],
        rows: Sequence[tuple[Any, ...]],
        stage: str,
    ) -> set[Any] | None:
        """A temporary table, dropped by ``drop_stage``."""
        names = ", ".join(cols)
        db = self.db
        db.execute_sql(f"DROP TABLE IF EXISTS temp.{stage}")
        db.execute_sql(f"CREATE TEMP TABLE {stage} AS SELECT {names} FROM main.{table} WHERE 0")
        db.cursor().executemany(
            f"INSERT INTO temp.{stage} ({names}) VALUES ({', '.join('?' * len(cols))})", rows
        )
        cur = db.execute_sql(
            f"INSERT INTO main.{table} ({names}) SELECT {names} FROM temp.{stage} WHERE true "
            f"ON CONFLICT DO NOTHING RETURNING {cols[0]}"
        )
        return {r[0] for r in cur.fetchall()}

    def drop_stage(self, stage: str) -> None:
        self.db.execute_sql(f"DROP TABLE IF EXISTS temp.{stage}")

    def apply_revision(self, row: Sequence[Any]) -> str:
        from qwtimer.store import revisions

        return revisions.apply_sqlite(self.db, dict(zip(revisions.COLUMNS, row, strict=True)))

    def guard_sql(self) -> list[str]:
        from qwtimer.store import central_guard as guard

        return guard.sqlite_guard_sql()

    def settle_step(self) -> None:
        from qwtimer.store import central_guard as guard

        db = self.db
        for table in ("call_close", "block_order"):
            for when in ("INSERT", "UPDATE"):
                db.execute_sql(
                    f"""CREATE TRIGGER IF NOT EXISTS {table}_card_ref_no_card_{when.lower()}
                    BEFORE {when} ON {table} WHEN holds_card_number(NEW.card_ref)
                    BEGIN SELECT RAISE(ABORT, '{guard.CARD_REFUSAL} ({table})'); END"""
                )
