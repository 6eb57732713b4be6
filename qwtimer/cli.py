"""The command line: the desk's operations for people and scripts (``--json``).

Exit status: 0 success, 2 bad input or a state that forbids the action (one line on stderr
saying what was wrong and what to do; nothing half-written).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sqlite3
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from peewee import DatabaseError

from qwtimer.core.billing import Bill, clock_text, money
from qwtimer.core.errors import QwtimerError
from qwtimer.core.parse import day, duration_seconds
from qwtimer.core.timer import Action, SegmentKind
from qwtimer.desk.calls import OUTCOMES, Calls
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers, LineInput
from qwtimer.desk.ledger import Ledger
from qwtimer.desk.reports import ROW_KEYS, call_rows, segments

EXIT_INPUT = 2


class Out:
    """Prints for people or, with --json, one JSON document for scripts."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json

    def emit(self, data: Any, text: str | Callable[[], str]) -> None:
        if self.as_json:
            print(json.dumps(data, indent=2, sort_keys=True, default=str))
        else:
            print(text() if callable(text) else text)


def bill_text(call_id: str, b: Bill) -> str:
    lines = [
        f"call {call_id}",
        f"  talk {clock_text(b.talk_seconds)}  hold {clock_text(b.hold_seconds)}  "
        f"working hold {clock_text(b.working_hold_seconds)}  research {clock_text(b.research_seconds)}",
        f"  billable {clock_text(b.billable_seconds)}  unbilled {clock_text(b.unbilled_seconds)}  "
        f"billed {clock_text(b.billed_seconds)} (policy {b.policy_version})",
        f"  from bank {clock_text(b.from_bank_seconds)}  pay-per-minute {clock_text(b.overage_seconds)}"
        f"  blocks {b.blocks_purchased}  charge {money(b.charge_cents)}",
        f"  bank after {clock_text(b.balance_after_seconds)}  settlement {b.settlement}",
    ]
    if b.settlement == "unsettled":
        lines.append("  UNSETTLED: no card on file; the account is flagged for follow-up (R6.1)")
    return "\n".join(lines)


def bill_json(call_id: str, b: Bill) -> dict[str, Any]:
    return {"call_id": call_id, **b.as_dict()}


def _line(args: argparse.Namespace) -> LineInput:
    return LineInput(
        args.product, args.plan, args.edition, args.maintenance_until, args.active_until
    )


# -- command handlers ---------------------------------------------------------------------
def cmd_customer_add(desk: Desk, a: argparse.Namespace, out: Out) -> None:
    c = Customers(desk).add(a.name, _line(a), a.phone or "", a.email or "")
    out.emit({"id": c.id, "name": c.name}, c.id)


def cmd_customer_product_add(desk: Desk, a: argparse.Namespace, out: Out) -> None:
    svc = Customers(desk)
    line = svc.add_product(svc.find(a.customer), _line(a))
    out.emit({"id": line.id}, line.id)


def cmd_customer_maintenance(desk: Desk, a: argparse.Namespace, out: Out) -> None:
    svc = Customers(desk)
    c = svc.find(a.customer)
    line = svc.maintenance(c, a.until)
    out.emit(
        {"id": c.id, "maintenance_until": line.maintenance_until.isoformat()},
        f"UMP for {c.name} now runs until {line.maintenance_until} (no minutes added, R9)",
    )


def cmd_customer_card(desk: Desk, a: argparse.Namespace, out: Out) -> None:
    svc = Customers(desk)
    c = svc.find(a.customer)
    ref = svc.add_card(c, a.ref, a.last4)
    out.emit(
        {"id": ref.id, "customer_id": c.id, "last4": ref.last4},
        f"card ending {ref.last4} on file for {c.name}",
    )


def cmd_customer_list(desk: Desk, a: argparse.Namespace, out: Out) -> None:
    svc = Customers(desk)
    rows = [{"id": c.id, "name": c.name, "balance_seconds": svc.balance(c)} for c in svc.all()]

    def text() -> str:
        return (
            "\n".join(
                f"{r['id']}  {clock_text(r['balance_seconds']):>9}  {r['name']}" for r in rows
            )
            or "no customers yet"
        )

    out.emit(rows, text)


def cmd_customer_show(desk: Desk, a: argparse.Namespace, out: Out) -> None:
    svc = Customers(desk)
    s = svc.summary(svc.find(a.customer))

    def text() -> str:
        lines = [f"{s['name']}  ({s['id']})", f"  bank: {clock_text(s['balance_seconds'])}"]
        for p in s["products"]:
            until = p["maintenance_until"] or p["active_until"] or "-"
            lines.append(f"  {p['product']} {p['plan']} {p['edition'] or ''} until {until}")
        card = s["card"]
        lines.append(f"  card: ending {card['last4']}" if card else "  card: none on file")
        for ans in s["support"]:
            mark = "yes" if ans["eligible"] else "no "
            what = ans["channel"] + (f"/{ans['product']}" if ans["product"] else "")
            lines.append(f"  {mark} {what:<15} {ans['reason']}")
        lines += [f"  FLAG: {f}" for f in s["flags"]]
        return "\n".join(lines)

    out.emit(s, text)


def cmd_customer_import(desk: Desk, a: argparse.Namespace, out: Out) -> None:
    report = Customers(desk).import_csv(Path(a.file), skip_bad=a.skip_bad)
    data = {
        "imported": report.imported,
        "skipped_existing": report.skipped_existing,
        "bad_rows": [{"line": n, "reason": r} for n, r in report.bad],
        "committed": report.committed,
    }
    for n, r in report.bad:
        print(f"{a.file}:{n}: {r}", file=sys.stderr)
    if report.bad and not report.committed:
        raise QwtimerError(
            f"{len(report.bad)} bad row(s) in {a.file}; nothing was imported. Fix them, or "
            "pass --skip-bad to import the good rows"
        )
    out.emit(
        data,
        f"imported {report.imported} customer(s); {report.skipped_existing} already "
        f"present; {len(report.bad)} bad row(s) skipped",
    )


def cmd_support_check(desk: Desk, a: argparse.Namespace, out: Out) -> None:
    svc = Customers(desk)
    on = day(a.on, "--on") if a.on else None
    ans = svc.check(svc.find(a.customer), a.channel, a.product, on)
    d = ans.as_dict()
    until = f" (until {d['until']})" if d["until"] else ""
    via = f" via {d['via']}" if d.get("via") else ""
    out.emit(d, f"{'eligible' if d['eligible'] else 'not eligible'}{via}: {d['reason']}{until}")


def cmd_minutes_buy(desk: Desk, a: argparse.Namespace, out: Out) -> None:
    svc = Customers(desk)
    c = svc.find(a.customer)
    entry = Ledger(desk).buy_blocks(c, a.blocks, a.card_ref)
    out.emit(
        {
            "entry_id": entry.id,
            "seconds": entry.seconds,
            "charge_cents": entry.cents,
            "balance_seconds": svc.balance(c),
        },
        f"{a.blocks} block(s), {clock_text(entry.seconds)} for {money(entry.cents)}; "
        f"bank now {clock_text(svc.balance(c))}",
    )


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
    call, bill = Calls(desk).log(c, durations, a.outcome, a.note or "", a.card_ref)
    out.emit(bill_json(call.id, bill), bill_text(call.id, bill))


def cmd_timer(desk: Desk, a: argparse.Namespace, out: Out) -> None:
    calls = Calls(desk)
    if a.timer_cmd == "start":
        call = calls.start(Customers(desk).find(a.customer))
        out.emit({"call_id": call.id, "state": call.state}, f"call {call.id} started")
        return
    if a.timer_cmd == "stop":
        call, bill = calls.stop(a.outcome, a.note or "", a.card_ref, a.call)
        out.emit(bill_json(call.id, bill), bill_text(call.id, bill))
        return
    if a.timer_cmd == "status":
        calls.heartbeat()
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
        _watch(calls, a.interval, a.count, out)
        return
    if a.timer_cmd == "gap":
        kinds = {
            "hold": SegmentKind.HOLD,
            "working": SegmentKind.WORKING_HOLD,
            "talk": SegmentKind.TALK,
            "research": SegmentKind.RESEARCH,
            "none": None,
        }
        call = calls.resolve_gap(kinds[a.what])
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
            call, bill = calls.recover_end(a.outcome)
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
    customer = Customers(desk).find(a.customer) if a.customer else None
    since = day(a.since, "--since") if a.since else None
    rows = call_rows(customer, since)
    if a.csv:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=ROW_KEYS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        sys.stdout.write(buf.getvalue())
        return

    def text() -> str:
        lines = [
            f"{'started':<20} {'customer':<24} {'state':<8} {'billed':>8} {'charge':>9} settlement"
        ]
        for r in rows:
            billed = clock_text(r["billed_seconds"]) if r["billed_seconds"] is not None else "-"
            charge = money(r["charge_cents"]) if r["charge_cents"] is not None else "-"
            lines.append(
                f"{r['started_at'][:19]:<20} {r['customer'][:24]:<24} {r['state']:<8} "
                f"{billed:>8} {charge:>9} {r['settlement'] or '-'}"
            )
        return "\n".join(lines) if rows else "no calls"

    out.emit(rows, text)


def cmd_call_show(desk: Desk, a: argparse.Namespace, out: Out) -> None:
    calls = Calls(desk)
    call = calls.get(a.call_id)
    bill = calls.last_bill(call)
    data = {
        "call_id": call.id,
        "customer": call.customer.name,
        "state": call.state,
        "segments": segments(call),
        "bill": bill.as_dict() if bill else None,
    }
    out.emit(
        data,
        lambda: (
            (bill_text(call.id, bill) if bill else f"call {call.id}: {call.state}")
            + "\n"
            + "\n".join(
                f"  {s['seq']:>3} {s['kind']:<13} {s['duration_ms'] / 1000:>9.1f} s {s['note']}"
                for s in data["segments"]
            )
        ),
    )


def cmd_policy_show(desk: Desk, a: argparse.Namespace, out: Out) -> None:
    p = desk.policies.in_force(desk.clock.read().utc.date())
    d = p.describe()
    out.emit(d, "\n".join(f"{k}: {v}" for k, v in d.items()))


def cmd_ledger_adjust(desk: Desk, a: argparse.Namespace, out: Out) -> None:
    svc = Customers(desk)
    c = svc.find(a.customer)
    seconds = duration_seconds(a.minutes.lstrip("+-"), "--minutes")
    if a.minutes.strip().startswith("-"):
        seconds = -seconds
    e = Ledger(desk).adjust(c, seconds, a.reason)
    out.emit(
        {"entry_id": e.id, "seconds": e.seconds, "balance_seconds": svc.balance(c)},
        f"adjustment {e.id} posted; bank now {clock_text(svc.balance(c))}",
    )


def cmd_ledger_reverse(desk: Desk, a: argparse.Namespace, out: Out) -> None:
    e = Ledger(desk).reverse(a.entry_id, a.reason)
    out.emit(
        {"entry_id": e.id, "reverses": a.entry_id, "seconds": e.seconds, "cents": e.cents},
        f"reversal {e.id} posted for entry {a.entry_id}",
    )


def cmd_ledger_entries(desk: Desk, a: argparse.Namespace, out: Out) -> None:
    c = Customers(desk).find(a.customer)
    rows = Ledger(desk).entries(c)
    out.emit(
        rows,
        lambda: (
            "\n".join(
                f"{r['created_at'][:19]} {r['kind']:<11} {clock_text(r['seconds']):>9} "
                f"{money(r['cents']):>9} {r['author']:<12} {r['reason']}"
                for r in rows
            )
            or "no entries"
        ),
    )


# -- parser -------------------------------------------------------------------------------
def _line_options(p: argparse.ArgumentParser, required: bool = True) -> None:
    p.add_argument(
        "--product", required=required, choices=["desktop", "web", "quotevalet", "vendorrfq"]
    )
    p.add_argument("--plan", required=required, choices=["license", "subscription"])
    p.add_argument("--edition", choices=["essential", "balanced", "pinnacle"])
    p.add_argument("--maintenance-until", metavar="DATE", help="UMP paid through (licenses)")
    p.add_argument("--active-until", metavar="DATE", help="subscription paid through")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_INPUT, f"qwtimer: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    # SUPPRESS: a command's own --json default must not undo a --json given before it
    common.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="print JSON for scripts"
    )
    p = _Parser(
        prog="qwtimer",
        description="Call timer and minute bank for the support desk. "
        "With no command, opens the technician window.",
        parents=[common],
    )
    p.add_argument("--data-dir", metavar="DIR", help="data folder (or QWTIMER_DATA_DIR)")
    p.add_argument("--technician", metavar="NAME", help="who is working (or QWTIMER_TECHNICIAN)")
    sub = p.add_subparsers(dest="cmd", parser_class=_Parser)

    def cmd(parent: Any, name: str, handler: Any, help_text: str) -> argparse.ArgumentParser:
        sp: argparse.ArgumentParser = parent.add_parser(name, help=help_text, parents=[common])
        sp.set_defaults(handler=handler)
        return sp

    cust = sub.add_parser("customer", help="customers, products, cards").add_subparsers(
        dest="customer_cmd", required=True, parser_class=_Parser
    )
    sp = cmd(cust, "add", cmd_customer_add, "add a customer with a first product line")
    sp.add_argument("name")
    _line_options(sp)
    sp.add_argument("--phone")
    sp.add_argument("--email")
    prod = cust.add_parser("product", help="product lines").add_subparsers(
        dest="product_cmd", required=True, parser_class=_Parser
    )
    sp = cmd(prod, "add", cmd_customer_product_add, "add a product line (R1 grant if first)")
    sp.add_argument("customer")
    _line_options(sp)
    sp = cmd(cust, "maintenance", cmd_customer_maintenance, "record a UMP purchase (R9)")
    sp.add_argument("customer")
    sp.add_argument("--until", required=True, metavar="DATE")
    sp = cmd(cust, "card", cmd_customer_card, "put a card reference on file (R6.1)")
    sp.add_argument("customer")
    sp.add_argument("--ref", required=True, help="processor token or authorisation id")
    sp.add_argument("--last4", required=True)
    cmd(cust, "list", cmd_customer_list, "list customers with their bank")
    sp = cmd(cust, "show", cmd_customer_show, "a customer's bank, products and entitlement")
    sp.add_argument("customer")
    sp = cmd(cust, "import", cmd_customer_import, "import customers from a CRM CSV export")
    sp.add_argument("file")
    sp.add_argument("--skip-bad", action="store_true", help="import the good rows of a bad file")

    sup = sub.add_parser("support", help="eligibility").add_subparsers(
        dest="support_cmd", required=True, parser_class=_Parser
    )
    sp = cmd(sup, "check", cmd_support_check, "may this customer get this support? (R7, R8)")
    sp.add_argument("customer")
    sp.add_argument("--channel", required=True, choices=["phone", "email", "ticket"])
    sp.add_argument("--product", choices=["desktop", "web"])
    sp.add_argument("--on", metavar="DATE")

    mins = sub.add_parser("minutes", help="the minute bank").add_subparsers(
        dest="minutes_cmd", required=True, parser_class=_Parser
    )
    sp = cmd(mins, "buy", cmd_minutes_buy, "buy blocks of minutes (R6)")
    sp.add_argument("customer")
    sp.add_argument("--blocks", type=int, required=True)
    sp.add_argument("--card-ref")

    callp = sub.add_parser("call", help="calls entered by hand").add_subparsers(
        dest="call_cmd", required=True, parser_class=_Parser
    )
    sp = cmd(callp, "log", cmd_call_log, "record a call from its durations")
    sp.add_argument("customer")
    sp.add_argument("--talk", required=True, metavar="DUR")
    sp.add_argument("--hold", metavar="DUR")
    sp.add_argument("--working-hold", metavar="DUR")
    sp.add_argument("--research", metavar="DUR")
    sp.add_argument("--card-ref")
    sp.add_argument("--outcome", choices=OUTCOMES, default="resolved")
    sp.add_argument("--note")
    sp = cmd(callp, "show", cmd_call_show, "one call's segments and bill")
    sp.add_argument("call_id")

    timer = sub.add_parser("timer", help="the live call timer").add_subparsers(
        dest="timer_cmd", required=True, parser_class=_Parser
    )
    sp = cmd(timer, "start", cmd_timer, "start a call")
    sp.add_argument("customer")
    cmd(timer, "hold", cmd_timer, "put the caller on hold (unbilled)")
    cmd(timer, "work", cmd_timer, "toggle working while on hold (billable, R11)")
    cmd(timer, "resume", cmd_timer, "back on the line (also a call-back after research)")
    sp = cmd(timer, "research", cmd_timer, "research (billable, R5); --call for a stopped call")
    sp.add_argument("--call", metavar="CALL_ID")
    sp = cmd(timer, "stop", cmd_timer, "stop and bill the call")
    sp.add_argument("--card-ref")
    sp.add_argument("--outcome", choices=OUTCOMES, default="resolved")
    sp.add_argument("--note")
    sp.add_argument("--call", metavar="CALL_ID", help="stop research on this call")
    sp = cmd(timer, "status", cmd_timer, "the running call")
    sp.add_argument("--call", metavar="CALL_ID")
    sp = cmd(timer, "watch", cmd_timer, "show the running call live, with a heartbeat")
    sp.add_argument("--interval", type=float, default=1.0, help="seconds between heartbeats")
    sp.add_argument("--count", type=int, help="stop after this many heartbeats")
    sp = cmd(timer, "gap", cmd_timer, "say what an unaccounted gap (sleep, restart) was")
    sp.add_argument("what", choices=["hold", "working", "talk", "research", "none"])
    sp = cmd(timer, "recover", cmd_timer, "resume or end a call interrupted by a crash")
    sp.add_argument("how", choices=["resume", "end"])
    sp.add_argument("--outcome", choices=OUTCOMES, default="unresolved")

    sp = cmd(sub, "calls", cmd_calls, "list calls")
    sp.add_argument("--customer")
    sp.add_argument("--since", metavar="DATE")
    sp.add_argument("--csv", action="store_true")

    pol = sub.add_parser("policy", help="the support policy").add_subparsers(
        dest="policy_cmd", required=True, parser_class=_Parser
    )
    cmd(pol, "show", cmd_policy_show, "the policy in force")

    led = sub.add_parser("ledger", help="ledger administration (R13)").add_subparsers(
        dest="ledger_cmd", required=True, parser_class=_Parser
    )
    sp = cmd(led, "adjust", cmd_ledger_adjust, "post an adjusting entry (+/- minutes)")
    sp.add_argument("customer")
    sp.add_argument(
        "--minutes", required=True, help="e.g. +10m, or --minutes=-90s to take time away"
    )
    sp.add_argument("--reason", required=True)
    sp = cmd(led, "reverse", cmd_ledger_reverse, "post a reversal of an entry")
    sp.add_argument("entry_id")
    sp.add_argument("--reason", required=True)
    sp = cmd(led, "entries", cmd_ledger_entries, "a customer's ledger entries")
    sp.add_argument("customer")

    from qwtimer.cli_ledger import add_commands as add_ledger_commands

    add_ledger_commands(sub, cmd, led)
    from qwtimer.cli_reports import add_commands as add_report_commands

    add_report_commands(sub, cmd)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "handler", None) is None:
        if args.cmd is None:
            return _open_window(args)
        parser.parse_args([*(argv or sys.argv[1:]), "--help"])
    desk = None
    try:
        desk = Desk(args.data_dir, technician=args.technician)
        args.handler(desk, args, Out(getattr(args, "json", False)))
    except QwtimerError as exc:
        print(f"qwtimer: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except (DatabaseError, sqlite3.DatabaseError) as exc:
        # A fault found mid-command (a damaged page, a full disk): the transaction was rolled
        # back, so say so in one line instead of a traceback.
        where = desk.db_path if desk is not None else "the local database"
        print(
            f"qwtimer: the local database {where} could not be read or written ({exc}); "
            "nothing was saved. If it is damaged, move it aside and restore the latest "
            "backup (*.bak-*) or start a new data folder",
            file=sys.stderr,
        )
        return EXIT_INPUT
    finally:
        if desk is not None:
            desk.close()
    return 0


def _open_window(args: argparse.Namespace) -> int:
    try:
        from qwtimer.gui.app import run
    except ImportError as exc:  # pragma: no cover - a broken Qt install
        print(
            f"qwtimer: the window cannot start ({exc}); the command line still works, "
            "see 'qwtimer --help'",
            file=sys.stderr,
        )
        return EXIT_INPUT
    return run(args.data_dir, args.technician)


if __name__ == "__main__":
    sys.exit(main())
