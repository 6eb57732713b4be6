"""Finding the caller: the search list model, search-as-you-type, the entitlement panel."""

from __future__ import annotations

from PySide6.QtCore import Qt

from qwtimer.desk.customers import Customers, LineInput
from qwtimer.desk.search import CustomerIndex, CustomerRow, rows_of
from qwtimer.gui.customer_search import CustomerListModel
from qwtimer.gui.recent_calls import RecentCallsModel
from tests.gui.conftest import add_customer, pick


def uid(i: int) -> str:
    return f"{i:08x}-0000-4000-8000-000000000000"


def rows(n: int) -> list[CustomerRow]:
    return [
        CustomerRow(uid(i), f"Customer {i:05d}", f"+1 555 {i:04d}", f"c{i}@ex.com", i)
        for i in range(n)
    ]


def test_customer_list_model_passes_the_model_tester(qtmodeltester):
    model = CustomerListModel(CustomerIndex(rows(50)))
    qtmodeltester.check(model)
    model.set_query("customer 0004")
    qtmodeltester.check(model)
    model.set_query("nobody")
    assert model.rowCount() == 0
    qtmodeltester.check(model)


def test_recent_calls_model_passes_the_model_tester(qtmodeltester, desk):
    from qwtimer.core.timer import SegmentKind
    from qwtimer.desk.calls import Calls
    from qwtimer.desk.reports import recent_rows

    c = add_customer(desk)
    Calls(desk).log(c, {SegmentKind.TALK: 300})
    model = RecentCallsModel()
    model.set_rows(recent_rows(10))
    assert model.rowCount() == 1
    assert model.data(model.index(0, 2)) == "5:00"  # Billed
    qtmodeltester.check(model)


def test_search_matches_name_id_phone_with_or_without_punctuation_and_email():
    index = CustomerIndex(rows(2000))
    assert [index.row(i).id for i in index.search("customer 01234")] == [uid(1234)]
    assert [index.row(i).id for i in index.search(uid(42).upper())] == [uid(42)]
    assert [index.row(i).id for i in index.search("0000002a")] == [uid(42)]
    assert [index.row(i).id for i in index.search("5551999")] == [uid(1999)]
    assert [index.row(i).id for i in index.search("555-1999")] == [uid(1999)]
    assert [index.row(i).id for i in index.search("c77@")] == [uid(77)]
    assert len(index.search("")) == 2000
    assert len(index.search("  ")) == 2000


def test_typing_narrows_and_deleting_widens():
    index = CustomerIndex(rows(1000))
    assert len(index.search("c12")) == 11  # c12@, c120@ ... c129@
    assert len(index.search("c12@")) == 1
    assert len(index.search("c12")) == 11  # backspace: searched afresh


def test_typing_letter_by_letter_finds_exactly_what_a_fresh_search_finds():
    typed = ["customer 01", "555 00", "c4@ex", "0000002a", "0000002a customer", "cust 2 ex"]
    index = CustomerIndex(rows(3000))
    for text in typed:
        for n in range(1, len(text) + 1):
            fresh = CustomerIndex(rows(3000))
            assert index.search(text[:n]) == fresh.search(text[:n]), text[:n]
        index.search("")


def test_a_word_typed_after_a_pasted_id_is_looked_for_among_every_customer():
    acme = CustomerRow("deadbeef-0000-4000-8000-000000000000", "Acme", "", "", 0)
    named = CustomerRow(uid(999), "Deadbeef 12 Ltd", "", "", 0)
    index = CustomerIndex([*rows(50), acme, named])
    assert [index.row(i).id for i in index.search("deadbeef")] == [acme.id]  # an id's start
    assert [index.row(i).id for i in index.search("deadbeef 12")] == [named.id]


def test_search_over_50000_customers_finds_what_a_plain_filter_finds():
    """The index's shortcuts (remembered results, a byte per row) answer as a plain look
    through every row would, letter by letter at desk size; its speed is the benchmark's."""
    people = rows(50_000)
    index = CustomerIndex(people)
    bare = [r.phone.replace(" ", "").replace("+", "") for r in people]
    hay = [f"{r.name}\t{phone}\t{r.email}".lower() for r, phone in zip(people, bare, strict=True)]

    def plain(text: str) -> list[str]:
        words = [w.replace("-", "") if w[0].isdigit() else w for w in text.lower().split()]
        return sorted(r.id for r, h in zip(people, hay, strict=True) if all(w in h for w in words))

    for typed in ("customer 4", "555 12", "c49@ex", "555-4999"):
        for n in range(1, len(typed) + 1):
            found = sorted(index.row(i).id for i in index.search(typed[:n]))
            assert found == plain(typed[:n]), typed[:n]


def test_the_call_panel_says_whom_start_will_time_as_the_highlight_moves(qtbot, make_window, desk):
    add_customer(desk, "Northwind Traders")
    add_customer(desk, "Contoso Pharmacy")
    w = make_window()
    said = w.call_panel.state_label.text
    assert said() == "Pick the caller, then Start (F2)"
    qtbot.keyClicks(w.search.box, "north")
    assert said() == "Ready to start a call for Northwind Traders (F2)"
    qtbot.keyClick(w.search.box, Qt.Key.Key_Return)
    assert said() == "Ready to start a call for Northwind Traders (F2)"
    w.search.box.clear()
    qtbot.keyClicks(w.search.box, "nobody")  # Start would take nobody (F2 would say why)
    assert said() == "Pick the caller, then Start (F2)"


def test_typing_in_the_box_filters_the_list_and_enter_picks(qtbot, make_window, desk):
    add_customer(desk, "Northwind Traders")
    add_customer(desk, "Contoso Pharmacy")
    w = make_window()
    assert w.search.model.rowCount() == 2
    qtbot.keyClicks(w.search.box, "north")
    assert w.search.model.rowCount() == 1
    qtbot.keyClick(w.search.box, Qt.Key.Key_Return)
    assert w.customer.name == "Northwind Traders"
    assert w.commands.start.isEnabled()
    text = w.entitlement.plain_text()
    assert "bank 45:00" in text and "UMP current until 30 June 2027" in text
    assert "no card on file" in text


def test_a_search_that_finds_nobody_says_so_and_how_to_go_on(qtbot, make_window, desk, answers):
    add_customer(desk, "Northwind Traders")
    w = make_window()
    assert w.search.no_match.isHidden()
    qtbot.keyClicks(w.search.box, "acme")
    assert w.search.model.rowCount() == 0 and w.search.no_match.isVisible()
    said = w.search.no_match.text()
    assert said.startswith("No customer matches “acme”.") and "(Ctrl+N)" in said
    qtbot.keyClick(w.search.box, Qt.Key.Key_Return)  # nobody to pick: nothing happens
    assert w.customer is None
    answers.give("editor", None)  # Ctrl+N: a new customer, starting with what was typed
    qtbot.keyClick(w.search.box, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert answers.asked["editor"][-1][1:] == (None, "acme")  # (customer, name)
    for typed, field in (
        ("+1 (555) 019-9999", "phone"), ("555 019 9999", "phone"), ("ops@acme.example", "email"),
        ("acme 019", "name"), ("(777)", "phone"), ("+44 ext", "name"),
    ):  # fmt: skip
        w.search.box.setText(typed)
        assert w.search.typed_for_new() == {field: typed}
    w.search.box.clear()
    assert w.search.no_match.isHidden() and w.search.model.rowCount() == 1
    qtbot.keyClicks(w.search.box, "acme")
    w.search.refresh_rows(rows_of(desk, [add_customer(desk, "Acme Audio").id]))  # added now
    assert w.search.model.rowCount() == 1 and w.search.no_match.isHidden()


def test_up_and_down_move_through_results_from_the_box(qtbot, make_window, desk):
    for name in ("Alpha", "Bravo", "Charlie"):
        add_customer(desk, name)
    w = make_window()
    w.search.box.setFocus()
    qtbot.keyClick(w.search.box, Qt.Key.Key_Down)
    qtbot.keyClick(w.search.box, Qt.Key.Key_Down)
    qtbot.keyClick(w.search.box, Qt.Key.Key_Return)
    assert w.customer.name == "Charlie"
    qtbot.keyClick(w, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert w.search.box.hasFocus()


def test_entitlement_shows_flags_reasons_and_dates(qtbot, make_window, desk, clock):
    customers = Customers(desk)
    c = customers.add(
        "Web Only Co",
        LineInput("web", "subscription", "pinnacle", active_until="2026-12-10"),
    )
    customers.add_card(c, "tok_x", "1881")
    w = make_window()
    pick(qtbot, w, "web only")
    text = w.entitlement.plain_text()
    assert "a Web subscription does not cover QuoteWerks Desktop" in text  # R8.3
    assert "QuoteWerks Web Pinnacle subscription current until 10 December 2026" in text
    assert "card on file" in text
    assert "expires 10 December 2026" in w.entitlement.flags.text()  # within 30 days


def test_the_customer_list_is_read_in_one_scan_without_walking_the_name_index(desk):
    from qwtimer.desk.search import ROWS_SQL

    plan = [row[3] for row in desk.db.execute_sql("EXPLAIN QUERY PLAN " + ROWS_SQL).fetchall()]
    assert plan == ["SCAN customer"]


def test_the_loaded_list_is_in_name_order_without_case_whatever_order_they_were_added(desk):
    customers = Customers(desk)
    for name in ("delta Ltd", "Bravo Inc", "alpha Co", "Charlie LLC", "bravo Works"):
        customers.add(name, LineInput("desktop", "license", maintenance_until="2027-01-01"))
    index = CustomerIndex.load(desk)
    names = [index.row(i).name for i in range(len(index))]
    assert names == ["alpha Co", "Bravo Inc", "bravo Works", "Charlie LLC", "delta Ltd"]


def test_a_usual_phone_number_and_bank_show_whole_in_the_list(qtbot, make_window, desk):
    """Ten-digit numbers with a country code (the demo's) and banks are never cut to '…'
    in the list at the window's first size: the cell's margins are in the measure."""
    from PySide6.QtWidgets import QStyle

    from qwtimer.desk import demo

    demo.load(desk)
    w = make_window()
    view = w.search.view
    margin = 2 * (view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 1)
    fm = view.fontMetrics()
    model = view.model()
    assert model.rowCount() == 6
    for row in range(model.rowCount()):
        for col in (1, 3):  # phone, bank
            text = model.index(row, col).data()
            assert fm.horizontalAdvance(text) <= view.columnWidth(col) - margin, text
