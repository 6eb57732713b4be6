"""A statement a disputing customer can read: the customer's copy (text, CSV, PDF) says each
entry in plain words with minutes named as minutes and carries no rule codes, logins, card
references or policy versions; it adds up month by month; it names what is still owed only
when something is (the review's outstanding time, R6.1); corrections show as corrections
beside what they correct (R13). The internal copy keeps every detail."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from qwtimer.cli.reports import statement_text
from qwtimer.core.clock import FakeClock
from qwtimer.core.timer import SegmentKind
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.desk.ledger import Ledger
from qwtimer.desk.review import Filter, totals
from qwtimer.desk.statement_csv import write_statement_csv
from qwtimer.desk.statements import Period, Statement, statement
from qwtimer.printing.statement_pdf import write_statement_pdf
from qwtimer.store.models import Customer
from tests.conftest import require
from tests.unit.test_statements import DAY, history

LOGINS = ("tess", "sam", "sue")


@pytest.fixture(autouse=True)
def utc_days(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def csv_text(st: Statement, customer_copy: bool = True) -> str:
    buf = io.StringIO()
    write_statement_csv(st, buf, customer_copy=customer_copy)
    return buf.getvalue()


def pdf_text(st: Statement, path: Path, customer_copy: bool = True) -> str:
    """The PDF's text as pdftotext reads it (skips, or fails in CI, without poppler)."""
    write_statement_pdf(st, path, customer_copy=customer_copy)
    if shutil.which("pdftotext") is None:
        require("QWTIMER_REQUIRE_PDF_TOOLS", "pdftotext (poppler) reads the PDF's text")
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def assert_nothing_internal(text: str) -> None:
    assert not re.search(r"\bR\d", text), re.search(r".*\bR\d.*", text)
    assert "policy" not in text.lower()
    assert "tok_" not in text
    for login in LOGINS:
        assert not re.search(rf"\b{login}\b", text), login


def test_customers_copy_names_no_rule_login_token_or_policy(
    desk: Desk, clock: FakeClock, tmp_path: Path
) -> None:
    ada, _ = history(desk, clock)
    st = statement(desk, ada, Period())
    copies = {
        "text": statement_text(st),
        "csv": csv_text(st),
        "pdf": pdf_text(st, tmp_path / "ada.pdf"),
    }
    for name, text in copies.items():
        assert_nothing_internal(text)
        assert "card ending 4242" in text, name
        assert "Hold time, not charged: 5 min" in text, name
        assert "45 min" in text, name
    text = copies["text"]
    assert not re.search(r"\b\d+:\d\d\b(?! UTC)", text)  # no "45:00": minutes say "min"
    assert "Support call, 12 min: 12 min from your bank" in text
    assert (
        "Support call, 40 min: 33 min from your bank, 7 min paid (1 block of 30 min, $30.00)"
        in text
    )
    assert "All times are in minutes (min)." in copies["pdf"]


def test_a_correction_shows_as_such_beside_what_it_corrects(desk: Desk, clock: FakeClock) -> None:
    ada, _ = history(desk, clock)
    text = statement_text(statement(desk, ada, Period()))
    assert "Correction: 5 min given back — courtesy: line dropped twice" in text
    assert (
        "Correction: cancels the correction of 2026-11-28 14:10 UTC (+5 min); "
        "5 min taken from your bank — courtesy was not approved"
    ) in text


def two_months(desk: Desk, clock: FakeClock) -> Customer:
    """``history`` in late November, then in December a 30 min call that buys a block and
    a supervisor's credit."""
    ada, _ = history(desk, clock)
    clock.advance(4 * DAY)
    desk.technician = "tess"
    Calls(desk).log(ada, {SegmentKind.TALK: 30 * 60, SegmentKind.HOLD: 120})
    desk.technician = "sue"
    Ledger(desk).adjust(ada, 10 * 60, "duplicate call")
    return ada


def test_monthly_subtotals_add_up_to_the_period_total(desk: Desk, clock: FakeClock) -> None:
    ada = two_months(desk, clock)
    st = statement(desk, ada, Period(date(2026, 11, 1), date(2026, 12, 31)))
    assert [t.month for t in st.months] == ["2026-11", "2026-12"]
    nov, dec = st.months
    assert (nov.used_seconds, dec.used_seconds) == (52 * 60, 30 * 60)
    assert (nov.bought_seconds, dec.bought_seconds) == (30 * 60, 30 * 60)
    assert (nov.adjusted_seconds, dec.adjusted_seconds) == (0, 10 * 60)
    for key in ("included_seconds", "bought_seconds", "adjusted_seconds", "used_seconds"):
        assert getattr(nov, key) + getattr(dec, key) == getattr(st, key), key
    assert nov.charged_cents + dec.charged_cents == st.charged_cents == 6000
    assert dec.closing_seconds == st.closing_seconds

    text = statement_text(st)
    assert (
        "  Subtotal November 2026: used 52 min, bought 30 min, included 45 min, adjusted 0 min, "
        "charged $30.00" in text
    )
    assert "  Subtotal December 2026: used 30 min, bought 30 min, included 0 min" in text
    assert text.index("Subtotal November") < text.index("Support call, 30 min")
    assert (
        "Period total: used 82 min, bought 60 min, included 45 min, adjusted +10 min, "
        "charged $60.00" in text
    )
    rows = list(csv.DictReader(io.StringIO(csv_text(st))))
    months = [r for r in rows if r["kind"] == "month"]
    (total,) = [r for r in rows if r["kind"] == "total"]
    assert [r["month"] for r in months] == ["2026-11", "2026-12"]
    for key in ("included_seconds", "bought_seconds", "adjusted_seconds", "used_seconds", "cents"):
        assert sum(int(r[key]) for r in months) == int(total[key]), key
    assert int(total["used_seconds"]) == st.used_seconds


def test_still_owed_appears_only_for_a_customer_with_outstanding_time(
    desk: Desk, clock: FakeClock, tmp_path: Path
) -> None:
    ada, bob = history(desk, clock)  # Bob: a 50 min call, 45 min in the bank, no card
    assert totals(Filter(customers=(bob.id,))).outstanding_seconds == 5 * 60
    owed = statement(desk, bob, Period())
    assert owed.outstanding_seconds == 5 * 60
    paid = statement(desk, ada, Period())
    assert paid.outstanding_seconds == 0
    for copy in (
        statement_text(owed),
        csv_text(owed),
        pdf_text(owed, tmp_path / "bob.pdf"),
    ):
        assert "Still owed" in copy
    assert "Still owed: 5 min of support not yet paid (no card on file)" in statement_text(owed)
    assert "5 min not yet paid (no card on file)" in statement_text(owed)
    for copy in (statement_text(paid), pdf_text(paid, tmp_path / "ada.pdf")):
        assert "owed" not in copy.lower() and "unsettled" not in copy.lower()
    rows = list(csv.DictReader(io.StringIO(csv_text(paid))))
    assert not any(r["still_owed_seconds"] for r in rows)
    assert not any("owed" in r["description"].lower() for r in rows)
    rows = list(csv.DictReader(io.StringIO(csv_text(owed))))
    assert rows[-1]["kind"] == "closing" and int(rows[-1]["still_owed_seconds"]) == 5 * 60

    # A supervisor's credit settles it: the same call no longer shows anything owed (R6.1)
    desk.technician = "sue"
    Ledger(desk).adjust(bob, 5 * 60, "paid by cheque")
    settled = statement_text(statement(desk, bob, Period()))
    assert "owed" not in settled.lower()
    assert "Support call, 50 min: 45 min from your bank, 5 min beyond your bank, settled since" in (
        settled
    )


def test_internal_copy_keeps_who_rules_policy_and_card_reference(
    desk: Desk, clock: FakeClock, tmp_path: Path
) -> None:
    ada, bob = history(desk, clock)
    st = statement(desk, ada, Period())
    for copy in (
        statement_text(st, customer_copy=False),
        csv_text(st, customer_copy=False),
        pdf_text(st, tmp_path / "ada-internal.pdf", customer_copy=False),
    ):
        for detail in ("tess", "sam", "sue", "R1", "R6", "policy 2026-11", "tok_ada"):
            assert detail in copy, detail
    owed = statement_text(statement(desk, bob, Period()), customer_copy=False)
    assert "(internal copy)" in owed and "take payment (R6.1)" in owed


def test_a_long_name_and_many_entries_break_pages_with_the_heading_again(
    desk: Desk, clock: FakeClock, tmp_path: Path
) -> None:
    ada, bob = history(desk, clock)
    ada.name = "Ada " + "Lovelace Analytical Engines and Difference Machines " * 4
    ada.save()
    for _ in range(40):
        clock.advance(3600)
        Calls(desk).log(ada, {SegmentKind.TALK: 3 * 60, SegmentKind.HOLD: 60})
    st = statement(desk, ada, Period())
    path = tmp_path / "long.pdf"
    assert write_statement_pdf(st, path) > 1
    text = pdf_text(st, path)
    assert text.count("When") >= 2  # the table's heading on every page
    head = text[: text.index("Minute bank,")]
    assert head.count("Machines") == 4  # the whole name, wrapped, on the first page
    assert "-" not in " ".join(f"{x.balance_seconds}" for x in st.lines)  # her card paid all
    owing = statement(desk, bob, Period())  # no card: his last call is not paid yet (R6.1)
    assert owing.closing_seconds < 0
    assert write_statement_pdf(owing, tmp_path / "bob.pdf") == 1
    said = pdf_text(owing, tmp_path / "bob.pdf")
    assert f"-{-owing.closing_seconds // 60} min" in said  # a negative bank says so, with its unit
