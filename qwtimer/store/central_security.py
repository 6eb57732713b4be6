"""The central ledger's schema step 1 in each dialect: PostgreSQL's roles, grants and
row-level security, and the embedded ledger's triggers (sequence numbers, the account row).
"""

from __future__ import annotations

from qwtimer.store.central_schema import (
    LEDGER_TABLES,
    OWNER_ROLE,
    PG_SCHEMA,
    PULLED,
    SEQ_LOCK,
    SUPERVISOR_ROLE,
    TECHNICIAN_ROLE,
)

UNSETTLED_INDEX = (
    "CREATE INDEX IF NOT EXISTS allocation_unsettled ON allocation (customer_id) "
    "WHERE settlement = 'unsettled'"
)


def sqlite_seq_triggers() -> list[str]:
    """SQLite has no sequences: number each new row after the highest number so far. And the
    account trigger (see ``Account``)."""
    return [
        """CREATE TRIGGER IF NOT EXISTS entry_account AFTER INSERT ON entry BEGIN
           INSERT INTO account (customer_id, balance_seconds) VALUES (NEW.customer_id, NEW.seconds)
           ON CONFLICT (customer_id) DO UPDATE
             SET balance_seconds = balance_seconds + excluded.balance_seconds;
           END""",
        UNSETTLED_INDEX,
    ] + [
        f"""CREATE TRIGGER IF NOT EXISTS {t}_ledger_seq AFTER INSERT ON {t}
            BEGIN UPDATE {t} SET ledger_seq =
              (SELECT coalesce(max(ledger_seq), 0) + 1 FROM {t}) WHERE rowid = NEW.rowid;
            END"""
        for t in (*PULLED, "allocation")
    ]


def pg_security_sql() -> list[str]:
    """Row-level security and grants (PostgreSQL): run as the owner role on schema creation.

    - technicians: read customers and reference data, insert it; insert calls, segments,
      closes, entries and allocations only as themselves; read their own calls; read all
      entries (balances); never UPDATE, DELETE or TRUNCATE a ledger table.
    - supervisors: read everything; insert adjustments and reversals as themselves (R13).
    - FORCE ROW LEVEL SECURITY: the owner is held to the policies too (its own policy allows
      it everything, so migrations still work).
    """
    t, s, o = TECHNICIAN_ROLE, SUPERVISOR_ROLE, OWNER_ROLE
    own_call = "EXISTS (SELECT 1 FROM call c WHERE c.id = call_id AND c.technician = current_user)"
    sql = [
        f"""CREATE OR REPLACE FUNCTION ledger_seq_lock() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN PERFORM pg_advisory_xact_lock({SEQ_LOCK[0]}, {SEQ_LOCK[1]}); RETURN NULL; END
            $$""",
    ]
    for table in PULLED:
        sql.append(
            f"CREATE TRIGGER {table}_seq_lock BEFORE INSERT OR UPDATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION ledger_seq_lock()"
        )
    sql += [
        f"""CREATE OR REPLACE FUNCTION ledger_account() RETURNS trigger LANGUAGE plpgsql
            SECURITY DEFINER SET search_path = {PG_SCHEMA} AS $$
            BEGIN
              INSERT INTO account (customer_id, balance_seconds)
              SELECT customer_id, sum(seconds) FROM new_entries GROUP BY customer_id
              ORDER BY customer_id
              ON CONFLICT (customer_id) DO UPDATE
                SET balance_seconds = account.balance_seconds + excluded.balance_seconds;
              RETURN NULL;
            END $$""",
        "CREATE TRIGGER entry_account AFTER INSERT ON entry REFERENCING NEW TABLE AS "
        "new_entries FOR EACH STATEMENT EXECUTE FUNCTION ledger_account()",
        UNSETTLED_INDEX,
    ]
    sql += [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {PG_SCHEMA} FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA {PG_SCHEMA} TO {t}, {s}",
        f"GRANT SELECT ON ledger_meta, account TO {t}, {s}",
        f"GRANT SELECT, INSERT ON customer, product_line, purchase, payment_ref TO {t}, {s}",
        f"GRANT SELECT, INSERT ON call, segment, call_close, entry, allocation TO {t}, {s}",
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {PG_SCHEMA} TO {t}, {s}",
    ]
    checks = {
        "call": ("technician = current_user", "technician = current_user"),
        "segment": (own_call, own_call),
        "call_close": (own_call, own_call),
        "entry": (
            "author = current_user AND kind IN ('grant', 'purchase', 'call_debit', 'allocation')",
            "true",
        ),
        "allocation": ("technician = current_user", "technician = current_user"),
    }
    for table in LEDGER_TABLES:
        insert_check, select_using = checks[table]
        author = "author" if table == "entry" else None
        sup_check = f"{author} = current_user" if author else insert_check
        sql += [
            f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
            f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
            f"CREATE POLICY {table}_owner ON {table} TO {o} USING (true) WITH CHECK (true)",
            f"CREATE POLICY {table}_tech_insert ON {table} FOR INSERT TO {t} "
            f"WITH CHECK ({insert_check})",
            f"CREATE POLICY {table}_tech_select ON {table} FOR SELECT TO {t} "
            f"USING ({select_using})",
            f"CREATE POLICY {table}_sup_insert ON {table} FOR INSERT TO {s} "
            f"WITH CHECK ({sup_check})",
            f"CREATE POLICY {table}_sup_select ON {table} FOR SELECT TO {s} USING (true)",
        ]
    return sql
