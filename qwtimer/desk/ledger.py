"""Ledger writes outside a call: block purchases (R6) and supervisors' corrections (R13).

Entries are append-only: a mistake is corrected by a new adjusting or reversing entry that
carries who, when and why, never by editing the entry.
"""

from __future__ import annotations

from typing import Any

from peewee import fn

from qwtimer.core import charges, settlement
from qwtimer.core.errors import InputError
from qwtimer.core.parse import card_reference
from qwtimer.core.settlement import EntryKind
from qwtimer.desk.changes import Changes, note
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers
from qwtimer.desk.provisional import provisional_entry
from qwtimer.desk.roles import require_supervisor
from qwtimer.store.models import BlockOrder, Customer, Entry


def _announced(entry: Entry) -> Entry:
    """A correction written: its customer's bank, its call's flags and the ledger moved."""
    calls = [entry.call_id] if entry.call_id else []
    note(Changes.of(customers=[entry.customer_id], calls=calls, ledger=True))
    return entry


class Ledger:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    def _policy(self):  # type: ignore[no-untyped-def]
        return self.desk.policies.in_force(self.desk.clock.read().utc.date())

    def buy_blocks(
        self,
        customer: Customer,
        blocks: int,
        card_ref: str | None = None,
        confirmed: bool = False,
    ) -> Entry:
        """Blocks of minutes paid by card (R6, R6.1), banked; they never expire (R2). More
        blocks than the policy allows at once are refused (nothing written) unless
        ``confirmed``."""
        if blocks < 1 or blocks > 1000:
            raise InputError(f"--blocks {blocks}: buy between 1 and 1000 blocks")
        if card_ref is not None:
            ref = card_reference(card_ref)
            payer = f"card reference {ref}"
        else:
            card = Customers(self.desk).card(customer)
            if card is None:
                raise InputError(
                    f"{customer.name} has no card on file: pass --card-ref with the processor's "
                    "reference (R6.1: minutes are paid by card)"
                )
            ref = card.ref
            payer = f"the card ending {card.last4}"
        p = self._policy()
        reason = charges.purchase_over_limit(blocks, p)
        if reason is not None and not confirmed:
            raise charges.refuse_unconfirmed(
                f"buying would charge {charges.blocks_text(blocks, blocks * p.block_price_cents)},"
                f" to {payer}",
                reason,
            )
        at = self.desk.clock.read().utc
        with self.desk.db.atomic():
            order = BlockOrder.create(
                customer=customer,
                blocks=blocks,
                card_ref=ref,
                technician=self.desk.technician,
                device_id=self.desk.device_id,
                created_at=at,
            )
            # the ledger prices the order and posts the purchase under the order's id
            posting = settlement.block_order_posting(
                order.id, customer.id, blocks, ref, self.desk.technician, "", p
            )
            return provisional_entry(self.desk, posting, at)

    def adjust(self, customer: Customer, seconds: int, reason: str, cents: int = 0) -> Entry:
        """R13: an adjusting entry with who, when (created_at) and why. Refused at once (nothing
        written) when the ledger says this login is a technician (``desk.roles``)."""
        require_supervisor(self.desk, "adjust the ledger", "post this adjustment")
        if not reason.strip():
            raise InputError("an adjustment needs --reason: say why (R13)")
        if seconds == 0 and cents == 0:
            raise InputError("an adjustment of 0 minutes changes nothing")
        with self.desk.db.atomic():
            return _announced(
                Entry.create(
                    customer=customer,
                    kind=EntryKind.ADJUSTMENT,
                    seconds=seconds,
                    cents=cents,
                    reason=reason.strip(),
                    author=self.desk.technician,
                    device_id=self.desk.device_id,
                    created_at=self.desk.clock.read().utc,
                )
            )

    def reverse(self, entry_id: str, reason: str) -> Entry:
        """R13: a reversing entry that cancels another exactly, once; supervisors only."""
        require_supervisor(self.desk, "reverse a ledger entry", "reverse this entry")
        if not reason.strip():
            raise InputError("a reversal needs --reason: say why (R13)")
        original = Entry.get_or_none(Entry.id == entry_id.strip())
        if original is None:
            raise InputError(f"no ledger entry '{entry_id}': see 'qwtimer ledger entries CUSTOMER'")
        if original.kind == EntryKind.REVERSAL:
            raise InputError("that entry is itself a reversal; post an adjustment instead")
        already = Entry.select(fn.COUNT(Entry.id)).where(Entry.reverses == original).scalar()
        if already:
            raise InputError(f"entry {entry_id} is already reversed")
        with self.desk.db.atomic():
            return _announced(
                Entry.create(
                    customer=original.customer_id,
                    call=original.call_id,
                    kind=EntryKind.REVERSAL,
                    seconds=-original.seconds,
                    cents=-original.cents,
                    card_ref=original.card_ref,
                    reason=reason.strip(),
                    author=self.desk.technician,
                    device_id=self.desk.device_id,
                    created_at=self.desk.clock.read().utc,
                    reverses=original,
                )
            )

    def entries(self, customer: Customer) -> list[dict[str, Any]]:
        return [
            {
                "id": e.id,
                "kind": e.kind,
                "seconds": e.seconds,
                "cents": e.cents,
                "call_id": e.call_id,
                "reverses": e.reverses_id,
                "reason": e.reason,
                "author": e.author,
                "created_at": e.created_at.isoformat(),
            }
            for e in Entry.in_bank_order(Entry.select().where(Entry.customer == customer))
        ]
