"""The sums per local day and technician the database keeps for the review
(``store.call_sums``): they follow every write of ``call_figures``, leave a timer transition
alone, follow the zone the desk runs in, and count a daylight-saving day as the one local
day SQLite says it is, exactly as the calls' rows and the review's periods do."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from unittest.mock import patch

from peewee import OperationalError

from qwtimer.core.clock import FakeClock
from qwtimer.core.timer import Action
from qwtimer.desk import review
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers
from qwtimer.desk.ledger import Ledger
from qwtimer.desk.periods import Period
from qwtimer.store import call_figures, call_sums
from qwtimer.store.models import Meta, database
from tests.unit.scenario import DESKTOP_LICENSE, zone


def kept() -> list[tuple[object, ...]]:
    return [tuple(r) for r in database.execute_sql("SELECT * FROM call_day_sums ORDER BY 1, 2")]


def summed_afresh() -> list[tuple[object, ...]]:
    grouped = f"SELECT * FROM ({call_sums.GROUPED}) ORDER BY 1, 2"
    return [tuple(r) for r in database.execute_sql(grouped)]


def by_rows(flt: review.Filter, by: str) -> list[review.GroupRow]:
    with patch.object(review.Filter, "day_sums", lambda self: None):
        return review.group(flt, by)


def calls_at(desk: Desk, clock: FakeClock, *instants: datetime, minutes: int = 10) -> None:
    """A stopped call of ``minutes`` started at each of ``instants`` (in order)."""
    acme = Customers(desk).add("Acme Ltd", DESKTOP_LICENSE)
    for at in instants:
        clock.advance((at - clock.read().utc).total_seconds())
        Calls(desk).start(acme)
        clock.advance(minutes * 60)
        Calls(desk).stop(confirmed=True)


def test_sums_are_worked_out_again_when_the_desk_opens_in_another_zone(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    start = datetime(2026, 11, 27, 23, 0, tzinfo=UTC)
    with zone("UTC"):
        clock = FakeClock(start)
        desk = Desk(folder, clock=clock, technician="tess")
        calls_at(desk, clock, start, datetime(2026, 11, 28, 3, 0, tzinfo=UTC))
        assert [g.key for g in review.group(review.Filter(), "day")] == [
            "2026-11-27",
            "2026-11-28",
        ]
        utc_key = Meta.get(Meta.key == call_sums.ZONE_KEY).value
        desk.close()
    with zone("America/New_York"):
        desk = Desk(folder, clock=clock, technician="tess")
        try:
            days = review.group(review.Filter(), "day")
            assert [(g.key, g.totals.calls) for g in days] == [("2026-11-27", 2)]
            assert days == by_rows(review.Filter(), "day")
            assert kept() == summed_afresh()
            assert Meta.get(Meta.key == call_sums.ZONE_KEY).value != utc_key
            assert not call_sums.follow_zone(desk.db)  # the same zone: nothing to do
        finally:
            desk.close()


def test_a_daylight_saving_day_is_the_one_local_day_sqlite_says(tmp_path: Path) -> None:
    """In Havana the clocks skip midnight in March and show it twice in November."""
    with zone("America/Havana"):
        start = datetime(2026, 3, 8, 4, 0, tzinfo=UTC)
        clock = FakeClock(start)
        desk = Desk(tmp_path / "data", clock=clock, technician="tess")
        try:
            calls_at(
                desk,
                clock,
                datetime(2026, 3, 8, 4, 30, tzinfo=UTC),  # 23:30 on 7 March
                datetime(2026, 3, 8, 5, 0, tzinfo=UTC),  # 01:00 on 8 March, the jump
                datetime(2026, 11, 1, 3, 30, tzinfo=UTC),  # 23:30 on 31 October
                datetime(2026, 11, 1, 4, 30, tzinfo=UTC),  # 00:30 on 1 November
                datetime(2026, 11, 1, 5, 30, tzinfo=UTC),  # 00:30 again, an hour later
                minutes=20,
            )
            days = review.group(review.Filter(), "day")
            assert [(g.key, g.totals.calls) for g in days] == [
                ("2026-03-07", 1),
                ("2026-03-08", 1),
                ("2026-10-31", 1),
                ("2026-11-01", 2),
            ]
            assert days == by_rows(review.Filter(), "day")
            for day, calls in ((date(2026, 3, 8), 1), (date(2026, 11, 1), 2)):
                flt = review.Filter(period=Period(day, day))
                assert review.totals(flt).calls == calls
                with patch.object(review.Filter, "day_sums", lambda self: None):
                    assert review.totals(flt).calls == calls
        finally:
            desk.close()


def test_a_call_moved_in_time_or_to_another_technician_leaves_no_sums_behind(
    tmp_path: Path,
) -> None:
    with zone("UTC"):
        start = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
        clock = FakeClock(start)
        desk = Desk(tmp_path / "data", clock=clock, technician="tess")
        try:
            calls_at(desk, clock, start)
            database.execute_sql(
                "UPDATE call SET technician = 'sam', started_at = '2026-11-20T09:00:00.000000+00:00'"
            )
            assert kept() == summed_afresh()
            assert [(r[0], r[1], r[2]) for r in kept()] == [("2026-11-20", "sam", 1)]
            database.execute_sql("DELETE FROM call_figures")
            assert kept() == []
        finally:
            desk.close()


def test_a_timer_transition_and_a_heartbeat_leave_the_sums_alone(tmp_path: Path) -> None:
    """Each costs the same number of row writes with the sums' triggers as without them."""
    with zone("UTC"):
        clock = FakeClock()
        desk = Desk(tmp_path / "data", clock=clock, technician="tess")
        try:
            Calls(desk).start(Customers(desk).add("Acme Ltd", DESKTOP_LICENSE))

            def writes(step: object) -> int:
                before = desk.db.execute_sql("SELECT total_changes()").fetchone()[0]
                clock.advance(30)
                if step is None:
                    Calls(desk).heartbeat()
                else:
                    Calls(desk).act(step)  # type: ignore[arg-type]
                return int(desk.db.execute_sql("SELECT total_changes()").fetchone()[0] - before)

            steps = (Action.HOLD, None, Action.RESUME)
            with_sums = [writes(s) for s in steps]
            for sql in call_sums.TRIGGERS:
                name = sql.split("EXISTS", 1)[1].split()[0]
                desk.db.execute_sql(f"DROP TRIGGER {name}")
            assert [writes(s) for s in steps] == with_sums
        finally:
            desk.close()


def test_minutes_bought_by_a_customer_that_owes_move_the_outstanding_sums(
    tmp_path: Path,
) -> None:
    with zone("UTC"):
        start = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
        clock = FakeClock(start)
        desk = Desk(tmp_path / "data", clock=clock, technician="tess")
        try:
            calls_at(desk, clock, start, datetime(2026, 11, 28, 9, 0, tzinfo=UTC), minutes=70)
            owed = review.totals().outstanding_seconds
            assert owed > 0
            acme = Customers(desk).find("Acme Ltd")
            Ledger(desk).buy_blocks(acme, 1, "tok_visa_4242", confirmed=True)
            assert review.totals().outstanding_seconds < owed
            assert kept() == summed_afresh()
        finally:
            desk.close()


def test_figures_written_afresh_while_the_sums_are_paused_are_summed_once_after(
    tmp_path: Path,
) -> None:
    with zone("UTC"):
        start = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
        clock = FakeClock(start)
        desk = Desk(tmp_path / "data", clock=clock, technician="tess")
        try:
            calls_at(desk, clock, start, datetime(2026, 11, 28, 9, 0, tzinfo=UTC))
            summed = kept()
            with call_sums.paused(desk.db):
                call_figures.create(desk.db)  # every row written afresh
                database.execute_sql("DELETE FROM call_day_sums")
                assert kept() == []  # not followed meanwhile
            assert kept() == summed == summed_afresh()
            database.execute_sql("UPDATE call SET technician = 'sam'")
            assert kept() == summed_afresh()  # followed again
        finally:
            desk.close()


def test_sums_that_cannot_follow_the_zone_now_are_not_read_until_they_do(tmp_path: Path) -> None:
    """A full disk while the sums should be worked out again: the desk opens all the same and
    the review reads the calls' rows, in the new zone's days."""
    folder = tmp_path / "data"
    start = datetime(2026, 11, 27, 23, 0, tzinfo=UTC)
    with zone("UTC"):
        clock = FakeClock(start)
        desk = Desk(folder, clock=clock, technician="tess")
        calls_at(desk, clock, start, datetime(2026, 11, 28, 3, 0, tzinfo=UTC))
        desk.close()
    with zone("America/New_York"):
        full = OperationalError("database or disk is full")
        with patch.object(call_sums, "rebuild", side_effect=full):
            desk = Desk(folder, clock=clock, technician="tess")
        try:
            assert not call_sums.in_zone()
            assert review.Filter().day_sums() is None
            days = review.group(review.Filter(), "day")
            assert [(g.key, g.totals.calls) for g in days] == [("2026-11-27", 2)]
        finally:
            desk.close()
        desk = Desk(folder, clock=clock, technician="tess")
        try:
            assert call_sums.in_zone()
            assert review.group(review.Filter(), "day") == days
        finally:
            desk.close()
