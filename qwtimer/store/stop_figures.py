"""Each stop's own part of a call's money, in SQL, for ``call_figures``: as this laptop billed
it (a stop's bill covers the whole call, R5, so its own part is its bill less the previous
stop's), or as the ledger settled it (its split in ``close_settlement``, that stop's own
increment, ``ledger_splits``). Every expression reads the call ``c`` of the query it is put
in, and its stops by index.
"""

from __future__ import annotations

SPLITS = "close_settlement"  # the ledger's splits of the stops (``ledger_splits``)
# A stop ``x`` and the one before it ``p`` (none for the first).
_PREVIOUS = """LEFT JOIN call_close p ON p.call_id = x.call_id
           AND p.seq = (SELECT MAX(q.seq) FROM call_close q
                        WHERE q.call_id = x.call_id AND q.seq < x.seq)"""


def _own(key: str) -> str:
    """A stop's own figure as this laptop billed it: its bill's less the previous stop's (R5:
    each stop's bill covers the whole call)."""
    return (
        f"(json_extract(x.bill_json, '$.{key}') - "
        f"COALESCE(json_extract(p.bill_json, '$.{key}'), 0))"
    )


# A stop's own unsettled time (R6.1): its pay-per-minute time when it bought nothing.
OWN_UNSETTLED = f"""CASE WHEN {_own("overage_seconds")} > 0 AND {_own("charge_cents")} = 0
              AND {_own("blocks_purchased")} = 0 THEN {_own("overage_seconds")} ELSE 0 END"""
_OWN_SEVERITY = f"""CASE WHEN {_own("overage_seconds")} > 0 AND {_own("charge_cents")} = 0
              AND {_own("blocks_purchased")} = 0 THEN 2
              WHEN {_own("overage_seconds")} > 0 THEN 1 ELSE 0 END"""
LEDGER_UNSETTLED = "CASE WHEN s.settlement = 'unsettled' THEN s.overage_s ELSE 0 END"
_LEDGER_SEVERITY = "CASE s.settlement WHEN 'unsettled' THEN 2 WHEN 'paid' THEN 1 ELSE 0 END"


def own_unsettled() -> str:
    """The seconds the call's stops left unsettled at the time, as this laptop billed them."""
    return f"""COALESCE((SELECT SUM({OWN_UNSETTLED})
         FROM call_close x {_PREVIOUS} WHERE x.call_id = c.id), 0)"""


def ledger_change(ledger: str, own: str) -> str:
    """What the ledger's splits change in a figure: over the call's stops the ledger settled,
    its figure (``ledger``, of split ``s``) less this laptop's own (``own``). Added to the
    latest bill's figure (the sum of every stop's own), each settled stop counts as the
    ledger settled it and the others as billed here."""
    return f"""COALESCE((SELECT SUM({ledger} - {own}) FROM call_close x
         JOIN {SPLITS} s ON s.close_id = x.id {_PREVIOUS} WHERE x.call_id = c.id), 0)"""


def settlement(latest: str, ledger: bool) -> str:
    """The call's settlement: its latest bill's (``latest``) until the ledger settled one of
    its stops, then the most severe of its stops' (the ledger's split, or this laptop's own)."""
    if not ledger:
        return latest
    return f"""CASE WHEN EXISTS (SELECT 1 FROM call_close x JOIN {SPLITS} s
                 ON s.close_id = x.id WHERE x.call_id = c.id)
         THEN (SELECT CASE MAX(CASE WHEN s.close_id IS NULL THEN {_OWN_SEVERITY}
                                    ELSE {_LEDGER_SEVERITY} END)
                 WHEN 2 THEN 'unsettled' WHEN 1 THEN 'paid' ELSE 'bank' END
               FROM call_close x LEFT JOIN {SPLITS} s ON s.close_id = x.id {_PREVIOUS}
               WHERE x.call_id = c.id)
         ELSE {latest} END"""


def money(latest: str, key: str, column: str, ledger: bool) -> str:
    """A money figure of the call: the latest bill's (``latest``, its ``key``), changed by
    the ledger's splits (``column``) when ``ledger``."""
    return f"({latest} + {ledger_change(f's.{column}', _own(key))})" if ledger else latest


def provisional(ledger: bool) -> str:
    """1 while some stop of the call has no split of the ledger (every stop, without
    ``ledger``)."""
    missing = f" AND NOT EXISTS (SELECT 1 FROM {SPLITS} s WHERE s.close_id = k.id)"
    return f"EXISTS (SELECT 1 FROM call_close k WHERE k.call_id = c.id{missing if ledger else ''})"
