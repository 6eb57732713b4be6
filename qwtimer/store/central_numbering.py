"""Schema step 6: the ledger numbers inserted rows by their column's default, and settles with
the bill worked out once.

- Every numbered table's ``ledger_seq`` column already draws from its own sequence by
  default. Until this step a PL/pgSQL row trigger (``ledger_seq_assign``, step 3) replaced
  whatever number an inserted row carried, a function call for every row: about a tenth of
  the server's work in a push. Now an insert takes the column's default, and the technician
  and supervisor roles may insert every column *but* ``ledger_seq`` (column rights), so a
  number a client sends is refused instead of replaced: a row still can neither stop other
  laptops' pulls nor hide from them. The writers' lock is unchanged: the statement trigger
  ``*_seq_lock`` takes it before the first row draws its number.
- An update still moves the row to the ledger's next number (the row trigger, now
  ``BEFORE UPDATE`` only), so a changed row reaches every laptop's next pull.
- Two functions are created again from today's text: the settlement (``central_settle``: its
  bill rounding is now inlined by the planner instead of called once a close) and the card
  check (``central_guard``: NULL, short text and text with too few digits are now answered
  in SQL inlined into each CHECK; the PL/pgSQL part reads only the rest).
- *Additive*: laptops never send ``ledger_seq`` and never read the trigger, so one that knows
  only step 5 keeps syncing with a ledger that has this step.
- A column a later step adds to one of these tables must be granted to the two roles
  (``insert_rights``): a table-wide grant would let them number rows again.
- The embedded SQLite ledger keeps its counter triggers (step 3): nothing changes there.
"""

from __future__ import annotations

from qwtimer.store import central_guard as guard
from qwtimer.store import central_schema as cs
from qwtimer.store import central_settle as settle
from qwtimer.store.central_dialect import Central, PgCentral

NUMBERED = (*guard.SEQ_TABLES, "call", "segment", "call_close")


def insert_rights(central: Central, table: str) -> list[str]:
    """The roles' INSERT on ``table``, column by column, without ``ledger_seq`` (read from
    the catalog: the columns and grants this ledger has now)."""
    db = central.db
    columns = [
        r[0]
        for r in db.execute_sql(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = %s "
            "AND table_name = %s AND column_name <> 'ledger_seq' ORDER BY ordinal_position",
            (cs.PG_SCHEMA, table),
        ).fetchall()
    ]
    sql = []
    for role in (cs.TECHNICIAN_ROLE, cs.SUPERVISOR_ROLE):
        granted = db.execute_sql(
            "SELECT has_table_privilege(%s, %s, 'INSERT')", (role, f"{cs.PG_SCHEMA}.{table}")
        ).fetchone()[0]
        if granted:
            sql += [
                f"REVOKE INSERT ON {table} FROM {role}",
                f"GRANT INSERT ({', '.join(columns)}) ON {table} TO {role}",
            ]
    return sql


def step(central: Central) -> None:
    """Schema step 6 (see the module docstring), in the migration's transaction."""
    if not isinstance(central, PgCentral):
        return
    for table in NUMBERED:
        stmts = [
            *insert_rights(central, table),
            f"DROP TRIGGER IF EXISTS {table}_seq_assign ON {table}",
            f"CREATE TRIGGER {table}_seq_assign BEFORE UPDATE ON {table} FOR EACH ROW "
            f"EXECUTE FUNCTION ledger_seq_assign('{cs.PG_SCHEMA}.{table}_ledger_seq_seq')",
        ]
        for stmt in stmts:
            central.db.execute_sql(stmt)
    for stmt in (*guard.pg_card_function_sql(), settle.settle_closes_sql()):
        central.db.execute_sql(stmt)
