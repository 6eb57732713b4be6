"""Commands on calls: manual entry, the live timer, listings and the policy."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterable
from contextlib import closing
from typing import Any

from qwtimer.cli import Out
from qwtimer.cli.text import fit
from qwtimer.core.billing import Bill, bill_json, money
from qwtimer.core.errors import QwtimerError
from qwtimer.core.parse import duration_seconds, interval_seconds, whole_number
from qwtimer.core.timer import GAP_ANSWERS, Action, SegmentKind
from qwtimer.core.times import local_text
from qwtimer.core.words import clock_text
from qwtimer.desk import review
from qwtimer.desk.call_ids import SHOWN
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.desk.csv_out import SafeCsv
from qwtimer.desk.customers import Customers
from qwtimer.desk.reports import segments


def bill_text(call_id: str, b: Bill) -> str:
    lines = [
        f"call {call_id}",
        f"  talk {clock_text(b.talk_seconds)}  hold {clock_text(b.hold_seconds)}  "
        f"working hold {clock_text(b.working_hold_seconds)}  research {clock_text(b.research_seconds)}",
        f"  billable {clock_text(b.billable_seconds)}  unbilled {clock_text(b.unbilled_seconds)}  "
        f"billed {clock_text(b.billed_seconds)} (policy {b.policy_version})",
        f"  from bank {clock_text(b.from_bank_seconds)}  pay-per-minute {clock_text(b.overage_seconds)}"
        f"  blocks {b.blocks_purchased}  charge {money(b.charge_cents)}",
        f"  bank {clock_text(b.balance_before_seconds)} -> {clock_text(b.balance_after_seconds)}"
        f"  settlement {b.settlement}",
    ]
    if b.reopened:  # R5: what this reopening added to the call's bill
        lines.insert(
            1,
            f"  research after the call: this reopening added "
            f"{clock_text(b.added_billed_seconds)} ({money(b.added_charge_cents)}); "
            f"whole call billed {clock_text(b.billed_seconds)}",
        )
    if b.settlement == "unsettled":
        lines.append("  UNSETTLED: no card on file; the account is flagged for follow-up (R6.1)")
    return "\n".join(lines)


def _durations(a: argparse.Namespace) -> dict[SegmentKind, int]:
    return {
        SegmentKind.TALK: duration_seconds(a.talk, "--talk"),
        SegmentKind.HOLD: duration_seconds(a.hold, "--hold") if a.hold else 0,
        SegmentKind.WORKING_HOLD: duration_seconds(a.working_hold, "--working-hold")
        if a.working_hold
        else 0,
        SegmentKind.RESEARCH: duration_seconds(a.research, "--research") if a.research else 0,
    }


def cmd_call_log(desk: Desk, a: argparse.Namespace, out: Out) -> None:
    c = Customers(desk).find(a.customer)
    durations = _durations(a)
    calls = Calls(desk)
    started = calls.started_at(a.started) if a.started is not None else None
    call, bill = calls.log(c, durations, a.outcome, a.note or "", a.card_ref, a.yes, started)
    out.emit(bill_json(call.id, bill), bill_text(call.id, bill))


def cmd_timer(desk: Desk, a: argparse.Namespace, out: Out) -> None:
    calls = Calls(desk)
    if a.timer_cmd == "start":
        call = calls.start(Customers(desk).find(a.customer))
        out.emit({"call_id": call.id, "state": call.state}, f"call {call.id} started")
        return
    if a.timer_cmd == "stop":
        call, bill = calls.stop(a.outcome, a.note or "", a.card_ref, a.call, confirmed=a.yes)
        out.emit(bill_json(call.id, bill), bill_text(call.id, bill))
        return
    if a.timer_cmd == "status":
        # Read-only: a status never writes a heartbeat (that would bill the time a dead
        # window left unobserved as if someone had watched it).
        live = calls.live(calls.get(a.call) if a.call else None)
        if live is None:
            out.emit({"state": "idle"}, "no call is running")
            return
        t = live.tally

        def text() -> str:
            s = (
                f"{live.call.customer.name}: {live.state.value.replace('_', ' ')} "
                f"{clock_text(live.elapsed_seconds)} (talk {clock_text(t.talk)}, hold "
                f"{clock_text(t.hold)}, working hold {clock_text(t.working_hold)}, research "
                f"{clock_text(t.research)}); billed so far {clock_text(live.bill.billed_seconds)}"
            )
            if live.pending_gap_ms:
                s += f"\n{clock_text(live.pending_gap_ms // 1000)} unaccounted: 'timer gap ...'"
            if live.interrupted:
                s += "\ninterrupted by a restart: 'timer recover resume' or 'timer recover end'"
            return s

        out.emit(live.as_dict(), text)
        return
    if a.timer_cmd == "watch":
        interval = interval_seconds(a.interval, "--interval")
        count = whole_number(a.count, "--count") if a.count is not None else None
        _watch(calls, interval, count, out)
        return
    if a.timer_cmd == "gap":
        call = calls.resolve_gap(GAP_ANSWERS[a.what])
        out.emit({"call_id": call.id, "gap_as": a.what}, f"gap recorded as {a.what}")
        return
    if a.timer_cmd == "recover":
        if calls.interrupted() is None:
            raise QwtimerError("no interrupted call to recover on this device")
        if a.how == "resume":
            call = calls.recover_resume()
            out.emit(
                {
                    "call_id": call.id,
                    "state": call.state,
                    "pending_gap_seconds": call.pending_gap_ms // 1000,
                },
                f"call {call.id} resumed; account for the "
                f"{clock_text(call.pending_gap_ms // 1000)} gap with 'timer gap'",
            )
        else:
            call, bill = calls.recover_end(a.outcome, a.note or "", a.card_ref, a.yes)
            out.emit(bill_json(call.id, bill), bill_text(call.id, bill))
        return
    action = Action(a.timer_cmd)
    call = calls.act(action, getattr(a, "call", None))
    out.emit(
        {"call_id": call.id, "state": call.state},
        f"{call.state.replace('_', ' ')} ({call.customer.name})",
    )


def _watch(calls: Calls, interval: float, count: int | None, out: Out) -> None:
    """Keep the running call alive in a terminal: a heartbeat and a status line per interval,
    so a crash of this process loses at most one interval (DESIGN.md)."""
    if calls.current() is None:
        raise QwtimerError("no call is running on this device; 'timer start CUSTOMER' first")
    n = 0
    while count is None or n < count:
        call = calls.heartbeat()
        if call is None or call.state == "stopped":
            break
        live = calls.live()  # the full call: heartbeat() returns only the timer's row
        if live is None:
            break
        line = (
            f"{live.state.phrase:<18} {clock_text(live.elapsed_seconds):>8}  billed "
            f"{clock_text(live.bill.billed_seconds):>7}  pay-per-minute in "
            f"{clock_text(live.overage_in_seconds)}"
        )
        if out.as_json:
            print(json.dumps(live.as_dict(), sort_keys=True), flush=True)
        else:
            print(line, flush=True)
        n += 1
        time.sleep(interval)


def cmd_calls(desk: Desk, a: argparse.Namespace, out: Out) -> None:
    """Every call the options name, newest first, streamed as it is read: a table, CSV
    (``--csv``) or a JSON array (``--json``); memory stays flat however many calls."""
    from qwtimer.cli.reports import call_filter

    # closed here, not when collected: a reader that stops early (`| head`) ends the command
    # before the database closes, and the cursor must go first
    with closing(review.rows(call_filter(desk, a))) as calls:
        _print_calls(calls, a, out)


def _print_calls(calls: Iterable[review.CallRow], a: argparse.Namespace, out: Out) -> None:
    if a.csv:
        writer = SafeCsv(sys.stdout, review.ROW_KEYS)
        writer.writeheader()
        for row in calls:
            writer.writerow(row.as_dict())
        return
    if out.as_json:
        sys.stdout.write("[")
        written = 0
        for row in calls:
            sys.stdout.write(
                ("," if written else "") + "\n" + json.dumps(row.as_dict(), sort_keys=True)
            )
            written += 1
        sys.stdout.write("\n]\n" if written else "]\n")
        return
    print(
        f"{'call':<{SHOWN}} {'started':<21} {'customer':<24} {'state':<8} {'billed':>8} "
        f"{'charge':>9} settlement"
    )
    empty = True
    for r in calls:
        empty = False
        billed = clock_text(r.billed_seconds) if r.billed_seconds is not None else "-"
        charge = money(r.charge_cents) if r.charge_cents is not None else "-"
        flags = [
            f
            for f, on in (
                ("outstanding", r.outstanding_seconds),
                ("corrected", r.corrected),
                ("provisional", r.provisional),
            )
            if on
        ]
        print(
            f"{r.call_id[:SHOWN]:<{SHOWN}} {local_text(r.started_at):<21} {fit(r.customer, 24):<24} "
            f"{r.state:<8} "
            f"{billed:>8} {charge:>9} {r.settlement or '-'}"
            + (f" ({', '.join(flags)})" if flags else "")
        )
    if empty:
        print("no calls")


def cmd_call_show(desk: Desk, a: argparse.Namespace, out: Out) -> None:
    calls = Calls(desk)
    call = calls.get(a.call_id)
    bill = calls.last_bill(call)
    parts = segments(call)
    data: dict[str, Any] = {
        "call_id": call.id,
        "customer": call.customer.name,
        "state": call.state,
        "segments": parts,
        "bill": bill.as_dict() if bill else None,
    }
    out.emit(
        data,
        lambda: (
            f"{call.customer.name}, started {local_text(call.started_at)}, {call.state}\n"
            + (bill_text(call.id, bill) if bill else f"call {call.id}")
            + "\n"
            + "\n".join(map(_segment_line, parts))
        ),
    )


def _segment_line(s: dict[str, Any]) -> str:
    """A segment as ``call show`` lists it: its number (for ``call reclassify --segment``),
    kind, length and note."""
    line = f"  {s['seq']:>3} {s['kind']:<13} {s['duration_ms'] / 1000:>9.1f} s {s['note']}"
    return line.rstrip()


def cmd_policy_show(desk: Desk, a: argparse.Namespace, out: Out) -> None:
    p = desk.policies.in_force(desk.clock.read().utc.date())
    d = p.describe()
    out.emit(d, "\n".join(f"{k}: {v}" for k, v in d.items()))
