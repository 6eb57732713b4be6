"""The running call as the window shows it (``Live``): the live tally, the bill so far and
when pay-per-minute starts, computed exactly as Stop would bill it now."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qwtimer.core import billing
from qwtimer.core.billing import Bill, Tally
from qwtimer.core.clock import Reading
from qwtimer.core.timer import CallState
from qwtimer.store.models import Call

if TYPE_CHECKING:
    from qwtimer.desk.calls import Calls


@dataclass(frozen=True)
class Live:
    """A running call as the window shows it: the live tally and the bill so far."""

    call: Call
    state: CallState
    tally: Tally
    elapsed_seconds: int
    bill: Bill
    overage_in_seconds: int  # further billable seconds until pay-per-minute starts
    pending_gap_ms: int
    interrupted: bool  # a restart or crash: resume or end at the last heartbeat first
    has_card: bool = True  # a card on file pays what the bank cannot (R6.1)

    @property
    def call_id(self) -> str:
        return str(self.call.id)

    @property
    def customer_id(self) -> str:
        return str(self.call.customer_id)

    @property
    def customer_name(self) -> str:
        """The caller's name (already read with the figures: no query)."""
        return str(self.call.customer.name)

    def as_dict(self) -> dict[str, Any]:
        return {
            "call_id": self.call.id,
            "customer_id": self.call.customer_id,
            "state": self.state.value,
            "elapsed_seconds": self.elapsed_seconds,
            "seconds": {
                "talk": self.tally.talk,
                "hold": self.tally.hold,
                "working_hold": self.tally.working_hold,
                "research": self.tally.research,
            },
            "overage_in_seconds": self.overage_in_seconds,
            "pending_gap_seconds": self.pending_gap_ms // 1000,
            "interrupted": self.interrupted,
            "bill": self.bill.as_dict(),
        }


def live(calls: Calls, call: Call | None = None, at: Reading | None = None) -> Live | None:
    """The running (or given) call's live figures as of ``at`` (default: now); writes
    nothing."""
    call = call or calls.current()
    if call is None:
        return None
    r = at or calls.desk.clock.read()
    policy = calls.policy_of(call)
    t = calls.tally(call, r)
    previous = calls.last_bill(call)
    card = calls.customers.card(call.customer)
    balance = calls.customers.balance(call.customer)
    bill, _ = billing.settle(t, balance, card is not None, policy, previous)
    # The bank as it stood for this call: earlier stops of it already took their share.
    already = previous.billed_seconds if previous else 0
    overage_in = billing.overage_starts_after(balance + already, t.billable(policy), policy)
    return Live(
        call=call,
        state=CallState(call.state),
        tally=t,
        elapsed_seconds=t.total,
        bill=bill,
        overage_in_seconds=overage_in,
        pending_gap_ms=call.pending_gap_ms,
        interrupted=calls.is_interrupted(call, r),
        has_card=card is not None,
    )
