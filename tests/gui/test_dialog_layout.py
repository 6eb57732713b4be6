"""Every dialog opens at a size that shows all of it: no field or message drawn smaller than it
needs, and every text field as wide as the hint that says what to type. Names, amounts and
messages are long ones, as a real desk has them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtWidgets import QDialog

from qwtimer.core.timer import SegmentKind
from qwtimer.desk.calls import Calls
from qwtimer.desk.customers import Customers
from qwtimer.desk.duplicates import Match
from qwtimer.desk.phone_lookup import Caller
from qwtimer.gui import prompts
from qwtimer.gui.customer_editor import CustomerEditor
from qwtimer.gui.log_call_dialog import LogCallDialog
from qwtimer.gui.minutes_dialog import BuyMinutes, CardOnFile
from qwtimer.gui.phone_calls import ChooseCaller
from qwtimer.gui.receipt_dialog import ReceiptDialog
from qwtimer.gui.stop_dialog import BillSummary, StopDialog
from qwtimer.gui.supervisor_dialogs import (
    AdjustDialog,
    MergeDialog,
    ReclassifyDialog,
    ReverseDialog,
)
from tests.gui.conftest import add_customer, cut_hints, squeezed
from tests.gui.test_parts import PAID

LONG = "Wide World Importers & Logistics International (Northern Region) Ltd"
CHARGE = "2 blocks, $60.00, to the card ending 4242"
MATCHES = [Match("05ccb0f0-6693-4f6e-bd7f-49a918ef91b3", LONG, "phone")]
CALLERS = [
    Caller("05ccb0f0-6693-4f6e-bd7f-49a918ef91b3", LONG, "+1 212 555 0100"),
    Caller("9e9e93ca-7756-4c28-8033-23ef1642181e", "Webby Co", "+1 (212) 555-0100"),
]


def long_call(desk: Any) -> str:
    """A stopped call of the long-named customer: 50 min talk, 12 on hold, a block bought."""
    customer = add_customer(desk, LONG, card=True)
    call, _ = Calls(desk).log(customer, {SegmentKind.TALK: 50 * 60, SegmentKind.HOLD: 12 * 60})
    return str(call.id)


DIALOGS: dict[str, Callable[[Any], QDialog]] = {
    "recovery": lambda desk: prompts.RecoveryPrompt(LONG, 754, 9 * 3600, None),
    "gap": lambda desk: prompts.GapPrompt(LONG, 612, None),
    "first run": lambda desk: prompts.FirstRunOffer(None),
    "close during a call": lambda desk: prompts.CloseDuringCall(LONG, True, None),
    "card": lambda desk: prompts.CardPrompt(LONG, 420, 3000, None),
    "confirm a charge": lambda desk: prompts.ConfirmCharge(
        LONG, CHARGE, "more than 2 blocks at once", None
    ),
    "bank warning": lambda desk: prompts.WarnMinutes(5, None),
    "reason": lambda desk: prompts.ReasonPrompt("Move the call", f"Move to {LONG}?", "&Move", None),
    "reopen": lambda desk: prompts.ReopenPrompt(f"{LONG}, 06:30", 600, None),
    "stop": lambda desk: StopDialog(LONG, 5 * 60 + 53, None, CHARGE),
    "bill": lambda desk: BillSummary(LONG, PAID, None),
    "log a call": lambda desk: LogCallDialog(LONG, lambda seconds, started: CHARGE, None),
    "new customer": lambda desk: CustomerEditor(Customers(desk)),
    "edit customer": lambda desk: CustomerEditor(
        Customers(desk), Customers(desk).summary(add_customer(desk, LONG))
    ),
    "buy minutes": lambda desk: BuyMinutes(
        desk, Customers(desk), Customers(desk).summary(add_customer(desk, LONG, card=True)), None
    ),
    "card on file": lambda desk: CardOnFile(
        Customers(desk), Customers(desk).summary(add_customer(desk, LONG)), None
    ),
    "choose the caller": lambda desk: ChooseCaller(None, "+1 212 555 0100", CALLERS),
    "adjust": lambda desk: AdjustDialog(LONG, 45 * 60, None),
    "reverse": lambda desk: ReverseDialog("call debit of -12:00 for " + LONG, None),
    "merge": lambda desk: MergeDialog(LONG, MATCHES, None),
    "receipt": lambda desk: ReceiptDialog(desk, long_call(desk)),
    "reclassify": lambda desk: ReclassifyDialog(
        [(1, "1. talk 10:00", "talk"), (2, "2. hold 2:00", "hold")], None
    ),
}


@pytest.mark.parametrize("name", DIALOGS)
def test_every_dialog_opens_whole(qtbot: Any, desk: Any, name: str) -> None:
    d = DIALOGS[name](desk)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    qtbot.wait(20)  # the layout settles
    assert squeezed(d) == [], name
    assert cut_hints(d) == [], name
