"""Schema 4 of the ledger: only the ledger writes the entries that move minutes and money.

Technicians insert what they observed: calls, segments, call closes (outcome, notes, a card
given at the stop), block orders, customers, product lines and cards. The ledger itself
writes every grant, purchase, call debit and settlement (``allocation``), following
``core.settlement`` (the one reference):

- PostgreSQL: functions owned by the schema owner (``SECURITY DEFINER``) run as statement
  triggers on the observed rows. They take the per-customer lock, read the policy version
  from ``policy_rule`` (written by ``ledger init``, never by a technician), bill the segments
  (R3, R4), split against the bank (R2, R6, R6.1) and post. A replay inserts no new close, so
  it settles nothing again: the stored split stands. Technicians may not insert into
  ``entry`` or ``allocation`` at all; supervisors insert only adjustments and reversals.
- The embedded SQLite ledger: the same steps in Python inside the push's transaction
  (``sync_allocation``), calling ``core.settlement`` directly.

The SQL below is generated from the Python definitions it must agree with (segment kinds,
rounding order, product names), and ``tests/integration/test_settlement_twins.py`` runs
random histories through both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qwtimer.core import billing, settlement
from qwtimer.core.eligibility import PRODUCT_NAMES
from qwtimer.core.policy import Policy, PolicyBook
from qwtimer.core.timer import SegmentKind
from qwtimer.store import central_schema as cs

if TYPE_CHECKING:
    from qwtimer.store.central_dialect import Central

POLICY_COLUMNS = tuple(f.name for f in cs.PolicyRule._meta.sorted_fields)
MAX_SEGMENT_MS = 7 * 24 * 3600 * 1000  # a segment longer than a week is not a call
UNKNOWN_POLICY = "QW001"  # SQLSTATE of "this ledger does not know the call's policy"


def policy_row(p: Policy) -> tuple[object, ...]:
    values = {
        "version": p.version,
        "effective": p.effective.isoformat(),
        "included_minutes": p.included_minutes,
        "grant_products": ",".join(p.grant_products),
        "increment_seconds": p.increment_seconds,
        "rounding_mode": p.rounding_mode,
        "grace_seconds": p.grace_seconds,
        "billable_kinds": ",".join(sorted(k.value for k in p.billable_kinds)),
        "rate_cents_per_minute": p.rate_cents_per_minute,
        "block_minutes": p.block_minutes,
        "block_price_cents": p.block_price_cents,
        "settlement": p.settlement,
        "card_required": p.card_required,
    }
    return tuple(values[c] for c in POLICY_COLUMNS)


def store_policies(central: Central, policies: PolicyBook) -> None:
    """Write every policy version this qwtimer ships (a version never changes: an existing
    row is kept as it is)."""
    db, p = central.db, central.param
    cols = ", ".join(POLICY_COLUMNS)
    marks = ", ".join([p] * len(POLICY_COLUMNS))
    for policy in policies.all():
        db.execute_sql(
            f"INSERT INTO policy_rule ({cols}) VALUES ({marks}) ON CONFLICT (version) DO NOTHING",
            policy_row(policy),
        )


def _clock_text_sql() -> str:
    return """CREATE OR REPLACE FUNCTION clock_text(s bigint) RETURNS text
        LANGUAGE sql IMMUTABLE AS $$
        SELECT CASE WHEN s < 0 THEN '-' ELSE '' END ||
          CASE WHEN abs(s) >= 3600
            THEN (abs(s) / 3600)::text || ':' || lpad((mod(abs(s), 3600) / 60)::text, 2, '0')
            ELSE (mod(abs(s), 3600) / 60)::text END
          || ':' || lpad(mod(abs(s), 60)::text, 2, '0') $$"""


def _counted_sql() -> str:
    """``core.words.count`` for blocks: '1 block', '1,000 blocks'."""
    return """CREATE OR REPLACE FUNCTION counted_blocks(n bigint) RETURNS text
        LANGUAGE sql IMMUTABLE AS $$
        SELECT to_char(n, 'FM999,999,999,999,990') || CASE WHEN n = 1 THEN ' block'
          ELSE ' blocks' END $$"""


def _billed_sql() -> str:
    """``billing.billed_seconds`` (R3)."""
    return """CREATE OR REPLACE FUNCTION billed_seconds(b bigint, inc int, mode text, grace int)
        RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
        SELECT CASE WHEN mod(b, inc) = 0 THEN b
          WHEN mode = 'nearest'
            THEN (b / inc + CASE WHEN mod(b, inc) * 2 >= inc THEN 1 ELSE 0 END) * inc
          WHEN mod(b, inc) <= grace THEN (b / inc) * inc
          ELSE (b / inc + 1) * inc END $$"""


def _tally_sql() -> str:
    """``billing.tally`` then ``Tally.billable``: running sums in the tally's order, rounded
    half a second up, each kind the difference; the billable kinds summed."""
    order = [k.value for k in (SegmentKind.TALK, SegmentKind.WORKING_HOLD, SegmentKind.RESEARCH)]
    assert order == [k.value for k in billing._TALLY_ORDER[:3]]  # hold is last
    running = []
    parts = []
    for i, kind in enumerate(order):
        running.append(f"ms[{i + 1}]")
        upto = f"(({' + '.join(running)} + 500) / 1000)"
        before = f"(({' + '.join(running[:-1])} + 500) / 1000)" if i else "0"
        parts.append(f"CASE WHEN '{kind}' = ANY(kinds) THEN {upto} - {before} ELSE 0 END")
    return f"""CREATE OR REPLACE FUNCTION billable_seconds(ms bigint[], kinds text[])
        RETURNS bigint LANGUAGE sql IMMUTABLE AS $$ SELECT {" + ".join(parts)} $$"""


def _product_name_sql() -> str:
    cases = " ".join(f"WHEN '{p.value}' THEN '{name}'" for p, name in PRODUCT_NAMES.items())
    return f"""CREATE OR REPLACE FUNCTION product_name(p text) RETURNS text
        LANGUAGE sql IMMUTABLE AS $$ SELECT CASE p {cases} ELSE p END $$"""


def _in_force_sql() -> str:
    """``PolicyBook.in_force`` for today: the latest effective on or before it, else the
    earliest."""
    return """CREATE OR REPLACE FUNCTION policy_in_force() RETURNS policy_rule
        LANGUAGE sql STABLE AS $$
        SELECT * FROM policy_rule ORDER BY (effective::date <= current_date) DESC,
          CASE WHEN effective::date <= current_date THEN effective END DESC,
          effective ASC, version COLLATE "C" LIMIT 1 $$"""


_NOW = "to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"')"


def settle_closes_sql() -> str:
    """``settlement.settle_closes`` over the closes just inserted (``new_closes``).

    Set-based where it can be: the closes and their calls are read once, each close's own
    segments, earlier splits, bank and card by index; the loop does only what must be
    sequential (each customer's bank, stop after stop), and the splits and entries are then
    written by one statement."""
    kinds = ", ".join(
        f"coalesce(sum(s.duration_ms) FILTER (WHERE s.kind = '{k.value}'), 0)"
        for k in (SegmentKind.TALK, SegmentKind.WORKING_HOLD, SegmentKind.RESEARCH)
    )
    ledger = settlement.LEDGER_DEVICE
    return f"""CREATE OR REPLACE FUNCTION settle_new_closes() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = {cs.PG_SCHEMA} SET jit = off
    SET enable_bitmapscan = off AS $$
    DECLARE
      r record; cust text := NULL; bank bigint := 0; k int := 0;
      from_bank bigint; blocks bigint; bought bigint; charge bigint; how text; added bigint;
      missing text; now_text text := {_NOW};
      n_id text[]; n_call text[]; n_seq int[]; n_stop text[]; n_dev text[]; n_card text[];
      n_cust text[]; n_tech text[]; n_ver text[]; n_last int[];
      x_ord int[]; x_added bigint[]; x_bank bigint[]; x_before bigint[]; x_blocks int[];
      x_bought bigint[]; x_charge bigint[]; x_how text[]; x_card text[];
    BEGIN
      -- the new closes with their calls, looked up once
      SELECT array_agg(n.id), array_agg(n.call_id), array_agg(n.seq), array_agg(n.stopped_at),
             array_agg(n.settlement), array_agg(nullif(n.card_ref, '')),
             array_agg(c.customer_id), array_agg(c.technician), array_agg(c.policy_version),
             array_agg(coalesce(n.last_seq, 2147483647))
        INTO n_id, n_call, n_seq, n_stop, n_dev, n_card, n_cust, n_tech, n_ver, n_last
        FROM new_closes n CROSS JOIN LATERAL (  -- (OFFSET 0: by index, not a join that
          SELECT customer_id, technician, policy_version  -- reads the whole call table)
          FROM call WHERE call.id = n.call_id OFFSET 0
        ) AS c;
      IF n_id IS NULL THEN RETURN NULL; END IF;
      SELECT v INTO missing FROM unnest(n_ver) AS v
        WHERE NOT EXISTS (SELECT 1 FROM policy_rule p WHERE p.version = v) LIMIT 1;
      IF missing IS NOT NULL THEN
        RAISE EXCEPTION USING MESSAGE = 'this ledger does not know policy version ' || missing,
          ERRCODE = '{UNKNOWN_POLICY}',
          HINT = 'an administrator runs qwtimer ledger init with this version of qwtimer';
      END IF;
      -- R2: one settlement per customer at a time (sorted: no deadlocks)
      PERFORM pg_advisory_xact_lock({cs.CUSTOMER_LOCK_CLASS}, h) FROM (
        SELECT DISTINCT hashtext(x) AS h FROM unnest(n_cust) AS x ORDER BY 1) AS locks;
      FOR r IN
        WITH n AS (
          SELECT * FROM unnest(n_call, n_seq, n_stop, n_card, n_cust, n_ver, n_last)
            WITH ORDINALITY AS n(call_id, seq, stopped_at, card_ref, customer_id,
                                 policy_version, last_seq, o)),
        billed AS (  -- each close's own rows by index: a batch never reads whole tables
          SELECT n.o, n.call_id, n.seq, n.stopped_at, n.customer_id, n.last_seq,
                 p.block_minutes * 60 AS block_seconds, p.block_price_cents,
                 p.rate_cents_per_minute, p.settlement, p.card_required,
                 coalesce(pr.billed, 0) AS prior_billed,
                 billed_seconds(ms.billable, p.increment_seconds, p.rounding_mode,
                                p.grace_seconds) AS billed,
                 coalesce(acc.balance_seconds, 0) AS bank0,
                 coalesce(n.card_ref, card.ref) AS card
          FROM n JOIN policy_rule p ON p.version = n.policy_version
          CROSS JOIN LATERAL (  -- (a column of its own: the rounding below is inlined)
            SELECT billable_seconds(ARRAY[{kinds}]::bigint[],
                                    string_to_array(p.billable_kinds, ',')) AS billable
            FROM segment s WHERE s.call_id = n.call_id AND s.seq <= n.last_seq) AS ms
          CROSS JOIN LATERAL (
            SELECT sum(a.billed_seconds) AS billed FROM allocation a
            WHERE a.call_id = n.call_id) AS pr
          LEFT JOIN LATERAL (
            SELECT balance_seconds FROM account WHERE account.customer_id = n.customer_id
          ) AS acc ON true
          LEFT JOIN LATERAL (
            SELECT ref FROM payment_ref c WHERE c.customer_id = n.customer_id
            ORDER BY c.created_at COLLATE "C" DESC, c.id COLLATE "C" DESC LIMIT 1
          ) AS card ON true
          OFFSET 0)  -- (computed once: the window below reads each bill twice)
        SELECT b.*, greatest(0, b.billed - greatest(b.prior_billed, coalesce(max(b.billed)
                 OVER (PARTITION BY b.call_id ORDER BY b.seq
                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0))) AS added
        FROM billed b
        ORDER BY b.customer_id COLLATE "C", b.stopped_at COLLATE "C",
                 b.call_id COLLATE "C", b.seq
      LOOP
        IF cust IS DISTINCT FROM r.customer_id THEN
          cust := r.customer_id; bank := r.bank0;
        END IF;
        added := r.added;  -- what this stop adds to the call's bill (R5)
        from_bank := greatest(0, least(added, bank));
        blocks := 0; bought := 0; charge := 0; how := 'paid';
        IF added = from_bank THEN
          how := 'bank';
        ELSIF r.card IS NULL AND r.card_required THEN
          how := 'unsettled';  -- R6.1: billed in full, the bank goes negative
        ELSIF r.settlement = 'blocks' THEN  -- R6: the fewest blocks that cover
          blocks := (added - bank + r.block_seconds - 1) / r.block_seconds;
          bought := blocks * r.block_seconds; charge := blocks * r.block_price_cents;
        ELSE
          bought := added - from_bank;
          charge := ((bought + 59) / 60) * r.rate_cents_per_minute;
        END IF;
        k := k + 1;
        x_ord[k] := r.o; x_added[k] := added; x_bank[k] := from_bank; x_before[k] := bank;
        x_blocks[k] := blocks; x_bought[k] := bought; x_charge[k] := charge; x_how[k] := how;
        x_card[k] := r.card;
        bank := bank - added + bought;
      END LOOP;
      IF k = 0 THEN RETURN NULL; END IF;
      -- the splits and their entries, from one list kept in memory (no temporary table)
      WITH t (o, close_id, call_id, customer_id, technician, seq, stopped_at, device, added,
              from_bank, before, blocks, bought, charge, how, card) AS MATERIALIZED (
        SELECT x.o, n.id, n.call_id, n.customer_id, n.technician, n.seq, n.stopped_at, n.dev,
               x.added, x.fb, x.before, x.blocks, x.bought, x.charge, x.how, x.card
        FROM unnest(x_ord, x_added, x_bank, x_before, x_blocks, x_bought, x_charge, x_how,
                    x_card) AS x(o, added, fb, before, blocks, bought, charge, how, card)
        JOIN unnest(n_id, n_call, n_cust, n_tech, n_seq, n_stop, n_dev)
          WITH ORDINALITY AS n(id, call_id, customer_id, technician, seq, stopped_at, dev, o)
          USING (o)),
      splits AS (
        INSERT INTO allocation ({", ".join(cs.ALLOCATION_COLUMNS)})
        SELECT t.close_id, t.call_id, t.customer_id, t.technician, t.added, t.from_bank,
               t.added - t.from_bank, t.blocks, t.bought, t.charge, t.before,
               t.before - t.added + t.bought, t.how, t.device, NULL, now_text
        FROM t ORDER BY t.o)
      INSERT INTO entry (id, customer_id, call_id, kind, seconds, cents, card_ref, reason,
                         author, device_id, created_at)
      SELECT md5('debit:' || t.close_id)::uuid::text, t.customer_id, t.call_id, 'call_debit',
             -t.added, 0, NULL,
             CASE WHEN t.seq <= 1 THEN 'call ' || clock_text(t.added) || ' billed'
               ELSE 'research after the call' || CASE WHEN t.seq > 2
                 THEN ' (reopening ' || (t.seq - 1) || ')' ELSE '' END
                 || ': ' || clock_text(t.added) || ' more' END,
             t.technician, '{ledger}', t.stopped_at
      FROM t WHERE t.added > 0
      UNION ALL
      SELECT md5('purchase:' || t.close_id)::uuid::text, t.customer_id, t.call_id, 'purchase',
             t.bought, t.charge, t.card,
             CASE WHEN t.blocks > 0
               THEN 'R6: ' || counted_blocks(t.blocks) || ' for the call''s overage'
               ELSE 'R6: pay-per-minute overage' END,
             t.technician, '{ledger}', t.stopped_at
      FROM t WHERE t.bought > 0;
      RETURN NULL;
    END $$"""


def _grants_sql() -> str:
    """R1 (``bank.included_minutes``) for the product lines just inserted."""
    return f"""CREATE OR REPLACE FUNCTION grant_new_lines() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = {cs.PG_SCHEMA} SET jit = off AS $$
    DECLARE p policy_rule := policy_in_force();
    BEGIN
      IF p.version IS NULL OR p.included_minutes = 0 THEN RETURN NULL; END IF;
      INSERT INTO entry (id, customer_id, call_id, kind, seconds, cents, card_ref, reason,
                         author, device_id, created_at, grant_key)
      SELECT md5(k)::uuid::text, customer_id, NULL, 'grant', p.included_minutes * 60, 0, NULL,
             'R1: first ' || product_name(product) || ' purchase (policy ' || p.version || ')',
             session_user, '{settlement.LEDGER_DEVICE}', created_at, k
      FROM (SELECT DISTINCT ON (customer_id, product) customer_id, product, created_at,
                   'grant:' || customer_id || ':' || product AS k
            FROM new_lines
            WHERE product = ANY(string_to_array(p.grant_products, ','))
            ORDER BY customer_id, product, created_at COLLATE "C", id COLLATE "C") AS g
      WHERE NOT EXISTS (SELECT 1 FROM entry e WHERE e.grant_key = g.k)
      ORDER BY k
      ON CONFLICT DO NOTHING;
      RETURN NULL;
    END $$"""


def _orders_sql() -> str:
    """``settlement.block_order_posting`` for the block orders just inserted (R6)."""
    return f"""CREATE OR REPLACE FUNCTION post_new_orders() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = {cs.PG_SCHEMA} SET jit = off AS $$
    DECLARE p policy_rule := policy_in_force();
    BEGIN
      IF p.version IS NULL THEN
        RAISE EXCEPTION 'this ledger knows no policy to price blocks by'
          USING ERRCODE = '{UNKNOWN_POLICY}',
          HINT = 'an administrator runs qwtimer ledger init with this version of qwtimer';
      END IF;
      INSERT INTO entry (id, customer_id, call_id, kind, seconds, cents, card_ref, reason,
                         author, device_id, created_at)
      SELECT id, customer_id, NULL, 'purchase', blocks * p.block_minutes * 60,
             blocks * p.block_price_cents, card_ref,
             'R6: ' || counted_blocks(blocks) || ' of ' || p.block_minutes || ' min bought',
             technician, '{settlement.LEDGER_DEVICE}', created_at
      FROM new_orders ORDER BY id;
      RETURN NULL;
    END $$"""


def late_segments_sql() -> str:
    """A segment a stop the ledger already settled covers (its number) cannot be added: one
    look-up per call of the statement, with its lowest new number."""
    return f"""CREATE OR REPLACE FUNCTION refuse_late_segments() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = {cs.PG_SCHEMA} SET jit = off AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM (  -- a call's first new segment: the others are later still
                   SELECT call_id, min(seq) AS seq FROM new_segments GROUP BY call_id) AS s
                 CROSS JOIN LATERAL (
                   SELECT 1 FROM call_close c WHERE c.call_id = s.call_id
                   AND s.seq <= c.last_seq LIMIT 1) AS late)
      THEN
        RAISE EXCEPTION 'a segment of a settled stop of its call cannot be added afterwards'
          USING ERRCODE = 'check_violation';
      END IF;
      RETURN NULL;
    END $$"""


def pg_sql() -> list[str]:
    """Schema step 4's SQL on PostgreSQL, run as the owner after its columns and indexes
    (``central_migrate``)."""
    t, s, o = cs.TECHNICIAN_ROLE, cs.SUPERVISOR_ROLE, cs.OWNER_ROLE
    kinds = ", ".join(f"'{k.value}'" for k in SegmentKind)
    sup_kinds = ", ".join(f"'{k}'" for k in settlement.SUPERVISOR_KINDS)
    return [
        f"ALTER TABLE segment ADD CONSTRAINT segment_is_observed CHECK (kind IN ({kinds}) "
        f"AND duration_ms BETWEEN 0 AND {MAX_SEGMENT_MS} AND seq >= 1) NOT VALID",
        "ALTER TABLE call_close ADD CONSTRAINT call_close_seq CHECK (seq >= 1 AND "
        "last_seq >= 0) NOT VALID",
        "ALTER TABLE block_order ADD CONSTRAINT block_order_blocks CHECK "
        "(blocks BETWEEN 1 AND 1000 AND card_ref <> '')",
        "ALTER TABLE block_order ADD CONSTRAINT block_order_no_card_number CHECK "
        "(NOT holds_card_number(card_ref))",
        "ALTER TABLE call_close DROP CONSTRAINT IF EXISTS call_close_no_card_number",
        "ALTER TABLE call_close ADD CONSTRAINT call_close_no_card_number CHECK "
        "(NOT holds_card_number(notes) AND NOT holds_card_number(card_ref)) NOT VALID",
        _clock_text_sql(),
        _counted_sql(),
        _billed_sql(),
        _tally_sql(),
        _product_name_sql(),
        _in_force_sql(),
        settle_closes_sql(),
        _grants_sql(),
        _orders_sql(),
        late_segments_sql(),
        "CREATE TRIGGER call_close_settle AFTER INSERT ON call_close REFERENCING NEW TABLE AS "
        "new_closes FOR EACH STATEMENT EXECUTE FUNCTION settle_new_closes()",
        "CREATE TRIGGER product_line_grant AFTER INSERT ON product_line REFERENCING NEW TABLE "
        "AS new_lines FOR EACH STATEMENT EXECUTE FUNCTION grant_new_lines()",
        "CREATE TRIGGER block_order_post AFTER INSERT ON block_order REFERENCING NEW TABLE AS "
        "new_orders FOR EACH STATEMENT EXECUTE FUNCTION post_new_orders()",
        "CREATE TRIGGER segment_not_late AFTER INSERT ON segment REFERENCING NEW TABLE AS "
        "new_segments FOR EACH STATEMENT EXECUTE FUNCTION refuse_late_segments()",
        # only the ledger writes money: technicians insert no entry or allocation at all
        f"REVOKE INSERT ON entry, allocation FROM {t}, {s}",
        f"GRANT INSERT ON entry TO {s}",
        "DROP POLICY IF EXISTS entry_tech_insert ON entry",
        "DROP POLICY IF EXISTS entry_sup_insert ON entry",
        f"CREATE POLICY entry_sup_insert ON entry FOR INSERT TO {s} "
        f"WITH CHECK (author = current_user AND kind IN ({sup_kinds}) "
        f"AND device_id <> '{settlement.LEDGER_DEVICE}')",
        "DROP POLICY IF EXISTS allocation_tech_insert ON allocation",
        "DROP POLICY IF EXISTS allocation_sup_insert ON allocation",
        f"GRANT SELECT ON policy_rule TO {t}, {s}",
        f"GRANT SELECT, INSERT ON block_order TO {t}, {s}",
        "ALTER TABLE block_order ENABLE ROW LEVEL SECURITY",
        "ALTER TABLE block_order FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY block_order_owner ON block_order TO {o} USING (true) WITH CHECK (true)",
        f"CREATE POLICY block_order_insert ON block_order FOR INSERT TO {t}, {s} "
        "WITH CHECK (technician = current_user)",
        f"CREATE POLICY block_order_tech_select ON block_order FOR SELECT TO {t} "
        "USING (technician = current_user)",
        f"CREATE POLICY block_order_sup_select ON block_order FOR SELECT TO {s} USING (true)",
    ]
