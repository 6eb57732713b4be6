"""The local database's schema, step by step: tables, the rules the database itself enforces
(append-only entries, one running call per device, no card number in free text) and the
migration steps that reach each version (``connection`` runs them, one per transaction).
"""

from __future__ import annotations

from collections.abc import Callable

from peewee import SqliteDatabase

from qwtimer.core.policy import PolicyBook
from qwtimer.paths import resource
from qwtimer.store import call_figures, call_sums, customer_match
from qwtimer.store.models import (
    SCHEMA_2_TABLES,
    SCHEMA_5_TABLES,
    TABLES,
    CustomerMerge,
)

_ENTRY_APPEND_ONLY_V1 = """CREATE TRIGGER IF NOT EXISTS entry_append_only_update
       BEFORE UPDATE ON entry
       WHEN NEW.id IS NOT OLD.id OR NEW.customer_id IS NOT OLD.customer_id
         OR NEW.call_id IS NOT OLD.call_id OR NEW.kind IS NOT OLD.kind
         OR NEW.seconds IS NOT OLD.seconds OR NEW.cents IS NOT OLD.cents
         OR NEW.card_ref IS NOT OLD.card_ref OR NEW.reason IS NOT OLD.reason
         OR NEW.author IS NOT OLD.author OR NEW.created_at IS NOT OLD.created_at
         OR NEW.reverses_id IS NOT OLD.reverses_id OR NEW.grant_key IS NOT OLD.grant_key
       BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only (R13): post an adjustment');
       END"""

# R13 with merges: an entry may change customer only along an audited merge record (from the
# merged customer to the kept one) and only while it has not reached the ledger.
_ENTRY_APPEND_ONLY = """CREATE TRIGGER IF NOT EXISTS entry_append_only_update
       BEFORE UPDATE ON entry
       WHEN NEW.id IS NOT OLD.id
         OR (NEW.customer_id IS NOT OLD.customer_id AND (OLD.synced = 1 OR NOT EXISTS (
             SELECT 1 FROM customer_merge m
             WHERE m.merged_id = OLD.customer_id AND m.kept_id = NEW.customer_id)))
         OR NEW.call_id IS NOT OLD.call_id OR NEW.kind IS NOT OLD.kind
         OR NEW.seconds IS NOT OLD.seconds OR NEW.cents IS NOT OLD.cents
         OR NEW.card_ref IS NOT OLD.card_ref OR NEW.reason IS NOT OLD.reason
         OR NEW.author IS NOT OLD.author OR NEW.created_at IS NOT OLD.created_at
         OR NEW.reverses_id IS NOT OLD.reverses_id OR NEW.grant_key IS NOT OLD.grant_key
       BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only (R13): post an adjustment');
       END"""

_APPEND_ONLY = [
    # R13: a posted entry is never edited or deleted; only its sync mark may change.
    _ENTRY_APPEND_ONLY_V1,
    """CREATE TRIGGER IF NOT EXISTS entry_append_only_delete BEFORE DELETE ON entry
       BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only (R13): post a reversal');
       END""",
    """CREATE TRIGGER IF NOT EXISTS call_close_immutable BEFORE UPDATE ON call_close
       WHEN NEW.bill_json IS NOT OLD.bill_json OR NEW.outcome IS NOT OLD.outcome
         OR NEW.call_id IS NOT OLD.call_id OR NEW.seq IS NOT OLD.seq
       BEGIN SELECT RAISE(ABORT, 'a posted bill is never edited (R13)'); END""",
]


INDEXES = [
    # The timer finds the device's running call through this small index only; a state
    # change of a running call touches nothing else (see store.timer_rows).
    """CREATE INDEX IF NOT EXISTS call_running ON call (device_id, started_at)
       WHERE state NOT IN ('idle', 'stopped')""",
    # A call's open segment (at most one per call), found without reading the others.
    "CREATE INDEX IF NOT EXISTS segment_open ON segment (call_id) WHERE open = 1",
    # Rows waiting for the ledger: each index holds only those, so it stays small and marking
    # rows synced after a push shrinks it instead of rewriting it.
    *(
        f"CREATE INDEX IF NOT EXISTS {table}_unsynced ON {table} ({column}) WHERE synced = 0"
        for table, column in (
            ("customer", "id"),
            ("product_line", "id"),
            ("purchase", "id"),
            ("payment_ref", "id"),
            ("call", "id"),
            ("segment", "call_id"),
            ("call_close", "call_id"),
            ("entry", "call_id"),
        )
    ),
]


def _v1(db: SqliteDatabase) -> None:
    db.create_tables(TABLES)
    for sql in _APPEND_ONLY + INDEXES:
        db.execute_sql(sql)


def _v2(db: SqliteDatabase) -> None:
    """Audited call corrections (moved, discarded, re-settled): a new table, nothing else."""
    db.create_tables(SCHEMA_2_TABLES)


ONE_RUNNING_CALL = "a call is already running on this device"

_RUNNING = "state NOT IN ('idle', 'stopped')"
_ONE_RUNNING_CALL = [
    # At most one running call per device, whoever starts or reopens it (two 'timer start'
    # racing each other: the second is refused by the database itself).
    f"""CREATE TRIGGER IF NOT EXISTS call_one_running_insert BEFORE INSERT ON call
       WHEN NEW.{_RUNNING} AND EXISTS (
         SELECT 1 FROM call WHERE device_id = NEW.device_id AND {_RUNNING})
       BEGIN SELECT RAISE(ABORT, '{ONE_RUNNING_CALL}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS call_one_running_update BEFORE UPDATE OF state ON call
       WHEN NEW.{_RUNNING} AND OLD.state IN ('idle', 'stopped') AND EXISTS (
         SELECT 1 FROM call WHERE device_id = NEW.device_id AND id <> NEW.id AND {_RUNNING})
       BEGIN SELECT RAISE(ABORT, '{ONE_RUNNING_CALL}'); END""",
]


# Free text people type, by table (R6.1): no card number may be stored in any of it. The
# database refuses one itself (triggers calling the function below), so no write path of
# qwtimer's can slip one in; rows pulled from the ledger are screened the same way.
_FREE_TEXT_V3: dict[str, tuple[str, ...]] = {
    "customer": ("name", "phone", "email"),
    "payment_ref": ("ref",),
    "call_close": ("notes",),
    "entry": ("reason", "card_ref"),
}
_FREE_TEXT_V6: dict[str, tuple[str, ...]] = {"block_order": ("card_ref",)}
_CARD_TABLE_V6 = "call_close"  # checked since v3, its card_ref column since v6
FREE_TEXT: dict[str, tuple[str, ...]] = {
    **_FREE_TEXT_V3,
    "call_close": ("notes", "card_ref"),
    **_FREE_TEXT_V6,
}
CARD_FUNCTION = "qwtimer_holds_card_number"
CARD_REFUSED = "R6.1: "  # how the database's refusal starts


def _may_hold_card_number(value: str) -> str:
    """SQL that is false only for text that cannot hold a card number: all printable ASCII
    with fewer than 13 digits. Most names, phones and emails stop here, in SQLite, without a
    call into Python; anything else is read by the function itself."""
    ascii_digits = value
    for digit in "0123456789":
        ascii_digits = f"replace({ascii_digits}, '{digit}', '')"
    return f"({value} GLOB '*[^ -~]*' OR length({value}) - length({ascii_digits}) >= 13)"


def _card_triggers(free_text: dict[str, tuple[str, ...]]) -> list[str]:
    """One insert trigger per table (a trigger costs each inserted row, whatever it checks)
    and one update trigger per column; the refusal names the column."""
    sql = []
    for table, columns in free_text.items():
        bad = {
            col: f"{_may_hold_card_number(f'NEW.{col}')} AND {CARD_FUNCTION}(NEW.{col})"
            for col in columns
        }
        refuse = {
            col: (
                f"SELECT RAISE(ABORT, '{CARD_REFUSED}the {table.replace('_', ' ')}''s "
                f"{col.replace('_', ' ')} looks like it holds a card number; qwtimer never "
                "stores card numbers: remove it (for payments give the processor''s token or "
                "authorisation id)')"
            )
            for col in columns
        }
        sql.append(
            f"""CREATE TRIGGER IF NOT EXISTS {table}_no_card_insert BEFORE INSERT ON {table}
            WHEN {" OR ".join(f"({b})" for b in bad.values())}
            BEGIN {" ".join(f"{refuse[c]} WHERE {bad[c]};" for c in columns)} END"""
        )
        for col in columns:
            sql.append(
                f"""CREATE TRIGGER IF NOT EXISTS {table}_{col}_no_card_update
                BEFORE UPDATE OF {col} ON {table} WHEN {bad[col]}
                BEGIN {refuse[col]}; END"""
            )
    return sql


def _v3(db: SqliteDatabase) -> None:
    """One running call per device and no card number in free text, enforced by the
    database itself."""
    for sql in _ONE_RUNNING_CALL + _card_triggers(_FREE_TEXT_V3):
        db.execute_sql(sql)


def _v4(db: SqliteDatabase) -> None:
    """Additive: customers can be merged (an audit table, a ``merged_into`` mark), the entry
    trigger lets an unsynced entry follow an audited merge (R13), and duplicate look-ups are
    indexed."""
    if "merged_into" not in {c.name for c in db.get_columns("customer")}:
        db.execute_sql("ALTER TABLE customer ADD COLUMN merged_into VARCHAR(255)")
    db.create_tables([CustomerMerge])
    db.execute_sql("DROP TRIGGER IF EXISTS entry_append_only_update")
    db.execute_sql(_ENTRY_APPEND_ONLY)
    for sql in customer_match.INDEXES:  # duplicate look-ups (desk.duplicates)
        db.execute_sql(sql)
    for table in ("call", "entry", "product_line", "purchase", "payment_ref"):
        # A merged duplicate is history only: nothing new is ever recorded for it.
        db.execute_sql(
            f"""CREATE TRIGGER IF NOT EXISTS {table}_not_for_merged BEFORE INSERT ON {table}
               WHEN (SELECT merged_into FROM customer WHERE id = NEW.customer_id) IS NOT NULL
               BEGIN SELECT RAISE(ABORT, 'this customer was merged into another: pick the kept customer');
               END"""
        )


def _v5(db: SqliteDatabase) -> None:
    """Additive: contact and product-line date changes are recorded as revisions (who, when,
    which device) for the ledger, and the ones waiting for it are indexed."""
    db.create_tables(SCHEMA_5_TABLES)
    db.execute_sql(
        "CREATE INDEX IF NOT EXISTS revision_unsynced ON revision (changed_at) WHERE synced = 0"
    )
    db.execute_sql(
        """CREATE TRIGGER IF NOT EXISTS revision_append_only BEFORE UPDATE ON revision
           WHEN NEW.id IS NOT OLD.id OR NEW.target IS NOT OLD.target
             OR NEW.row_id IS NOT OLD.row_id OR NEW.name IS NOT OLD.name
             OR NEW.phone IS NOT OLD.phone OR NEW.email IS NOT OLD.email
             OR NEW.maintenance_until IS NOT OLD.maintenance_until
             OR NEW.active_until IS NOT OLD.active_until OR NEW.changed_by IS NOT OLD.changed_by
             OR NEW.device_id IS NOT OLD.device_id OR NEW.changed_at IS NOT OLD.changed_at
           BEGIN SELECT RAISE(ABORT, 'a recorded change is never edited'); END"""
    )


def _v6(db: SqliteDatabase) -> None:
    """The ledger writes the money entries; this device's own stay provisional until then
    (``store.provisional``). The new card columns refuse card numbers like the others."""
    from qwtimer.store import provisional  # with the settlement rules: only to migrate

    provisional.migrate(db, PolicyBook.from_dir(resource("policies")), _ENTRY_APPEND_ONLY)
    table = _CARD_TABLE_V6
    db.execute_sql(f"DROP TRIGGER IF EXISTS {table}_no_card_insert")  # made again, wider
    for sql in _card_triggers({table: FREE_TEXT[table], **_FREE_TEXT_V6}):
        db.execute_sql(sql)  # (IF NOT EXISTS: the ones v3 made stay)


# The running-call condition exactly as the partial index ``call_running`` and the triggers
# spell it: a query must use these literal words (not bound parameters) for SQLite to read
# that small index instead of the whole call table.
RUNNING_STATE = _RUNNING

# Schema 7: every per-call and per-second read finds its rows by index, however long the
# history (``tests/unit/test_query_plans.py`` checks each hot query's plan).
SCALE_INDEXES = [
    # Recent calls and listings since a day: the newest calls without sorting them all.
    "CREATE INDEX IF NOT EXISTS call_started ON call (started_at)",
    # A bank is the sum of the customer's entries (R2): read from the index alone, for one
    # customer (the live view, a stop) or for every customer at once (the list).
    "CREATE INDEX IF NOT EXISTS entry_bank ON entry (customer_id, seconds)",
    "DROP INDEX IF EXISTS entry_customer_id",  # the index above begins with its column
]


def _v7(db: SqliteDatabase) -> None:
    """Additive: indexes that keep the timer, the live view, recent calls and the customer
    list as fast at a million calls as at none."""
    for sql in SCALE_INDEXES:
        db.execute_sql(sql)


def _v8(db: SqliteDatabase) -> None:
    """Additive: each call's latest figures in one row, kept by triggers, filled for the
    calls already there (``store.call_figures``), for the supervisors' review."""
    call_figures.create(db)


def _v10(db: SqliteDatabase) -> None:
    """Additive: the ledger's settlement of each stop is kept here (``store.ledger_splits``),
    and the calls' figures become the ledger's as its splits arrive (``store.call_figures``);
    the next pull brings down the splits of the stops already synced."""
    from qwtimer.store import ledger_splits  # only to migrate

    ledger_splits.migrate(db)
    call_figures.take_ledger_splits(db)


# A re-classification's "after" text as written before schema 11: "segment N: KIND; billed ..."
_RECLASSIFIED_SEQ = "CAST(substr(after, 9, instr(after, ':') - 9) AS INTEGER)"
_RECLASSIFIED_KIND = (
    "replace(substr(after, instr(after, ':') + 2, instr(after, ';') - instr(after, ':') - 2),"
    " ' ', '_')"
)


def _v11(db: SqliteDatabase) -> None:
    """Additive: a re-classification keeps the segment and its new kind as columns
    (``call_correction.segment_seq`` / ``segment_kind``), filled for the ones already kept
    from their words; from then on nothing reads the words back."""
    columns = {c.name for c in db.get_columns("call_correction")}
    for name, kind in (("segment_seq", "INTEGER"), ("segment_kind", "TEXT")):
        if name not in columns:
            db.execute_sql(f"ALTER TABLE call_correction ADD COLUMN {name} {kind}")
    db.execute_sql(
        f"UPDATE call_correction SET segment_seq = {_RECLASSIFIED_SEQ}, "
        f"segment_kind = {_RECLASSIFIED_KIND} "
        "WHERE kind = 'reclassified' AND segment_seq IS NULL AND after LIKE 'segment %: %;%'"
    )


def _v12(db: SqliteDatabase) -> None:
    """Additive: the calls' figures summed per local day and technician, kept by triggers on
    ``call_figures``, summed once for the calls already there (``store.call_sums``), so that
    the review's totals, groups and charts do not grow with the calls."""
    call_sums.create(db)


def _v13(db: SqliteDatabase) -> None:
    """Additive: a sync marking a call sent copies the mark into the call's figures instead
    of working them all out again (``store.call_figures``)."""
    call_figures.copy_sync_mark(db)


# version reached -> step that reaches it from the version before
MIGRATIONS: dict[int, Callable[[SqliteDatabase], None]] = {
    1: _v1,
    2: _v2,
    3: _v3,
    4: _v4,
    5: _v5,
    6: _v6,
    7: _v7,
    8: _v8,
    10: _v10,
    11: _v11,
    12: _v12,
    13: _v13,
}
