"""Correcting a call started by mistake: move it to the right customer, or discard it."""

from __future__ import annotations

import argparse

from qwtimer.cli import Out
from qwtimer.core.errors import IllegalTransition
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
