"""The customer list's index, built in bulk, holds exactly what its one-row rules give: the
order of ``_sort_key`` (name without case, then id) and each row's ``_haystack``, so a
customer added or renamed later (``upsert``, by those rules) lands where a reload puts it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from qwtimer.desk.search import CustomerIndex, CustomerRow, _haystack, _haystacks, _sort_key

NAMES = st.sampled_from(["Acme", "acme", "ACME Ltd", "Ärzte GmbH", "ärzte", "Zed", "ß", "A b"])
PHONES = st.sampled_from(["", "+1 (555) 010-0100", "555.010/0100", "+44 20 7946 0000"])
ROWS = st.lists(
    st.tuples(
        st.uuids().map(str),
        st.one_of(NAMES, st.text(min_size=1, max_size=8)),
        st.one_of(PHONES, st.text(max_size=8)),
        st.one_of(st.just(""), st.emails()),
    ),
    max_size=40,
    unique_by=lambda r: r[0],
)


@given(ROWS)
def test_the_index_built_in_bulk_orders_and_matches_rows_as_one_row_at_a_time(
    rows: list[tuple[str, str, str, str]],
) -> None:
    tuples = [(*r, None) for r in rows]
    index = CustomerIndex.from_tuples(list(tuples))
    assert index.rows == sorted(tuples, key=_sort_key)
    assert index._hay == [_haystack(r[1], r[2], r[3]) for r in index.rows]
    direct = CustomerIndex([CustomerRow(*t) for t in tuples])
    assert direct.rows == index.rows


@given(ROWS, ROWS)
def test_a_customer_added_later_lands_where_a_reload_puts_it(
    first: list[tuple[str, str, str, str]], later: list[tuple[str, str, str, str]]
) -> None:
    known = {r[0] for r in first}
    index = CustomerIndex.from_tuples([(*r, None) for r in first])
    added = [r for r in later if r[0] not in known]
    for r in added:
        index.upsert(CustomerRow(*r, None))
    reloaded = CustomerIndex.from_tuples([(*r, None) for r in first + added])
    assert [r[:4] for r in index.rows] == [r[:4] for r in reloaded.rows]
    assert index._hay == reloaded._hay


# Texts that stress one pass over every row: the separators the pass joins on (a line break,
# a tab), the punctuation it drops, letters whose lower case depends on their neighbours (a
# final sigma) or grows (a dotted capital I), and NULL phones and emails as SQLite gives them.
TRICKY = st.text(alphabet="aZ ÄΣσİß\n\t+()-./05", max_size=10)
SQL_ROWS = st.lists(
    st.tuples(
        st.uuids().map(str),
        st.one_of(NAMES, TRICKY, st.text(min_size=1, max_size=8)),
        st.one_of(st.none(), PHONES, TRICKY, st.text(max_size=8)),
        st.one_of(st.none(), st.just(""), TRICKY, st.emails()),
    ),
    max_size=60,
)


@given(SQL_ROWS)
def test_the_search_text_built_in_one_pass_is_each_customers_own(
    rows: list[tuple[str, str, str | None, str | None]],
) -> None:
    expected = [_haystack(r[1], r[2] or "", r[3] or "") for r in rows]
    assert _haystacks([(*r, None) for r in rows]) == expected
