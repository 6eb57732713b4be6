"""What one search keystroke costs the list: the rows on screen are asked for, never all the
customers found, and a keystroke that finds the same customers changes nothing."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from qwtimer.desk.search import CustomerIndex, CustomerRow
from qwtimer.gui.customer_search import CustomerListModel, CustomerSearch


class AskedModel(CustomerListModel):
    """The list's model, noting every row and role the view asks it for."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows_asked: set[int] = set()
        self.roles_asked: set[int] = set()

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        self.rows_asked.add(index.row())
        self.roles_asked.add(int(role))
        return super().data(index, role)


def customers(n: int) -> list[CustomerRow]:
    return [
        CustomerRow(f"{i:08x}-0000-4000-8000-{i:012x}", f"Customer {i:05d}", "", f"c{i}@ex.com", 0)
        for i in range(n)
    ]


def search_over(qtbot: Any, n: int) -> tuple[CustomerSearch, AskedModel]:
    widget = CustomerSearch()
    qtbot.addWidget(widget)
    model = AskedModel(parent=widget)
    widget.model = model
    widget.view.setModel(model)
    widget.set_index(CustomerIndex(customers(n)))
    widget.resize(600, 300)
    widget.show()
    qtbot.waitExposed(widget)
    return widget, model


def test_a_keystroke_asks_the_model_only_for_the_rows_on_screen(qtbot: Any) -> None:
    widget, model = search_over(qtbot, 5000)
    on_screen = widget.view.viewport().height() // widget.view.rowHeight(0) + 1
    for text in ("1", "12", "0 2", "customer 03", "4@", "ex 5", "c"):
        model.rows_asked.clear()
        with qtbot.waitSignal(model.modelReset):  # other customers found
            widget.box.setText(text)
        qtbot.waitUntil(lambda: bool(model.rows_asked))  # and shown
        assert model.rowCount() > on_screen, text  # more customers found than fit on screen
        assert max(model.rows_asked) < on_screen, text
    assert int(Qt.ItemDataRole.SizeHintRole) not in model.roles_asked  # no row is measured


def test_a_keystroke_that_finds_the_same_customers_leaves_list_and_highlight_alone(
    qtbot: Any,
) -> None:
    widget, model = search_over(qtbot, 200)
    widget.box.setText("customer 01")
    widget.view.selectRow(3)
    for text in ("customer 01 ", "Customer 01", "customer  01"):
        with qtbot.assertNotEmitted(model.modelReset):
            widget.box.setText(text)
        assert widget.view.currentIndex().row() == 3, text
    widget.box.setText("customer 012")  # other customers: the first one is highlighted
    assert widget.view.currentIndex().row() == 0
    assert model.row_at(0) is not None and model.row_at(0).name == "Customer 00012"
