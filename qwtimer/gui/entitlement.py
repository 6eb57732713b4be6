"""Entitlement at a glance: bank, phone via bank or pay-per-minute (R7), email and ticket per
product with the reason and the date it changes (R8), card on file, flags."""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout, QWidget

from qwtimer.core.billing import clock_text
from qwtimer.gui.theme import warning_colour


def _mark(ok: bool) -> str:
    return "✔" if ok else "✘"


class EntitlementPanel(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Entitlement", parent)
        self.heading = QLabel("No customer picked", self)
        self.heading.setAccessibleName("Customer")
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.heading.setFont(font)
        self.body = QLabel("", self)
        self.body.setAccessibleName("Entitlement details")
        self.body.setTextFormat(Qt.TextFormat.RichText)
        self.body.setWordWrap(True)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.flags = QLabel("", self)
        self.flags.setAccessibleName("Flags")
        self.flags.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.body)
        layout.addWidget(self.flags)
        layout.addStretch(1)
        self.summary: dict[str, Any] | None = None

    def clear(self) -> None:
        self.summary = None
        self.heading.setText("No customer picked")
        self.body.setText("Find the caller in the search box (Ctrl+F) and press Enter.")
        self.flags.setText("")

    def show_summary(self, s: dict[str, Any]) -> None:
        """Show ``Customers.summary`` of the picked customer."""
        self.summary = s
        self.heading.setText(s["name"])
        bank = s["balance_seconds"]
        phone = s["support"][0]
        rows = [
            f"<tr><td><b>Bank</b></td><td>{escape(clock_text(bank))}</td></tr>",
            f"<tr><td><b>Phone</b></td><td>{_mark(phone['eligible'])} via "
            f"{escape(phone['via'] or '')}: {escape(phone['reason'])}</td></tr>",
        ]
        for ans in self._written(s["support"][1:]):
            rows.append(
                f"<tr><td><b>{escape(ans['label'])}</b></td><td>{_mark(ans['eligible'])} "
                f"{escape(ans['reason'])} <small>[{escape(ans['rule'])}]</small></td></tr>"
            )
        card = s["card"]
        rows.append(
            "<tr><td><b>Card</b></td><td>"
            + (f"on file, ending {escape(card['last4'])}" if card else "none on file")
            + "</td></tr>"
        )
        products = ", ".join(
            f"{p['product']} {p['plan']}"
            + (f" {p['edition']}" if p["edition"] else "")
            + f" until {p['maintenance_until'] or p['active_until'] or '-'}"
            for p in s["products"]
        )
        rows.append(f"<tr><td><b>Products</b></td><td>{escape(products or 'none')}</td></tr>")
        contact = " · ".join(x for x in (s["phone"], s["email"]) if x)
        if contact:
            rows.append(f"<tr><td><b>Contact</b></td><td>{escape(contact)}</td></tr>")
        self.body.setText("<table cellspacing='3'>" + "".join(rows) + "</table>")
        if s["flags"]:
            self.flags.setText("\n".join("⚑ " + f for f in s["flags"]))
            self.flags.setStyleSheet(f"color: {warning_colour().name()}; font-weight: bold;")
        else:
            self.flags.setText("")
        self.body.setAccessibleDescription(self.plain_text())

    @staticmethod
    def _written(answers: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Email and ticket answers per product; one row when both say the same (R8)."""
        out: list[dict[str, Any]] = []
        for product in dict.fromkeys(a["product"] for a in answers):
            same = [a for a in answers if a["product"] == product]
            name = (product or "").title()
            if all(
                (a["eligible"], a["reason"]) == (same[0]["eligible"], same[0]["reason"])
                for a in same
            ):
                out.append({**same[0], "label": f"Email & ticket · {name}"})
            else:
                out += [{**a, "label": f"{a['channel'].title()} · {name}"} for a in same]
        return out

    def plain_text(self) -> str:
        s = self.summary
        if s is None:
            return ""
        parts = [f"bank {clock_text(s['balance_seconds'])}"]
        parts += [
            f"{a['channel']} {a['product'] or ''}: {'yes' if a['eligible'] else 'no'}, "
            f"{a['reason']}"
            for a in s["support"]
        ]
        parts.append("card on file" if s["card"] else "no card on file")
        parts += s["flags"]
        return "; ".join(parts)
