"""What people type: durations, dates and card references (R6.1: never a card number)."""

from __future__ import annotations

from datetime import date

import pytest

from qwtimer.core.errors import InputError
from qwtimer.core.parse import (
    card_reference,
    day,
    duration_seconds,
    interval_seconds,
    last_four,
    signed_seconds,
    whole_number,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("12:30", 750),
        ("0:45", 45),
        ("1:02:03", 3723),
        ("90s", 90),
        ("90 sec", 90),
        ("12m", 720),
        ("12min", 720),
        ("2h", 7200),
        (" 3M ", 180),
        ("0s", 0),
    ],
)
def test_durations(text: str, seconds: int) -> None:
    assert duration_seconds(text) == seconds


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("-5m", "negative"),
        ("-0:30", "negative"),
        ("12:60", "60 or more"),
        ("1:60:00", "60 or more"),
        ("90", "not a duration"),  # bare numbers are ambiguous: seconds or minutes?
        ("1.5m", "not a duration"),
        ("twelve", "not a duration"),
        ("", "not a duration"),
        ("12:30:00:00", "not a duration"),
    ],
)
def test_bad_durations_say_what_to_type(text: str, problem: str) -> None:
    with pytest.raises(InputError) as err:
        duration_seconds(text, "--talk")
    assert problem in str(err.value)
    assert "--talk" in str(err.value)


@pytest.mark.parametrize(
    "text",
    ["99999999:00", "9999999999999999999999h", "10001h", "600001m", "1" * 5000 + "s", "0:" * 3],
)
def test_absurd_durations_are_refused_not_overflowed(text: str) -> None:
    with pytest.raises(InputError) as err:
        duration_seconds(text, "--talk")
    message = str(err.value)
    assert "--talk" in message and len(message) < 200


@pytest.mark.parametrize("text", ["nan", "inf", "1e9s", "0x10m"])
def test_numbers_that_are_not_lengths_of_time_are_refused(text: str) -> None:
    with pytest.raises(InputError, match="not a duration"):
        duration_seconds(text)


def test_the_longest_accepted_duration_is_ten_thousand_hours() -> None:
    assert duration_seconds("10000h") == duration_seconds("10000:00:00") == 36_000_000


def test_dates() -> None:
    assert day("2026-12-31") == date(2026, 12, 31)
    for text in ("2026-02-30", "31/12/2026", "tomorrow", ""):
        with pytest.raises(InputError, match="YYYY-MM-DD"):
            day(text, "--on")


@pytest.mark.parametrize(
    "number",
    [
        "4111111111111111",  # Visa test number
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "5555555555554444",  # Mastercard
        "378282246310005",  # Amex, 15 digits
        "6011111111111117",  # Discover
        "ref 4111 1111 1111 1111 ok",  # inside other text
    ],
)
def test_card_numbers_are_refused(number: str) -> None:
    with pytest.raises(InputError, match="never stores card numbers"):
        card_reference(number)


@pytest.mark.parametrize(
    "ref",
    [
        "tok_visa_8f2a",
        "auth-1234567812345678",  # 16 digits that fail the Luhn check
        "ch_3NQ2x9",
        "411111111111",  # 12 digits: too short for a card
    ],
)
def test_processor_references_are_kept(ref: str) -> None:
    assert card_reference(f"  {ref} ") == ref


def test_empty_reference_and_last_four() -> None:
    with pytest.raises(InputError, match="empty"):
        card_reference("   ")
    assert last_four("4242") == "4242"
    for bad in ("424", "42424", "abcd"):
        with pytest.raises(InputError, match="exactly 4 digits"):
            last_four(bad)


# -- one parser per kind of value ---------------------------------------------------------
@pytest.mark.parametrize(("text", "seconds"), [("+5m", 300), ("-5m", -300), ("5m", 300)])
def test_signed_minutes_take_one_sign(text: str, seconds: int) -> None:
    assert signed_seconds(text) == seconds


@pytest.mark.parametrize("text", ["+-5m", "-+5m", "--5m", "++5m", "+ -5m", "+", "-", ""])
def test_signed_minutes_with_two_signs_or_none_are_refused_not_read_as_plus(text: str) -> None:
    with pytest.raises(InputError, match="--minutes"):
        signed_seconds(text, "--minutes")


@pytest.mark.parametrize("text", ["\u0661\u0662m", "\u0665:00", "\uff15m", "1\u0662:00"])
def test_durations_in_other_scripts_digits_are_refused(text: str) -> None:
    with pytest.raises(InputError, match="not a duration"):
        duration_seconds(text, "--talk")


@pytest.mark.parametrize("text", ["0001-01-01", "9999-12-31", "1969-12-31", "3000-01-01"])
def test_dates_outside_the_years_reports_survive_are_refused(text: str) -> None:
    with pytest.raises(InputError, match="from 1970 to 2999"):
        day(text, "--since")


def test_the_last_day_of_the_range_still_has_a_next_day_in_local_time() -> None:
    from qwtimer.desk.statements import Period

    last = day("2999-12-31")
    period = Period(day("1970-01-01"), last)
    assert period.end is not None and period.start is not None
    assert period.end.date() > last


@pytest.mark.parametrize(
    "text", ["-1", "0", "nan", "inf", "-inf", "1e400", "x", "", "3601", "\u0663", "\uff13"]
)
def test_intervals_must_be_positive_finite_seconds(text: str) -> None:
    with pytest.raises(InputError, match="--interval"):
        interval_seconds(text, "--interval")


@pytest.mark.parametrize(("text", "value"), [("1", 1.0), ("0.5", 0.5), (" 2 ", 2.0)])
def test_intervals_read_as_seconds(text: str, value: float) -> None:
    assert interval_seconds(text) == value


@pytest.mark.parametrize("text", ["0", "-1", "1001", "x", "\u0662", "1.5", "", "9" * 30])
def test_whole_numbers_are_ascii_and_in_range(text: str) -> None:
    with pytest.raises(InputError, match="--blocks"):
        whole_number(text, "--blocks", 1, 1000)


def test_messages_quote_what_was_typed_on_one_line() -> None:
    with pytest.raises(InputError) as err:
        duration_seconds("5m\nand\x00more" + "x" * 100, "--talk")
    assert "\n" not in str(err.value) and "\x00" not in str(err.value)
    assert len(str(err.value)) < 200
