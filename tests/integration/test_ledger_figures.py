"""The figures are the ledger's: after a sync a call shows the settlement the ledger made, not
the laptop's provisional bill (two laptops on one bank; the embedded SQLite file and
PostgreSQL)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from qwtimer import cli
from qwtimer.desk import review
from qwtimer.desk.receipt import receipt
from tests.integration.conftest import SUPERVISOR, Backend
from tests.integration.devices import Device

MakeDevice = Callable[[str], Device]
MIN = 60


def _main(capsys: pytest.CaptureFixture[str], device: Device, *argv: str) -> Any:
    capsys.readouterr()
    folder = str(device.desk.folder)
    status = cli.main(["--data-dir", folder, "--technician", device.desk.technician, *argv])
    out = capsys.readouterr()
    assert status == 0, out.err
    return json.loads(out.out) if "--json" in argv else out.out


def _row(device: Device, call_id: str) -> review.CallRow:
    device.use()
    (row,) = [r for r in review.rows() if r.call_id == call_id]
    return row


def _money(row: dict[str, Any] | review.CallRow) -> tuple[Any, ...]:
    d = row if isinstance(row, dict) else row.as_dict()
    keys = ("billed_seconds", "from_bank_seconds", "overage_seconds", "blocks_purchased")
    return (
        *(d[k] for k in keys),
        d["charge_cents"],
        d["settlement"],
        d["unsettled_at_the_time_seconds"],
        d["provisional"],
    )


@pytest.fixture
def two_laptops_one_bank(
    ledger: Backend, make_device: MakeDevice
) -> tuple[Device, Device, Device, dict[str, str]]:
    """Acme (no card) and Beta (a card) have 45 minutes each; tess and tom, both offline,
    each take a 30-minute call for each from the same 45 minutes; tess syncs first, then tom.
    Returns sam (the supervisor, not yet synced since), tess, tom and the calls."""
    sam = make_device(SUPERVISOR)
    acme, beta = sam.add_customer("Acme"), sam.add_customer("Beta", card=True)
    assert sam.sync(ledger.url(SUPERVISOR)).ok
    tess, tom = make_device("tess"), make_device("tom")
    for t in (tess, tom):
        assert t.sync(ledger.url(t.desk.technician)).ok
    calls = {}
    for t in (tess, tom):
        for name, cid in (("acme", acme), ("beta", beta)):
            calls[f"{t.desk.technician}-{name}"] = t.log(cid, 30)
    for t in (tess, tom):
        assert _money(_row(t, calls[f"{t.desk.technician}-acme"])) == (
            *(30 * MIN, 30 * MIN, 0, 0, 0, "bank", 0, True),
        )
        report = t.sync(ledger.url(t.desk.technician))
        assert report.ok, report.error
    assert len(report.resettled) == 2  # tom's: the ledger found 15 minutes left
    return sam, tess, tom, calls


# The ledger's settlement of tom's calls: 15 minutes left in each bank after tess's call.
TOM_ACME = (30 * MIN, 15 * MIN, 15 * MIN, 0, 0, "unsettled", 15 * MIN, False)
TOM_BETA = (30 * MIN, 15 * MIN, 15 * MIN, 1, 3000, "paid", 0, False)
TESS = (30 * MIN, 30 * MIN, 0, 0, 0, "bank", 0, False)


def test_after_a_sync_the_review_shows_the_ledgers_split_not_the_laptops_bill(
    ledger: Backend,
    two_laptops_one_bank: tuple[Device, Device, Device, dict[str, str]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    sam, tess, tom, calls = two_laptops_one_bank
    assert sam.sync(ledger.url(SUPERVISOR)).ok
    expected = {
        calls["tom-acme"]: TOM_ACME,
        calls["tom-beta"]: TOM_BETA,
        calls["tess-acme"]: TESS,
        calls["tess-beta"]: TESS,
    }
    for call_id, figures in expected.items():
        assert _money(_row(sam, call_id)) == figures
    for t in (tess, tom):  # each technician sees the same for their own calls
        for key, call_id in calls.items():
            if key.startswith(t.desk.technician):
                assert _money(_row(t, call_id)) == expected[call_id]
    listed = {r["call_id"]: r for r in _main(capsys, sam, "calls", "--json")}
    assert {c: _money(r) for c, r in listed.items()} == expected
    sam.use()
    totals = review.totals()
    assert (totals.from_bank_seconds, totals.overage_seconds) == (90 * MIN, 30 * MIN)
    assert (totals.blocks_purchased, totals.charge_cents) == (1, 3000)
    assert totals.unsettled_at_the_time_seconds == 15 * MIN
    assert review.count(review.Filter(flags=("provisional",))) == 0
    by_tech = {g["key"]: g for g in _main(capsys, sam, "report", "--json")["rows"]}
    assert by_tech["tom"]["from_bank_seconds"] == 30 * MIN
    assert (by_tech["tom"]["charge_cents"], by_tech["tom"]["blocks_purchased"]) == (3000, 1)
    assert by_tech["tom"]["unsettled_at_the_time_seconds"] == 15 * MIN
    for device in (sam, tom):  # the receipt: as the ledger settled it
        device.use()
        for call_id, paid in ((calls["tom-acme"], 0), (calls["tom-beta"], 30 * MIN)):
            (stop,) = receipt(device.desk, call_id).stops
            assert stop.settled_by_ledger
            assert (stop.from_bank_seconds, stop.bought_seconds) == (15 * MIN, paid)
            assert stop.unpaid_seconds == (15 * MIN if not paid else 0)
            assert stop.bank_before_seconds == 15 * MIN
        text = _main(capsys, device, "receipt", calls["tom-acme"])
        assert re.search(r"From your minute bank: +15 min", text)
        assert re.search(r"Not yet paid \(no card on file\): +15 min", text)
        assert "not yet settled by the ledger" not in text


def test_a_call_not_yet_pushed_shows_the_laptops_bill_as_provisional(
    ledger: Backend,
    two_laptops_one_bank: tuple[Device, Device, Device, dict[str, str]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    sam, _, tom, calls = two_laptops_one_bank
    acme = _row(tom, calls["tom-acme"]).customer_id
    late = tom.log(acme, 10)  # not pushed: the bank here is the ledger's, -15 minutes
    assert _money(_row(tom, late)) == (10 * MIN, 0, 10 * MIN, 0, 0, "unsettled", 10 * MIN, True)
    tom.use()
    assert [r.call_id for r in review.page(review.Filter(flags=("provisional",)))] == [late]
    assert not receipt(tom.desk, late).stops[0].settled_by_ledger
    assert "not yet settled by the ledger" in _main(capsys, tom, "receipt", late)
    listed = {r["call_id"]: r for r in _main(capsys, tom, "calls", "--json")}
    assert listed[late]["provisional"] is True and listed[calls["tom-acme"]]["provisional"] is False
    assert tom.sync(ledger.url("tom")).ok
    assert _money(_row(tom, late)) == (10 * MIN, 0, 10 * MIN, 0, 0, "unsettled", 10 * MIN, False)
    assert sam.sync(ledger.url(SUPERVISOR)).ok
    assert _money(_row(sam, late)) == _money(_row(tom, late))
