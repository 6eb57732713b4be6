"""What the desk may change in a customer or a product line after it exists, recorded as a
revision for the team's ledger (who, when, on which device, the new values).

``cs.EDITABLE`` is the one list of those columns: the desk services change nothing else of
a row once it is made, and the ledger merges exactly those (``store.revisions``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from qwtimer.desk.context import Desk
from qwtimer.store import central_schema as cs
from qwtimer.store.models import Revision, utc_text


def record(desk: Desk, table: str, row_id: str, values: dict[str, Any]) -> Revision:
    """Append the revision of ``table``'s row ``row_id`` now holding ``values`` (every column
    of ``cs.EDITABLE[table]``, dates as ``date`` or ISO text), inside the caller's
    transaction. It reaches the ledger at the next sync. Its time is now, or just after this
    device's last change of the row if the wall clock went back, so the ledger orders a
    device's own changes as they were made."""
    cols = cs.EDITABLE[table]
    if set(values) != set(cols):
        raise ValueError(f"a {table} revision holds exactly {', '.join(cols)}")
    text = {c: (v.isoformat() if hasattr(v, "isoformat") else v) for c, v in values.items()}
    at = desk.clock.read().utc
    last = (
        Revision.select(Revision.changed_at)
        .where((Revision.target == table) & (Revision.row_id == row_id))
        .order_by(Revision.changed_at.desc())
        .scalar()
    )
    if last is not None:  # the wall clock went back: this change still comes after the last
        at = max(at, datetime.fromisoformat(last) + timedelta(microseconds=1))
    return Revision.create(
        target=table,
        row_id=row_id,
        changed_by=desk.technician,
        device_id=desk.device_id,
        changed_at=utc_text(at),
        **text,
    )
