"""Customers, their product lines, purchases and cards; balances and entitlement.

Every write is one transaction: either all of it lands or none of it does (a CSV import is
judged whole, then written in short transactions: see ``desk.customer_import``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from peewee import JOIN, fn

from qwtimer.core import bank
from qwtimer.core import eligibility as elig
from qwtimer.core.entitlement import glance
from qwtimer.core.errors import InputError
from qwtimer.core.parse import card_reference, day, last_four
from qwtimer.core.times import aware
from qwtimer.desk import revisions
from qwtimer.desk.changes import Changes, note
from qwtimer.desk.context import Desk
from qwtimer.desk.customer_import import ImportReport, Progress, import_csv
from qwtimer.desk.duplicates import check_new
from qwtimer.desk.product_lines import LineInput as LineInput  # where callers find it
from qwtimer.desk.product_lines import choice, to_core
from qwtimer.desk.provisional import provisional_entry
from qwtimer.desk.summary import Card, CustomerSummary, LastCall, ProductRow
from qwtimer.store import call_figures
from qwtimer.store.models import Customer, Entry, PaymentRef, ProductLine, Purchase


class Customers:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    # -- finding -------------------------------------------------------------------------
    def find(self, key: str) -> Customer:
        """A customer by id or exact name; unknown, merged or ambiguous names are errors that
        say what to give instead (for several matches: their ids)."""
        key = key.strip()
        c = Customer.get_or_none(Customer.id == key)
        if c and c.merged_into:
            kept = Customer.get_or_none(Customer.id == c.merged_into)
            raise InputError(
                f"customer {key} was merged into "
                f"'{kept.name if kept else '?'}' (id {c.merged_into}): use that one"
            )
        if c:
            return c
        matches = list(
            Customer.select()
            .where((Customer.name == key) & Customer.merged_into.is_null())
            .order_by(Customer.created_at)
            .limit(6)
        )
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise InputError(f"no customer '{key}': {_near(key)}")
        ids = ", ".join(m.id for m in matches[:5]) + (", ..." if len(matches) > 5 else "")
        raise InputError(
            f"several customers are named '{key}' (ids {ids}); give one of the ids, "
            "or have a supervisor merge them ('qwtimer customer merge')"
        )

    def all(self) -> list[Customer]:
        """Every customer not merged into another, by name."""
        return list(
            Customer.select()
            .where(Customer.merged_into.is_null())
            .order_by(fn.lower(Customer.name))
        )

    def all_with_banks(self) -> list[tuple[Customer, int]]:
        """Every customer not merged into another, by name, with their bank in seconds (R2),
        in one query: the banks are summed from the entry index in one pass, never one
        customer at a time."""
        banks = (
            Entry.select(Entry.customer, fn.SUM(Entry.seconds).alias("bank"))
            .group_by(Entry.customer)
            .alias("banks")
        )
        q = (
            Customer.select(Customer, fn.COALESCE(banks.c.bank, 0).alias("bank_seconds"))
            .join(banks, JOIN.LEFT_OUTER, on=(banks.c.customer_id == Customer.id))
            .where(Customer.merged_into.is_null())
            .order_by(fn.lower(Customer.name))
        )
        return [(c, int(c.bank_seconds)) for c in q]  # type: ignore[attr-defined]

    # -- writing -------------------------------------------------------------------------
    def add(
        self,
        name: str,
        line: LineInput,
        phone: str = "",
        email: str = "",
        *,
        allow_duplicate: bool = False,
    ) -> Customer:
        """A new customer with their first product line (R1 grant where it applies).

        Raises ``DuplicateCustomer`` naming the match when the name, phone or email already
        belongs to a customer, unless ``allow_duplicate``; then nothing is written."""
        name = name.strip()
        if not name:
            raise InputError("the customer name is empty")
        core_line = line.validate()
        with self.desk.db.atomic():
            if not allow_duplicate:
                check_new(name, phone, email)
            c = Customer.create(name=name, phone=phone.strip(), email=email.strip())
            self._add_line(c, core_line)
        note(Changes.of(customers=[c.id], ledger=True))
        return c

    def update_contact(
        self,
        customer: Customer,
        name: str,
        phone: str,
        email: str,
        *,
        allow_duplicate: bool = False,
    ) -> Customer:
        """Correct a customer's name, phone or email (no bank effect), from the window's
        editor and ``customer edit`` alike. A change that makes the customer match another
        raises ``DuplicateCustomer`` unless ``allow_duplicate``; a card number is refused by
        the database. A change is recorded as a revision (who, when) that the next sync
        takes to the ledger; nothing changed records nothing."""
        name = name.strip()
        if not name:
            raise InputError("the customer name is empty")
        contact = {"name": name, "phone": phone.strip(), "email": email.strip()}
        with self.desk.db.atomic():
            current = Customer.get_by_id(customer.id)
            if tuple(contact.values()) == (current.name, current.phone, current.email):
                return current
            if not allow_duplicate:
                check_new(name, phone, email, exclude=customer.id)
            Customer.update(**contact).where(Customer.id == customer.id).execute()
            revisions.record(self.desk, "customer", customer.id, contact)
        note(Changes.of(customers=[customer.id]))
        return Customer.get_by_id(customer.id)

    def add_product(self, customer: Customer, line: LineInput) -> ProductLine:
        core_line = line.validate()
        with self.desk.db.atomic():
            added = self._add_line(customer, core_line)
        note(Changes.of(customers=[customer.id], ledger=True))
        return added

    def _add_line(self, c: Customer, line: elig.ProductLine) -> ProductLine:
        r = self.desk.clock.read()
        row = ProductLine.create(
            created_at=r.utc,
            customer=c,
            product=line.product.value,
            plan=line.plan.value,
            edition=line.edition.value if line.edition else None,
            maintenance_until=line.maintenance_until,
            active_until=line.active_until,
        )
        Purchase.create(
            customer=c,
            product=line.product.value,
            kind=line.plan.value,
            until=line.active_until or line.maintenance_until,
        )
        grant = bank.included_minutes(
            c.id,
            line.product.value,
            elig.PRODUCT_NAMES[line.product],
            self.desk.technician,
            "",
            self.desk.policies.in_force(r.utc.date()),
        )
        if grant is not None and not Entry.get_or_none(Entry.grant_key == grant.grant_key):
            # R1: the first purchase of a product line credits the bank, once per line; the
            # ledger posts it (from the product line) and its entry replaces this one.
            provisional_entry(self.desk, grant, r.utc)
        return row

    def maintenance(self, customer: Customer, until: str) -> ProductLine:
        """A UMP purchase or renewal: updates only, no phone minutes (R9)."""
        new_until = day(until, "--until")
        lines = list(customer.product_lines)
        found = bank.ump_line([(line.product, line.plan) for line in lines])
        if found is None:
            raise InputError(
                f"{customer.name} has no QuoteWerks Desktop license: UMP applies only to "
                "Desktop licenses (add one with 'customer product add')"
            )
        line = lines[found]  # R9: the date moves, no minutes are credited
        with self.desk.db.atomic():
            ProductLine.update(maintenance_until=new_until).where(
                ProductLine.id == line.id
            ).execute()
            revisions.record(
                self.desk,
                "product_line",
                line.id,
                {"maintenance_until": new_until, "active_until": line.active_until},
            )
            Purchase.create(customer=customer, product="desktop", kind="ump", until=new_until)
        note(Changes.of(customers=[customer.id]))
        return ProductLine.get_by_id(line.id)

    def add_card(self, customer: Customer, ref: str, last4: str) -> PaymentRef:
        ref = card_reference(ref)
        digits = last_four(last4)
        with self.desk.db.atomic():
            card = PaymentRef.create(customer=customer, ref=ref, last4=digits)
        note(Changes.of(customers=[customer.id]))
        return card

    # -- reading -------------------------------------------------------------------------
    def balance(self, customer: Customer | str) -> int:
        """The bank in seconds: the sum of the customer's entries (R2)."""
        cid = customer if isinstance(customer, str) else customer.id
        total = (
            Entry.select(fn.COALESCE(fn.SUM(Entry.seconds), 0))
            .where(Entry.customer == cid)
            .scalar()
        )
        return int(total)

    def card(self, customer: Customer) -> PaymentRef | None:
        card: PaymentRef | None = (
            PaymentRef.select()
            .where(PaymentRef.customer == customer)
            .order_by(PaymentRef.created_at.desc())
            .first()
        )
        return card

    def lines(self, customer: Customer) -> list[elig.ProductLine]:
        return [to_core(line) for line in customer.product_lines.order_by(ProductLine.created_at)]

    def check(
        self, customer: Customer, channel: str, product: str | None = None, on: date | None = None
    ) -> elig.Answer:
        ch = choice(channel, elig.Channel, "channel")
        prod = choice(product, elig.Product, "product") if product else None
        when = on or self.desk.clock.read().utc.date()
        return elig.check(
            self.lines(customer),
            ch,
            when,
            self.balance(customer),
            self.card(customer) is not None,
            prod,
        )

    def flags(self, customer: Customer, on: date | None = None) -> list[str]:
        """Banners: an unsettled overdraft (R6.1), an expired or expiring UMP or subscription."""
        return list(self.summary(customer, on).flags)

    def summary(self, customer: Customer, on: date | None = None) -> CustomerSummary:
        """What a technician needs to see at once: bank, entitlement, card, banners and the
        sentence to tell the caller, for day ``on`` (today by default)."""
        when = on or self.desk.clock.read().utc.date()
        card = self.card(customer)
        rows = list(customer.product_lines.order_by(ProductLine.created_at))
        lines = [to_core(line) for line in rows]
        balance = self.balance(customer)
        support = [elig.phone(balance, card is not None)]
        for product in (elig.Product.DESKTOP, elig.Product.WEB):
            for channel in (elig.Channel.EMAIL, elig.Channel.TICKET):
                support.append(elig.written(lines, channel, product, when))
        warn_days = self.desk.policies.in_force(when).expiry_warning_days
        return CustomerSummary(
            id=customer.id,
            name=customer.name,
            phone=customer.phone,
            email=customer.email,
            on=when,
            balance_seconds=balance,
            products=tuple(
                ProductRow(
                    line.id,
                    line.product,
                    line.plan,
                    line.edition,
                    line.maintenance_until,
                    line.active_until,
                )
                for line in rows
            ),
            card=Card(card.ref, card.last4) if card else None,
            support=tuple(support),
            glance=glance(lines, when, balance, card.last4 if card else None, warn_days),
            last_call=self.last_call(customer.id),
        )

    def last_call(self, customer_id: str) -> LastCall | None:
        """The customer's latest stopped call this computer holds, if any."""
        row = call_figures.last_call(self.desk.db, customer_id)
        if row is None:
            return None
        call_id, started_at, technician, state, outcome, notes = row
        return LastCall(call_id, aware(started_at), technician, state, outcome, notes)

    # -- import --------------------------------------------------------------------------
    def import_csv(
        self,
        path: Path,
        skip_bad: bool = False,
        allow_duplicate: bool = False,
        progress: Progress | None = None,
    ) -> ImportReport:
        """See :func:`qwtimer.desk.customer_import.import_csv`: the whole file is judged
        first, then written in short transactions that never keep the timer waiting."""
        return import_csv(self, path, skip_bad, allow_duplicate, progress)


def _near(key: str) -> str:
    """What to give instead of ``key``, a name that matches no customer exactly: the names
    that hold it (without case; up to 3), else where to look. A near name is only offered,
    never taken: a call or an entry must go to the customer meant."""
    where = "give an id or the exact name (see 'qwtimer customer list')"
    if not key:
        return where
    near = list(
        Customer.select(Customer.name)
        .where(Customer.name.contains(key) & Customer.merged_into.is_null())
        .order_by(Customer.name)
        .limit(4)
    )
    if not near:
        return where
    shown = ", ".join(f"'{c.name}'" for c in near[:3])
    more = " and more" if len(near) > 3 else ""
    return f"did you mean {shown}{more}? Give the exact name (or an id)"
