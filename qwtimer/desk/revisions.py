"""What the desk may change in a customer or a product line after it exists, recorded as a
revision for the team's ledger (who, when, on which device, the new values).

``cs.EDITABLE`` is the one list of those columns: the desk services change nothing else of
a row once it is made, and the ledger merges exactly those (``store.revisions``).
"""

from __future__ import annotations

from typing import Any

from qwtimer.desk.context import Desk
from qwtimer.store import central_schema as cs
from qwtimer.store.models import Revision, utc_text


def record(desk: Desk, table: str, row_id: str, values: dict[str, Any]) -> Revision:
    """Append the revision of ``table``'s row ``row_id`` now holding ``values`` (every column
    of ``cs.EDITABLE[table]``, dates as ``date`` or ISO text), inside the caller's
    transaction. It reaches the ledger at the next sync."""
    cols = cs.EDITABLE[table]
    if set(values) != set(cols):
        raise ValueError(f"a {table} revision holds exactly {', '.join(cols)}")
    text = {c: (v.isoformat() if hasattr(v, "isoformat") else v) for c, v in values.items()}
    return Revision.create(
        target=table,
        row_id=row_id,
        changed_by=desk.technician,
        device_id=desk.device_id,
        changed_at=utc_text(desk.clock.read().utc),
        **text,
    )
