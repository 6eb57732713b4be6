"""One duplicate check for every way a customer is added or renamed: the command line, the
window's editor (Ctrl+N / Ctrl+E) and CSV import.

Two customers are the same caller when their names match ignoring case and spacing, their
phones have the same last ten digits (punctuation, spaces and a country code ignored), or
their emails match ignoring case. Merged customers (``Customer.merged_into``) never match: they are no longer listed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from qwtimer.core.errors import InputError
from qwtimer.store import customer_match as match
from qwtimer.store.customer_match import email_key, name_key, phone_key
from qwtimer.store.models import Customer


@dataclass(frozen=True)
class Match:
    """An existing customer that looks like the one being added, and why."""

    id: str
    name: str
    field: str  # "name", "phone" or "email"

    def describe(self) -> str:
        """ "'Acme Ltd' (id 1b2c...) has the same phone" ("(line 3)" for a row of an import)."""
        ref = self.id if self.id.startswith("line ") else f"id {self.id}"
        return f"'{self.name}' ({ref}) has the same {self.field}"


class DuplicateCustomer(InputError):
    """Adding (or renaming to) this customer would duplicate an existing one."""

    def __init__(self, matches: list[Match]) -> None:
        self.matches = matches
        first = matches[0]
        more = f" (and {len(matches) - 1} more)" if len(matches) > 1 else ""
        super().__init__(f"a customer already exists: {first.describe()}{more}")


def keys_of(name: str, phone: str, email: str) -> list[tuple[str, str]]:
    """The (field, key) pairs a customer is compared by; empty keys left out."""
    keys = [("name", name_key(name)), ("phone", phone_key(phone or ""))]
    keys.append(("email", email_key(email or "")))
    return [(field, key) for field, key in keys if key]


def _rows(sql: str, params: list[str]) -> list[tuple[str, str, str, str]]:
    """(id, name, phone, email) rows of ``sql`` (the key functions are the connection's own:
    ``store.connection`` registers them once it opens)."""
    db = Customer._meta.database
    return [tuple(str(v or "") for v in row) for row in db.execute_sql(sql, params)]  # type: ignore[misc]


class DuplicateIndex:
    """Customers by name, phone and email key; ``matches`` answers without the database.

    Build it once for many checks (an import); ``add`` keeps it current as rows are added.
    """

    def __init__(self, rows: Iterable[tuple[str, str, str, str]] = ()) -> None:
        self._by: dict[str, dict[str, list[tuple[str, str]]]] = {
            "name": {},
            "phone": {},
            "email": {},
        }
        for row in rows:
            self.add(*row)

    @classmethod
    def of_database(cls) -> DuplicateIndex:
        """Every customer that is not merged into another."""
        return cls(
            _rows("SELECT id, name, phone, email FROM customer WHERE merged_into IS NULL", [])
        )

    def add(self, cid: str, name: str, phone: str, email: str) -> None:
        for field, key in keys_of(name, phone, email):
            self._by[field].setdefault(key, []).append((cid, name))

    def matches(
        self, name: str, phone: str = "", email: str = "", exclude: str = ""
    ) -> list[Match]:
        """Existing customers (other than ``exclude``) matching by name, phone or email; each
        customer once, under the first field that matched."""
        out: dict[str, Match] = {}
        for field, key in keys_of(name, phone, email):
            for cid, existing in self._by[field].get(key, []):
                if cid != exclude and cid not in out:
                    out[cid] = Match(cid, existing, field)
        return list(out.values())


def find_matches(name: str, phone: str = "", email: str = "", exclude: str = "") -> list[Match]:
    """Customers (other than ``exclude``, none merged) matching by name, phone or email,
    found through the indexes of ``store.customer_match`` (a superset the keys then judge)."""
    keys = dict(keys_of(name, phone, email))
    if not keys:
        return []
    plain = [keys.get("name", "").replace(" ", ""), keys.get("email", ""), keys.get("phone", "")]
    full = [keys.get("name", ""), keys.get("email", ""), keys.get("phone", "")]
    # An absent key is given as NUL, which no stored key equals.
    rows = _rows(match.CANDIDATES, [*(k or "\x00" for k in (*plain, *full)), exclude])
    return DuplicateIndex(rows).matches(name, phone, email, exclude)


def check_new(name: str, phone: str = "", email: str = "", exclude: str = "") -> None:
    """Raise ``DuplicateCustomer`` naming the match when such a customer already exists."""
    found = find_matches(name, phone, email, exclude)
    if found:
        raise DuplicateCustomer(found)


def duplicates_of(customer: Customer) -> list[Match]:
    """Other customers that look like this one (the candidates for a merge)."""
    return find_matches(customer.name, customer.phone, customer.email, exclude=customer.id)
