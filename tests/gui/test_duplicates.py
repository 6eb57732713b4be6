"""Duplicate customers in the window: the editor shows the match (open it or add anyway) and a
supervisor merges a duplicate from the review, after which the window lists only the kept one."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from qwtimer.core.timer import SegmentKind
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers
from qwtimer.gui.customer_editor import CustomerEditor
from qwtimer.gui.main_window import MainWindow
from qwtimer.gui.supervisor_dialogs import MergeDialog
from qwtimer.store.models import Customer, CustomerMerge
from tests.gui.conftest import add_customer, cut_hints, squeezed


def new_editor(qtbot: Any, desk: Desk, name: str, phone: str = "") -> CustomerEditor:
    d = CustomerEditor(Customers(desk))
    qtbot.addWidget(d)
    d.name.setText(name)
    d.phone.setText(phone)
    d.product.setCurrentText("desktop")
    d.plan.setCurrentText("license")
    d.maintenance.setText("2027-03-31")
    return d


def test_editor_shows_the_matching_customer_and_writes_nothing(qtbot: Any, desk: Desk) -> None:
    ada = add_customer(desk)
    d = new_editor(qtbot, desk, "  ada LOVELACE ltd ")
    assert not d.save()
    assert d.match_box.isVisibleTo(d)
    assert "Ada Lovelace Ltd" in d.match_text.text() and ada.id in d.match_text.text()
    assert "same name" in d.match_text.text()
    assert Customer.select().count() == 1


def test_editor_grows_for_the_match_and_the_message_instead_of_squeezing_the_form(
    qtbot: Any, desk: Desk
) -> None:
    add_customer(desk)
    d = new_editor(qtbot, desk, "Webby Co", phone="555 010 4242")  # Ada's phone
    d.show()
    qtbot.waitExposed(d)
    assert squeezed(d) == [] and cut_hints(d) == []
    before = d.height()
    assert not d.save()
    qtbot.waitUntil(lambda: d.match_box.isVisible())
    qtbot.wait(50)  # the layout settles
    assert squeezed(d) == [] and d.height() > before
    d.maintenance.setText("someday")
    assert not d.save()
    assert "not a date" in d.error.text() or "someday" in d.error.text()
    qtbot.wait(50)
    assert squeezed(d) == [] and d.error.isVisible()


def test_editor_open_it_returns_the_existing_customer(qtbot: Any, desk: Desk) -> None:
    ada = add_customer(desk)
    d = new_editor(qtbot, desk, "Someone Else", phone="555 010 4242")  # Ada's phone
    assert not d.save()
    assert "same phone" in d.match_text.text()
    qtbot.mouseClick(d.open_match, Qt.MouseButton.LeftButton)
    assert d.result() == CustomerEditor.DialogCode.Accepted
    assert d.customer is not None and d.customer.id == ada.id
    assert Customer.select().count() == 1


def test_editor_add_anyway_adds_the_duplicate(qtbot: Any, desk: Desk) -> None:
    add_customer(desk)
    d = new_editor(qtbot, desk, "Ada Lovelace Ltd")
    assert not d.save()
    qtbot.mouseClick(d.save_anyway, Qt.MouseButton.LeftButton)
    assert d.result() == CustomerEditor.DialogCode.Accepted
    assert Customer.select().where(Customer.name == "Ada Lovelace Ltd").count() == 2


def test_editing_a_customer_onto_another_ones_email_shows_the_match(qtbot: Any, desk: Desk) -> None:
    add_customer(desk)
    bob = Customers(desk).add("Bob's Bikes", new_line())
    d = CustomerEditor(Customers(desk), Customers(desk).summary(bob))
    qtbot.addWidget(d)
    d.email.setText("ADA@example.com")
    assert not d.save()
    assert "same email" in d.match_text.text()
    assert Customer.get_by_id(bob.id).email == ""


def new_line() -> Any:
    from qwtimer.desk.customers import LineInput

    return LineInput("desktop", "license", maintenance_until="2027-03-31")


def test_supervisor_merge_moves_the_duplicate_and_the_window_drops_it(
    qtbot: Any,
    make_window: Any,
    desk: Desk,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ada = add_customer(desk)
    twin = Customers(desk).add("Ada Lovelace Ltd", new_line(), allow_duplicate=True)
    Calls(desk).log(ada, {SegmentKind.TALK: 5 * 60})
    Calls(desk).log(twin, {SegmentKind.TALK: 7 * 60})
    total = Customers(desk).balance(ada) + Customers(desk).balance(twin)
    w: MainWindow = make_window()
    assert w.search.model.rowCount() == 2
    asked: list[list[str]] = []

    def choose(parent: Any, keep: str, candidates: list[Any]) -> tuple[str, str]:
        asked.append([m.id for m in candidates])
        return twin.id, "entered twice"

    monkeypatch.setattr(MergeDialog, "ask", choose)
    review = w.open_review()
    qtbot.addWidget(review)
    qtbot.waitUntil(lambda: review.loaded)
    with qtbot.waitSignal(review.refreshed):
        review.customer_filter.setText("Ada")
    rows = review.calls.rows
    review.call_view.selectRow(next(n for n, r in enumerate(rows) if r.customer_id == ada.id))
    qtbot.mouseClick(review.merge_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Merged" in review.status.text())  # merged off the GUI thread
    assert asked == [[twin.id]]
    assert "Merged" in review.status.text()
    # both calls count; the duplicate's license is the same product, granted once (R1)
    assert Customers(desk).balance(ada) == total - 45 * 60
    audit = CustomerMerge.get(CustomerMerge.merged_id == twin.id)
    assert (audit.kept_id, audit.reason, audit.author) == (ada.id, "entered twice", "tess")
    qtbot.waitUntil(lambda: w.search.model.rowCount() == 1)
    review.close()
