"""The command line's grammar. Handlers are named, not imported: a command loads only the
module it needs, so ``qwtimer`` with no command opens the window without loading the database
layer first, and each command starts as fast as it can."""

from __future__ import annotations

import argparse
import re
from typing import Any

from qwtimer import __version__
from qwtimer.cli.arguments import (
    CARD_REF,
    DATE,
    DUR,
    call_filter,
    call_id,
    call_option,
    card_ref,
    customer,
    line_options,
    outcome,
    yes,
)
from qwtimer.cli.text import one_line
from qwtimer.core.parse import MOMENT_HINT
from qwtimer.core.timer import GAP_ANSWERS, SegmentKind

EXIT_INPUT = 2


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A word that starts with a minus and a digit is a value, never an option, so
        # ``--minutes -5m`` deducts five minutes and ``--talk -5m`` is told it is negative
        # (as Python 3.13's argparse reads it); no qwtimer option starts with a digit.
        self._negative_number_matcher = re.compile(r"^-\.?\d")

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_INPUT, f"qwtimer: {one_line(message)} (see '{self.prog} --help')\n")

    def _get_values(self, action: argparse.Action, arg_strings: list[str]) -> Any:
        # argparse drops a lone '--' given as an option's value (``--minutes=--``) and hands
        # the command an empty list: refuse it here, as a missing value.
        # An option given with an empty value (``--since=``, ``--hold ""``) is refused too:
        # commands would otherwise take it as not given at all.
        if action.option_strings and action.nargs is None and len(arg_strings) == 1:
            name = "/".join(action.option_strings)
            if arg_strings[0] == "--":
                self.error(f"argument {name}: expected a value, got '--'")
            if not arg_strings[0].strip() and not getattr(action, "empty_clears", False):
                self.error(f"argument {name}: the value is empty; give one or leave {name} out")
        return super()._get_values(action, arg_strings)


_GLOBAL_VALUED = ("--data-dir", "--technician")


def link_as_command(argv: list[str]) -> list[str]:
    """``qwtimer [OPTIONS] qwtimer://call?...`` (how a desktop's URL handler runs the program)
    as ``qwtimer [OPTIONS] open-url qwtimer://call?...``; any other command line unchanged."""
    i = 0
    while i < len(argv) - 1:  # skip the global options before the link
        if argv[i] in _GLOBAL_VALUED:
            i += 2
        elif argv[i] == "--json" or argv[i].startswith(tuple(f"{o}=" for o in _GLOBAL_VALUED)):
            i += 1
        else:
            return argv
    if i == len(argv) - 1 and argv[i].lower().startswith("qwtimer:"):
        return [*argv[:i], "open-url", argv[i]]
    return argv


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
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    p.add_argument("--data-dir", metavar="DIR", help="data folder (or QWTIMER_DATA_DIR)")
    p.add_argument("--technician", metavar="NAME", help="who is working (or QWTIMER_TECHNICIAN)")
    sub = p.add_subparsers(dest="cmd", parser_class=_Parser)

    def cmd(parent: Any, name: str, handler: Any, help_text: str) -> argparse.ArgumentParser:
        sp: argparse.ArgumentParser = parent.add_parser(
            name,
            help=help_text,
            description=help_text[:1].upper() + help_text[1:] + ".",
            parents=[common],
        )
        sp.set_defaults(handler=handler)
        return sp

    cust = sub.add_parser("customer", help="customers, products, cards").add_subparsers(
        dest="customer_cmd", required=True, parser_class=_Parser
    )
    sp = cmd(cust, "add", "customers:cmd_customer_add", "add a customer with a first product line")
    sp.add_argument("name", help="the customer's name as the desk will search for it")
    line_options(sp)
    sp.add_argument("--phone", help="the number the customer calls from (e.g. +1 555 010 0100)")
    sp.add_argument("--email", help="the customer's email address")
    sp.add_argument(
        "--allow-duplicate",
        action="store_true",
        help="add even when the name, phone or email matches an existing customer",
    )
    prod = cust.add_parser("product", help="product lines").add_subparsers(
        dest="product_cmd", required=True, parser_class=_Parser
    )
    sp = cmd(
        prod, "add", "customers:cmd_customer_product_add", "add a product line (R1 grant if first)"
    )
    customer(sp)
    line_options(sp)
    sp = cmd(
        cust, "maintenance", "customers:cmd_customer_maintenance", "record a UMP purchase (R9)"
    )
    customer(sp)
    sp.add_argument(
        "--until", required=True, metavar="DATE", help=f"the new UMP paid through ({DATE})"
    )
    sp = cmd(cust, "edit", "customers:cmd_customer_edit", "correct a customer's name, phone, email")
    customer(sp)
    sp.add_argument("--name", help="the corrected name")
    for clearable in ("--phone", "--email"):  # an empty value is an edit: it clears the field
        setattr(  # noqa: B010
            sp.add_argument(clearable, help=f"the corrected {clearable[2:]} ('' clears it)"),
            "empty_clears",
            True,
        )
    sp.add_argument(
        "--allow-duplicate",
        action="store_true",
        help="save even when the new details match another customer",
    )
    sp = cmd(cust, "card", "customers:cmd_customer_card", "put a card reference on file (R6.1)")
    customer(sp)
    sp.add_argument("--ref", required=True, help=CARD_REF)
    sp.add_argument(
        "--last4", required=True, metavar="DIGITS", help="the card's last four digits (e.g. 4242)"
    )
    cmd(cust, "list", "customers:cmd_customer_list", "list customers with their bank")
    sp = cmd(
        cust, "show", "customers:cmd_customer_show", "a customer's bank, products and entitlement"
    )
    customer(sp)
    sp = cmd(
        cust, "import", "customers:cmd_customer_import", "import customers from a CRM CSV export"
    )
    sp.add_argument(
        "file",
        help="a CSV file with a header row: name, product, plan (required), edition, "
        "maintenance_until, active_until, phone, email",
    )
    sp.add_argument("--skip-bad", action="store_true", help="import the good rows of a bad file")
    sp.add_argument(
        "--allow-duplicate",
        action="store_true",
        help="import new names whose phone or email matches an existing customer",
    )
    sp = cmd(
        cust,
        "merge",
        "customers:cmd_customer_merge",
        "supervisors: merge a duplicate customer into the one to keep (audited)",
    )
    sp.add_argument("keep", help="the customer to keep (id or exact name)")
    sp.add_argument("--from", dest="other", required=True, help="the duplicate (use its id)")
    sp.add_argument("--reason", required=True, help="why they are the same customer")

    sup = sub.add_parser("support", help="eligibility").add_subparsers(
        dest="support_cmd", required=True, parser_class=_Parser
    )
    sp = cmd(
        sup, "check", "customers:cmd_support_check", "may this customer get this support? (R7, R8)"
    )
    customer(sp)
    sp.add_argument(
        "--channel",
        required=True,
        choices=["phone", "email", "ticket"],
        help="how the customer asks for support",
    )
    sp.add_argument(
        "--product", choices=["desktop", "web"], help="email and ticket: the product asked about"
    )
    sp.add_argument("--on", metavar="DATE", help=f"the day to check ({DATE}; default: today)")

    mins = sub.add_parser("minutes", help="the minute bank").add_subparsers(
        dest="minutes_cmd", required=True, parser_class=_Parser
    )
    sp = cmd(mins, "buy", "customers:cmd_minutes_buy", "buy blocks of minutes (R6)")
    customer(sp)
    sp.add_argument("--blocks", required=True, help="how many blocks (whole number)")
    card_ref(sp, "the card paying for them (default: the card on file)")
    yes(sp)

    callp = sub.add_parser("call", help="calls entered by hand").add_subparsers(
        dest="call_cmd", required=True, parser_class=_Parser
    )
    sp = cmd(callp, "log", "calls:cmd_call_log", "record a call from its durations")
    customer(sp)
    sp.add_argument("--talk", required=True, metavar="DUR", help=f"time talking ({DUR})")
    sp.add_argument("--hold", metavar="DUR", help=f"time on hold, not billed ({DUR})")
    sp.add_argument(
        "--working-hold", metavar="DUR", help=f"time on hold working the issue, billed ({DUR})"
    )
    sp.add_argument("--research", metavar="DUR", help=f"research, billed (R5) ({DUR})")
    sp.add_argument(
        "--started",
        metavar="WHEN",
        help=f"when it started, local time ({MOMENT_HINT}; default: it ended now)",
    )
    card_ref(sp, "pays the time beyond the bank (default: the card on file)")
    outcome(sp)
    sp.add_argument("--note", help="what was asked, what was done")
    yes(sp)
    sp = cmd(callp, "show", "calls:cmd_call_show", "one call's segments and bill")
    call_id(sp)
    sp = cmd(
        callp, "reclassify", "corrections:cmd_call_reclassify", "re-classify a segment's time (R13)"
    )
    call_id(sp)
    sp.add_argument("--segment", required=True, type=int, metavar="N", help="see 'call show'")
    sp.add_argument(
        "--as",
        dest="kind",
        required=True,
        choices=[k.value for k in SegmentKind],
        help="what the time really was",
    )
    sp.add_argument("--reason", required=True, help="why (kept with the adjustment)")

    timer = sub.add_parser("timer", help="the live call timer").add_subparsers(
        dest="timer_cmd", required=True, parser_class=_Parser
    )
    sp = cmd(timer, "start", "calls:cmd_timer", "start a call")
    customer(sp, "the caller")
    cmd(timer, "hold", "calls:cmd_timer", "put the caller on hold (unbilled)")
    cmd(timer, "work", "calls:cmd_timer", "toggle working while on hold (billable, R11)")
    cmd(timer, "resume", "calls:cmd_timer", "back on the line (also a call-back after research)")
    sp = cmd(
        timer, "research", "calls:cmd_timer", "research (billable, R5); --call for a stopped call"
    )
    call_option(sp)
    sp = cmd(timer, "stop", "calls:cmd_timer", "stop and bill the call")
    card_ref(sp, "pays the time beyond the bank (default: the card on file)")
    outcome(sp)
    sp.add_argument("--note", help="what was asked, what was done")
    call_option(sp, "stop research on this call")
    yes(sp)
    sp = cmd(timer, "status", "calls:cmd_timer", "the running call")
    call_option(sp)
    sp = cmd(timer, "watch", "calls:cmd_timer", "show the running call live, with a heartbeat")
    sp.add_argument("--interval", default="1", help="seconds between heartbeats (e.g. 0.5)")
    sp.add_argument("--count", help="stop after this many heartbeats")
    sp = cmd(timer, "gap", "calls:cmd_timer", "say what an unaccounted gap (sleep, restart) was")
    sp.add_argument(
        "what",
        choices=list(GAP_ANSWERS),
        help="what the unrecorded time was ('none': not part of the call)",
    )
    for name, what in (
        ("move", "move a call started for the wrong customer to CUSTOMER"),
        ("discard", "discard a call started by mistake"),
    ):
        sp = cmd(timer, name, "corrections:cmd_timer_correct", f"{what} (its first minutes)")
        if name == "move":
            customer(sp, "the right customer")
        sp.add_argument("--reason", required=True, help="why (kept with the correction)")
        call_option(sp)
    sp = cmd(timer, "recover", "calls:cmd_timer", "resume or end a call interrupted by a crash")
    sp.add_argument(
        "how",
        choices=["resume", "end"],
        help="resume: go on timing; end: stop and bill it as it was when the computer stopped",
    )
    outcome(sp, "unresolved")
    sp.add_argument("--note", help="notes on the call (with 'end')")
    card_ref(sp, "pays a shortfall (with 'end')")
    yes(sp)

    sp = cmd(sub, "ring", "phone:cmd_ring", "hand a phone event to the window (starts it)")
    sp.add_argument("--from", dest="number", required=True, metavar="NUMBER", help="caller")
    sp.add_argument("--call-id", metavar="ID", help="the phone system's id of the call")
    sp.add_argument("--event", default="ring", help="ring (default), answer, hold, unhold, end")
    sp = cmd(sub, "open-url", "phone:cmd_open_url", "hand a qwtimer://call?... link to the window")
    sp.add_argument("url", help="qwtimer://call?from=NUMBER&id=ID&event=ring")

    sp = cmd(sub, "calls", "calls:cmd_calls", "list calls, newest first")
    call_filter(sp)
    sp.add_argument("--csv", action="store_true", help="print CSV instead of a table")

    pol = sub.add_parser("policy", help="the support policy").add_subparsers(
        dest="policy_cmd", required=True, parser_class=_Parser
    )
    cmd(pol, "show", "calls:cmd_policy_show", "the policy in force")

    led = sub.add_parser("ledger", help="ledger administration (R13)").add_subparsers(
        dest="ledger_cmd", required=True, parser_class=_Parser
    )
    sp = cmd(led, "adjust", "ledger:cmd_ledger_adjust", "post an adjusting entry (+/- minutes)")
    customer(sp)
    sp.add_argument(
        "--minutes", required=True, help="e.g. +10m, or --minutes=-90s to take time away"
    )
    sp.add_argument("--reason", required=True, help="why (kept with the entry)")
    sp = cmd(led, "reverse", "ledger:cmd_ledger_reverse", "post a reversal of an entry")
    sp.add_argument("entry_id", help="the entry ('qwtimer ledger entries CUSTOMER' lists them)")
    sp.add_argument("--reason", required=True, help="why (kept with the reversal)")
    sp = cmd(led, "entries", "ledger:cmd_ledger_entries", "a customer's ledger entries")
    customer(sp)

    sp = cmd(led, "init", "ledger:cmd_ledger_init", "create or migrate the central ledger's schema")
    sp.add_argument("url", help="postgresql://ADMIN@HOST/DB (password: keyring or .pgpass)")
    for name, handler, text in (
        ("add-technician", "ledger:cmd_add_technician", "create a technician login (PostgreSQL)"),
        ("add-supervisor", "ledger:cmd_add_supervisor", "create a supervisor login (PostgreSQL)"),
    ):
        sp = cmd(led, name, handler, text)
        sp.add_argument("name", help="the login: the name they work under ('--technician')")
        sp.add_argument("--ledger", metavar="URL", help="the ledger, as an administrator")
        sp.add_argument(
            "--password-stdin", action="store_true", help="read the login's password from stdin"
        )
    sp = cmd(led, "use", "ledger:cmd_ledger_use", "remember which ledger this computer syncs with")
    sp.add_argument(
        "url",
        help="postgresql://NAME@HOST/DB (password: keyring or .pgpass), or a SQLite ledger "
        "file (sqlite:PATH, or a path ending in .db)",
    )
    sp = cmd(sub, "sync", "ledger:cmd_sync", "send local rows to the ledger and fetch what changed")
    sp.add_argument("--ledger", metavar="URL", help="the ledger (or QWTIMER_LEDGER)")
    sp.add_argument(
        "what", nargs="?", choices=["status"], help="status: the last sync and what waits"
    )
    sp = cmd(
        sub, "statement", "reports:cmd_statement", "a customer's statement for a period (CSV, PDF)"
    )
    customer(sp)
    sp.add_argument("--since", metavar="DATE", help=f"first day ({DATE}; default: the first entry)")
    sp.add_argument("--until", metavar="DATE", help=f"last day, included ({DATE}; default: today)")
    to = sp.add_mutually_exclusive_group()
    to.add_argument("--csv", metavar="FILE", help="write the statement as CSV")
    to.add_argument("--pdf", metavar="FILE", help="write the statement as PDF")
    sp.add_argument(
        "--internal", action="store_true", help="the desk's copy: who, rules, policy, card refs"
    )
    sp = cmd(
        sub, "receipt", "receipts:cmd_receipt", "a call's receipt for the customer (text, PDF)"
    )
    call_id(sp)
    sp.add_argument("--pdf", metavar="FILE", help="write the receipt as PDF")
    sp.add_argument(
        "--internal", action="store_true", help="the desk's copy: technician, policy, rules"
    )
    sp = cmd(
        sub, "report", "reports:cmd_report", "calls, minutes and charges per technician or customer"
    )
    call_filter(sp)
    sp.add_argument(
        "--by",
        default="technician",
        choices=["call", "technician", "customer", "day"],
        help="one row per ... (default: technician)",
    )
    sp.add_argument("--format", choices=["table", "csv", "json", "pdf"], help="default: table")
    sp.add_argument("--out", metavar="FILE", help="write the report to FILE (whole or not at all)")
    sp.add_argument("--csv", metavar="FILE", help="the same as --format csv --out FILE")
    return p
