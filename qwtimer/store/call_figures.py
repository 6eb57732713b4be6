"""Each call's latest figures, kept by the database itself (schema 8): one ``call_figures`` row
per call, so that the supervisors' review filters, sorts, groups and totals a million calls in
SQL without reading their bills in Python (``desk.review``).

Triggers keep the row right whatever writes: the timer, a call logged after the fact, a sync
pull, a merge, a correction, a split of the ledger arriving before or after its stop. Each
trigger recomputes the whole row of the call it touched from the call, its stops
(``call_close``, the bill JSON read with ``json_extract``), the ledger's splits of them
(``close_settlement``, ``stop_figures``), its corrections (``entry`` of kind adjustment or
reversal) and its audited corrections (``call_correction``), reading that call's row of the
view ``call_figures_source``, which
the schema step also uses to fill the table for the calls already there. A timer
transition only copies the call's new state, and a sync marking the call sent only its mark
(schema 13): neither changes a figure. Nothing in Python writes this table.

The figures:

- the breakdown of the call's latest stop (the whole call, R3, R5), as this laptop timed it;
- the money, the ledger's (schema 10): per stop, the ledger's split of it when the ledger
  settled it (``close_settlement``, that stop's own increment), otherwise this laptop's own
  (its bill less the previous stop's), summed over the stops: billed seconds (net of the
  call's corrections, below), from the bank, pay-per-minute, blocks, charge (net of the
  corrections) and settlement (the most severe of the stops': unsettled, paid, bank). A call
  none of whose stops the ledger settled has exactly its latest bill's figures;
- ``provisional``: 1 while any stop of the call has no split of the ledger yet (its figures
  are this laptop's, to be replaced at the next sync);
- ``unsettled_s``: what each stop left unsettled at the time (R6.1), its own pay-per-minute
  time when it bought nothing (as the ledger settled it, or else as this laptop billed it),
  summed over the stops. A later stop's blocks that pay an earlier overdraft do not change it;
- ``outstanding_s``: what of it is still owed now (``owed_sql``), worked out again for a
  customer that owes whenever one of its entries changes or one of its calls' rows is
  written afresh;
- ``credit_s`` / ``credit_cents``: the corrections of the call (R13): adjustments posted for
  it and reversals of its entries. A reversed debit gives its seconds back (billed less), a
  refunded purchase its cents (charged less); the minutes a refunded purchase takes out of
  the bank are not billed time, so they stay out of ``credit_s``;
- flags: corrected (a correction entry, or the call moved to another customer), re-settled
  by the ledger, a sleep gap (one accounted for, or one waiting for the technician).
"""

from __future__ import annotations

from peewee import SqliteDatabase

from qwtimer.store import stop_figures as sf

_BILL = "json_extract(lc.bill_json, '$.{key}')"
_CORRECTION_KINDS = "('adjustment', 'reversal')"


def _money(key: str, column: str, ledger: bool) -> str:
    """The latest bill's ``key``, changed by the ledger's splits (``column``) with ``ledger``."""
    return sf.money(_BILL.format(key=key), key, column, ledger)


def _corrections(column: str) -> str:
    """The sum of ``column`` over the call's corrections: entries of kind adjustment or
    reversal posted for the call, and reversals (with no call of their own) of its entries.
    ``credit_s`` leaves out the reversal of a purchase (bought minutes, not billed time)."""
    seconds_only = column == "seconds"
    not_purchase = " AND COALESCE(o.kind, '') <> 'purchase'" if seconds_only else ""
    not_purchase_o = " AND o.kind <> 'purchase'" if seconds_only else ""
    return f"""(COALESCE((SELECT SUM(e.{column}) FROM entry e
              LEFT JOIN entry o ON o.id = e.reverses_id
              WHERE e.call_id = c.id AND e.kind IN {_CORRECTION_KINDS}{not_purchase}), 0)
         + COALESCE((SELECT SUM(e.{column}) FROM entry o JOIN entry e ON e.reverses_id = o.id
              WHERE o.call_id = c.id AND +e.call_id IS NULL AND +e.kind = 'reversal'
              {not_purchase_o}), 0))"""


COLUMNS = (
    "call_id",
    "customer_id",
    "technician",
    "started_at",
    "state",
    "policy_version",
    "synced",
    "stops",
    "outcome",
    "notes",
    "talk_s",
    "hold_s",
    "working_hold_s",
    "research_s",
    "billable_s",
    "unbilled_s",
    "billed_s",
    "from_bank_s",
    "overage_s",
    "blocks",
    "charge_cents",
    "settlement",
    "unsettled_s",
    "credit_s",
    "credit_cents",
    "corrected",
    "resettled",
    "sleep_gap",
    "provisional",
)


def _inner(ledger: bool) -> str:
    """Each call's figures before the corrections are netted (see ``_select``); with
    ``ledger``, the money as the ledger settled the stops it settled (``stop_figures``)."""
    return f"""SELECT c.id, c.customer_id, c.technician, c.started_at, c.state,
       c.policy_version, c.synced,
       (SELECT COUNT(*) FROM call_close k WHERE k.call_id = c.id) AS stops,
       lc.outcome,
       COALESCE((SELECT group_concat(k.notes, char(10)) FROM call_close k
                 WHERE k.call_id = c.id AND k.notes <> ''), '') AS notes,
       {_BILL.format(key="talk_seconds")} AS talk_s, {_BILL.format(key="hold_seconds")} AS hold_s,
       {_BILL.format(key="working_hold_seconds")} AS working_hold_s,
       {_BILL.format(key="research_seconds")} AS research_s,
       {_BILL.format(key="billable_seconds")} AS billable_s,
       {_BILL.format(key="unbilled_seconds")} AS unbilled_s,
       {_money("billed_seconds", "billed_s", ledger)} AS bill_billed_s,
       {_money("from_bank_seconds", "from_bank_s", ledger)} AS from_bank_s,
       {_money("overage_seconds", "overage_s", ledger)} AS overage_s,
       {_money("blocks_purchased", "blocks", ledger)} AS blocks,
       {_money("charge_cents", "charge_cents", ledger)} AS bill_charge_cents,
       {sf.settlement(_BILL.format(key="settlement"), ledger)} AS settlement,
       ({sf.own_unsettled()}
        + {sf.ledger_change(sf.LEDGER_UNSETTLED, sf.OWN_UNSETTLED) if ledger else 0})
         AS unsettled_s,
       {_corrections("seconds")} AS credit_s,
       {_corrections("cents")} AS credit_cents,
       (EXISTS (SELECT 1 FROM entry e WHERE e.call_id = c.id AND e.kind IN {_CORRECTION_KINDS})
        OR EXISTS (SELECT 1 FROM entry o JOIN entry e ON e.reverses_id = o.id
                   WHERE o.call_id = c.id AND +e.kind = 'reversal')
        OR EXISTS (SELECT 1 FROM call_correction m WHERE m.call_id = c.id
                   AND m.kind = 'moved')) AS corrected,
       EXISTS (SELECT 1 FROM call_correction m WHERE m.call_id = c.id
               AND m.kind = 'resettled') AS resettled,
       (c.pending_gap_ms > 0 OR EXISTS (SELECT 1 FROM segment s WHERE s.call_id = c.id
                                        AND s.note LIKE 'gap:%')) AS sleep_gap,
       {sf.provisional(ledger)} AS provisional
  FROM call c
  LEFT JOIN call_close lc ON lc.call_id = c.id
   AND lc.seq = (SELECT MAX(k.seq) FROM call_close k WHERE k.call_id = c.id)"""


def _select(where: str = "", ledger: bool = True) -> str:
    """The figures of the calls ``where`` keeps (all without it), in ``COLUMNS`` order: the
    billed seconds and charge net of the corrections."""
    outer = [{"call_id": "id", "billed_s": "bill_billed_s - credit_s"}.get(c, c) for c in COLUMNS]
    outer[COLUMNS.index("charge_cents")] = "bill_charge_cents + credit_cents"
    return f"SELECT {', '.join(outer)} FROM ({_inner(ledger)} {where})"


_INSERT = f"INSERT OR REPLACE INTO call_figures ({', '.join(COLUMNS)}) "


# The figures of every call, as a view: each trigger reads one call's row of it by id (the
# view is flattened, so that reads the call's own rows only) and stays one line long.
# Without the ledger's splits (a file before schema 10): every stop as this laptop billed it.
def view_sql(ledger: bool = True) -> str:
    return (
        f"CREATE VIEW IF NOT EXISTS call_figures_source ({', '.join(COLUMNS)}) "
        f"AS {_select(ledger=ledger)}"
    )


VIEW = view_sql()


def refresh_sql(call_id: str) -> str:
    """The statement that recomputes the row of the call ``call_id`` (an SQL expression)."""
    return f"{_INSERT}SELECT * FROM call_figures_source WHERE call_id = {call_id};"


TABLE = f"""CREATE TABLE IF NOT EXISTS call_figures (
    call_id TEXT PRIMARY KEY NOT NULL,
    customer_id TEXT NOT NULL,
    technician TEXT NOT NULL,
    started_at TEXT NOT NULL,
    state TEXT NOT NULL,
    policy_version TEXT NOT NULL,
    synced INTEGER NOT NULL DEFAULT 0,
    stops INTEGER NOT NULL DEFAULT 0,
    outcome TEXT,
    notes TEXT NOT NULL DEFAULT '',
    {", ".join(f"{c} INTEGER" for c in COLUMNS[10:20])},
    charge_cents INTEGER,
    settlement TEXT,
    unsettled_s INTEGER NOT NULL DEFAULT 0,
    outstanding_s INTEGER NOT NULL DEFAULT 0,
    credit_s INTEGER NOT NULL DEFAULT 0,
    credit_cents INTEGER NOT NULL DEFAULT 0,
    corrected INTEGER NOT NULL DEFAULT 0,
    resettled INTEGER NOT NULL DEFAULT 0,
    sleep_gap INTEGER NOT NULL DEFAULT 0,
    provisional INTEGER NOT NULL DEFAULT 0
)"""

# What the review filters and sorts by; the flags' indexes hold only the flagged calls.
INDEXES = [
    "CREATE INDEX IF NOT EXISTS call_figures_started ON call_figures (started_at, call_id)",
    "CREATE INDEX IF NOT EXISTS call_figures_technician ON call_figures (technician, started_at, call_id)",
    "CREATE INDEX IF NOT EXISTS call_figures_customer ON call_figures (customer_id, started_at, call_id)",
    "CREATE INDEX IF NOT EXISTS call_figures_billed ON call_figures (billed_s, call_id)",
    "CREATE INDEX IF NOT EXISTS call_figures_charge ON call_figures (charge_cents, call_id)",
    *(
        f"CREATE INDEX IF NOT EXISTS call_figures_{flag} ON call_figures "
        f"({'customer_id, ' if flag == 'unsettled' else ''}started_at) WHERE {where}"
        for flag, where in (
            ("unsettled", "unsettled_s > 0"),
            ("outstanding", "outstanding_s > 0"),
            ("corrected", "corrected = 1"),
            ("resettled", "resettled = 1"),
            ("sleep_gap", "sleep_gap = 1"),
        )
    ),
]
# Schema 10: the calls some of whose stops the ledger has not settled yet.
PROVISIONAL_INDEX = (
    "CREATE INDEX IF NOT EXISTS call_figures_provisional ON call_figures (started_at) "
    "WHERE provisional = 1"
)

# The call's columns the figures are worked out from: a heartbeat changes none of them, so
# it costs the triggers' tests only. The state and the sync mark are copied as they are.
_CALL_COLUMNS = (
    "customer_id",
    "technician",
    "started_at",
    "policy_version",
    "pending_gap_ms",
)
_CHANGED = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in _CALL_COLUMNS)
# A sync marks every call it sent: one column copied, nothing worked out again (schema 13;
# before it, each mark recomputed the call's whole row and its customer's debts).
SYNC_MARK_TRIGGER = f"""CREATE TRIGGER IF NOT EXISTS call_figures_call_synced
        AFTER UPDATE OF synced ON call WHEN NEW.synced IS NOT OLD.synced AND NOT ({_CHANGED})
        BEGIN UPDATE call_figures SET synced = NEW.synced WHERE call_id = NEW.id; END"""
_ENTRY_CALL = "COALESCE(NEW.call_id, (SELECT o.call_id FROM entry o WHERE o.id = NEW.reverses_id))"


def owed_sql(customer: str | None) -> str:
    """The statement that sets what each unsettled call of ``customer`` (an SQL expression;
    every customer with ``None``) still owes now: its customer's overdraft (the bank below
    zero, the sum of its entries) is owed by its calls that left time unsettled, newest
    first, each at most what it left unsettled. So a customer's calls never owe more than its
    overdraft, and a paid-up customer's owe nothing."""
    if customer is None:
        entries = "customer_id IN (SELECT customer_id FROM call_figures WHERE unsettled_s > 0)"
        calls = "1 = 1"
    else:
        entries, calls = f"customer_id = {customer}", f"f.customer_id = {customer}"
    return f"""UPDATE call_figures SET outstanding_s = o.owed_s FROM (
        SELECT d.call_id, CASE WHEN d.left_s <= 0 THEN 0 WHEN d.left_s > d.unsettled_s
                               THEN d.unsettled_s ELSE d.left_s END AS owed_s
        FROM (SELECT f.call_id, f.unsettled_s, COALESCE(b.overdraft, 0) - (SUM(f.unsettled_s)
                OVER (PARTITION BY f.customer_id ORDER BY f.started_at DESC, f.call_id DESC
                      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) - f.unsettled_s) AS left_s
              FROM call_figures f LEFT JOIN (
                  SELECT customer_id, -SUM(seconds) AS overdraft FROM entry WHERE {entries}
                  GROUP BY customer_id) b ON b.customer_id = f.customer_id
              WHERE f.unsettled_s > 0 AND {calls}) d
    ) o WHERE call_figures.call_id = o.call_id AND call_figures.outstanding_s IS NOT o.owed_s;"""


def _owes(customer: str) -> str:
    """SQL true when ``customer`` has a call that left time unsettled (a small index)."""
    return f"EXISTS (SELECT 1 FROM call_figures WHERE customer_id = {customer} AND unsettled_s > 0)"


_TRIGGERS = [
    f"""CREATE TRIGGER IF NOT EXISTS call_figures_call_insert AFTER INSERT ON call
        BEGIN {refresh_sql("NEW.id")} END""",
    # A timer transition changes the state only: one row's one column, nothing recomputed.
    f"""CREATE TRIGGER IF NOT EXISTS call_figures_call_state AFTER UPDATE OF state ON call
        WHEN NEW.state IS NOT OLD.state AND NOT ({_CHANGED})
        BEGIN UPDATE call_figures SET state = NEW.state WHERE call_id = NEW.id; END""",
    SYNC_MARK_TRIGGER,
    f"""CREATE TRIGGER IF NOT EXISTS call_figures_call_update AFTER UPDATE ON call
        WHEN {_CHANGED}
        BEGIN {refresh_sql("NEW.id")} {owed_sql("OLD.customer_id")} END""",
    """CREATE TRIGGER IF NOT EXISTS call_figures_call_delete AFTER DELETE ON call
        BEGIN DELETE FROM call_figures WHERE call_id = OLD.id; END""",
    f"""CREATE TRIGGER IF NOT EXISTS call_figures_close_insert AFTER INSERT ON call_close
        BEGIN {refresh_sql("NEW.call_id")} END""",
    f"""CREATE TRIGGER IF NOT EXISTS call_figures_close_update AFTER UPDATE ON call_close
        WHEN NEW.notes IS NOT OLD.notes OR NEW.outcome IS NOT OLD.outcome
          OR NEW.bill_json IS NOT OLD.bill_json
        BEGIN {refresh_sql("NEW.call_id")} END""",
    f"""CREATE TRIGGER IF NOT EXISTS call_figures_entry_insert AFTER INSERT ON entry
        WHEN NEW.kind IN {_CORRECTION_KINDS}
        BEGIN {refresh_sql(_ENTRY_CALL)} END""",
    f"""CREATE TRIGGER IF NOT EXISTS call_figures_entry_update AFTER UPDATE ON entry
        WHEN NEW.kind IN {_CORRECTION_KINDS} AND (NEW.call_id IS NOT OLD.call_id
          OR NEW.reverses_id IS NOT OLD.reverses_id OR NEW.seconds IS NOT OLD.seconds
          OR NEW.cents IS NOT OLD.cents)
        BEGIN {refresh_sql(_ENTRY_CALL)} END""",
    f"""CREATE TRIGGER IF NOT EXISTS call_figures_correction_insert
        AFTER INSERT ON call_correction
        BEGIN {refresh_sql("NEW.call_id")} END""",
    # What is owed now moves with every entry of a customer that owes (and only those).
    f"""CREATE TRIGGER IF NOT EXISTS call_figures_owed_entry_insert AFTER INSERT ON entry
        WHEN {_owes("NEW.customer_id")}
        BEGIN {owed_sql("NEW.customer_id")} END""",
    f"""CREATE TRIGGER IF NOT EXISTS call_figures_owed_entry_delete AFTER DELETE ON entry
        WHEN {_owes("OLD.customer_id")}
        BEGIN {owed_sql("OLD.customer_id")} END""",
    f"""CREATE TRIGGER IF NOT EXISTS call_figures_owed_entry_update
        AFTER UPDATE OF customer_id, seconds ON entry
        WHEN NEW.customer_id IS NOT OLD.customer_id OR NEW.seconds IS NOT OLD.seconds
        BEGIN {owed_sql("OLD.customer_id")} {owed_sql("NEW.customer_id")} END""",
    # A call's row is written afresh (its outstanding time reset): work it out again.
    f"""CREATE TRIGGER IF NOT EXISTS call_figures_owed_refresh AFTER INSERT ON call_figures
        WHEN {_owes("NEW.customer_id")}
        BEGIN {owed_sql("NEW.customer_id")} END""",
    f"""CREATE TRIGGER IF NOT EXISTS call_figures_gap_insert AFTER INSERT ON segment
        WHEN NEW.note LIKE 'gap:%'
        BEGIN {refresh_sql("NEW.call_id")} END""",
]
# The ledger's split of a stop, before or after the stop itself is here (schema 10).
_SPLIT_TRIGGERS = [
    f"""CREATE TRIGGER IF NOT EXISTS call_figures_split_insert AFTER INSERT ON {sf.SPLITS}
        BEGIN {refresh_sql("NEW.call_id")} END""",
]
TRIGGERS = _TRIGGERS + _SPLIT_TRIGGERS


def _trigger_name(sql: str) -> str:
    return sql.split("IF NOT EXISTS", 1)[1].split()[0]


# The tables and columns the figures read; a file older than them has no calls to keep.
_READS = {
    "call": {"customer_id", "technician", "started_at", "policy_version", "pending_gap_ms"},
    "call_close": {"bill_json", "seq", "notes", "outcome"},
    "entry": {"reverses_id", "kind", "seconds", "cents"},
    "segment": {"note"},
    "call_correction": {"kind"},
}


def _reads_there(db: SqliteDatabase, tables: set[str]) -> bool:
    """Whether the file has every table and column the figures read."""
    return all(
        t in tables and cols <= {c.name for c in db.get_columns(t)} for t, cols in _READS.items()
    )


def create(db: SqliteDatabase) -> None:
    """Make the table and its indexes; then, unless the file is older than the tables the
    figures read (nothing to keep), the triggers, and fill it for the calls already there
    (the same statements the triggers run; they keep it from then on). Before the ledger's
    splits are kept here (schema 10) every stop counts as this laptop billed it."""
    db.execute_sql(TABLE)
    tables = set(db.get_tables())
    if _reads_there(db, tables):
        ledger = sf.SPLITS in tables
        db.execute_sql(view_sql(ledger))
        db.execute_sql("DELETE FROM call_figures")
        db.execute_sql(f"{_INSERT}SELECT * FROM call_figures_source")
        db.execute_sql(owed_sql(None))
        for sql in TRIGGERS if ledger else _TRIGGERS:
            db.execute_sql(sql)
    for sql in INDEXES:
        db.execute_sql(sql)


def take_ledger_splits(db: SqliteDatabase) -> None:
    """Schema 10 (after ``close_settlement`` exists, empty): the money becomes the ledger's once it
    settled a stop, and every call with a stop is provisional until then. Nothing is filled
    again: with no split known, each call's figures stay what they are."""
    if "provisional" not in {c.name for c in db.get_columns("call_figures")}:
        db.execute_sql("ALTER TABLE call_figures ADD COLUMN provisional INTEGER NOT NULL DEFAULT 0")
        db.execute_sql("UPDATE call_figures SET provisional = 1 WHERE stops > 0")
    db.execute_sql(PROVISIONAL_INDEX)
    if not _reads_there(db, set(db.get_tables())):
        return  # a file older than the tables the figures read: no calls to keep (schema 8)
    db.execute_sql("DROP VIEW IF EXISTS call_figures_source")
    for sql in _TRIGGERS:  # each reads the view by its columns: made again with it
        db.execute_sql(f"DROP TRIGGER IF EXISTS {_trigger_name(sql)}")
    db.execute_sql(VIEW)
    for sql in TRIGGERS:
        db.execute_sql(sql)


def copy_sync_mark(db: SqliteDatabase) -> None:
    """Schema 13: a call's sync mark is copied into its row, not worked out again with every
    figure (a push marks every call it sent). The call's three update triggers are made
    again with the condition they share; nothing to fill: the rows hold the marks."""
    mine = {"call_figures_call_state", "call_figures_call_update", "call_figures_call_synced"}
    there = {
        r[0]
        for r in db.execute_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'call'"
        ).fetchall()
    }
    if "call_figures_call_update" not in there:
        return  # a file older than the tables the figures read keeps no figures (schema 8)
    for sql in _TRIGGERS:
        if _trigger_name(sql) in mine:
            db.execute_sql(f"DROP TRIGGER IF EXISTS {_trigger_name(sql)}")
            db.execute_sql(sql)


def last_call(
    db: SqliteDatabase, customer_id: str
) -> tuple[str, str, str, str, str | None, str] | None:
    """The customer's latest stopped call here, by its start: (call id, started_at,
    technician, state, outcome, notes of its last stop), read from the end of the customer's
    index (a call that runs now is passed over); the notes by the call's own close index."""
    row = db.execute_sql(
        "SELECT f.call_id, f.started_at, f.technician, f.state, f.outcome, "
        "(SELECT notes FROM call_close c WHERE c.call_id = f.call_id ORDER BY c.seq DESC "
        "LIMIT 1) FROM call_figures f "
        "WHERE f.customer_id = ? AND f.state = 'stopped' "
        "ORDER BY f.started_at DESC, f.call_id DESC LIMIT 1",
        (customer_id,),
    ).fetchone()
    return None if row is None else (*row[:5], row[5] or "")
