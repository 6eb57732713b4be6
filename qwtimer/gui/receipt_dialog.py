"""A call's receipt in the window: the customer's copy as text (or the internal copy), with
Copy, to paste into an email, and Save PDF…, drawn like ``qwtimer receipt --pdf``. The PDF
is written off the GUI thread by the application's operation runner, whole or not at all."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from qwtimer.core.errors import QwtimerError
from qwtimer.desk.context import Desk
from qwtimer.desk.receipt import Receipt, receipt
from qwtimer.gui.dialog import Dialog
from qwtimer.gui.runner import runner
from qwtimer.gui.window_memory import WindowMemory


class ReceiptDialog(Dialog):
    """``receipt``: the call's receipt, or None when it has none (the reason is shown)."""

    def __init__(
        self, desk: Desk, call_id: str, parent: QWidget | None = None, internal: bool = False
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.runner = runner()
        self.saved: list[str] = []  # PDFs written, newest last
        self.receipt: Receipt | None = None
        self.setWindowTitle("Receipt")
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setAccessibleName("Receipt text")
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.internal = QCheckBox("&Internal copy: technician, policy and rules", self)
        self.internal.setChecked(internal)
        self.copy_button = QPushButton("&Copy", self)
        self.copy_button.setToolTip("Copy the receipt to paste into an email")
        self.save_button = QPushButton("&Save PDF…", self)
        self.close_button = QPushButton("Close", self)
        self.status = QLabel("", self)
        self.status.setAccessibleName("Status")
        self.status.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.internal)
        buttons.addStretch(1)
        for b in (self.copy_button, self.save_button, self.close_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.internal.toggled.connect(lambda _on: self._show())
        self.copy_button.clicked.connect(self.copy)
        self.save_button.clicked.connect(self.save_pdf)
        self.close_button.clicked.connect(self.accept)
        try:
            self.receipt = receipt(desk, call_id)
        except QwtimerError as exc:
            self.status.setText(f"No receipt: {exc}")
        self._show()
        cw, lh = self.fontMetrics().averageCharWidth(), self.fontMetrics().height()
        self.resize(cw * 110, lh * 34)

    @property
    def customer_copy(self) -> bool:
        return not self.internal.isChecked()

    def _show(self) -> None:
        r = self.receipt
        self.text.setPlainText(r.text(self.customer_copy) if r else "")
        for b in (self.copy_button, self.save_button, self.internal):
            b.setEnabled(r is not None)

    def copy(self) -> None:
        """Put the receipt's text on the clipboard."""
        if self.receipt is None:
            return
        QGuiApplication.clipboard().setText(self.text.toPlainText())
        self.status.setText("Receipt copied: paste it into the email.")

    def choose_pdf_file(self) -> str | None:
        """A file name ending .pdf, or None when cancelled."""
        assert self.receipt is not None
        name = f"{self.receipt.customer} receipt {self.receipt.started_at:%Y-%m-%d}.pdf"
        memory = WindowMemory(self.desk.folder)
        return memory.save_name(self, "Save the receipt as PDF", name, ["PDF document (*.pdf)"])

    def save_pdf(self) -> None:
        """Write the receipt (the copy shown) to a PDF the person chooses."""
        r = self.receipt
        if r is None:
            return
        path = self.choose_pdf_file()
        if not path:
            return
        customer_copy = self.customer_copy

        def work() -> str:  # off the GUI thread: paints on a PDF device only
            from qwtimer.printing.receipt_pdf import write_receipt_pdf

            write_receipt_pdf(r, path, customer_copy)
            return path

        def written(done: str) -> None:
            self.saved.append(done)
            self.status.setText(f"Receipt saved to {done}")

        self.save_button.setEnabled(False)
        self.status.setText(f"Saving the receipt to {path}…")
        self.runner.run(
            work,
            written,
            on_error=lambda exc: self.status.setText(f"Not saved, nothing written: {exc}"),
            on_end=lambda: self.save_button.setEnabled(self.receipt is not None),
            owner=self,
        )

    def done(self, result: int) -> None:
        self.runner.wait()  # a PDF being written finishes (or fails) before the dialog goes
        super().done(result)


def open_receipt(parent: QWidget | None, desk: Desk, call_id: str) -> ReceiptDialog:
    """Show the receipt of ``call_id`` beside ``parent`` (not modal) and return the dialog."""
    dialog = ReceiptDialog(desk, call_id, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, parent is not None)
    dialog.setModal(False)
    dialog.show()
    dialog.raise_()
    return dialog
