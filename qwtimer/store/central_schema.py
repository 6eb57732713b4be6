"""The central ledger's tables, as Peewee models, and its PostgreSQL security (DESIGN.md).

The central tables mirror the local ones without the ``synced`` marks, plus:

- ``ledger_seq`` (pulled tables; calls, segments and closes since step 5, ``central_team``,
  which adds the column itself): a number the ledger assigns to every row when it is
  written (and again when a revision moves a customer's contact or a product line's dates,
  ``store.revisions``). Pulls ask for "rows after N". Writers
  of pulled tables are serialised by a statement trigger (PostgreSQL) or by SQLite's single
  writer, so numbers become visible in the order they were assigned and a cursor never skips
  a row that commits late.
- ``allocation``: how the ledger settled each call close against the bank (one row per close,
  never rewritten), so a replay returns the stored split.
- ``ledger_meta``: schema version and the ledger's own id (cursors are kept per ledger).
- ``revision`` (schema 2, ``store.revisions``): every change of a customer's contact or a
  product line's dates, with who, when and what it did.

Only the run-time state of a call (timer state, heartbeats) stays on the device; the central
``call`` row holds the header, which never changes. Times are ISO-8601 UTC text exactly as the
device wrote them, so "identical" means byte-identical.
"""

from __future__ import annotations

from peewee import (
    BigIntegerField,
    BooleanField,
    Field,
    IntegerField,
    Model,
    TextField,
)

# 2: changes through revisions; 3: the ledger numbers rows, refuses card numbers; 4: the
# ledger alone writes the entries that move money (``central_settle``); 5: calls, segments
# and closes are numbered too, for supervisors' pulls (``central_team``, additive); 6: inserted
# rows are numbered by their column's default, not a row trigger (``central_numbering``,
# additive); 7: the settlement looks a batch's calls up by index, never reading the whole
# call table (``central_settle``, additive); 8: less server work per pushed call (the
# settlement without a temporary table, one late-segment check per call, two indexes less
# to write; ``central_migrate``, additive)
SCHEMA_VERSION = 8
OWNER_ROLE = "qwtimer_owner"
TECHNICIAN_ROLE = "technician"
SUPERVISOR_ROLE = "supervisor"
PG_SCHEMA = "qwtimer"
SEQ_LOCK = (7261, 1)  # advisory lock key: one writer of pulled rows at a time
CUSTOMER_LOCK_CLASS = 7262  # advisory lock class: one settlement per customer at a time


class SeqField(Field):  # type: ignore[misc]
    """The ledger-assigned sequence number (bigserial on PostgreSQL)."""

    field_type = "LEDGERSEQ"


class CentralModel(Model):  # type: ignore[misc]
    class Meta:
        legacy_table_names = False


class PulledModel(CentralModel):
    """A table devices pull from: every row carries the ledger's sequence number (calls,
    segments and closes since step 5, pulled by supervisors only)."""

    ledger_seq = SeqField(null=True, index=True)


class LedgerMeta(Model):  # type: ignore[misc]
    key = TextField(primary_key=True)
    value = TextField()

    class Meta:
        table_name = "ledger_meta"


class Customer(PulledModel):
    id = TextField(primary_key=True)
    name = TextField()
    phone = TextField(default="")
    email = TextField(default="")
    created_at = TextField()


class ProductLine(PulledModel):
    id = TextField(primary_key=True)
    customer_id = TextField(index=True)
    product = TextField()
    plan = TextField()
    edition = TextField(null=True)
    maintenance_until = TextField(null=True)
    active_until = TextField(null=True)
    created_at = TextField()


class Purchase(PulledModel):
    id = TextField(primary_key=True)
    customer_id = TextField(index=True)
    product = TextField()
    kind = TextField()
    until = TextField(null=True)
    created_at = TextField()


class PaymentRef(PulledModel):
    id = TextField(primary_key=True)
    customer_id = TextField(index=True)
    ref = TextField()
    last4 = TextField()
    created_at = TextField()


class Call(PulledModel):
    id = TextField(primary_key=True)
    customer_id = TextField(index=True)
    technician = TextField()
    device_id = TextField()
    policy_version = TextField()
    started_at = TextField()
    utc_offset_min = IntegerField()
    manual = BooleanField()


class Segment(PulledModel):
    id = TextField(primary_key=True)
    call_id = TextField()
    seq = IntegerField()
    kind = TextField()
    start_at = TextField()
    end_at = TextField(null=True)
    utc_offset_min = IntegerField()
    duration_ms = BigIntegerField()
    note = TextField()

    class Meta:
        indexes = ((("call_id", "seq"), True),)


class CallClose(PulledModel):
    id = TextField(primary_key=True)
    call_id = TextField()
    seq = IntegerField()
    outcome = TextField()
    notes = TextField()
    stopped_at = TextField()
    bill_json = TextField()
    settlement = TextField()
    card_ref = TextField(null=True)  # a card given at the stop (schema 4)
    last_seq = IntegerField(null=True)  # the call's segments 1..last_seq are billed by now

    class Meta:
        table_name = "call_close"
        indexes = ((("call_id", "seq"), True),)


class Entry(PulledModel):
    id = TextField(primary_key=True)
    customer_id = TextField(index=True)
    call_id = TextField(null=True)
    kind = TextField()
    seconds = BigIntegerField()
    cents = BigIntegerField()
    card_ref = TextField(null=True)
    reason = TextField()
    author = TextField()
    device_id = TextField()
    created_at = TextField()
    reverses_id = TextField(null=True)
    grant_key = TextField(null=True, unique=True)


class Allocation(PulledModel):
    """The ledger's settlement of one call close (R2, R6, R6.1): written once, never changed."""

    close_id = TextField(primary_key=True)
    call_id = TextField()
    customer_id = TextField(index=True)
    technician = TextField()
    billed_seconds = BigIntegerField()
    from_bank_seconds = BigIntegerField()
    overage_seconds = BigIntegerField()
    blocks_purchased = IntegerField()
    purchased_seconds = BigIntegerField()
    charge_cents = BigIntegerField()
    balance_before_seconds = BigIntegerField()
    balance_after_seconds = BigIntegerField()
    settlement = TextField()  # unsettled ones have their own index (supervisors' list)
    device_settlement = TextField()
    correction_entry_id = TextField(null=True)
    allocated_at = TextField()


class BlockOrder(CentralModel):
    """Blocks a customer bought outside a call (schema 4): the ledger prices the order and
    posts its purchase under the order's id."""

    id = TextField(primary_key=True)
    customer_id = TextField(index=True)
    blocks = IntegerField()
    card_ref = TextField()
    technician = TextField()
    device_id = TextField()
    created_at = TextField()

    class Meta:
        table_name = "block_order"


class PolicyRule(CentralModel):
    """The policy versions the ledger settles by (schema 4), written by ``ledger init`` from
    the policy files qwtimer ships: a technician can neither add nor change one."""

    version = TextField(primary_key=True)
    effective = TextField()
    included_minutes = IntegerField()
    grant_products = TextField()  # comma-separated
    increment_seconds = IntegerField()
    rounding_mode = TextField()
    grace_seconds = IntegerField()
    billable_kinds = TextField()  # comma-separated
    rate_cents_per_minute = IntegerField()
    block_minutes = IntegerField()
    block_price_cents = IntegerField()
    settlement = TextField()
    card_required = BooleanField()

    class Meta:
        table_name = "policy_rule"


class Account(CentralModel):
    """Each customer's bank as the sum of the entries (R2), kept by a trigger on ``entry``,
    so settling a call reads one row instead of summing the customer's history."""

    customer_id = TextField(primary_key=True)
    balance_seconds = BigIntegerField()


MODELS: list[type[Model]] = [
    LedgerMeta,
    Customer,
    ProductLine,
    Purchase,
    PaymentRef,
    Call,
    Segment,
    CallClose,
    Entry,
    Allocation,
    Account,
    BlockOrder,
    PolicyRule,
]
PULLED = ("customer", "product_line", "purchase", "payment_ref", "entry")
LEDGER_TABLES = ("call", "segment", "call_close", "entry", "allocation")

# The columns a device pushes, in order; the names are the local table's columns too.
PUSHED: dict[str, tuple[str, ...]] = {
    "customer": ("id", "name", "phone", "email", "created_at"),
    "product_line": (
        "id",
        "customer_id",
        "product",
        "plan",
        "edition",
        "maintenance_until",
        "active_until",
        "created_at",
    ),
    "purchase": ("id", "customer_id", "product", "kind", "until", "created_at"),
    "payment_ref": ("id", "customer_id", "ref", "last4", "created_at"),
    "call": (
        "id",
        "customer_id",
        "technician",
        "device_id",
        "policy_version",
        "started_at",
        "utc_offset_min",
        "manual",
    ),
    "segment": (
        "id",
        "call_id",
        "seq",
        "kind",
        "start_at",
        "end_at",
        "utc_offset_min",
        "duration_ms",
        "note",
    ),
    "call_close": (
        "id",
        "call_id",
        "seq",
        "outcome",
        "notes",
        "stopped_at",
        "bill_json",
        "settlement",
        "card_ref",
        "last_seq",
    ),
    "block_order": (
        "id",
        "customer_id",
        "blocks",
        "card_ref",
        "technician",
        "device_id",
        "created_at",
    ),
    "entry": (
        "id",
        "customer_id",
        "call_id",
        "kind",
        "seconds",
        "cents",
        "card_ref",
        "reason",
        "author",
        "device_id",
        "created_at",
        "reverses_id",
        "grant_key",
    ),
}
# What the desk may change in a row after it was created, and so what the ledger merges: a
# customer's contact (the newer revision wins) and a product line's dates (a UMP renewal or a
# subscription extension, R8, R9: the later date wins). Each change travels as a revision
# (``Revision``) applied by one function of the ledger; every other column never changes.
EDITABLE: dict[str, tuple[str, ...]] = {
    "customer": ("name", "phone", "email"),
    "product_line": ("maintenance_until", "active_until"),
}
LATER_WINS = ("product_line",)  # per column, the later date; elsewhere the newer revision
ALLOCATION_COLUMNS: tuple[str, ...] = (
    "close_id",
    "call_id",
    "customer_id",
    "technician",
    "billed_seconds",
    "from_bank_seconds",
    "overage_seconds",
    "blocks_purchased",
    "purchased_seconds",
    "charge_cents",
    "balance_before_seconds",
    "balance_after_seconds",
    "settlement",
    "device_settlement",
    "correction_entry_id",
    "allocated_at",
)

SQLITE_FIELD_TYPES = {"LEDGERSEQ": "INTEGER"}
PG_FIELD_TYPES = {"LEDGERSEQ": "BIGSERIAL"}
