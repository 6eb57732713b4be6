"""The supervisors' review over a large local history: filling ``call_figures`` and the sums per
day and technician for calls made before them (schema steps 8 and 9), then each of the
review's reads (totals, groups, the Charts tab, a sorted page, a flagged count, the streamed
listing) with the peak memory the stream needs, and what the sums cost an entry of a customer
that owes.

``python -m tests.bench.bench_review [CALLS]`` (default 1,000,000). The history is written
with plain SQL (customers, calls, stops with their bills, grants and debits; one call in ten
unsettled, one in ten reopened for research after the call), then the figures are filled by
the schema step's own statement, as a database upgraded to it would be.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from peewee import SqliteDatabase

from qwtimer.core.clock import FakeClock
from qwtimer.desk import review
from qwtimer.desk.context import Desk
from qwtimer.gui.review_charts import read_charts
from qwtimer.store import call_figures, call_sums
from tests.bench.bench_gui import BARE_WINDOW
from tests.bench.common import Row, installed, median_seconds

CUSTOMERS = 10_000
OPENS = 3

# The review window in a process of its own, from the start of Python to its first page and
# totals shown: prints the seconds.
REVIEW_WINDOW = """
import sys, time
t0 = time.perf_counter()
from PySide6.QtWidgets import QApplication
from qwtimer.desk.context import Desk
from qwtimer.gui.supervisor import open_supervisor
app = QApplication([])
desk = Desk(sys.argv[1], technician="sue")
w = open_supervisor(None, desk)
def shown():
    print(f"{time.perf_counter() - t0:.4f}", flush=True)
    app.quit()
w.refreshed.connect(shown)
app.exec()
"""


# Runs a command and prints its peak resident KiB. A small process of its own starts it: Linux
# counts a child's peak from the memory of the process that forked it, so this process (with
# a million calls read) would be counted in.
PEAK = """
import os, subprocess, sys
p = subprocess.Popen(sys.argv[1:])
_, status, usage = os.wait4(p.pid, 0)
print(usage.ru_maxrss, file=sys.stderr)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def _process(cmd: list[str], output: bool = False) -> tuple[float, float, str]:
    """Wall seconds, peak resident MiB and (with ``output``) what it printed, of one process
    run as installed; its output is discarded otherwise."""
    env = {**installed().env, "QT_QPA_PLATFORM": "offscreen"}
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-S", "-c", PEAK, *cmd],
        env=env,
        stdout=subprocess.PIPE if output else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=3600,
    )
    took = time.perf_counter() - t0
    if out.returncode != 0:
        raise RuntimeError(f"{cmd[:6]} failed: {out.stderr}")
    return took, int(out.stderr.split()[-1]) / 1024, out.stdout or ""


def _window(folder: Path) -> tuple[float, float, float]:
    """The review window opened on ``folder`` (median seconds to its first page and totals
    shown, its peak MiB) and a bare PySide6 window shown and quit (median seconds)."""
    python = installed().python
    opens, peaks, bares = [], [], []
    for _ in range(OPENS):  # interleaved, so both see the same machine
        _, peak, printed = _process([python, "-c", REVIEW_WINDOW, str(folder)], output=True)
        opens.append(float(printed.split()[-1]))
        peaks.append(peak)
        bares.append(_process([python, "-c", BARE_WINDOW])[0])
    return statistics.median(opens), max(peaks), statistics.median(bares)


def fill(desk: Desk, calls: int) -> None:
    db = desk.db
    for sql in call_figures.TRIGGERS:  # the history predates the figures
        name = sql.split("EXISTS", 1)[1].split()[0]
        db.execute_sql(f"DROP TRIGGER {name}")
    db.execute_sql("DROP TABLE call_figures")
    with db.atomic():
        db.execute_sql(
            f"""WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {CUSTOMERS - 1})
            INSERT INTO customer (id, name, phone, email, created_at, synced)
            SELECT 'cu' || i, 'Customer ' || (i % 9000), '', '', '2026-01-01T00:00:00.000000+00:00', 1
            FROM n"""
        )
        db.execute_sql(
            """INSERT INTO entry (id, customer_id, kind, seconds, cents, reason, author,
               device_id, created_at, synced)
               SELECT 'g' || id, id, 'grant', 2700, 0, 'R1', 'ledger', 'ledger',
                      '2026-01-01T00:00:00.000000+00:00', 1 FROM customer"""
        )
        db.execute_sql(
            f"""WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {calls - 1})
            INSERT INTO call (id, customer_id, technician, device_id, policy_version, state,
                started_at, utc_offset_min, manual, boot_id, pending_gap_ms, synced)
            SELECT 'c' || i, 'cu' || (i % {CUSTOMERS}), 'tech' || (i % 25), 'd', '2026-11',
                'stopped', strftime('%Y-%m-%dT%H:%M:%S.000000+00:00', 1767225600 + i * 30,
                'unixepoch'), 0, 0, '', 0, 1 FROM n"""
        )
        bill = """json_object('talk_seconds', {t}, 'hold_seconds', 0, 'working_hold_seconds', 0,
            'research_seconds', {r}, 'billable_seconds', {b}, 'unbilled_seconds', 0,
            'billed_seconds', {b}, 'from_bank_seconds', {b} - {o}, 'overage_seconds', {o},
            'blocks_purchased', 0, 'charge_cents', 0, 'balance_before_seconds', 0,
            'balance_after_seconds', 0, 'settlement', {s}, 'policy_version', '2026-11',
            'added_billed_seconds', {b}, 'added_charge_cents', 0, 'stop_number', {k})"""
        first = bill.format(
            t="600 + (i % 7) * 60",
            r=0,
            b="600 + (i % 7) * 60",
            o="CASE WHEN i % 10 = 0 THEN 300 ELSE 0 END",
            s="CASE WHEN i % 10 = 0 THEN 'unsettled' ELSE 'bank' END",
            k=1,
        )
        db.execute_sql(
            f"""WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {calls - 1})
            INSERT INTO call_close (id, call_id, seq, outcome, notes, stopped_at, bill_json,
                settlement, last_seq, synced)
            SELECT 'k' || i, 'c' || i, 1, 'resolved', CASE WHEN i % 100 = 0 THEN 'printer jam'
                ELSE '' END, '2026-01-01T00:00:00.000000+00:00', {first},
                CASE WHEN i % 10 = 0 THEN 'unsettled' ELSE 'bank' END, 1, 1 FROM n"""
        )
        second = bill.format(
            t="600 + (i % 7) * 60", r=300, b="900 + (i % 7) * 60", o=300, s="'unsettled'", k=2
        )
        db.execute_sql(
            f"""WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 10 FROM n WHERE i < {calls - 10})
            INSERT INTO call_close (id, call_id, seq, outcome, notes, stopped_at, bill_json,
                settlement, last_seq, synced)
            SELECT 'r' || i, 'c' || i, 2, 'resolved', '', '2026-01-01T00:00:00.000000+00:00',
                {second}, 'unsettled', 2, 1 FROM n"""
        )
        db.execute_sql(
            """INSERT INTO entry (id, customer_id, call_id, kind, seconds, cents, reason,
               author, device_id, created_at, synced)
               SELECT 'd' || k.id, c.customer_id, c.id, 'call_debit',
                      -json_extract(k.bill_json, '$.added_billed_seconds'), 0, 'call', 'tech',
                      'ledger', k.stopped_at, 1
               FROM call_close k JOIN call c ON c.id = k.call_id"""
        )


def timed(name: str, fn) -> object:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    out = fn()
    print(f"{name:<58} {(time.perf_counter() - t0) * 1000:>9.0f} ms", flush=True)
    return out


def main(calls: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        desk = Desk(Path(folder) / "data", clock=FakeClock(), technician="sue")
        try:
            timed(f"write a history of {calls:,} calls (plain SQL)", lambda: fill(desk, calls))
            timed(
                "schema step: fill call_figures, indexes, triggers",
                lambda: call_figures.create(desk.db),
            )
            timed("schema step: sums per day and technician", lambda: call_sums.create(desk.db))
            desk.db.execute_sql("ANALYZE")
            timed("totals of every call", review.totals)
            timed(
                "the Charts tab's figures of every call", lambda: read_charts(review.Filter(), "")
            )
            timed("group by customer", lambda: review.group(review.Filter(), "customer"))
            timed("group by technician", lambda: review.group(review.Filter(), "technician"))
            timed("group by day", lambda: review.group(review.Filter(), "day"))
            timed("first page, newest first", lambda: review.page(limit=100))
            timed(
                "page 5,000 sorted by billed desc",
                lambda: review.page(sort=("billed_seconds", True), offset=500_000, limit=100),
            )
            timed(
                "count of calls with time outstanding",
                lambda: review.count(review.Filter(flags=("outstanding",))),
            )
            timed(
                "page of one technician's calls",
                lambda: review.page(review.Filter(technicians=("tech7",)), limit=100),
            )
            timed("notes contain 'jam'", lambda: review.count(review.Filter(text="jam")))
            n = timed(
                "stream every call (calls --csv's reader)", lambda: sum(1 for _ in review.rows())
            )
            tracemalloc.start()  # again, only to see the memory it holds (tracing is slow)
            sum(1 for _ in review.rows())
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            print(f"streamed {n:,} calls, peak Python memory {peak / 2**20:.1f} MiB")
        finally:
            desk.close()


def entry_of_a_customer_that_owes(db: SqliteDatabase) -> None:
    """Post (and roll back) one adjustment for a customer whose calls owe: what each of its
    unsettled calls still owes is worked out again, and the sums follow."""
    with db.atomic() as tx:
        db.execute_sql(
            """INSERT INTO entry (id, customer_id, kind, seconds, cents, reason, author,
               device_id, created_at, synced)
               VALUES ('bench-owed', 'cu0', 'adjustment', 600, 0, 'bench', 'sue', 'd',
                       '2026-01-01T00:00:00.000000+00:00', 0)"""
        )
        tx.rollback()


def rows() -> list[Row]:
    """``make bench``: at ``QWTIMER_BENCH_CALLS`` calls (default 1,000,000), the review's
    filter with totals and a sorted page, each beside SQLite's own aggregate over a covering
    index of the same table in the same run (``count(*)`` and ``sum`` read from the index
    alone), and the schema step's fill of the figures."""
    calls = int(os.environ.get("QWTIMER_BENCH_CALLS", "1000000"))
    with tempfile.TemporaryDirectory() as folder:
        desk = Desk(Path(folder) / "data", clock=FakeClock(), technician="sue")
        try:
            fill(desk, calls)
            t0 = time.perf_counter()
            call_figures.create(desk.db)
            filled = time.perf_counter() - t0
            t0 = time.perf_counter()
            call_sums.create(desk.db)
            summed = time.perf_counter() - t0
            db = desk.db
            db.execute_sql("CREATE INDEX bench_tech_billed ON call_figures (technician, billed_s)")
            db.execute_sql("ANALYZE")

            def reference() -> object:
                return db.execute_sql(
                    "SELECT technician, count(*), sum(billed_s) FROM call_figures "
                    "INDEXED BY bench_tech_billed GROUP BY technician"
                ).fetchall()

            one = review.Filter(technicians=("tech7",))
            ref = median_seconds(reference, 5, 1)
            flt = median_seconds(lambda: (review.totals(one), review.page(one, limit=200)), 5, 1)
            everything = median_seconds(review.totals, 3, 1)
            ref_all = median_seconds(
                lambda: db.execute_sql("SELECT count(*) FROM call_figures").fetchone(), 3, 1
            )
            ordered = median_seconds(
                lambda: review.page(sort=("billed_seconds", True), limit=200), 5, 1
            )
            opened = median_seconds(lambda: (review.page(limit=200), review.totals()), 5, 1)
            charts = median_seconds(lambda: read_charts(review.Filter(), ""), 3, 1)
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
            owed = median_seconds(lambda: entry_of_a_customer_that_owes(db), 5, 1)
            data = desk.folder
            window, window_mib, bare = _window(data)
            qw = [
                installed().python,
                "-m",
                "qwtimer",
                "--data-dir",
                str(data),
                "--technician",
                "sue",
            ]
            report, report_mib, _ = _process([*qw, "report", "--by", "technician", "--json"])
            listing, listing_mib, _ = _process([*qw, "calls", "--csv"])
            for sql in call_sums.TRIGGERS:
                db.execute_sql(f"DROP TRIGGER {sql.split('EXISTS', 1)[1].split()[0]}")
            owed_before = median_seconds(lambda: entry_of_a_customer_that_owes(db), 5, 1)
            at = f"at {calls:,} calls"
            return [
                Row(
                    f"review: one technician's calls, totals and first page, {at}",
                    flt * 1000,
                    "ms",
                    "SQLite GROUP BY over a covering index, every technician",
                    ref * 1000,
                    "< 200 ms",
                ),
                Row(
                    f"review: totals of every call, {at}",
                    everything * 1000,
                    "ms",
                    "SQLite count(*) over the same table",
                    ref_all * 1000,
                    "< 200 ms",
                ),
                Row(
                    f"review: first page sorted by billed, {at}",
                    ordered * 1000,
                    "ms",
                    "SQLite GROUP BY over a covering index, every technician",
                    ref * 1000,
                    "< 200 ms",
                ),
                Row(
                    f"review: opens, every call's totals and first page, {at}",
                    opened * 1000,
                    "ms",
                    "SQLite count(*) over the same table",
                    ref_all * 1000,
                    "< 200 ms",
                ),
                Row(
                    f"review: the Charts tab's figures of every call, {at}",
                    charts * 1000,
                    "ms",
                    "SQLite count(*) over the same table",
                    ref_all * 1000,
                    "< 200 ms",
                ),
                Row(
                    f"review window: start to first page and totals shown, {at}",
                    window * 1000,
                    "ms",
                    "bare PySide6 window show+quit",
                    bare * 1000,
                    "<= 2x",
                ),
                Row(
                    f"review window: peak resident memory, {at}",
                    window_mib,
                    "MiB",
                    target="< 300 MiB",
                ),
                Row(f"`report --by technician`, one process, {at}", report * 1000, "ms"),
                Row(f"`report --by technician`: peak resident memory, {at}", report_mib, "MiB"),
                Row(f"`calls --csv` of every call, one process, {at}", listing, "s"),
                Row(f"`calls --csv`: peak resident memory, {at}", listing_mib, "MiB"),
                Row(f"review: upgrade fills the figures of {calls:,} calls", filled, "s"),
                Row(f"review: upgrade fills the sums per day of {calls:,} calls", summed, "s"),
                Row(
                    f"one entry of a customer that owes, sums kept, {at}",
                    owed * 1000,
                    "ms",
                    "the same without the sums' triggers",
                    owed_before * 1000,
                ),
                Row(f"review: peak resident memory of the whole run, {at}", rss, "MiB"),
            ]
        finally:
            desk.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
