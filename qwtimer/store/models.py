"""The local database's tables (Peewee). Ids are UUIDs made on the device (DESIGN.md).

Ledger rows (``Entry``) are append-only (R13): nothing here updates or deletes them.
Money is integer cents, segments are integer milliseconds, bills integer seconds.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from peewee import (
    SQL,
    BooleanField,
    CharField,
    DatabaseProxy,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

database = DatabaseProxy()


def new_id() -> str:
    return str(uuid.uuid4())


def utcnow() -> datetime:
    return datetime.now(UTC)


def utc_text(value: datetime | None) -> str | None:
    """The stored form of a UTC instant: ISO 8601 text, microseconds, ``+00:00``."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime given where UTC is required")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def utc_value(value: str | datetime | None) -> datetime | None:
    """The stored form back to an aware datetime."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(value)


class UTCDateTimeField(DateTimeField):  # type: ignore[misc]
    """Stores timezone-aware UTC datetimes as ISO text; returns aware datetimes."""

    field_type = "TEXT"

    def db_value(self, value: datetime | None) -> str | None:
        return utc_text(value)

    def python_value(self, value: str | datetime | None) -> datetime | None:
        return utc_value(value)


class BaseModel(Model):  # type: ignore[misc]
    class Meta:
        database = database
        legacy_table_names = False


class Meta(BaseModel):
    """Key/value facts about this database: schema version, device id, sync cursor."""

    key = CharField(primary_key=True)
    value = TextField()


class Customer(BaseModel):
    if TYPE_CHECKING:  # what Peewee adds at run time: foreign key ids, back-references
        product_lines: Any
        purchases: Any
        payment_refs: Any
        calls: Any
        entries: Any
        block_orders: Any
    id = CharField(primary_key=True, default=new_id)
    name = CharField(index=True)
    phone = CharField(default="")
    email = CharField(default="")
    created_at = UTCDateTimeField(default=utcnow)
    synced = BooleanField(default=False)  # partial index: see connection.INDEXES
    # Set when a supervisor merged this duplicate into another customer (``CustomerMerge``):
    # the row stays, so history keeps its meaning, but it is no longer listed or pushed.
    merged_into = CharField(null=True)


class CustomerMerge(BaseModel):
    """The audit record of a merge of two customers: who, when, why, which ids, what moved.

    Written before anything moves; the ledger's append-only trigger lets an entry change
    customer only along such a record, and only while the entry has not reached the ledger.
    """

    id = CharField(primary_key=True, default=new_id)
    kept_id = CharField(index=True)
    merged_id = CharField(unique=True)
    reason = TextField()
    author = CharField()
    device_id = CharField()
    created_at = UTCDateTimeField(default=utcnow)
    moved_json = TextField(default="{}")  # rows moved per table


class ProductLine(BaseModel):
    if TYPE_CHECKING:  # what Peewee adds at run time: foreign key ids, back-references
        customer_id: str
    id = CharField(primary_key=True, default=new_id)
    customer = ForeignKeyField(Customer, backref="product_lines", on_delete="RESTRICT")
    product = CharField()
    plan = CharField()
    edition = CharField(null=True)
    maintenance_until = DateField(null=True)
    active_until = DateField(null=True)
    created_at = UTCDateTimeField(default=utcnow)
    synced = BooleanField(default=False)  # partial index: see connection.INDEXES


class Purchase(BaseModel):
    """What the customer bought: a product line, a subscription period, UMP (R9), minutes."""

    if TYPE_CHECKING:  # what Peewee adds at run time: foreign key ids, back-references
        customer_id: str
    id = CharField(primary_key=True, default=new_id)
    customer = ForeignKeyField(Customer, backref="purchases", on_delete="RESTRICT")
    product = CharField()
    kind = CharField()  # license | subscription | ump | minutes
    until = DateField(null=True)
    created_at = UTCDateTimeField(default=utcnow)
    synced = BooleanField(default=False)  # partial index: see connection.INDEXES


class PaymentRef(BaseModel):
    """A card on file: a processor reference and the last four digits, never a number (R6.1)."""

    if TYPE_CHECKING:  # what Peewee adds at run time: foreign key ids, back-references
        customer_id: str
    id = CharField(primary_key=True, default=new_id)
    customer = ForeignKeyField(Customer, backref="payment_refs", on_delete="RESTRICT")
    ref = CharField()
    last4 = CharField()
    created_at = UTCDateTimeField(default=utcnow)
    synced = BooleanField(default=False)  # partial index: see connection.INDEXES


class Call(BaseModel):
    """A case: header facts plus the timer's live state. Closed bills live in ``CallClose``."""

    if TYPE_CHECKING:  # what Peewee adds at run time: foreign key ids, back-references
        customer_id: str
        segments: Any
        closes: Any
        entries: Any
    id = CharField(primary_key=True, default=new_id)
    customer = ForeignKeyField(Customer, backref="calls", on_delete="RESTRICT")
    technician = CharField()
    device_id = CharField()  # the running call's index: see connection.INDEXES
    policy_version = CharField()
    state = CharField()
    started_at = UTCDateTimeField()
    utc_offset_min = IntegerField(default=0)
    manual = BooleanField(default=False)
    # Heartbeat: the last moment the running call is known to have been alive.
    heartbeat_at = UTCDateTimeField(null=True)
    heartbeat_mono_ms = IntegerField(null=True)
    heartbeat_boot_ms = IntegerField(null=True)
    boot_id = CharField(default="")
    # A suspend or restart gap waiting for the technician to say what it was (never billed
    # silently). Milliseconds; 0 means none.
    pending_gap_ms = IntegerField(default=0)
    pending_gap_at = UTCDateTimeField(null=True)
    synced = BooleanField(default=False)  # partial index: see connection.INDEXES


class Segment(BaseModel):
    """One stretch of a call of one kind. ``duration_ms`` comes from the monotonic clock."""

    if TYPE_CHECKING:  # what Peewee adds at run time: foreign key ids, back-references
        call_id: str
    id = CharField(primary_key=True, default=new_id)
    # indexed by (call, seq) below; the timer's writes keep every other index out of the way
    call = ForeignKeyField(Call, backref="segments", on_delete="RESTRICT", index=False)
    seq = IntegerField()
    kind = CharField()
    start_at = UTCDateTimeField()
    end_at = UTCDateTimeField(null=True)
    utc_offset_min = IntegerField(default=0)
    mono_start_ms = IntegerField(null=True)
    boot_start_ms = IntegerField(null=True)
    duration_ms = IntegerField(default=0)
    open = BooleanField(default=False)
    note = CharField(default="")
    synced = BooleanField(default=False)  # partial index: see connection.INDEXES

    class Meta:
        indexes = ((("call", "seq"), True),)


class CallClose(BaseModel):
    """One stop of a call: outcome, notes and the whole bill as of that stop (immutable).

    Research added after a stop (R5) leads to a later close whose bill covers the whole call;
    the ledger only receives the difference.
    """

    if TYPE_CHECKING:  # what Peewee adds at run time: foreign key ids, back-references
        call_id: str
    id = CharField(primary_key=True, default=new_id)
    call = ForeignKeyField(Call, backref="closes", on_delete="RESTRICT")
    seq = IntegerField()
    outcome = CharField()
    notes = TextField(default="")
    stopped_at = UTCDateTimeField()
    bill_json = TextField()
    settlement = CharField()
    card_ref = CharField(null=True)  # a card given at this stop (R6.1), schema 6
    # the call's segments this stop covers: 1..last_seq (schema 6; the ledger bills by it)
    last_seq = IntegerField(null=True)
    synced = BooleanField(default=False)  # partial index: see connection.INDEXES

    class Meta:
        indexes = ((("call", "seq"), True),)


class Entry(BaseModel):
    """A ledger entry (DESIGN.md): grant, purchase, call_debit, adjustment, reversal.

    Never updated (R13). ``seconds`` moves the bank; ``cents`` is money charged. Grants,
    purchases and call debits are the ledger's to write (``core.settlement``): one written
    here is provisional (``synced`` 0) until the ledger's own, under the same id, replaces it;
    that replacement is the only delete the database allows.
    """

    if TYPE_CHECKING:  # what Peewee adds at run time: foreign key ids, back-references
        customer_id: str
        call_id: str | None
        reverses_id: str | None
        reversed_by: Any
    id = CharField(primary_key=True, default=new_id)
    customer = ForeignKeyField(Customer, backref="entries", on_delete="RESTRICT")
    call = ForeignKeyField(Call, null=True, backref="entries", on_delete="RESTRICT")
    kind = CharField(index=True)
    seconds = IntegerField()
    cents = IntegerField(default=0)
    card_ref = CharField(null=True)
    reason = TextField(default="")
    author = CharField()
    device_id = CharField()
    created_at = UTCDateTimeField(default=utcnow)
    reverses = ForeignKeyField("self", null=True, backref="reversed_by", on_delete="RESTRICT")
    grant_key = CharField(null=True, unique=True)
    synced = BooleanField(default=False)  # partial index: see connection.INDEXES

    @classmethod
    def in_bank_order(cls, query: Any) -> list[Entry]:
        """``query``'s entries as the bank moved: by moment, as written, a stop's block just
        before its debit (``core.settlement.bank_order``): every running balance reads them so."""
        from qwtimer.core.settlement import bank_order  # not on the review's first page's path

        return bank_order(query.order_by(cls.created_at, SQL("rowid")))


TABLES: list[type[BaseModel]] = [
    Meta,
    Customer,
    ProductLine,
    Purchase,
    PaymentRef,
    Call,
    Segment,
    CallClose,
    Entry,
    CustomerMerge,
]


class CallCorrection(BaseModel):
    """An audited correction of a call, with who, when and why (schema 2). Local only, never
    pushed: a call is moved or discarded only before the ledger has any of it, and a
    re-settlement is the ledger's own record, kept here so the technician sees it.

    ``kind``: ``moved`` (to another customer), ``discarded`` (started by mistake; the call
    and its segments are removed, this row keeps what it was) or ``resettled`` (the ledger's
    settlement differs from this device's bill). ``before`` and ``after`` say what changed.
    """

    id = CharField(primary_key=True, default=new_id)
    call_id = CharField(index=True)  # no foreign key: a discarded call is gone
    customer_id = CharField()  # the customer the call is for after the correction
    kind = CharField()
    before = TextField(default="")
    after = TextField(default="")
    reason = TextField(default="")
    author = CharField()
    device_id = CharField()
    created_at = UTCDateTimeField(default=utcnow)
    # a re-classification (schema 11): the segment and the kind it is billed as from now on
    segment_seq = IntegerField(null=True)
    segment_kind = CharField(null=True)


# Tables added after schema 1, each created by its own migration step (store.connection).
SCHEMA_2_TABLES: list[type[BaseModel]] = [CallCorrection]


class Revision(BaseModel):
    """A change of a customer's contact or a product line's dates made on this device, with
    who, when and where (schema 5). The sync sends it to the ledger, which keeps every one
    in its history and applies the newest contact and the later date (``store.revisions``).
    Never changed except its sync mark. The columns are those of ``cs.EDITABLE``."""

    id = CharField(primary_key=True, default=new_id)
    target = CharField()  # customer | product_line
    row_id = CharField(index=True)
    name = CharField(null=True)
    phone = CharField(null=True)
    email = CharField(null=True)
    maintenance_until = CharField(null=True)
    active_until = CharField(null=True)
    changed_by = CharField()
    device_id = CharField()
    changed_at = CharField()  # ISO 8601 UTC text, as the ledger compares it
    synced = BooleanField(default=False)


SCHEMA_5_TABLES: list[type[BaseModel]] = [Revision]


class BlockOrder(BaseModel):
    """Blocks of minutes a customer bought outside a call (``minutes buy``, R6), schema 6.
    Pushed to the ledger, which prices it and posts the purchase under this id."""

    if TYPE_CHECKING:  # what Peewee adds at run time: foreign key ids, back-references
        customer_id: str
    id = CharField(primary_key=True, default=new_id)
    customer = ForeignKeyField(Customer, backref="block_orders", on_delete="RESTRICT")
    blocks = IntegerField()
    card_ref = CharField()
    technician = CharField()
    device_id = CharField()
    created_at = UTCDateTimeField(default=utcnow)
    synced = BooleanField(default=False)


SCHEMA_6_TABLES: list[type[BaseModel]] = [BlockOrder]
