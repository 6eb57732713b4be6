"""The supervisors' review of every call, as typed rows: a page of calls, their count, their
totals and their groups (per call, technician, customer or day), filtered and sorted in the
database (``store.review_sql`` over ``store.call_figures``), never by loading every call.

Figures are integer seconds and cents, each call's as of its latest stop (the whole call,
R3, R5), net of its corrections (R13): a reversed debit is no longer billed, a refunded
purchase no longer charged. The money is the ledger's settlement of each stop once a sync
brought it; a call with a stop the ledger has not settled yet shows this laptop's bill for it
and is ``provisional``. Two figures say what was not paid (R6.1):

- ``unsettled_at_the_time_seconds``: the pay-per-minute time the call's stops left unsettled
  when they were made (no card on file), whatever happened since;
- ``outstanding_seconds``: what of it is still owed now. A customer's overdraft (its bank
  below zero) is owed by its calls that left time unsettled, newest first, so blocks bought
  at a later stop, minutes bought or a supervisor's credit reduce it.

Everything here reads; the window and the command line use the same functions:

``page(flt, sort, offset, limit)``, ``rows(flt, sort)`` (a stream, for exports),
``count(flt)``, ``totals(flt)``, ``group(flt, by)``, ``length_counts(flt)``; they read the local database the
desk opened, on the calling thread's connection. A filter of whole days and technicians only
is counted, totalled, grouped per day or technician and binned by length from the sums the
database keeps per local day and technician (``store.call_sums``), at a cost that does not
grow with the calls; any other filter reads the calls' rows. Both give the same answer.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any

from qwtimer.core.billing import Settlement
from qwtimer.core.errors import InputError
from qwtimer.desk.periods import Period
from qwtimer.store import call_sums
from qwtimer.store import review_sql as q
from qwtimer.store.models import database, utc_text, utc_value

GROUPINGS = ("call", "technician", "customer", "day")
SORTS = tuple(q.SORTS)
FLAGS = ("unsettled", "outstanding", "sleep_gap", "corrected", "resettled", "provisional")


@dataclass(frozen=True)
class Filter:
    """Which calls: started in ``period`` (whole local days), by any of ``technicians``, for
    any of ``customers`` (ids), with ``settlement``, carrying every flag in ``flags`` (see
    ``FLAGS``), longer than ``longer_than_minutes`` (talk, hold, working hold and research),
    whose notes contain ``text`` (any case), and only calls with a bill when ``billed_only``.
    Empty parts keep every call."""

    period: Period = field(default_factory=Period)
    technicians: tuple[str, ...] = ()
    customers: tuple[str, ...] = ()
    settlement: Settlement | None = None
    flags: tuple[str, ...] = ()
    longer_than_minutes: int | None = None
    text: str = ""
    billed_only: bool = False

    def __post_init__(self) -> None:
        unknown = [f for f in self.flags if f not in FLAGS]
        if unknown:
            raise InputError(f"unknown flag {unknown[0]!r}: use one of {', '.join(FLAGS)}")

    def where(self) -> q.Where:
        start, end = self.period.start, self.period.end
        return q.where(
            utc_text(start) if start else None,
            utc_text(end) if end else None,
            self.technicians,
            self.customers,
            self.settlement.value if self.settlement else None,
            self.flags,
            self.longer_than_minutes * 60 if self.longer_than_minutes is not None else None,
            self.text.strip(),
            self.billed_only,
        )

    def day_sums(self) -> q.Where | None:
        """The WHERE clause over the sums per local day and technician when this filter keeps
        whole days and technicians only (what they can answer) and the sums are this zone's
        days; None otherwise: only the calls' rows can answer."""
        if (
            self.customers
            or self.settlement is not None
            or self.flags
            or self.longer_than_minutes is not None
            or self.text.strip()
            or self.billed_only
            or not call_sums.in_zone()
        ):
            return None
        since, until = self.period.since, self.period.until
        return q.sums_where(
            since.isoformat() if since else None,
            until.isoformat() if until else None,
            self.technicians,
        )


@dataclass(frozen=True)
class CallRow:
    """One call. The bill's figures are None while the call has never been stopped."""

    call_id: str
    customer_id: str
    customer: str
    technician: str
    started_at: datetime
    state: str
    outcome: str | None
    talk_seconds: int | None
    hold_seconds: int | None
    working_hold_seconds: int | None
    research_seconds: int | None
    billable_seconds: int | None
    unbilled_seconds: int | None
    billed_seconds: int | None
    from_bank_seconds: int | None
    overage_seconds: int | None
    blocks_purchased: int | None
    charge_cents: int | None
    settlement: Settlement | None
    outstanding_seconds: int
    unsettled_at_the_time_seconds: int
    corrected: bool
    corrections_seconds: int  # credited back by corrections (billed is net of it)
    corrections_cents: int  # charged by corrections (refunds negative; charge is net of it)
    resettled: bool
    sleep_gap: bool
    stops: int
    notes: str
    synced: bool
    policy_version: str
    provisional: bool  # a stop not yet settled by the ledger: the money is this laptop's

    @classmethod
    def of(cls, row: tuple[Any, ...]) -> CallRow:
        values = list(row)
        values[4] = utc_value(values[4])
        values[18] = Settlement(values[18]) if values[18] is not None else None
        for n in (21, 24, 25, 28, 30):
            values[n] = bool(values[n])
        return cls(*values)

    def as_dict(self) -> dict[str, Any]:
        """The row for ``--json`` and CSV (``ROW_KEYS``): ISO 8601 instants, plain text."""
        d = asdict(self)
        d["started_at"] = self.started_at.isoformat()
        d["settlement"] = self.settlement.value if self.settlement else None
        return d


ROW_KEYS = tuple(f.name for f in fields(CallRow))


@dataclass(frozen=True)
class Totals:
    """Sums over calls (only calls with a bill add to the figures)."""

    calls: int = 0
    talk_seconds: int = 0
    hold_seconds: int = 0
    working_hold_seconds: int = 0
    research_seconds: int = 0
    billable_seconds: int = 0
    unbilled_seconds: int = 0
    billed_seconds: int = 0
    from_bank_seconds: int = 0
    overage_seconds: int = 0
    blocks_purchased: int = 0
    charge_cents: int = 0
    outstanding_seconds: int = 0
    unsettled_at_the_time_seconds: int = 0
    corrections_seconds: int = 0
    corrections_cents: int = 0
    corrected_calls: int = 0
    resettled_calls: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


TOTAL_KEYS = tuple(f.name for f in fields(Totals))


@dataclass(frozen=True)
class GroupRow:
    """One group: ``key`` identifies it (a call or customer id, a technician, a local day
    ``YYYY-MM-DD``), ``label`` names it for people (the customer's name for a customer or a
    call), ``totals`` its sums."""

    key: str
    label: str
    totals: Totals

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, **self.totals.as_dict()}


GROUP_KEYS = ("key", "label", *TOTAL_KEYS)


@contextmanager
def snapshot() -> Iterator[None]:
    """Every read inside the block sees the database as its first read found it, whatever
    other connections commit meanwhile (one read transaction: deferred, so it holds no lock
    a writer waits for). A window's totals and first page read inside one agree."""
    with database.atomic(lock_type="DEFERRED"):
        yield


def _execute(sql: str, params: tuple[object, ...] = ()) -> Any:
    """Run a read on the local database the desk opened (this thread's connection)."""
    return database.execute_sql(sql, params)


def _check_sort(sort: tuple[str, bool]) -> None:
    if sort[0] not in q.SORTS:
        raise InputError(f"cannot sort by {sort[0]!r}: use one of {', '.join(SORTS)}")


def page(
    flt: Filter = Filter(),
    sort: tuple[str, bool] = ("started_at", True),
    offset: int = 0,
    limit: int = 100,
) -> list[CallRow]:
    """At most ``limit`` calls from ``offset`` in ``sort`` order ((column, descending); any
    of ``SORTS``, ties broken by call id so pages never overlap)."""
    _check_sort(sort)
    w = flt.where()
    sql = q.page_sql(w, sort[0], sort[1], max(0, limit), max(0, offset))
    return [CallRow.of(r) for r in _execute(sql, w.params)]


def rows(
    flt: Filter = Filter(), sort: tuple[str, bool] = ("started_at", True)
) -> Generator[CallRow, None, None]:
    """Every call of ``flt`` in ``sort`` order, read from one statement in batches: memory
    stays flat however many calls there are."""
    _check_sort(sort)
    w = flt.where()
    cursor = _execute(q.page_sql(w, sort[0], sort[1], None, 0), w.params)
    try:
        while batch := cursor.fetchmany(500):
            for r in batch:
                yield CallRow.of(r)
    finally:
        cursor.close()


def count(flt: Filter = Filter()) -> int:
    s = flt.day_sums()
    if s is not None:
        return int(_execute(q.sums_count_sql(s), s.params).fetchone()[0])
    w = flt.where()
    return int(_execute(q.count_sql(w), w.params).fetchone()[0])


def totals(flt: Filter = Filter()) -> Totals:
    """The sums over every call of ``flt`` (from the sums per day and technician when they
    can answer: the same figures)."""
    s = flt.day_sums()
    if s is not None:
        return Totals(*(int(v) for v in _execute(q.sums_totals_sql(s), s.params).fetchone()))
    w = flt.where()
    return Totals(*(int(v) for v in _execute(q.totals_sql(w), w.params).fetchone()))


def group(flt: Filter, by: str) -> list[GroupRow]:
    """The calls of ``flt`` grouped ``by`` one of ``GROUPINGS``: per technician and customer
    in name order (customers by id: two of the same name stay two rows), per day and call in
    time order."""
    if by not in GROUPINGS:
        raise InputError(f"--by {by}: group by one of {', '.join(GROUPINGS)}")
    s = flt.day_sums() if by in q.DAY_GROUPS else None
    if s is not None:
        sql, params = q.sums_group_sql(s, by), s.params
    else:
        w = flt.where()
        sql, params = q.group_sql(w, by), w.params
    return [
        GroupRow(str(r[0]), str(r[1]), Totals(*(int(v) for v in r[2:])))
        for r in _execute(sql, params)
    ]


def length_counts(
    flt: Filter = Filter(), bucket_minutes: int = 5, most: int = 12
) -> list[tuple[str, int]]:
    """The calls of ``flt`` counted per length (talk, hold, working hold and research) in
    buckets of ``bucket_minutes``: ``[("0-5", 3), ("5-10", 0), ("10-15", 1)]``, the lower end
    included, every bucket from 0 to the longest call's, at most ``most`` of them, the last
    one open (``"55+"``) when longer calls are counted in it; ``[]`` when there are no calls.
    Counted by the database, whatever the number of calls (the same buckets as
    ``printing.charts.length_buckets``)."""
    if bucket_minutes < 1 or most < 1:
        raise InputError(
            f"length buckets of {bucket_minutes} min, at most {most}: give at least 1 of each"
        )
    counted = _binned(flt, bucket_minutes, most)
    if not counted:
        return []
    longer = counted.pop(most, 0)  # calls of most * bucket_minutes or longer
    n = most if longer else max(counted) + 1
    counts = [counted.get(i, 0) for i in range(n)]
    counts[-1] += longer
    labels = [f"{i * bucket_minutes}-{(i + 1) * bucket_minutes}" for i in range(n)]
    if longer:
        labels[-1] = f"{(n - 1) * bucket_minutes}+"
    return list(zip(labels, counts, strict=True))


def _binned(flt: Filter, bucket_minutes: int, most: int) -> dict[int, int]:
    """The calls of ``flt`` per length bucket that holds any (bucket ``most``: the longer
    calls), from the sums per day when their bins are the ones asked for."""
    s = flt.day_sums()
    if s is not None and (bucket_minutes, most) == (
        call_sums.LENGTH_BIN_MINUTES,
        call_sums.LENGTH_BINS,
    ):
        row = _execute(q.sums_length_sql(s), s.params).fetchone()
        return {b: int(n) for b, n in enumerate(row) if n}
    w = flt.where()
    return {
        int(b): int(n) for b, n in _execute(q.length_sql(w, bucket_minutes * 60, most), w.params)
    }


def technicians() -> list[str]:
    """Every technician with a call, in name order."""
    cur = _execute("SELECT DISTINCT technician FROM call_figures ORDER BY lower(technician)", ())
    return [str(r[0]) for r in cur]


def known_technician(name: str) -> str:
    """``name`` if some call was taken by that technician; otherwise an ``InputError``."""
    found = _execute("SELECT 1 FROM call_figures WHERE technician = ? LIMIT 1", (name,))
    if found.fetchone() is None:
        raise InputError(
            f"no calls by technician {name!r}: give a technician who took calls "
            "(names are matched exactly)"
        )
    return name
