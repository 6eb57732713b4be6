"""The window's dialogs and the rest of the technician's work: new and edited customers, the
first-run offer, importing, research after a call (R5), help, and the stop dialog."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from qwtimer.core.timer import SegmentKind
from qwtimer.desk import demo
from qwtimer.desk.calls import Calls
from qwtimer.desk.customers import Customers
from qwtimer.gui.customer_editor import CustomerEditor
from qwtimer.gui.help_overlay import shortcut_rows
from qwtimer.gui.prompts import ReasonPrompt
from qwtimer.gui.stop_dialog import StopDialog
from qwtimer.gui.supervisor import SupervisorWindow
from qwtimer.store.models import Call, CallClose, Customer, Entry, ProductLine
from tests.gui.conftest import add_customer, cut_hints, pick, recent_shown, segment_rows


def test_customer_editor_creates_a_customer_with_a_product_line(qtbot, desk):
    d = CustomerEditor(Customers(desk))
    qtbot.addWidget(d)
    d.name.setText("New Caller Inc")
    d.phone.setText("+1 555 0199")
    d.product.setCurrentText("desktop")
    d.plan.setCurrentText("license")
    d.maintenance.setText("2027-03-31")
    assert d.save()
    c = Customer.get(Customer.name == "New Caller Inc")
    assert Customers(desk).balance(c) == 45 * 60  # R1 grant
    assert ProductLine.get(ProductLine.customer == c).maintenance_until.isoformat() == "2027-03-31"


def test_customer_editor_says_what_to_fix(qtbot, desk):
    d = CustomerEditor(Customers(desk))
    qtbot.addWidget(d)
    d.name.setText("Subscriber")
    d.product.setCurrentText("desktop")
    d.plan.setCurrentText("subscription")
    assert not d.save()
    assert "paid-through date (Subscription until)" in d.error.text()  # the field's own label
    assert Customer.select().count() == 0


def test_customer_editor_offers_only_the_fields_a_product_and_plan_take(qtbot, desk):
    existing = CustomerEditor(Customers(desk), Customers(desk).summary(add_customer(desk)))
    qtbot.addWidget(existing)
    fields = (existing.plan, existing.edition, existing.maintenance, existing.active)
    assert not any(f.isEnabled() for f in fields)  # no new line chosen: nothing to fill in
    d = CustomerEditor(Customers(desk))
    qtbot.addWidget(d)
    fields = (d.plan, d.edition, d.maintenance, d.active)
    assert (d.product.currentText(), d.plan.currentText()) == ("desktop", "license")
    assert [f.isEnabled() for f in fields] == [True, False, True, False]
    d.maintenance.setText("2027-06-30")
    d.active.setText("2027-01-31")  # typed into a greyed field: not part of the line
    d.plan.setCurrentText("subscription")
    assert [f.isEnabled() for f in fields] == [True, False, False, True]
    d.product.setCurrentText("web")  # R: Web is sold only as a subscription, with an edition
    assert d.plan.currentText() == "subscription"
    assert [f.isEnabled() for f in fields] == [True, True, False, True]
    license_item = d.plan.model().item(d.plan.findText("license"))
    assert not license_item.isEnabled()
    d.product.setCurrentText("desktop")
    assert d.plan.model().item(d.plan.findText("license")).isEnabled()
    d.plan.setCurrentText("license")
    d.name.setText("Licensee")
    assert d.save(), d.error.text()  # the greyed paid-through date is not sent
    (line,) = Customer.get(Customer.name == "Licensee").product_lines
    assert (line.plan, str(line.maintenance_until), line.active_until) == (
        "license",
        "2027-06-30",
        None,
    )


def test_customer_editor_edits_contact_adds_a_line_and_renews_ump(qtbot, desk):
    c = add_customer(desk)
    d = CustomerEditor(Customers(desk), Customers(desk).summary(c))
    qtbot.addWidget(d)
    assert d.lines.count() == 1
    d.email.setText("accounts@ada.example")
    d.product.setCurrentText("web")
    d.plan.setCurrentText("subscription")
    d.edition.setCurrentText("essential")
    d.active.setText("2027-01-31")
    d.ump.setText("2028-06-30")
    assert d.save()
    c = Customer.get_by_id(c.id)
    assert c.email == "accounts@ada.example"
    assert {line.product for line in c.product_lines} == {"desktop", "web"}
    assert Customers(desk).balance(c) == 90 * 60  # R1: one grant per product line, UMP none (R9)


def test_new_customer_from_the_window_is_found_and_picked(qtbot, window, desk, answers):
    def create(parent, customers, current):
        assert current is None
        from qwtimer.desk.customers import LineInput

        added = customers.add("Zed Newcomer", LineInput("desktop", "license"), "", "")
        return customers.summary(added)

    answers.give("editor", create)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window.customer.name == "Zed Newcomer"
    window.search.box.setText("zed")
    assert window.search.model.rowCount() == 1


def test_first_run_offers_demo_data_clearly_marked(qtbot, make_window, desk, answers):
    answers.give("first_run", "demo")
    w = make_window()
    qtbot.waitUntil(lambda: bool(answers.asked["first_run"]) and w.search.model.rowCount() > 0)
    names = [r[1] for r in w.search.model.index_.rows]
    assert names and all(n.endswith("(demo)") for n in names)
    assert "DEMO" in w.windowTitle()
    assert demo.load(desk) == 0  # loading twice adds nothing


def test_first_run_import_runs_off_the_gui_thread(qtbot, make_window, desk, answers, tmp_path):
    csv = Path(tmp_path) / "crm.csv"
    csv.write_text(
        "name,product,plan,edition,maintenance_until,active_until,phone,email\n"
        "Imported One,desktop,license,,2027-01-01,,555-1000,one@ex.com\n"
        "Imported Two,web,subscription,balanced,,2027-02-01,555-2000,two@ex.com\n"
    )
    answers.give("first_run", "import")
    answers.give("csv_file", str(csv))
    w = make_window()
    qtbot.waitUntil(lambda: w.search.model.rowCount() == 2, timeout=10_000)
    assert answers.asked["csv_file"] == [()]
    assert w.customer_count.text() == "2 customers"
    pick(qtbot, w, "555-2000")
    assert w.customer.name == "Imported Two"


def test_import_from_the_customer_menu_asks_for_the_file_and_imports_it(
    qtbot, window, answers, tmp_path
):
    csv = Path(tmp_path) / "more.csv"
    csv.write_text(
        "name,product,plan,edition,maintenance_until,active_until,phone,email\n"
        "Menu Import Ltd,desktop,license,,2027-01-01,,555-3000,menu@ex.com\n"
    )
    answers.give("csv_file", str(csv))
    window.commands.by_key["import_csv"].trigger()  # as the menu item does
    assert answers.asked["csv_file"] == [()]
    qtbot.waitUntil(lambda: window.customer_count.text() == "2 customers", timeout=10_000)
    assert "imported 1 customer" in window.status.text()


def test_research_after_the_call_from_recent_calls(qtbot, window, desk, clock, answers):
    w = window
    pick(qtbot, w, "ada")
    qtbot.keyClick(w, Qt.Key.Key_F2)
    clock.advance(100)
    answers.give("stop", ("resolved", ""))
    qtbot.keyClick(w, Qt.Key.Key_F9)
    assert w.last_bill["billed_seconds"] == 120
    qtbot.keyClick(w, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert w.tabs.currentWidget() is w.recent
    recent_shown(qtbot, w)
    w.activateWindow()  # the technician is back in the window (F9 is the window's key)
    qtbot.waitUntil(w.isActiveWindow)
    w.recent.view.selectRow(0)
    answers.give("reopen", "reopen")
    qtbot.mouseClick(w.recent.research, Qt.MouseButton.LeftButton)
    assert w.controller.live is not None and w.call_panel.state_label.text().endswith("researching")
    clock.advance(50)
    w.controller.tick()
    answers.give("stop", ("resolved", "looked up the fix"))
    qtbot.keyClick(w, Qt.Key.Key_F9)
    call = Call.get()
    assert segment_rows(call.id) == [("talk", 100_000), ("research", 50_000)]
    assert w.last_bill["billed_seconds"] == 180  # R3: rounded once over the whole call
    assert CallClose.select().count() == 2
    debits = sorted(e.seconds for e in Entry.select().where(Entry.kind == "call_debit"))
    assert debits == [-120, -60]  # the ledger gets only the difference


def test_help_overlay_lists_every_shortcut(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_F1)
    assert window.help.isVisible()
    text = window.help.label.text()
    for key in ("F2", "F3", "F4", "F5", "F6", "F9", "Ctrl+F", "Ctrl+N"):
        assert key in text
    assert len(shortcut_rows()) >= 12
    qtbot.keyClick(window.help, Qt.Key.Key_Escape)
    assert not window.help.isVisible()


def test_stop_dialog_outcome_and_notes(qtbot):
    d = StopDialog("Ada", 125)
    qtbot.addWidget(d)
    assert d.outcome() == "resolved"
    d.radios["referred"].setChecked(True)
    d.notes.setPlainText("  needs an implementation project  ")
    assert d.answer() == ("referred", "needs an implementation project")


def test_stop_dialog_takes_the_notes_at_once_and_ctrl_enter_bills(qtbot):
    """F9, type the notes, Ctrl+Enter: no mouse, no Tab (Alt+U for unresolved is pressed
    under X by tests/e2e/test_window_e2e.py)."""
    d = StopDialog("Ada", 125)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    d.activateWindow()
    qtbot.waitUntil(d.notes.hasFocus)
    qtbot.keyClicks(d.notes, "Reset the template path")
    qtbot.keyClick(d.notes, Qt.Key.Key_Return)  # a new line, not the end of the call
    assert d.isVisible() and d.result() == 0
    qtbot.keyClicks(d.notes, "will call back")
    d.radios["unresolved"].setChecked(True)
    with qtbot.waitSignal(d.accepted):
        qtbot.keyClick(d.notes, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert d.answer() == ("unresolved", "Reset the template path\nwill call back")


def test_a_new_customer_started_from_a_search_takes_the_typing_at_the_next_field(qtbot, desk):
    d = CustomerEditor(Customers(desk), None, None, name="Adatum Corporation")
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    d.activateWindow()
    assert d.name.text() == "Adatum Corporation"
    qtbot.waitUntil(d.phone.hasFocus)


def test_accessible_names_on_every_input_and_button(window):
    from PySide6.QtWidgets import QAbstractButton, QLineEdit, QTableView

    nameless = [
        w
        for cls in (QAbstractButton, QLineEdit, QTableView)
        for w in window.findChildren(cls)
        if w.isVisibleTo(window)
        and not w.objectName().startswith("qt_")
        and not (w.accessibleName() or (isinstance(w, QAbstractButton) and w.text()))
    ]
    assert nameless == []


def test_theme_follows_the_system_scheme(qapp):
    from PySide6.QtGui import QGuiApplication, QPalette

    from qwtimer.gui import theme

    theme.apply(qapp)
    hints = QGuiApplication.styleHints()
    try:
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)  # the system switches to dark
        assert qapp.palette().color(QPalette.ColorRole.Window).lightness() < 128
        assert theme.is_dark() or hints.colorScheme() == Qt.ColorScheme.Light
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
        assert qapp.palette().color(QPalette.ColorRole.Window).lightness() > 128
    finally:
        theme.apply(qapp)


def test_logged_calls_show_in_recent_calls(qtbot, window, desk):
    c = Customer.get()
    Calls(desk).log(c, {SegmentKind.TALK: 90})
    window.load_recent()
    recent_shown(qtbot, window)
    assert window.recent.model.rowCount() == 1


def test_edit_customer_from_the_window_refreshes_list_and_panel(qtbot, window, answers):
    pick(qtbot, window, "ada")

    def rename(parent, customers, current):
        assert current.name == "Ada Lovelace Ltd"
        ada = customers.find(current.id)
        return customers.summary(
            customers.update_contact(ada, "Ada Analytical Engines", current.phone, "")
        )

    answers.give("editor", rename)
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert window.entitlement.heading.text() == "Ada Analytical Engines"
    assert window.search.model.row_at(0).name == "Ada Analytical Engines"
    assert Customer.get().name == "Ada Analytical Engines"


def test_first_run_later_leaves_the_window_empty(qtbot, make_window, answers):
    answers.give("first_run", "later")
    w = make_window()
    qtbot.waitUntil(lambda: bool(answers.asked["first_run"]))
    assert w.search.model.rowCount() == 0 and Customer.select().count() == 0


def test_research_cannot_reopen_a_call_while_another_runs(qtbot, window, desk, clock, answers):
    c = Customer.get()
    old, _ = Calls(desk).log(c, {SegmentKind.TALK: 60})
    pick(qtbot, window, "ada")
    qtbot.keyClick(window, Qt.Key.Key_F2)
    window.reopen_for_research(old.id)
    assert "stop it before adding research" in window.last_error
    assert Call.get_by_id(old.id).state == "stopped"


def test_review_menu_opens_the_supervisor_review_with_every_call(qtbot, window, desk):
    ada = add_customer(desk, "Ada Lovelace Ltd")
    Calls(desk).log(ada, {SegmentKind.TALK: 5 * 60})
    review_action = window.commands.by_key["review"]
    assert review_action.shortcut().toString() == "Ctrl+Shift+V"
    assert "Ctrl+Shift+V" in review_action.toolTip()
    review_action.trigger()
    [review] = window.findChildren(SupervisorWindow)
    qtbot.waitUntil(lambda: review.calls.rowCount() == 1)
    assert review.isVisible()


def test_reason_prompt_shows_its_whole_hint_and_asks_for_a_reason(qtbot):
    d = ReasonPrompt("Move the call", "Move this call to Zeta Ltd?", "&Move", None)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    assert cut_hints(d) == []
    assert not d.ok.isEnabled()
    qtbot.keyClicks(d.reason, "   ")
    assert not d.ok.isEnabled()  # blanks are no reason
    qtbot.keyClicks(d.reason, "Zeta called, not Acme")
    assert d.ok.isEnabled()
