"""The arguments several commands share, each with the help that says what to type."""

from __future__ import annotations

import argparse

from qwtimer.core.timer import OUTCOMES

DATE = "YYYY-MM-DD"
DUR = "m:ss, h:mm:ss, 90s or 12m"
CUSTOMER = "its id or exact name ('qwtimer customer list' shows both)"
CARD_REF = "the payment processor's token or authorisation id, never a card number (R6.1)"


def yes(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--yes",
        action="store_true",
        help="confirm a charge beyond the policy's limits (a long call, many blocks at once)",
    )


def customer(p: argparse.ArgumentParser, what: str = "the customer") -> None:
    p.add_argument("customer", help=f"{what}: {CUSTOMER}")


def card_ref(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument("--card-ref", metavar="REF", help=f"{what}: {CARD_REF}")


def outcome(p: argparse.ArgumentParser, default: str = "resolved") -> None:
    p.add_argument(
        "--outcome",
        choices=OUTCOMES,
        default=default,
        help=f"how the call ended (default: {default}); the bill does not depend on it (R6.2)",
    )


def line_options(p: argparse.ArgumentParser, required: bool = True) -> None:
    p.add_argument(
        "--product",
        required=required,
        choices=["desktop", "web", "quotevalet", "vendorrfq"],
        help="the product bought",
    )
    p.add_argument(
        "--plan",
        required=required,
        choices=["license", "subscription"],
        help="bought outright (license) or paid by the period (subscription; Web is always one)",
    )
    p.add_argument(
        "--edition", choices=["essential", "balanced", "pinnacle"], help="Web only: its edition"
    )
    p.add_argument(
        "--maintenance-until", metavar="DATE", help=f"licenses: UMP paid through ({DATE})"
    )
    p.add_argument("--active-until", metavar="DATE", help=f"subscriptions: paid through ({DATE})")


CALL_ID = "its id, or a unique start of it ('qwtimer calls' shows the first 8 characters)"


def call_id(p: argparse.ArgumentParser) -> None:
    p.add_argument("call_id", metavar="CALL_ID", help=f"the call: {CALL_ID}")


def call_option(p: argparse.ArgumentParser, what: str = "this call") -> None:
    p.add_argument(
        "--call", metavar="CALL_ID", help=f"{what} (default: the running one): {CALL_ID}"
    )


def call_filter(p: argparse.ArgumentParser) -> None:
    """Which calls a listing or report covers (``calls``, ``report``)."""
    p.add_argument("--since", metavar="DATE", help=f"first day ({DATE})")
    p.add_argument("--until", metavar="DATE", help=f"last day, included ({DATE})")
    p.add_argument(
        "--technician",
        action="append",
        dest="technicians",
        metavar="NAME",
        help="only this technician's calls (repeat for more)",
    )
    p.add_argument(
        "--customer",
        action="append",
        dest="customers",
        metavar="CUSTOMER",
        help=f"only this customer's calls (repeat for more): {CUSTOMER}",
    )
