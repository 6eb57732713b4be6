"""The policy file loader: the shipped file holds POLICY.md's numbers; a malformed file is
rejected with a message that names the file and the field."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from qwtimer.core.errors import PolicyError
from qwtimer.core.policy import PolicyBook, load_policy
from qwtimer.core.timer import SegmentKind
from tests.conftest import POLICY_FILE

SHIPPED = POLICY_FILE.read_text(encoding="utf-8")


def write(tmp_path: Path, text: str, name: str = "broken.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def edited(pattern: str, replacement: str) -> str:
    text, n = re.subn(pattern, replacement, SHIPPED, count=1, flags=re.MULTILINE)
    assert n == 1, f"the shipped policy no longer has {pattern!r}"
    return text


def test_shipped_policy_holds_every_number_of_the_policy() -> None:
    p = load_policy(POLICY_FILE)
    assert p.version == "2026-11"
    assert p.effective.isoformat() == "2026-11-01"
    assert p.included_minutes == 45  # R1
    assert p.grant_products == ("desktop", "web")
    assert (p.increment_seconds, p.rounding_mode, p.grace_seconds) == (60, "up", 0)  # R3
    assert p.billable_kinds == {SegmentKind.TALK, SegmentKind.WORKING_HOLD, SegmentKind.RESEARCH}
    assert p.rate_cents_per_minute == 100  # R6
    assert (p.block_minutes, p.block_seconds, p.block_price_cents) == (30, 1800, 3000)
    assert p.settlement == "blocks"
    assert p.card_required is True  # R6.1
    assert (p.max_call_minutes, p.max_call_seconds, p.confirm_blocks_over) == (240, 4 * 3600, 2)


BROKEN = {
    "missing field": (r"^increment_seconds = 60.*\n", "", "rounding.increment_seconds", "missing"),
    "missing table": (
        r"^\[pay_per_minute\][\s\S]*?(?=^\[eligibility\])",
        "",
        "pay_per_minute.rate_cents_per_minute",
        "missing",
    ),
    "wrong type": (
        r"^included_minutes = 45",
        'included_minutes = "45"',
        "bank.included_minutes",
        "whole number",
    ),
    "true is not a number": (
        r"^grace_seconds = 0",
        "grace_seconds = true",
        "rounding.grace_seconds",
        "whole number",
    ),
    "increment 7": (
        r"^increment_seconds = 60",
        "increment_seconds = 7",
        "rounding.increment_seconds",
        "one of 1, 6, 30, 60",
    ),
    "hold billable": (
        r"^kinds = .*$",
        'kinds = ["talk", "hold", "working_hold", "research"]',
        "billable.kinds",
        "passive hold is never billable",
    ),
    "unknown kind": (
        r"^kinds = .*$",
        'kinds = ["talk", "lunch"]',
        "billable.kinds",
        "'lunch'",
    ),
    "negative rate": (
        r"^rate_cents_per_minute = 100",
        "rate_cents_per_minute = -1",
        "pay_per_minute.rate_cents_per_minute",
        "between 0 and",
    ),
    "unknown settlement": (
        r'^settlement = "blocks"',
        'settlement = "barter"',
        "pay_per_minute.settlement",
        "one of blocks, per_minute",
    ),
    "card_required not a flag": (
        r"^card_required = true",
        'card_required = "yes"',
        "pay_per_minute.card_required",
        "true or false",
    ),
    "not a date": (
        r"^effective = 2026-11-01",
        'effective = "first of November"',
        "effective",
        "must be a date",
    ),
    "empty version": (r'^version = "2026-11"', 'version = ""', "version", "non-empty"),
    "no call ceiling": (
        r"^max_call_minutes = .*\n",
        "",
        "limits.max_call_minutes",
        "missing",
    ),
    "a call ceiling of zero": (
        r"^max_call_minutes = 240",
        "max_call_minutes = 0",
        "limits.max_call_minutes",
        "between 1 and",
    ),
    "confirmation limit not a number": (
        r"^confirm_blocks_over = 2",
        'confirm_blocks_over = "two"',
        "limits.confirm_blocks_over",
        "whole number",
    ),
    "grace as long as the increment": (
        r"^grace_seconds = 0",
        "grace_seconds = 60",
        "rounding.grace_seconds",
        "shorter than the increment",
    ),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_malformed_policy_is_rejected_naming_the_field(tmp_path: Path, case: str) -> None:
    pattern, replacement, field, problem = BROKEN[case]
    path = write(tmp_path, edited(pattern, replacement))
    with pytest.raises(PolicyError) as err:
        load_policy(path)
    message = str(err.value)
    assert f"'{field}'" in message
    assert problem in message
    assert "broken.toml" in message


def test_bad_toml_is_rejected_naming_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, SHIPPED + "\n[rounding\nmode = up\n")
    with pytest.raises(PolicyError, match=r"broken\.toml is not valid TOML .*line"):
        load_policy(path)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="does not exist"):
        load_policy(tmp_path / "nowhere.toml")


def test_policy_book_refuses_an_empty_folder_and_a_version_twice(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="no policy file"):
        PolicyBook.from_dir(tmp_path)
    write(tmp_path, SHIPPED, "a.toml")
    write(tmp_path, SHIPPED, "b.toml")
    with pytest.raises(PolicyError, match="2026-11 is defined twice"):
        PolicyBook.from_dir(tmp_path)


def test_policy_book_never_substitutes_an_unknown_version() -> None:
    book = PolicyBook.from_dir(POLICY_FILE.parent)
    with pytest.raises(PolicyError, match="1999-01 is not installed"):
        book.version("1999-01")


def test_policy_book_picks_the_version_in_force(tmp_path: Path) -> None:
    write(tmp_path, SHIPPED, "2026-11.toml")
    later = SHIPPED.replace('version = "2026-11"', 'version = "2027-01"').replace(
        "effective = 2026-11-01", "effective = 2027-01-01"
    )
    write(tmp_path, later, "2027-01.toml")
    book = PolicyBook.from_dir(tmp_path)
    assert book.in_force(date(2026, 12, 31)).version == "2026-11"
    assert book.in_force(date(2027, 1, 1)).version == "2027-01"
    assert book.in_force(date(2020, 1, 1)).version == "2026-11"  # the earliest if none yet
