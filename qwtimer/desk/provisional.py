"""This device's copy of an entry the ledger will write (``store.provisional``)."""

from __future__ import annotations

from datetime import datetime

from qwtimer.core.settlement import Posting
from qwtimer.desk.changes import Changes, note
from qwtimer.desk.context import Desk
from qwtimer.store.models import Call, Entry


def provisional_entry(desk: Desk, p: Posting, at: datetime, call: Call | None = None) -> Entry:
    """Write ``p`` as this device's provisional entry, dated ``at`` (the ledger dates its own
    by the same moment, as this device recorded it)."""
    entry = Entry.create(
        id=p.id,
        customer=p.customer_id,
        call=call,
        kind=p.kind,
        seconds=p.seconds,
        cents=p.cents,
        card_ref=p.card_ref,
        reason=p.reason,
        author=desk.technician,
        device_id=desk.device_id,
        created_at=at,
        grant_key=p.grant_key,
    )
    note(Changes.of(customers=[p.customer_id], calls=[call.id] if call else [], ledger=True))
    return entry
