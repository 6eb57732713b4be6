"""The fault runs' checks can fail: a doubled segment, a second close, a lost acknowledged
transition, a damaged file and a ledger that differs from its twin are each counted."""

from __future__ import annotations

from pathlib import Path

from qwtimer.core.clock import FakeClock
from qwtimer.core.timer import Action
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from tests.faults.checks import Tally, check_integrity, check_timer_rows, compare_money
from tests.faults.kills import _check_acks
from tests.faults.twins import device_with_twin
from tests.unit.scenario import customer


def _stopped_call(desk: Desk, clock: FakeClock) -> str:
    calls = Calls(desk)
    call = calls.start(customer(desk))
    clock.advance(60)
    calls.act(Action.HOLD)
    clock.advance(60)
    calls.stop("resolved", "", None, None)
    return str(call.id)


def test_a_sound_stopped_call_counts_nothing_lost_or_doubled(desk: Desk, clock: FakeClock) -> None:
    _stopped_call(desk, clock)
    tally = Tally("t")
    check_timer_rows(desk.db_path, tally)
    check_integrity(desk.folder, tally)
    assert not tally.failed and tally.records > 0


def test_a_second_close_of_a_call_counts_as_doubled(desk: Desk, clock: FakeClock) -> None:
    call_id = _stopped_call(desk, clock)
    desk.db.execute_sql(
        "INSERT INTO call_close (id, call_id, seq, outcome, notes, stopped_at, bill_json, "
        "settlement, synced) SELECT 'again', call_id, 2, outcome, notes, stopped_at, bill_json, "
        "settlement, 0 FROM call_close WHERE call_id = ?",
        (call_id,),
    )
    tally = Tally("t")
    check_timer_rows(desk.db_path, tally)
    assert tally.doubled == 1


def test_an_acknowledged_transition_missing_counts_as_lost(desk: Desk, clock: FakeClock) -> None:
    call_id = _stopped_call(desk, clock)
    tally = Tally("t")
    _check_acks(desk.db_path, [f"{call_id} 1 talk", f"{call_id} 3 stopped"], tally)
    assert tally.lost == 1


def test_more_segments_than_acknowledged_on_a_stopped_call_count_as_doubled(
    desk: Desk, clock: FakeClock
) -> None:
    call_id = _stopped_call(desk, clock)
    tally = Tally("t")
    _check_acks(desk.db_path, [f"{call_id} 1 stopped"], tally)
    assert tally.doubled == 1


def test_a_damaged_file_counts_as_damaged(tmp_path: Path) -> None:
    (tmp_path / "qwtimer.db").write_bytes(b"\x00not a database\xff" * 512)
    tally = Tally("t")
    check_integrity(tmp_path, tally)
    assert tally.damaged == 1


def test_a_ledger_that_differs_from_its_twin_counts(tmp_path: Path) -> None:
    device, twin = device_with_twin(tmp_path, 1)
    clean, faulty = f"sqlite://{tmp_path / 'clean.db'}", f"sqlite://{tmp_path / 'faulty.db'}"
    try:
        assert twin.sync(clean).ok and device.sync(faulty).ok
        same = Tally("t")
        compare_money(faulty, clean, same)
        assert not same.failed and same.records > 0
        (customer_id,) = device.desk.db.execute_sql("SELECT id FROM customer LIMIT 1").fetchone()
        device.log(customer_id, 20)  # a call the twin never made: billed twice, as it were
        assert device.sync(faulty).ok
        differs = Tally("t")
        compare_money(faulty, clean, differs)
        assert differs.doubled > 0
    finally:
        device.close()
        twin.close()
