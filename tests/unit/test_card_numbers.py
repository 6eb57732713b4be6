"""R6.1: a card number is never stored, whatever field it is typed into and however it is
spelled. Every spelling below goes into every place text enters; each is refused with a line
naming the field, and a scan of the whole database afterwards finds no card number."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from qwtimer.cli import main
from qwtimer.core.cards import holds_card_number
from qwtimer.core.errors import InputError
from qwtimer.core.parse import card_reference, last_four

UUID = re.compile(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}")
CARD_SPELLINGS = [
    "4111111111111111",
    "4111 1111 1111 1111",
    "4111-1111-1111-1111",
    "4111.1111.1111.1111",
    "4111_1111_1111_1111",
    "4111/1111/1111/1111",
    "4111\u00a01111\u00a01111\u00a01111",  # no-break spaces
    "4111\u20131111\u20131111\u20131111",  # en dashes
    "\u0664\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661",
    "\uff14\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11",
    "4111111111111111 123",  # with the CVV
    "4111111111111111 12/28",  # with the expiry
    "41111111111111115500000000000004",  # two numbers run together
    "4111 1111 1111 1111 5500 0000 0000 0004",
    "3782 822463 10005",  # American Express, 15 digits
    "card was 4111-1111-1111-1111, exp 12/28",
]
NOT_CARDS = [
    "+44 20 7946 0958",
    "+49 30 1234 56789",
    "tok_visa_8f2a",
    "auth 123456",
    "4111 1111",
    "2026-11-30 14:07",
    "a0c2c5f4-6f7b-4f0e-9d3e-1b2c3d4e5f60",
    "Acme Ltd",
    "",
]


@pytest.mark.parametrize("text", CARD_SPELLINGS)
def test_r6_1_every_spelling_of_a_card_number_is_found(text: str) -> None:
    assert holds_card_number(text)
    with pytest.raises(InputError, match="card number"):
        card_reference(text)


@pytest.mark.parametrize("text", NOT_CARDS)
def test_r6_1_phone_numbers_tokens_and_dates_are_not_card_numbers(text: str) -> None:
    assert not holds_card_number(text)


def test_last_four_takes_ascii_digits_only() -> None:
    assert last_four("4242") == "4242"
    with pytest.raises(InputError):
        last_four("\u0664\u0662\u0664\u0662")


def _run(folder: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["--data-dir", str(folder), *args])
    return code, capsys.readouterr().err


def _places(card: str, csv_file: Path) -> list[tuple[str, list[str]]]:
    csv_file.write_text(
        f"name,product,plan,phone,email\nNew Co,desktop,license,{card.replace(',', ' ')},\n",
        encoding="utf-8",
    )
    return [
        ("name", ["customer", "add", card, "--product", "desktop", "--plan", "license"]),
        ("phone", ["customer", "add", "P Co", "--product", "desktop", "--plan", "license",
                   "--phone", card]),
        ("email", ["customer", "add", "E Co", "--product", "desktop", "--plan", "license",
                   "--email", card]),
        ("card reference", ["customer", "card", "Acme Audio", "--ref", card, "--last4", "4242"]),
        ("card reference", ["minutes", "buy", "Acme Audio", "--blocks", "1", "--card-ref", card]),
        ("notes", ["call", "log", "Acme Audio", "--talk", "5m", "--note", card]),
        ("reason", ["ledger", "adjust", "Acme Audio", "--minutes=5m", "--reason", card]),
        ("technician", ["--technician", card, "customer", "list"]),
        ("column", ["customer", "import", str(csv_file)]),
    ]  # fmt: skip


def scan_for_card_numbers(db: Path) -> list[tuple[str, str, str]]:
    """Every text value of every table that reads as a card number: (table, column, value).
    Ids (UUIDs made by qwtimer: in ``id`` and ``*_id`` columns, the device id kept in
    ``meta``, a ledger's id inside the key of its sync cursors) are not text anyone typed: a
    UUID's digits can happen to pass the Luhn check, so they are taken out before reading."""
    con = sqlite3.connect(db)
    found = []
    try:
        tables = [t for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            cols = [c[1] for c in con.execute(f"PRAGMA table_info({table})")]
            for row in con.execute(f"SELECT * FROM {table}"):
                for col, value in zip(cols, row, strict=True):
                    is_id = col == "id" or col.endswith("_id")
                    typed = UUID.sub(" ", value) if isinstance(value, str) else None
                    if typed is not None and not is_id and holds_card_number(typed):
                        found.append((table, col, value))
    finally:
        con.close()
    return found


def test_the_scan_reads_typed_text_and_not_the_ids_inside_it(tmp_path: Path) -> None:
    """The scan is the proof of the tests around it: a card number typed anywhere is found;
    a ledger id inside a sync cursor's key, whose digits pass the Luhn check, is not."""
    cursor_key = "sync:171d2c86-dfcf-4656-9902-1975369c2c59:product_line"
    assert holds_card_number(cursor_key)  # read as text, the id's digits look like a card
    db = tmp_path / "scan.db"
    con = sqlite3.connect(db)
    with con:
        con.execute("CREATE TABLE meta (key TEXT, value TEXT)")
        con.execute("INSERT INTO meta VALUES (?, '42')", (cursor_key,))
        con.execute("CREATE TABLE note (id TEXT, body TEXT)")
        con.execute("INSERT INTO note VALUES ('n1', 'card 4111 1111 1111 1111 exp 12/29')")
    con.close()
    assert scan_for_card_numbers(db) == [("note", "body", "card 4111 1111 1111 1111 exp 12/29")]


def test_r6_1_no_field_anywhere_stores_a_card_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "data"
    add = ["customer", "add", "Acme Audio", "--product", "desktop", "--plan", "license"]
    assert _run(folder, *add, capsys=capsys)[0] == 0
    tried = 0
    for card in CARD_SPELLINGS:
        for field, args in _places(card, tmp_path / "crm.csv"):
            code, err = _run(folder, *args, capsys=capsys)
            assert code == 2, (field, card, err)
            assert "card number" in err and field in err, (field, card, err)
            if field != "column":  # an import lists each bad row by line, then sums up
                assert len(err.strip().splitlines()) == 1, err
            tried += 1
    assert tried == len(CARD_SPELLINGS) * 9
    assert scan_for_card_numbers(folder / "qwtimer.db") == []


def test_r6_1_the_database_itself_refuses_a_card_number(desk: object) -> None:
    """Below every desk service: a write that slips past them is refused by the database."""
    from qwtimer.store.models import Customer

    with pytest.raises(InputError, match="phone looks like it holds a card number"):
        Customer.create(name="Sly Co", phone="4111 1111 1111 1111")
    assert Customer.select().where(Customer.name == "Sly Co").count() == 0
