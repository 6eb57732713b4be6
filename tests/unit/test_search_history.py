"""Search as you type answers every query exactly as a fresh search does, whatever was typed
before it: typing on, backspace, paste, clearing, a query that is no extension of the last,
phone numbers typed with their punctuation, and customers added in between."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from qwtimer.desk.search import (
    _ID_LIKE,
    _PHONE_WORD,
    CustomerIndex,
    CustomerRow,
    _bare,
    _haystack,
)

# Few letters, so that queries often match, and every character a phone number is typed with.
ALPHABET = "abn no+1(5)-./@ "
NAMES = st.text(alphabet="aAbBnNo 1", min_size=1, max_size=8)
PHONES = st.sampled_from(["", "+1 (555) 010-0100", "555.010/0100", "+44 20 7946 0000", "15"])
EMAILS = st.sampled_from(["", "ab@no.com", "n+1@b.io"])
IDS = st.sampled_from(["0", "a", "b", "1"]).map(lambda c: f"{c * 8}-0000-4000-8000-{c * 12}")
ROWS = st.lists(
    st.builds(CustomerRow, st.uuids().map(str) | IDS, NAMES, PHONES, EMAILS, st.just(0)),
    max_size=30,
    unique_by=lambda r: r.id,
)
EDITS = st.lists(
    st.one_of(
        st.tuples(st.just("type"), st.sampled_from(ALPHABET)),
        st.tuples(st.just("backspace"), st.integers(1, 3)),
        st.tuples(st.just("paste"), st.text(alphabet=ALPHABET, max_size=6)),
        st.tuples(st.just("replace"), st.text(alphabet=ALPHABET, max_size=6)),
        st.tuples(st.just("clear"), st.just("")),
        st.tuples(st.just("id"), st.sampled_from(["aaaaaaaa", "00000000-0", "bbbbbbbb"])),
    ),
    max_size=25,
)


def matching(rows: list[CustomerRow], text: str) -> list[str]:
    """The search rule written out plainly, row by row: ids of the matches in name order."""
    ordered = CustomerIndex(rows).rows
    query = " ".join(text.lower().split())
    if _ID_LIKE.match(query):
        ids = [r[0] for r in ordered if r[0].startswith(query)]
        if ids:
            return ids
    words = [_bare(w) if _PHONE_WORD.match(w) else w for w in query.split()]
    return [r[0] for r in ordered if all(w in _haystack(r[1], r[2], r[3]) for w in words)]


def edited(text: str, edit: tuple[str, object]) -> str:
    kind, value = edit
    if kind == "type" or kind == "paste":
        return text + str(value)
    if kind == "backspace":
        return text[: max(0, len(text) - int(str(value)))]
    return str(value)  # replace, clear, an id pasted over the text


PLUS_ONE = CustomerRow("1" * 8 + "-0000-4000-8000-" + "1" * 12, "Acme", "+1 (555) 010-0100", "", 0)


@settings(max_examples=300, deadline=None)
@given(ROWS, EDITS)
@example([PLUS_ONE], [("type", "+"), ("type", "1")])
@example([PLUS_ONE], [("type", "("), ("type", "5")])
@example([PLUS_ONE], [("paste", "no 1"), ("backspace", 1), ("type", "5")])
def test_every_query_finds_what_a_fresh_search_finds_whatever_was_typed_before(
    rows: list[CustomerRow], edits: list[tuple[str, object]]
) -> None:
    index = CustomerIndex(rows)
    text = ""
    for edit in edits:
        text = edited(text, edit)
        found = [index.rows[i][0] for i in index.search(text)]
        assert found == matching(rows, text), (text, edit)
        assert found == [CustomerIndex(rows).rows[i][0] for i in CustomerIndex(rows).search(text)]


@settings(max_examples=100, deadline=None)
@given(ROWS, ROWS, st.lists(st.text(alphabet=ALPHABET, max_size=5), min_size=1, max_size=6))
def test_a_customer_added_between_two_keystrokes_is_found_by_the_next_one(
    first: list[CustomerRow], later: list[CustomerRow], queries: list[str]
) -> None:
    index = CustomerIndex(first)
    known = {r.id for r in first}
    added = [r for r in later if r.id not in known]
    for query in queries:
        index.search(query)
    for row in added:
        index.upsert(row)
    for query in queries:
        found = [index.rows[i][0] for i in index.search(query)]
        assert found == matching(first + added, query), query


def ids(index: CustomerIndex, text: str) -> list[str]:
    return [index.row(i).id for i in index.search(text)]


def test_typing_a_phone_number_with_its_plus_finds_the_customer_at_every_keystroke() -> None:
    acme = CustomerRow("a" * 8 + "-0000-4000-8000-" + "a" * 12, "Acme", "+1 555 010 0100", "", 0)
    other = CustomerRow("b" * 8 + "-0000-4000-8000-" + "b" * 12, "Other", "+1 555 020 0200", "", 0)
    index = CustomerIndex([acme, other])
    typed = "+1 (555) 010-0100"
    found = {}
    for n in range(1, len(typed) + 1):
        found[typed[:n]] = ids(index, typed[:n])
        assert found[typed[:n]] == ids(CustomerIndex([acme, other]), typed[:n]), typed[:n]
    assert found["+1"] == found["+1 (555"] == [acme.id, other.id]
    assert found["+1 (555) 01"] == found[typed] == [acme.id]


def test_backspace_finds_again_what_the_shorter_query_found() -> None:
    rows = [
        CustomerRow(f"{i:08x}-0000-4000-8000-{i:012x}", f"Cust {i}", "", "", 0) for i in range(50)
    ]
    index = CustomerIndex(rows)
    first = ids(index, "cust 1")
    assert ids(index, "cust 12") == [rows[12].id]
    assert ids(index, "cust 1") == first == matching(rows, "cust 1")
