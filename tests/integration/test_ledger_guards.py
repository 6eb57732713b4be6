"""The ledger guards itself against plain SQL: it numbers rows itself, refuses card numbers
(R6.1) with the same rule as the laptop, and a sync never waits on it for ever."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qwtimer.core.cards import holds_card_number
from qwtimer.desk.customers import Customers
from qwtimer.store import central as central_store
from qwtimer.store import central_numbering as numbering
from qwtimer.store import central_schema as cs
from tests.integration.conftest import Backend, PgLedger
from tests.integration.devices import Device
from tests.integration.test_cli_ledger import run
from tests.unit.test_card_numbers import CARD_SPELLINGS, NOT_CARDS

MakeDevice = Callable[[str], Device]
HUGE = 9_000_000_000_000_000_000


@contextmanager
def as_technician(ledger: Backend, role: str = "tess") -> Iterator[Callable[..., Any]]:
    """Plain SQL on the ledger as a technician (PostgreSQL: the technician's login; SQLite:
    a connection to the ledger file). Yields execute(sql, params) in autocommit."""
    if ledger.kind == "pg":
        with psycopg.connect(
            ledger.url(role), options="-c search_path=qwtimer", autocommit=True
        ) as conn:
            yield lambda sql, params=(): conn.execute(sql, params)
        return
    central = central_store.connect(ledger.url(role))
    try:
        yield lambda sql, params=(): central.raw().execute(sql.replace("%s", "?"), params)
    finally:
        central.close()


def _customer_sql(seq: int | None) -> str:
    """A customer inserted in plain SQL, with the number ``seq`` or without one."""
    column, value = (", ledger_seq", f", {seq}") if seq is not None else ("", "")
    return (
        f"INSERT INTO customer (id, name, phone, email, created_at{column}) "
        f"VALUES (%s, %s, '', '', '2026-11-30T10:00:00+00:00'{value})"
    )


def _names(device: Device) -> set[str]:
    return {r[0] for r in device.desk.db.execute_sql("SELECT name FROM customer").fetchall()}


def test_a_number_a_client_sends_neither_stops_nor_hides_a_row_from_pulls(
    ledger: Backend, make_device: MakeDevice
) -> None:
    """PostgreSQL refuses the number (the roles may insert every column but ``ledger_seq``);
    the embedded ledger, which has no column rights, replaces it with its own."""
    tess, tom = make_device("tess"), make_device("tom")
    tess.add_customer("Acme")
    assert tess.sync(ledger.url("tess")).ok
    assert tom.sync(ledger.url("tom")).ok  # tom's cursor is past Acme
    forged = [(HUGE, "c0ffee00-0000-4000-8000-0000000000a1", "Huge Seq Ltd")]
    forged += [(1, "c0ffee00-0000-4000-8000-0000000000a2", "Low Seq Ltd")]
    with as_technician(ledger) as sql:
        for seq, cid, name in forged:
            if ledger.kind == "pg":
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    sql(_customer_sql(seq), (cid, name))
                sql(_customer_sql(None), (cid, name))  # without a number: the ledger's
            else:
                sql(_customer_sql(seq), (cid, name))
        seqs = sql("SELECT name, ledger_seq FROM customer ORDER BY ledger_seq").fetchall()
    assert [name for name, _ in seqs] == ["Acme", "Huge Seq Ltd", "Low Seq Ltd"]
    assert all(seq < 1000 for _, seq in seqs)  # the ledger's numbers, not the client's
    assert tom.sync(ledger.url("tom")).ok
    assert {"Huge Seq Ltd", "Low Seq Ltd"} <= _names(tom)  # the low one is not hidden
    tess.add_customer("Later Ltd")
    assert tess.sync(ledger.url("tess")).ok
    assert tom.sync(ledger.url("tom")).ok
    assert "Later Ltd" in _names(tom)  # the huge one stops nobody's pull


@pytest.mark.pg
def test_an_insert_is_numbered_by_the_column_default_not_a_row_trigger(
    pg_ledger: PgLedger,
) -> None:
    """A PL/pgSQL call a row inserted cost about a tenth of a push's server time: inserts
    take the sequence's default; only an update is renumbered by a row trigger."""
    with psycopg.connect(pg_ledger.admin) as conn:
        found = conn.execute(
            "SELECT c.relname, t.tgtype FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_proc p ON p.oid = t.tgfoid WHERE p.proname = 'ledger_seq_assign'"
        ).fetchall()
        defaults = conn.execute(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = 'qwtimer' "
            "AND column_name = 'ledger_seq' AND column_default LIKE 'nextval(%%'"
        ).fetchall()
    row, before, insert, update = 1, 2, 4, 16  # pg_trigger.tgtype bits
    numbered = {name for name, _ in found}
    assert numbered == set(numbering.NUMBERED) == {name for (name,) in defaults}
    assert all(t & (row | before | update) == row | before | update for _, t in found)
    assert not [name for name, t in found if t & insert]


@pytest.mark.pg
def test_technician_may_not_set_a_sequence_number_by_update(
    pg_ledger: PgLedger, make_device: MakeDevice
) -> None:
    tess = make_device("tess")
    tess.add_customer("Acme")
    assert tess.sync(pg_ledger.url("tess")).ok
    backend = Backend("pg", pg_ledger.admin, pg_ledger.url)
    with as_technician(backend) as sql:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            sql("UPDATE product_line SET ledger_seq = %s", (HUGE,))
        before = sql("SELECT ledger_seq FROM product_line").fetchone()[0]
    tess.use()
    customers = Customers(tess.desk)
    customers.maintenance(customers.find("Acme"), "2028-01-01")  # a renewal (R8), as a revision
    assert tess.sync(pg_ledger.url("tess")).ok
    with as_technician(backend) as sql:
        after = sql("SELECT ledger_seq FROM product_line").fetchone()[0]
    assert before < after < 1000  # moved dates get the ledger's next number


def test_r6_1_the_ledger_refuses_a_card_number_from_plain_sql(
    ledger: Backend, make_device: MakeDevice
) -> None:
    tess = make_device("tess")
    cid = tess.add_customer("Acme")
    assert tess.sync(ledger.url("tess")).ok
    refused = psycopg.errors.CheckViolation if ledger.kind == "pg" else Exception
    with as_technician(ledger) as sql:
        with pytest.raises(refused, match=r"card.number"):
            sql(
                "INSERT INTO payment_ref (id, customer_id, ref, last4, created_at) "
                "VALUES ('p1', %s, %s, '1111', '2026-11-30T10:00:00+00:00')",
                (cid, "4111 1111 1111 1111"),
            )
        with pytest.raises(refused, match=r"card.number"):
            sql(
                _customer_sql(None),
                ("c0ffee00-0000-4000-8000-0000000000a3", "\uff14111111111111111"),
            )
        sql(  # a processor's token is fine
            "INSERT INTO payment_ref (id, customer_id, ref, last4, created_at) "
            "VALUES ('p2', %s, 'tok_visa_4242', '4242', '2026-11-30T10:00:00+00:00')",
            (cid,),
        )
        assert sql("SELECT count(*) FROM payment_ref").fetchone()[0] == 1


@pytest.fixture(scope="module")
def card_rule(pg_cluster: Any) -> Iterator[Callable[[str], bool]]:
    """The ledger's PL/pgSQL card rule, as a function of one text."""
    from tests.integration.conftest import new_ledger

    pg = new_ledger(pg_cluster)
    with psycopg.connect(pg.admin, options="-c search_path=qwtimer", autocommit=True) as conn:
        yield lambda text: bool(conn.execute("SELECT holds_card_number(%s)", (text,)).fetchone()[0])


_TRICKY = [
    "+4111 1111 1111 1111",
    "+ 441111111111111111",
    "call +44 4111111111111111",
    "4111111111111111" * 3,
    "x4111111111111111x",
    "\u06f4\u06f1\u06f1\u06f1 1111 1111 1111",
    "4111\u200b1111\u200b1111\u200b1111",
    "4111~1111*1111#1111",
    "41111111111111111234567890",
    "1234 5678 9012 3456 7",
]


@pytest.mark.pg
@pytest.mark.parametrize("text", [*CARD_SPELLINGS, *NOT_CARDS, *_TRICKY])
def test_r6_1_ledger_and_laptop_agree_on_every_spelling(
    card_rule: Callable[[str], bool], text: str
) -> None:
    assert card_rule(text) == holds_card_number(text)


_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from("0123456789 -+./_\u00a0\u2013\uff14\u0661x"),
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    ),
    max_size=60,
)


@pytest.mark.pg
@settings(max_examples=300, deadline=None)
@given(text=_TEXT)
def test_r6_1_ledger_and_laptop_agree_on_random_text(
    card_rule: Callable[[str], bool], text: str
) -> None:
    assert card_rule(text) == holds_card_number(text)


@pytest.mark.pg
@settings(max_examples=200, deadline=None)
@given(
    digits=st.lists(st.integers(0, 9), min_size=13, max_size=40),
    seps=st.lists(st.sampled_from(["", " ", "-", "+", "\u00a0", "a", "/"]), max_size=40),
)
def test_r6_1_ledger_and_laptop_agree_on_digit_runs(
    card_rule: Callable[[str], bool], digits: list[int], seps: list[str]
) -> None:
    text = "".join(str(d) + (seps[i] if i < len(seps) else "") for i, d in enumerate(digits))
    assert card_rule(text) == holds_card_number(text)


def test_push_says_ledger_busy_instead_of_waiting_for_a_lock(
    ledger: Backend, make_device: MakeDevice, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QWTIMER_LEDGER_LOCK_TIMEOUT", "0.5")
    tess = make_device("tess")
    tess.add_customer("Acme")
    with _ledger_locked(ledger):
        started = time.monotonic()
        report = tess.sync(ledger.url("tess"))
        waited = time.monotonic() - started
    assert not report.ok and not report.offline
    assert report.error is not None and report.error.startswith("ledger busy:")
    assert "try again later" in report.error
    assert waited < 5
    assert report.pending > 0
    again = tess.sync(ledger.url("tess"))  # nothing half-done: the next sync carries on
    assert again.ok and again.pushed["customer"] == 1 and again.pending == 0


@contextmanager
def _ledger_locked(ledger: Backend) -> Iterator[None]:
    """Another connection holds the writers' lock (PostgreSQL) / the file (SQLite)."""
    if ledger.kind == "pg":
        with psycopg.connect(ledger.admin, autocommit=True) as other:
            other.execute("SELECT pg_advisory_lock(%s, %s)", cs.SEQ_LOCK)
            yield
        return
    central = central_store.connect(ledger.admin, admin=True)
    try:
        central.raw().execute("BEGIN IMMEDIATE")
        yield
        central.raw().execute("ROLLBACK")
    finally:
        central.close()


@pytest.mark.pg
def test_push_says_ledger_busy_while_a_customers_settlement_is_locked(
    pg_ledger: PgLedger, make_device: MakeDevice, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QWTIMER_LEDGER_LOCK_TIMEOUT", "0.5")
    tess = make_device("tess")
    cid = tess.add_customer("Acme")
    assert tess.sync(pg_ledger.url("tess")).ok
    tess.log(cid, 10)
    with psycopg.connect(pg_ledger.admin, autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s, hashtext(%s))", (cs.CUSTOMER_LOCK_CLASS, cid))
        report = tess.sync(pg_ledger.url("tess"))
    assert report.error is not None and report.error.startswith("ledger busy:")
    assert report.pending > 0
    assert tess.sync(pg_ledger.url("tess")).ok


@pytest.mark.pg
def test_pull_says_ledger_busy_while_a_table_is_locked(
    pg_ledger: PgLedger, make_device: MakeDevice, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QWTIMER_LEDGER_LOCK_TIMEOUT", "0.5")
    tess = make_device("tess")
    tess.add_customer("Acme")
    assert tess.sync(pg_ledger.url("tess")).ok
    with psycopg.connect(pg_ledger.admin, options="-c search_path=qwtimer") as other:
        other.execute("LOCK TABLE entry IN ACCESS EXCLUSIVE MODE")
        report = tess.sync(pg_ledger.url("tess"))
        other.rollback()
    assert report.error is not None and report.error.startswith("ledger busy:")
    assert tess.sync(pg_ledger.url("tess")).ok


@pytest.mark.pg
def test_the_guard_step_repairs_a_forged_number_and_every_laptop_pulls_again(
    pg_cluster: Any, make_device: MakeDevice, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.integration.conftest import new_ledger

    with monkeypatch.context() as before:  # a ledger set up by the previous qwtimer
        before.setattr(cs, "SCHEMA_VERSION", 2)
        pg = new_ledger(pg_cluster)
        backend = Backend("pg", pg.admin, pg.url)
        tess, tom = make_device("tess"), make_device("tom")
        tess.add_customer("Acme")
        assert tess.sync(pg.url("tess")).ok
        with as_technician(backend) as sql:
            sql(_customer_sql(HUGE), ("c0ffee00-0000-4000-8000-0000000000b1", "Huge Seq Ltd"))
            sql(  # written before the ledger refused card numbers: kept, never pulled
                "INSERT INTO payment_ref (id, customer_id, ref, last4, created_at) VALUES "
                "('p0', 'c0ffee00-0000-4000-8000-0000000000b1', '4111111111111111', '1111', "
                "'2026-11-30T10:00:00+00:00')"
            )
        assert tom.sync(pg.url("tom")).ok  # tom's cursor is now the forged number
    assert central_store.init_ledger(pg.admin)[1] == cs.SCHEMA_VERSION
    tess.add_customer("Later Ltd")
    assert tess.sync(pg.url("tess")).ok
    assert tom.sync(pg.url("tom")).ok
    assert {"Acme", "Huge Seq Ltd", "Later Ltd"} <= _names(tom)
    with as_technician(backend) as sql:
        assert sql("SELECT max(ledger_seq) FROM customer").fetchone()[0] < 1000
        with pytest.raises(psycopg.errors.CheckViolation):
            sql(_customer_sql(None), ("c0ffee00-0000-4000-8000-0000000000b2", "4111111111111111"))


@pytest.mark.pg
def test_push_says_ledger_busy_when_a_statement_outlasts_its_timeout(
    pg_ledger: PgLedger, make_device: MakeDevice, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QWTIMER_LEDGER_STATEMENT_TIMEOUT", "0.5")  # before the lock timeout
    tess = make_device("tess")
    tess.add_customer("Acme")
    with _ledger_locked(Backend("pg", pg_ledger.admin, pg_ledger.url)):
        report = tess.sync(pg_ledger.url("tess"))
    assert report.error is not None and report.error.startswith("ledger busy:")
    assert "took longer than 0.5 s" in report.error
    assert tess.sync(pg_ledger.url("tess")).ok


def test_sync_command_says_ledger_busy_in_one_line_and_exits_2(
    qwtimer_cmd: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    line = ("--product", "desktop", "--plan", "license")
    assert run(qwtimer_cmd, data, "customer", "add", "Acme", *line).returncode == 0
    assert run(qwtimer_cmd, data, "sync").returncode == 0  # the embedded ledger exists
    assert run(qwtimer_cmd, data, "customer", "add", "Zeta", *line).returncode == 0
    monkeypatch.setenv("QWTIMER_LEDGER_LOCK_TIMEOUT", "0.5")
    with _ledger_locked(Backend("sqlite", f"sqlite://{data / 'ledger.db'}", str)):
        done = run(qwtimer_cmd, data, "sync")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].count("ledger busy:") == 1, done.stderr
    assert "try again later" in lines[0]
    again = run(qwtimer_cmd, data, "--json", "sync")
    assert again.returncode == 0 and json.loads(again.stdout)["pushed"]["customer"] == 1


def test_a_timeout_that_is_not_a_number_of_seconds_is_refused_in_one_line(
    qwtimer_cmd: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QWTIMER_LEDGER_LOCK_TIMEOUT", "ten")
    done = run(qwtimer_cmd, tmp_path / "data", "sync")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [done.stderr.strip()]
    assert "QWTIMER_LEDGER_LOCK_TIMEOUT='ten' is not a number of seconds" in done.stderr
