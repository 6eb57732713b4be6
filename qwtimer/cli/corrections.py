"""Correcting a call: move one started for the wrong customer or discard one started by
mistake (its first minutes), or re-classify a stopped call's time (supervisors, R13)."""

from __future__ import annotations

import argparse

from qwtimer.cli import Out
from qwtimer.core.billing import money
from qwtimer.core.errors import IllegalTransition
from qwtimer.core.timer import SegmentKind
from qwtimer.core.words import clock_text
from qwtimer.desk import roles
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers


def cmd_timer_correct(desk: Desk, a: argparse.Namespace, out: Out) -> None:
    """``timer move CUSTOMER --reason`` / ``timer discard --reason``: the running call (or
    ``--call``), within its first minutes and before anything of it was billed or synced."""
    calls = Calls(desk)
    if a.call:
        call = calls.get(a.call)
    else:
        running = calls.current()
        if running is None:
            raise IllegalTransition(
                "no call is running on this device; name one with --call CALL_ID"
            )
        call = running
    if a.timer_cmd == "move":
        customer = Customers(desk).find(a.customer)
        old = call.customer.name
        calls.move(call.id, customer, a.reason)
        out.emit(
            {"call_id": call.id, "moved_from": old, "moved_to": customer.name},
            f"call {call.id} moved from {old} to {customer.name}",
        )
        return
    name = call.customer.name
    calls.discard(call.id, a.reason)
    out.emit({"call_id": call.id, "discarded": True}, f"call {call.id} for {name} discarded")


def cmd_call_reclassify(desk: Desk, a: argparse.Namespace, out: Out) -> None:
    """``call reclassify CALL_ID --segment N --as KIND --reason``: a supervisor's correction
    of a stopped call's time, posted as one adjustment linked to the call (R13)."""
    from qwtimer.desk.reclassify import reclassify

    pending = roles.known_role(desk) is None
    done = reclassify(desk, a.call_id, a.segment, SegmentKind(a.kind), a.reason)
    e = done.entry
    posted = (
        f"adjustment {e.id} posted: {clock_text(e.seconds)}"
        + (f", {money(e.cents)}" if e.cents else "")
        if e
        else "no adjustment: the bill does not change"
    )
    out.emit(
        {**done.as_dict(), "ledger_role": roles.known_role(desk) or "pending"},
        f"call {done.call_id} segment {done.segment_seq}: {done.old_kind.value.replace('_', ' ')}"
        f" -> {done.new_kind.value.replace('_', ' ')}; billed "
        f"{clock_text(done.before.billed_seconds)} -> {clock_text(done.after.billed_seconds)}; "
        + posted
        + (f" ({roles.PENDING_NOTE})" if pending else ""),
    )
