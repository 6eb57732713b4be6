"""What each ledger schema step created when it shipped, frozen as text, per dialect.

A step's statements never change once the step shipped: a ledger set up at that step and
migrated since must end up exactly like one set up fresh today. So nothing here is derived
from today's models (``central_schema``) or constants: step 1 whole (tables, indexes, and
the security the ledger had then: roles' rights, row-level rules, the account and numbering
triggers), and the tables steps 2 and 4 created. A test records a hash of this text.

To change the ledger's schema, never edit these statements: add a step in
``central_migrate`` (``STEPS``), with ``playhouse.migrate`` operations for columns and
indexes, a new table's ``CREATE TABLE`` text here (in both dialects' lists, ``SQLITE`` and
``PG``, under the step's number), and SQL in its module for triggers, functions and rights.
"""

from __future__ import annotations

V1_SQLITE: tuple[str, ...] = (
    'CREATE TABLE IF NOT EXISTS "account" ("customer_id" TEXT NOT NULL PRIMARY KEY, "balance_seconds" INTEGER NOT NULL)',
    'CREATE TABLE IF NOT EXISTS "allocation" ("close_id" TEXT NOT NULL PRIMARY KEY, "ledger_seq" INTEGER, "call_id" TEXT NOT NULL, "customer_id" TEXT NOT NULL, "technician" TEXT NOT NULL, "billed_seconds" INTEGER NOT NULL, "from_bank_seconds" INTEGER NOT NULL, "overage_seconds" INTEGER NOT NULL, "blocks_purchased" INTEGER NOT NULL, "purchased_seconds" INTEGER NOT NULL, "charge_cents" INTEGER NOT NULL, "balance_before_seconds" INTEGER NOT NULL, "balance_after_seconds" INTEGER NOT NULL, "settlement" TEXT NOT NULL, "device_settlement" TEXT NOT NULL, "correction_entry_id" TEXT, "allocated_at" TEXT NOT NULL)',
    'CREATE INDEX IF NOT EXISTS "allocation_ledger_seq" ON "allocation" ("ledger_seq")',
    'CREATE INDEX IF NOT EXISTS "allocation_customer_id" ON "allocation" ("customer_id")',
    'CREATE TABLE IF NOT EXISTS "call" ("id" TEXT NOT NULL PRIMARY KEY, "customer_id" TEXT NOT NULL, "technician" TEXT NOT NULL, "device_id" TEXT NOT NULL, "policy_version" TEXT NOT NULL, "started_at" TEXT NOT NULL, "utc_offset_min" INTEGER NOT NULL, "manual" INTEGER NOT NULL)',
    'CREATE INDEX IF NOT EXISTS "call_customer_id" ON "call" ("customer_id")',
    'CREATE TABLE IF NOT EXISTS "call_close" ("id" TEXT NOT NULL PRIMARY KEY, "call_id" TEXT NOT NULL, "seq" INTEGER NOT NULL, "outcome" TEXT NOT NULL, "notes" TEXT NOT NULL, "stopped_at" TEXT NOT NULL, "bill_json" TEXT NOT NULL, "settlement" TEXT NOT NULL)',
    'CREATE UNIQUE INDEX IF NOT EXISTS "call_close_call_id_seq" ON "call_close" ("call_id", "seq")',
    'CREATE TABLE IF NOT EXISTS "customer" ("id" TEXT NOT NULL PRIMARY KEY, "ledger_seq" INTEGER, "name" TEXT NOT NULL, "phone" TEXT NOT NULL, "email" TEXT NOT NULL, "created_at" TEXT NOT NULL)',
    'CREATE INDEX IF NOT EXISTS "customer_ledger_seq" ON "customer" ("ledger_seq")',
    'CREATE TABLE IF NOT EXISTS "entry" ("id" TEXT NOT NULL PRIMARY KEY, "ledger_seq" INTEGER, "customer_id" TEXT NOT NULL, "call_id" TEXT, "kind" TEXT NOT NULL, "seconds" INTEGER NOT NULL, "cents" INTEGER NOT NULL, "card_ref" TEXT, "reason" TEXT NOT NULL, "author" TEXT NOT NULL, "device_id" TEXT NOT NULL, "created_at" TEXT NOT NULL, "reverses_id" TEXT, "grant_key" TEXT)',
    'CREATE INDEX IF NOT EXISTS "entry_ledger_seq" ON "entry" ("ledger_seq")',
    'CREATE INDEX IF NOT EXISTS "entry_customer_id" ON "entry" ("customer_id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "entry_grant_key" ON "entry" ("grant_key")',
    'CREATE TABLE IF NOT EXISTS "ledger_meta" ("key" TEXT NOT NULL PRIMARY KEY, "value" TEXT NOT NULL)',
    'CREATE TABLE IF NOT EXISTS "payment_ref" ("id" TEXT NOT NULL PRIMARY KEY, "ledger_seq" INTEGER, "customer_id" TEXT NOT NULL, "ref" TEXT NOT NULL, "last4" TEXT NOT NULL, "created_at" TEXT NOT NULL)',
    'CREATE INDEX IF NOT EXISTS "payment_ref_ledger_seq" ON "payment_ref" ("ledger_seq")',
    'CREATE INDEX IF NOT EXISTS "payment_ref_customer_id" ON "payment_ref" ("customer_id")',
    'CREATE TABLE IF NOT EXISTS "product_line" ("id" TEXT NOT NULL PRIMARY KEY, "ledger_seq" INTEGER, "customer_id" TEXT NOT NULL, "product" TEXT NOT NULL, "plan" TEXT NOT NULL, "edition" TEXT, "maintenance_until" TEXT, "active_until" TEXT, "created_at" TEXT NOT NULL)',
    'CREATE INDEX IF NOT EXISTS "product_line_ledger_seq" ON "product_line" ("ledger_seq")',
    'CREATE INDEX IF NOT EXISTS "product_line_customer_id" ON "product_line" ("customer_id")',
    'CREATE TABLE IF NOT EXISTS "purchase" ("id" TEXT NOT NULL PRIMARY KEY, "ledger_seq" INTEGER, "customer_id" TEXT NOT NULL, "product" TEXT NOT NULL, "kind" TEXT NOT NULL, "until" TEXT, "created_at" TEXT NOT NULL)',
    'CREATE INDEX IF NOT EXISTS "purchase_ledger_seq" ON "purchase" ("ledger_seq")',
    'CREATE INDEX IF NOT EXISTS "purchase_customer_id" ON "purchase" ("customer_id")',
    'CREATE TABLE IF NOT EXISTS "segment" ("id" TEXT NOT NULL PRIMARY KEY, "call_id" TEXT NOT NULL, "seq" INTEGER NOT NULL, "kind" TEXT NOT NULL, "start_at" TEXT NOT NULL, "end_at" TEXT, "utc_offset_min" INTEGER NOT NULL, "duration_ms" INTEGER NOT NULL, "note" TEXT NOT NULL)',
    'CREATE UNIQUE INDEX IF NOT EXISTS "segment_call_id_seq" ON "segment" ("call_id", "seq")',
    """CREATE TRIGGER IF NOT EXISTS entry_account AFTER INSERT ON entry BEGIN
           INSERT INTO account (customer_id, balance_seconds) VALUES (NEW.customer_id, NEW.seconds)
           ON CONFLICT (customer_id) DO UPDATE
             SET balance_seconds = balance_seconds + excluded.balance_seconds;
           END""",
    "CREATE INDEX IF NOT EXISTS allocation_unsettled ON allocation (customer_id) WHERE settlement = 'unsettled'",
    """CREATE TRIGGER IF NOT EXISTS customer_ledger_seq AFTER INSERT ON customer
            BEGIN UPDATE customer SET ledger_seq =
              (SELECT coalesce(max(ledger_seq), 0) + 1 FROM customer) WHERE rowid = NEW.rowid;
            END""",
    """CREATE TRIGGER IF NOT EXISTS product_line_ledger_seq AFTER INSERT ON product_line
            BEGIN UPDATE product_line SET ledger_seq =
              (SELECT coalesce(max(ledger_seq), 0) + 1 FROM product_line) WHERE rowid = NEW.rowid;
            END""",
    """CREATE TRIGGER IF NOT EXISTS purchase_ledger_seq AFTER INSERT ON purchase
            BEGIN UPDATE purchase SET ledger_seq =
              (SELECT coalesce(max(ledger_seq), 0) + 1 FROM purchase) WHERE rowid = NEW.rowid;
            END""",
    """CREATE TRIGGER IF NOT EXISTS payment_ref_ledger_seq AFTER INSERT ON payment_ref
            BEGIN UPDATE payment_ref SET ledger_seq =
              (SELECT coalesce(max(ledger_seq), 0) + 1 FROM payment_ref) WHERE rowid = NEW.rowid;
            END""",
    """CREATE TRIGGER IF NOT EXISTS entry_ledger_seq AFTER INSERT ON entry
            BEGIN UPDATE entry SET ledger_seq =
              (SELECT coalesce(max(ledger_seq), 0) + 1 FROM entry) WHERE rowid = NEW.rowid;
            END""",
    """CREATE TRIGGER IF NOT EXISTS allocation_ledger_seq AFTER INSERT ON allocation
            BEGIN UPDATE allocation SET ledger_seq =
              (SELECT coalesce(max(ledger_seq), 0) + 1 FROM allocation) WHERE rowid = NEW.rowid;
            END""",
)

V1_PG: tuple[str, ...] = (
    'CREATE TABLE IF NOT EXISTS "account" ("customer_id" TEXT NOT NULL PRIMARY KEY, "balance_seconds" BIGINT NOT NULL)',
    'CREATE TABLE IF NOT EXISTS "allocation" ("close_id" TEXT NOT NULL PRIMARY KEY, "ledger_seq" BIGSERIAL, "call_id" TEXT NOT NULL, "customer_id" TEXT NOT NULL, "technician" TEXT NOT NULL, "billed_seconds" BIGINT NOT NULL, "from_bank_seconds" BIGINT NOT NULL, "overage_seconds" BIGINT NOT NULL, "blocks_purchased" INTEGER NOT NULL, "purchased_seconds" BIGINT NOT NULL, "charge_cents" BIGINT NOT NULL, "balance_before_seconds" BIGINT NOT NULL, "balance_after_seconds" BIGINT NOT NULL, "settlement" TEXT NOT NULL, "device_settlement" TEXT NOT NULL, "correction_entry_id" TEXT, "allocated_at" TEXT NOT NULL)',
    'CREATE INDEX IF NOT EXISTS "allocation_ledger_seq" ON "allocation" ("ledger_seq")',
    'CREATE INDEX IF NOT EXISTS "allocation_customer_id" ON "allocation" ("customer_id")',
    'CREATE TABLE IF NOT EXISTS "call" ("id" TEXT NOT NULL PRIMARY KEY, "customer_id" TEXT NOT NULL, "technician" TEXT NOT NULL, "device_id" TEXT NOT NULL, "policy_version" TEXT NOT NULL, "started_at" TEXT NOT NULL, "utc_offset_min" INTEGER NOT NULL, "manual" BOOLEAN NOT NULL)',
    'CREATE INDEX IF NOT EXISTS "call_customer_id" ON "call" ("customer_id")',
    'CREATE TABLE IF NOT EXISTS "call_close" ("id" TEXT NOT NULL PRIMARY KEY, "call_id" TEXT NOT NULL, "seq" INTEGER NOT NULL, "outcome" TEXT NOT NULL, "notes" TEXT NOT NULL, "stopped_at" TEXT NOT NULL, "bill_json" TEXT NOT NULL, "settlement" TEXT NOT NULL)',
    'CREATE UNIQUE INDEX IF NOT EXISTS "call_close_call_id_seq" ON "call_close" ("call_id", "seq")',
    'CREATE TABLE IF NOT EXISTS "customer" ("id" TEXT NOT NULL PRIMARY KEY, "ledger_seq" BIGSERIAL, "name" TEXT NOT NULL, "phone" TEXT NOT NULL, "email" TEXT NOT NULL, "created_at" TEXT NOT NULL)',
    'CREATE INDEX IF NOT EXISTS "customer_ledger_seq" ON "customer" ("ledger_seq")',
    'CREATE TABLE IF NOT EXISTS "entry" ("id" TEXT NOT NULL PRIMARY KEY, "ledger_seq" BIGSERIAL, "customer_id" TEXT NOT NULL, "call_id" TEXT, "kind" TEXT NOT NULL, "seconds" BIGINT NOT NULL, "cents" BIGINT NOT NULL, "card_ref" TEXT, "reason" TEXT NOT NULL, "author" TEXT NOT NULL, "device_id" TEXT NOT NULL, "created_at" TEXT NOT NULL, "reverses_id" TEXT, "grant_key" TEXT)',
    'CREATE INDEX IF NOT EXISTS "entry_ledger_seq" ON "entry" ("ledger_seq")',
    'CREATE INDEX IF NOT EXISTS "entry_customer_id" ON "entry" ("customer_id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "entry_grant_key" ON "entry" ("grant_key")',
    'CREATE TABLE IF NOT EXISTS "ledger_meta" ("key" TEXT NOT NULL PRIMARY KEY, "value" TEXT NOT NULL)',
    'CREATE TABLE IF NOT EXISTS "payment_ref" ("id" TEXT NOT NULL PRIMARY KEY, "ledger_seq" BIGSERIAL, "customer_id" TEXT NOT NULL, "ref" TEXT NOT NULL, "last4" TEXT NOT NULL, "created_at" TEXT NOT NULL)',
    'CREATE INDEX IF NOT EXISTS "payment_ref_ledger_seq" ON "payment_ref" ("ledger_seq")',
    'CREATE INDEX IF NOT EXISTS "payment_ref_customer_id" ON "payment_ref" ("customer_id")',
    'CREATE TABLE IF NOT EXISTS "product_line" ("id" TEXT NOT NULL PRIMARY KEY, "ledger_seq" BIGSERIAL, "customer_id" TEXT NOT NULL, "product" TEXT NOT NULL, "plan" TEXT NOT NULL, "edition" TEXT, "maintenance_until" TEXT, "active_until" TEXT, "created_at" TEXT NOT NULL)',
    'CREATE INDEX IF NOT EXISTS "product_line_ledger_seq" ON "product_line" ("ledger_seq")',
    'CREATE INDEX IF NOT EXISTS "product_line_customer_id" ON "product_line" ("customer_id")',
    'CREATE TABLE IF NOT EXISTS "purchase" ("id" TEXT NOT NULL PRIMARY KEY, "ledger_seq" BIGSERIAL, "customer_id" TEXT NOT NULL, "product" TEXT NOT NULL, "kind" TEXT NOT NULL, "until" TEXT, "created_at" TEXT NOT NULL)',
    'CREATE INDEX IF NOT EXISTS "purchase_ledger_seq" ON "purchase" ("ledger_seq")',
    'CREATE INDEX IF NOT EXISTS "purchase_customer_id" ON "purchase" ("customer_id")',
    'CREATE TABLE IF NOT EXISTS "segment" ("id" TEXT NOT NULL PRIMARY KEY, "call_id" TEXT NOT NULL, "seq" INTEGER NOT NULL, "kind" TEXT NOT NULL, "start_at" TEXT NOT NULL, "end_at" TEXT, "utc_offset_min" INTEGER NOT NULL, "duration_ms" BIGINT NOT NULL, "note" TEXT NOT NULL)',
    'CREATE UNIQUE INDEX IF NOT EXISTS "segment_call_id_seq" ON "segment" ("call_id", "seq")',
    """CREATE OR REPLACE FUNCTION ledger_seq_lock() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN PERFORM pg_advisory_xact_lock(7261, 1); RETURN NULL; END
            $$""",
    "CREATE TRIGGER customer_seq_lock BEFORE INSERT OR UPDATE ON customer FOR EACH STATEMENT EXECUTE FUNCTION ledger_seq_lock()",
    "CREATE TRIGGER product_line_seq_lock BEFORE INSERT OR UPDATE ON product_line FOR EACH STATEMENT EXECUTE FUNCTION ledger_seq_lock()",
    "CREATE TRIGGER purchase_seq_lock BEFORE INSERT OR UPDATE ON purchase FOR EACH STATEMENT EXECUTE FUNCTION ledger_seq_lock()",
    "CREATE TRIGGER payment_ref_seq_lock BEFORE INSERT OR UPDATE ON payment_ref FOR EACH STATEMENT EXECUTE FUNCTION ledger_seq_lock()",
    "CREATE TRIGGER entry_seq_lock BEFORE INSERT OR UPDATE ON entry FOR EACH STATEMENT EXECUTE FUNCTION ledger_seq_lock()",
    """CREATE OR REPLACE FUNCTION ledger_account() RETURNS trigger LANGUAGE plpgsql
            SECURITY DEFINER SET search_path = qwtimer AS $$
            BEGIN
              INSERT INTO account (customer_id, balance_seconds)
              SELECT customer_id, sum(seconds) FROM new_entries GROUP BY customer_id
              ORDER BY customer_id
              ON CONFLICT (customer_id) DO UPDATE
                SET balance_seconds = account.balance_seconds + excluded.balance_seconds;
              RETURN NULL;
            END $$""",
    "CREATE TRIGGER entry_account AFTER INSERT ON entry REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION ledger_account()",
    "CREATE INDEX IF NOT EXISTS allocation_unsettled ON allocation (customer_id) WHERE settlement = 'unsettled'",
    "REVOKE ALL ON ALL TABLES IN SCHEMA qwtimer FROM PUBLIC",
    "GRANT USAGE ON SCHEMA qwtimer TO technician, supervisor",
    "GRANT SELECT ON ledger_meta, account TO technician, supervisor",
    "GRANT SELECT, INSERT ON customer, product_line, purchase, payment_ref TO technician, supervisor",
    "GRANT UPDATE (maintenance_until, active_until, ledger_seq) ON product_line TO technician, supervisor",
    "GRANT SELECT, INSERT ON call, segment, call_close, entry, allocation TO technician, supervisor",
    "GRANT USAGE ON ALL SEQUENCES IN SCHEMA qwtimer TO technician, supervisor",
    "ALTER TABLE call ENABLE ROW LEVEL SECURITY",
    "ALTER TABLE call FORCE ROW LEVEL SECURITY",
    "CREATE POLICY call_owner ON call TO qwtimer_owner USING (true) WITH CHECK (true)",
    "CREATE POLICY call_tech_insert ON call FOR INSERT TO technician WITH CHECK (technician = current_user)",
    "CREATE POLICY call_tech_select ON call FOR SELECT TO technician USING (technician = current_user)",
    "CREATE POLICY call_sup_insert ON call FOR INSERT TO supervisor WITH CHECK (technician = current_user)",
    "CREATE POLICY call_sup_select ON call FOR SELECT TO supervisor USING (true)",
    "ALTER TABLE segment ENABLE ROW LEVEL SECURITY",
    "ALTER TABLE segment FORCE ROW LEVEL SECURITY",
    "CREATE POLICY segment_owner ON segment TO qwtimer_owner USING (true) WITH CHECK (true)",
    "CREATE POLICY segment_tech_insert ON segment FOR INSERT TO technician WITH CHECK (EXISTS (SELECT 1 FROM call c WHERE c.id = call_id AND c.technician = current_user))",
    "CREATE POLICY segment_tech_select ON segment FOR SELECT TO technician USING (EXISTS (SELECT 1 FROM call c WHERE c.id = call_id AND c.technician = current_user))",
    "CREATE POLICY segment_sup_insert ON segment FOR INSERT TO supervisor WITH CHECK (EXISTS (SELECT 1 FROM call c WHERE c.id = call_id AND c.technician = current_user))",
    "CREATE POLICY segment_sup_select ON segment FOR SELECT TO supervisor USING (true)",
    "ALTER TABLE call_close ENABLE ROW LEVEL SECURITY",
    "ALTER TABLE call_close FORCE ROW LEVEL SECURITY",
    "CREATE POLICY call_close_owner ON call_close TO qwtimer_owner USING (true) WITH CHECK (true)",
    "CREATE POLICY call_close_tech_insert ON call_close FOR INSERT TO technician WITH CHECK (EXISTS (SELECT 1 FROM call c WHERE c.id = call_id AND c.technician = current_user))",
    "CREATE POLICY call_close_tech_select ON call_close FOR SELECT TO technician USING (EXISTS (SELECT 1 FROM call c WHERE c.id = call_id AND c.technician = current_user))",
    "CREATE POLICY call_close_sup_insert ON call_close FOR INSERT TO supervisor WITH CHECK (EXISTS (SELECT 1 FROM call c WHERE c.id = call_id AND c.technician = current_user))",
    "CREATE POLICY call_close_sup_select ON call_close FOR SELECT TO supervisor USING (true)",
    "ALTER TABLE entry ENABLE ROW LEVEL SECURITY",
    "ALTER TABLE entry FORCE ROW LEVEL SECURITY",
    "CREATE POLICY entry_owner ON entry TO qwtimer_owner USING (true) WITH CHECK (true)",
    "CREATE POLICY entry_tech_insert ON entry FOR INSERT TO technician WITH CHECK (author = current_user AND kind IN ('grant', 'purchase', 'call_debit', 'allocation'))",
    "CREATE POLICY entry_tech_select ON entry FOR SELECT TO technician USING (true)",
    "CREATE POLICY entry_sup_insert ON entry FOR INSERT TO supervisor WITH CHECK (author = current_user)",
    "CREATE POLICY entry_sup_select ON entry FOR SELECT TO supervisor USING (true)",
    "ALTER TABLE allocation ENABLE ROW LEVEL SECURITY",
    "ALTER TABLE allocation FORCE ROW LEVEL SECURITY",
    "CREATE POLICY allocation_owner ON allocation TO qwtimer_owner USING (true) WITH CHECK (true)",
    "CREATE POLICY allocation_tech_insert ON allocation FOR INSERT TO technician WITH CHECK (technician = current_user)",
    "CREATE POLICY allocation_tech_select ON allocation FOR SELECT TO technician USING (technician = current_user)",
    "CREATE POLICY allocation_sup_insert ON allocation FOR INSERT TO supervisor WITH CHECK (technician = current_user)",
    "CREATE POLICY allocation_sup_select ON allocation FOR SELECT TO supervisor USING (true)",
)

V2_SQLITE: tuple[str, ...] = (
    'CREATE TABLE IF NOT EXISTS "revision" ("id" TEXT NOT NULL PRIMARY KEY, "target" TEXT NOT NULL, "row_id" TEXT NOT NULL, "name" TEXT, "phone" TEXT, "email" TEXT, "maintenance_until" TEXT, "active_until" TEXT, "changed_by" TEXT NOT NULL, "device_id" TEXT NOT NULL, "changed_at" TEXT NOT NULL, "outcome" TEXT NOT NULL)',
    'CREATE INDEX IF NOT EXISTS "revision_row_id" ON "revision" ("row_id")',
)

V2_PG: tuple[str, ...] = (
    'CREATE TABLE IF NOT EXISTS "revision" ("id" TEXT NOT NULL PRIMARY KEY, "target" TEXT NOT NULL, "row_id" TEXT NOT NULL, "name" TEXT, "phone" TEXT, "email" TEXT, "maintenance_until" TEXT, "active_until" TEXT, "changed_by" TEXT NOT NULL, "device_id" TEXT NOT NULL, "changed_at" TEXT NOT NULL, "outcome" TEXT NOT NULL)',
    'CREATE INDEX IF NOT EXISTS "revision_row_id" ON "revision" ("row_id")',
)

V4_SQLITE: tuple[str, ...] = (
    'CREATE TABLE IF NOT EXISTS "block_order" ("id" TEXT NOT NULL PRIMARY KEY, "customer_id" TEXT NOT NULL, "blocks" INTEGER NOT NULL, "card_ref" TEXT NOT NULL, "technician" TEXT NOT NULL, "device_id" TEXT NOT NULL, "created_at" TEXT NOT NULL)',
    'CREATE INDEX IF NOT EXISTS "block_order_customer_id" ON "block_order" ("customer_id")',
    'CREATE TABLE IF NOT EXISTS "policy_rule" ("version" TEXT NOT NULL PRIMARY KEY, "effective" TEXT NOT NULL, "included_minutes" INTEGER NOT NULL, "grant_products" TEXT NOT NULL, "increment_seconds" INTEGER NOT NULL, "rounding_mode" TEXT NOT NULL, "grace_seconds" INTEGER NOT NULL, "billable_kinds" TEXT NOT NULL, "rate_cents_per_minute" INTEGER NOT NULL, "block_minutes" INTEGER NOT NULL, "block_price_cents" INTEGER NOT NULL, "settlement" TEXT NOT NULL, "card_required" INTEGER NOT NULL)',
)

V4_PG: tuple[str, ...] = (
    'CREATE TABLE IF NOT EXISTS "block_order" ("id" TEXT NOT NULL PRIMARY KEY, "customer_id" TEXT NOT NULL, "blocks" INTEGER NOT NULL, "card_ref" TEXT NOT NULL, "technician" TEXT NOT NULL, "device_id" TEXT NOT NULL, "created_at" TEXT NOT NULL)',
    'CREATE INDEX IF NOT EXISTS "block_order_customer_id" ON "block_order" ("customer_id")',
    'CREATE TABLE IF NOT EXISTS "policy_rule" ("version" TEXT NOT NULL PRIMARY KEY, "effective" TEXT NOT NULL, "included_minutes" INTEGER NOT NULL, "grant_products" TEXT NOT NULL, "increment_seconds" INTEGER NOT NULL, "rounding_mode" TEXT NOT NULL, "grace_seconds" INTEGER NOT NULL, "billable_kinds" TEXT NOT NULL, "rate_cents_per_minute" INTEGER NOT NULL, "block_minutes" INTEGER NOT NULL, "block_price_cents" INTEGER NOT NULL, "settlement" TEXT NOT NULL, "card_required" BOOLEAN NOT NULL)',
)

SQLITE: dict[int, tuple[str, ...]] = {1: V1_SQLITE, 2: V2_SQLITE, 4: V4_SQLITE}
PG: dict[int, tuple[str, ...]] = {1: V1_PG, 2: V2_PG, 4: V4_PG}
