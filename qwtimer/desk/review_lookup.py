"""The review's customer search: the ids of the customers whose name contains some text, for
``review.Filter.customers``. Reads only, on the calling thread's connection."""

from __future__ import annotations

from qwtimer.store.models import database


def customer_ids(text: str) -> tuple[str, ...]:
    """Every customer whose name contains ``text`` (any case; ``%`` and ``_`` are plain
    characters), in name order; empty when none does or ``text`` is blank."""
    needle = text.strip().lower()
    if not needle:
        return ()
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    cursor = database.execute_sql(
        "SELECT id FROM customer WHERE lower(name) LIKE ? ESCAPE '\\' ORDER BY lower(name), id",
        (f"%{escaped}%",),
    )
    return tuple(str(r[0]) for r in cursor)
