"""Schema step 5: the ledger numbers calls, segments and closes too, so that a supervisor's
laptop pulls the whole team's calls by cursor (``sync_pull``), as it pulls customers.

- A ``ledger_seq`` column and its index on ``call``, ``segment`` and ``call_close``, added as
  ``playhouse.migrate`` operations; the numbering is step 3's (``central_guard``), reused
  as it is: on PostgreSQL the column's own sequence, the row trigger ``ledger_seq_assign``
  and the writers' lock (``ledger_seq_lock``, so a cursor never skips a row that commits
  late); on the embedded ledger a counter in ``ledger_meta`` moved by its triggers.
- Rows already in the ledger get their numbers in the step itself (PostgreSQL fills a new
  serial column; the embedded ledger numbers them in row order), so the first team pull
  brings the whole history.
- Who may read what is unchanged (step 1, ``central_security``): a supervisor reads every
  call, segment and close; a technician only those of their own calls (forced row-level
  security). Call corrections never reach the ledger (they are made before a call is synced,
  or record the ledger's own re-settlement), so there is nothing more to guard.
- *Additive*: a laptop that knows only step 4 never reads or writes these numbers, and its
  pushes are numbered by the triggers like everyone's, so it keeps syncing with a ledger
  that has this step.
"""

from __future__ import annotations

from playhouse.migrate import SchemaMigrator, migrate

from qwtimer.store import central_guard as guard
from qwtimer.store import central_schema as cs
from qwtimer.store.central_dialect import Central, PgCentral

TEAM_TABLES = ("call", "segment", "call_close")  # pulled by supervisors only


def pg_sql() -> list[str]:
    """PostgreSQL, after the columns exist: the writers may draw numbers, and every write is
    numbered under the writers' lock."""
    t, s = cs.TECHNICIAN_ROLE, cs.SUPERVISOR_ROLE
    sequences = ", ".join(f"{table}_ledger_seq_seq" for table in TEAM_TABLES)
    sql = [f"GRANT USAGE ON SEQUENCE {sequences} TO {t}, {s}"]
    for table in TEAM_TABLES:
        sql += [
            f"CREATE TRIGGER {table}_seq_lock BEFORE INSERT OR UPDATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION ledger_seq_lock()",
            guard.pg_seq_assign_sql(table),
        ]
    return sql


def sqlite_sql() -> list[str]:
    """The embedded ledger: number the rows already there in the order they were written,
    then the counter and the triggers of every other pulled table."""
    sql = []
    for table in TEAM_TABLES:
        sql.append(f"UPDATE {table} SET ledger_seq = rowid")
        sql += guard.sqlite_seq_sql(table)
    return sql


def step(central: Central) -> None:
    """Schema step 5 (see the module docstring), in the migration's transaction."""
    migrator = SchemaMigrator.from_database(central.db)
    operations = []
    for table in TEAM_TABLES:
        operations += [
            migrator.add_column(table, "ledger_seq", cs.SeqField(null=True)),
            migrator.add_index(table, ("ledger_seq",), False),
        ]
    migrate(*operations)
    for stmt in pg_sql() if isinstance(central, PgCentral) else sqlite_sql():
        central.db.execute_sql(stmt)
