"""A fast in-memory index of customers for search-as-you-type (name, id, phone, email).

Loading reads every customer in one plain SQL query (the banks in a second one, so the list
is searchable sooner); searching never touches the database. Built to answer within one frame
over 50,000 customers: a query starts from the fewest customers that can still match it (the
hits of a recent query it narrows), the customers holding a word looked for among most of
them are remembered (the first letters of a word, the costliest keystrokes, recur all day),
and the loops over customers run inside the interpreter's C code.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from itertools import compress, repeat
from operator import contains, itemgetter
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:  # pragma: no cover
    from qwtimer.desk.context import Desk
    from qwtimer.store.models import Customer

_PHONE_WORD = re.compile(r"^[\d+().\-/]*\d[\d+().\-/]*$")
_ID_LIKE = re.compile(r"^[0-9a-f-]{8,36}$")
# In the table's own order: the index sorts them in Python anyway (by name without case), and
# reading through the name index costs SQLite a look-up per row, about three times the scan.
ROWS_SQL = "SELECT id, name, phone, email, NULL FROM customer WHERE merged_into IS NULL"
BANKS_SQL = "SELECT customer_id, SUM(seconds) FROM entry GROUP BY customer_id"
RECENT = 8  # results of this many recent queries are kept to narrow the next ones
HELD = 64  # at most this many words have the rows holding them remembered (a byte per row)


def is_phone_number(typed: str) -> bool:
    """Whether ``typed`` reads as a phone number: each word digits and their punctuation."""
    words = typed.split()
    return bool(words) and all(_PHONE_WORD.match(w) for w in words)


class CustomerRow(NamedTuple):
    """One customer as the search list shows it. ``balance_seconds`` is the bank when read
    (None until the banks are loaded)."""

    id: str
    name: str
    phone: str
    email: str
    balance_seconds: int | None


def _haystack(name: str, phone: str, email: str) -> str:
    """What a search matches: name, phone without punctuation, email; lower case."""
    return f"{name}\t{_bare(phone)}\t{email}".lower()


def _bare(phone: str) -> str:
    """The phone number without the punctuation people type in it (`` +()-./``); chained
    replacements, cheaper than ``str.translate`` for numbers this short."""
    return (
        phone.replace(" ", "")
        .replace("+", "")
        .replace("(", "")
        .replace(")", "")
        .replace("-", "")
        .replace(".", "")
        .replace("/", "")
    )


def _haystacks(rows: list[tuple[Any, ...]]) -> list[str]:
    """``_haystack`` of every row, the same strings, built in bulk: the phones joined into
    one text, their punctuation dropped by one ``_bare`` over it, split again; the rows'
    texts joined, lowered in one ``str.lower`` and split. A row whose fields hold the
    separator (a line break: never in a real name, phone or email) is built on its own."""
    n = len(rows)
    bare = _bare("\n".join([r[2] or "" for r in rows])).split("\n")
    if len(bare) != n:
        bare = [_bare(r[2] or "") for r in rows]
    joined = "\n".join(
        [f"{r[1]}\t{phone}\t{r[3] or ''}" for r, phone in zip(rows, bare, strict=True)]
    )
    hay = joined.lower().split("\n")
    if len(hay) != n:
        return [_haystack(r[1], r[2] or "", r[3] or "") for r in rows]
    return hay


def _sort_key(row: tuple[Any, ...]) -> tuple[str, str]:
    return (row[1].lower(), row[0])


def _name_key(row: tuple[Any, ...]) -> str:
    return row[1].lower()  # type: ignore[no-any-return]


def sort_by_name(rows: list[tuple[Any, ...]]) -> None:
    """Sort ``rows`` in place by ``_sort_key`` (name without case, then id), as two stable
    sorts on one string each: about twice as fast over 50,000 rows as one sort on pairs."""
    rows.sort(key=itemgetter(0))
    rows.sort(key=_name_key)


class CustomerIndex:
    """Customers sorted by name; ``search`` returns row positions. Build it anywhere (a worker
    thread), then use it only on one thread (the GUI thread)."""

    # What searching remembers until the rows change (``_forget``).
    _all: list[int]  # every position, the answer to an empty query
    _recent: dict[tuple[str, ...], list[int]]  # recent answers by their words, oldest first
    _held: dict[str, bytes]  # per word: a byte per row, 1 where the row holds it
    _ids: list[str]  # every row's id, once a query looked like one

    def __init__(self, rows: list[CustomerRow] | None = None, presorted: bool = False) -> None:
        # Rows are plain (id, name, phone, email, bank) tuples; ``row`` names their fields.
        self.rows: list[tuple[Any, ...]] = list(rows or [])
        if not presorted:
            sort_by_name(self.rows)
        self._hay = _haystacks(self.rows)
        self.banks: dict[str, int] = {}
        self._forget()

    @classmethod
    def from_tuples(cls, tuples: list[Any]) -> CustomerIndex:
        """From ``ROWS_SQL`` rows, in any order: sorted by name (without case), then id."""
        sort_by_name(tuples)
        return cls(tuples, presorted=True)

    def row(self, position: int) -> CustomerRow:
        return CustomerRow._make(self.rows[position])

    @classmethod
    def load(cls, desk: Desk, banks: bool = True) -> CustomerIndex:
        """Every customer (and bank) through the desk's database (reads only; any thread)."""
        index = cls.from_tuples(desk.db.execute_sql(ROWS_SQL).fetchall())
        if banks:
            index.set_banks(read_banks(desk))
        return index

    def set_banks(self, banks: dict[str, int]) -> None:
        self.banks.update(banks)

    def balance(self, position: int) -> int | None:
        """The customer's bank in seconds, None while the banks are still loading."""
        row = self.rows[position]
        bank = self.banks.get(row[0])
        if bank is not None:
            return bank
        if row[4] is not None:
            return int(row[4])
        return 0 if self.banks else None

    def __len__(self) -> int:
        return len(self.rows)

    def search(self, text: str) -> list[int]:
        """Positions of the customers whose name, phone (with or without punctuation), email
        or id contains every word of ``text`` (case-insensitive), in the index's order. The
        answer depends on ``text`` and the rows only, never on the queries before it; the
        list may be shared with later answers, so callers must not modify it."""
        query = " ".join(text.lower().split())
        if not query:
            return self._all
        if _ID_LIKE.match(query):  # a pasted customer id, or the start of one
            ids = self._ids or [r[0] for r in self.rows]
            self._ids = ids
            hits = list(compress(self._all, map(str.startswith, ids, repeat(query))))
            if hits:
                return hits
        words = [_bare(w) if _PHONE_WORD.match(w) else w for w in query.split()]
        return self._matching(tuple(dict.fromkeys(words)))

    def _matching(self, words: tuple[str, ...]) -> list[int]:
        """Positions of the rows containing every word, from the narrowest known result that
        holds them all: a recent query each of whose words lies inside one of ``words`` (a
        query typed on, or the same query after a backspace) can only lose customers."""
        hits = self._recent.pop(words, None)
        if hits is None:
            known: tuple[str, ...] = ()
            hits = self._all
            for recent_words, recent_hits in self._recent.items():  # the newest wins a tie
                if len(recent_hits) <= len(hits) and all(
                    any(r in w for w in words) for r in recent_words
                ):
                    known, hits = recent_words, recent_hits
            for word in words:
                if not any(word in k for k in known):  # a word inside a known one holds
                    hits = self._containing(word, hits)
        self._recent[words] = hits  # the most recent last
        if len(self._recent) > RECENT:
            del self._recent[next(iter(self._recent))]
        return hits

    def _containing(self, word: str, among: list[int]) -> list[int]:
        """The positions in ``among`` whose row contains ``word``, in the same order. A word
        looked for among most customers (a word's first letters, the costly keystrokes) is
        looked for among all of them, in order, and which rows hold it is remembered."""
        everyone = len(among) == len(self._all)
        holding = self._held.pop(word, None)
        if holding is None and 2 * len(among) > len(self._all):
            holding = bytes(map(contains, self._hay, repeat(word)))  # a byte per row: 0 or 1
        if holding is None:
            hay = self._hay
            return [i for i in among if word in hay[i]]
        self._held[word] = holding  # the most recently used last
        if len(self._held) > HELD:
            del self._held[next(iter(self._held))]
        if everyone:
            return list(compress(self._all, holding))
        return list(compress(among, map(holding.__getitem__, among)))

    def _forget(self) -> None:
        """Drop what searching remembered: the rows changed."""
        self._all = list(range(len(self.rows)))
        self._recent = {}
        self._held = {}
        self._ids = []

    def position(self, customer_id: str) -> int | None:
        for i, row in enumerate(self.rows):
            if row[0] == customer_id:
                return i
        return None

    def upsert(self, row: CustomerRow) -> None:
        """Add or refresh one customer (after an edit, a call or a new customer)."""
        pos = self.position(row.id)
        if pos is not None:
            del self.rows[pos]
            del self._hay[pos]
        at = bisect.bisect_left([_sort_key(r) for r in self.rows], _sort_key(row))
        self.rows.insert(at, row)
        if row.balance_seconds is not None:
            self.banks[row.id] = row.balance_seconds
        self._hay.insert(at, _haystack(row.name, row.phone, row.email))
        self._forget()


def read_banks(desk: Desk) -> dict[str, int]:
    """Every customer's bank in seconds (R2: the sum of their entries)."""
    return {cid: int(total) for cid, total in desk.db.execute_sql(BANKS_SQL).fetchall()}


def rows_of(desk: Desk, customer_ids: Iterable[str]) -> list[CustomerRow]:
    """These customers as the index holds them now (ids no longer known are left out)."""
    from qwtimer.store.models import Customer

    ids = list(customer_ids)
    found: list[Customer] = []
    for i in range(0, len(ids), 500):  # never more ids in one query than SQLite takes
        found.extend(Customer.select().where(Customer.id.in_(ids[i : i + 500])))
    return [row_of(desk, customer) for customer in found]


def row_of(desk: Desk, customer: Customer) -> CustomerRow:
    """One customer as the index holds it, with the bank as it stands now."""
    from qwtimer.desk.customers import Customers

    return CustomerRow(
        customer.id,
        customer.name,
        customer.phone or "",
        customer.email or "",
        Customers(desk).balance(customer),
    )
