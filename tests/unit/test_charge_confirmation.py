"""Nothing is charged without the technician seeing it: what a stop charges, in words, and
the policy's limits (a call over the ceiling, more blocks than allowed at once) that need
``--yes`` on the command line. Each command runs as its own process."""

from __future__ import annotations

from pathlib import Path

import pytest

from qwtimer.core.billing import Split
from qwtimer.core.charges import charge_text, over_limits
from qwtimer.core.policy import load_policy
from tests.conftest import POLICY_FILE
from tests.unit.scenario import table_rows
from tests.unit.test_cli import ACME, Cli, add_acme, assert_refused

POLICY = load_policy(POLICY_FILE)


@pytest.fixture
def cli(qwtimer_cmd: list[str], tmp_path: Path) -> Cli:
    return Cli(qwtimer_cmd, tmp_path / "data")


def with_card(cli: Cli) -> None:
    add_acme(cli)
    cli.run("customer", "card", ACME, "--ref", "tok_visa_8f2a", "--last4", "4242")


def test_the_charge_is_worded_with_blocks_amount_and_card() -> None:
    one_block = Split(300, 420, 1, 1800, 3000, 1380, "paid")
    assert charge_text(one_block, "the card ending 4242") == (
        "1 block, $30.00, to the card ending 4242"
    )
    assert charge_text(Split(720, 0, 0, 0, 0, 2000, "bank"), None) == (
        "no charge: 12:00 from the bank"
    )
    unsettled = Split(0, 90, 0, 0, 0, -90, "unsettled")
    assert charge_text(unsettled, None).startswith("unsettled: no card on file")


def test_limits_come_from_the_policy_file() -> None:
    assert over_limits(4 * 3600, Split(0, 0, 2, 3600, 6000, 0, "paid"), POLICY) is None
    assert "longer than the 4:00:00" in (
        over_limits(4 * 3600 + 1, Split(0, 0, 0, 0, 0, 0, "bank"), POLICY) or ""
    )
    assert "more than 2 blocks" in (
        over_limits(60, Split(0, 0, 3, 5400, 9000, 0, "paid"), POLICY) or ""
    )


def test_a_typo_of_25_hours_charges_nothing_without_yes(cli: Cli) -> None:
    with_card(cli)
    before = table_rows(cli.db)
    p = cli.run("call", "log", ACME, "--talk", "25h", code=2)
    assert_refused(p, "49 blocks, $1,470.00, to the card ending 4242", "--yes")
    assert table_rows(cli.db) == before  # no call, no segment, no entry


def test_a_charge_of_more_than_two_blocks_needs_yes_then_is_made(cli: Cli) -> None:
    with_card(cli)
    before = table_rows(cli.db)
    p = cli.run("call", "log", ACME, "--talk", "2h", code=2)  # 45 min bank: 3 blocks
    assert_refused(p, "3 blocks, $90.00, to the card ending 4242", "more than 2 blocks")
    assert table_rows(cli.db) == before
    bill = cli.json("call", "log", ACME, "--talk", "2h", "--yes")
    assert (bill["blocks_purchased"], bill["charge_cents"]) == (3, 9000)


def test_two_blocks_need_no_confirmation(cli: Cli) -> None:
    with_card(cli)
    bill = cli.json("call", "log", ACME, "--talk", "1:30:00")  # 45 min bank: 2 blocks
    assert (bill["blocks_purchased"], bill["charge_cents"]) == (2, 6000)


def test_buying_more_blocks_than_the_limit_needs_yes(cli: Cli) -> None:
    with_card(cli)
    before = table_rows(cli.db)
    p = cli.run("minutes", "buy", ACME, "--blocks", "5", code=2)
    assert_refused(p, "5 blocks, $150.00, to the card ending 4242", "--yes")
    assert table_rows(cli.db) == before
    bought = cli.json("minutes", "buy", ACME, "--blocks", "5", "--yes")
    assert bought["charge_cents"] == 15000


def test_the_timer_stop_over_the_block_limit_needs_yes(cli: Cli) -> None:
    with_card(cli)
    cli.run("call", "log", ACME, "--talk", "45m")  # the bank is empty
    cli.run("ledger", "adjust", ACME, "--minutes=-90m", "--reason", "owes 1:30 from before")
    cli.run("timer", "start", ACME)
    while cli.json("timer", "status")["elapsed_seconds"] < 1:  # the call bills a minute
        pass
    before = table_rows(cli.db)["call_close"]
    p = cli.run("timer", "stop", code=2)  # a 1:30 overdraft and the call: 4 blocks
    assert_refused(p, "4 blocks, $120.00", "--yes")
    assert table_rows(cli.db)["call_close"] == before
    assert cli.json("timer", "status")["state"] == "talk"  # still running
    bill = cli.json("timer", "stop", "--yes")
    assert bill["blocks_purchased"] == 4
