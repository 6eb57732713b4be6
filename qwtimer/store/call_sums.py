"""Running sums of the calls' figures per local day and technician, kept by the database itself
(schema 12): one ``call_day_sums`` row per day and technician holds the count, the sums the
review's totals show and the calls counted per length, so that the supervisors' totals,
groups per day or technician and charts cost the same at a million calls as at a thousand
(``desk.review`` reads them whenever its filter keeps whole days and technicians only).

The sums follow ``call_figures`` (``store.call_figures``) and nothing else: triggers on that
table take away a row's old figures and add its new ones, whatever wrote them and however
they were worked out. A row is written afresh with ``INSERT OR REPLACE``, which removes the
old row without its delete trigger, so the figures the new row replaces are taken away
before the insert. A timer transition changes the row's state only and touches no sum.

``day`` is the local day of the call's start as SQLite's ``'localtime'`` says (its zone's
daylight-saving days included), the same day the review's periods and groups use. The
sums record the zone they were worked out in (``ZONE_KEY`` in ``meta``); a database opened
in another zone works them out again (``follow_zone``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from peewee import SqliteDatabase

from qwtimer.store.models import Meta

# The summed figures, in ``desk.review.Totals`` order after the count: each is the sum of
# the ``call_figures`` column of the same name (a call never stopped adds nothing).
SUMMED = (
    "talk_s",
    "hold_s",
    "working_hold_s",
    "research_s",
    "billable_s",
    "unbilled_s",
    "billed_s",
    "from_bank_s",
    "overage_s",
    "blocks",
    "charge_cents",
    "outstanding_s",
    "unsettled_s",
    "credit_s",
    "credit_cents",
    "corrected",
    "resettled",
)

# Calls counted per length (talk, hold, working hold and research) in the bins the review's
# Charts tab shows: bin n holds lengths from n * LENGTH_BIN_MINUTES minutes, the last one
# every call of LENGTH_BINS * LENGTH_BIN_MINUTES minutes or longer.
LENGTH_BIN_MINUTES = 5
LENGTH_BINS = 12
LENGTHS = tuple(f"len_{n}" for n in range(LENGTH_BINS + 1))

ZONE_KEY = "call_sums_zone"

TABLE = f"""CREATE TABLE IF NOT EXISTS call_day_sums (
    day TEXT NOT NULL,
    technician TEXT NOT NULL,
    calls INTEGER NOT NULL,
    {", ".join(f"{c} INTEGER NOT NULL" for c in SUMMED + LENGTHS)},
    PRIMARY KEY (day, technician)
)"""

INDEXES = [
    # One technician's days without reading every technician's.
    "CREATE INDEX IF NOT EXISTS call_day_sums_technician ON call_day_sums (technician, day)",
]


def _day(row: str) -> str:
    return f"date({row}.started_at, 'localtime')"


def _length_bin(row: str) -> str:
    """The length bin of a call's figures ``row`` (as ``review_sql.length_sql`` buckets)."""
    t = (
        f"(COALESCE({row}.talk_s, 0) + COALESCE({row}.hold_s, 0)"
        f" + COALESCE({row}.working_hold_s, 0) + COALESCE({row}.research_s, 0))"
    )
    size = LENGTH_BIN_MINUTES * 60
    return (
        f"(CASE WHEN {t} >= {size * LENGTH_BINS} THEN {LENGTH_BINS}"
        f" WHEN {t} < 0 THEN 0 ELSE {t} / {size} END)"
    )


def _figures(row: str, source: str, where: str) -> str:
    """The figures of ``row`` a sum needs, each named once (the length as its bin ``b``)."""
    summed = ", ".join(f"COALESCE({row}.{c}, 0) AS {c}" for c in SUMMED)
    return (
        f"SELECT {_day(row)} AS day, {row}.technician AS technician, {summed}, "
        f"{_length_bin(row)} AS b {source} WHERE {where}"
    )


_COLUMNS = ("day", "technician", "calls", *SUMMED, *LENGTHS)
_ADD_UP = ", ".join(f"{c} = {c} + excluded.{c}" for c in _COLUMNS[2:])


def _post(row: str, sign: str, source: str = "", where: str = "1") -> str:
    """Add (``sign`` ``+``) or take away (``-``) the figures of ``row`` (read from ``source``
    ``where`` when given) to its day and technician; taking away the last call of a day and
    technician removes that row."""
    values = (
        "r.day, r.technician",
        f"{sign}1",
        *(f"{sign}r.{c}" for c in SUMMED),
        *(f"{sign}(r.b = {n})" for n in range(LENGTH_BINS + 1)),
    )
    sql = (
        f"INSERT INTO call_day_sums ({', '.join(_COLUMNS)}) "
        f"SELECT {', '.join(values)} FROM ({_figures(row, source, where)}) r WHERE 1 "
        f"ON CONFLICT (day, technician) DO UPDATE SET {_ADD_UP};"
    )
    if sign == "-":
        day, technician = _day(row), f"{row}.technician"
        if source:
            day = f"(SELECT {day} {source} WHERE {where})"
            technician = f"(SELECT {technician} {source} WHERE {where})"
        sql += (
            f" DELETE FROM call_day_sums WHERE day = {day}"
            f" AND technician = {technician} AND calls = 0;"
        )
    return sql


# The columns whose change moves a sum; a change of any other (the state, the notes, the
# sync mark) fires no trigger.
_MOVES = ("technician", "started_at", *SUMMED)
_CHANGED = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in _MOVES)

TRIGGERS = [
    # A row written afresh replaces the call's old one: take the old figures away first.
    f"""CREATE TRIGGER IF NOT EXISTS call_sums_replace BEFORE INSERT ON call_figures
        BEGIN {_post("o", "-", "FROM call_figures o", "o.call_id = NEW.call_id")} END""",
    f"""CREATE TRIGGER IF NOT EXISTS call_sums_insert AFTER INSERT ON call_figures
        BEGIN {_post("NEW", "+")} END""",
    f"""CREATE TRIGGER IF NOT EXISTS call_sums_update
        AFTER UPDATE OF {", ".join(_MOVES)} ON call_figures WHEN {_CHANGED}
        BEGIN {_post("OLD", "-")} {_post("NEW", "+")} END""",
    f"""CREATE TRIGGER IF NOT EXISTS call_sums_delete AFTER DELETE ON call_figures
        BEGIN {_post("OLD", "-")} END""",
]

# Every call's figures summed afresh: what the triggers keep, in one pass.
_SUMS = [f"SUM(COALESCE(f.{c}, 0))" for c in SUMMED]
_COUNTS = [f"SUM({_length_bin('f')} = {n})" for n in range(LENGTH_BINS + 1)]
GROUPED = (
    f"SELECT {_day('f')} AS day, f.technician, COUNT(*), {', '.join(_SUMS + _COUNTS)} "
    "FROM call_figures f GROUP BY 1, 2"
)

# SQLite's UTC offset, sampled every week and an hour (so at every hour of the day in turn)
# from 1990 to 2040: another zone whose offsets differ from this one's for a week or more in
# those years (another standard offset, another daylight-saving rule) gives another key.
_OFFSETS = """WITH RECURSIVE t(s) AS (SELECT 631152000 UNION ALL
    SELECT s + 608400 FROM t WHERE s < 2208988800)
    SELECT group_concat(strftime('%s', s, 'unixepoch', 'localtime') - s, ',') FROM t"""


def zone_key(db: SqliteDatabase) -> str:
    """What identifies the local zone as the database's ``'localtime'`` applies it: a digest of
    its UTC offsets (a few milliseconds)."""
    offsets = str(db.execute_sql(_OFFSETS).fetchone()[0])
    return hashlib.sha256(offsets.encode()).hexdigest()[:32]


def rebuild(db: SqliteDatabase) -> None:
    """Sum every call's figures afresh in the zone this process runs in, and record it (call
    inside a transaction)."""
    db.execute_sql("DELETE FROM call_day_sums")
    db.execute_sql(f"INSERT INTO call_day_sums ({', '.join(_COLUMNS)}) {GROUPED}")
    Meta.replace(key=ZONE_KEY, value=zone_key(db)).execute()


def create(db: SqliteDatabase) -> None:
    """Make the table, its index and the triggers, and sum the calls already there."""
    db.execute_sql(TABLE)
    for sql in INDEXES + TRIGGERS:
        db.execute_sql(sql)
    rebuild(db)


@contextmanager
def paused(db: SqliteDatabase) -> Iterator[None]:
    """Inside the block the sums do not follow ``call_figures`` (for a step that writes every
    row of it afresh); after it they are summed afresh, in one pass, and followed again."""
    for sql in TRIGGERS:
        db.execute_sql(f"DROP TRIGGER IF EXISTS {_trigger_name(sql)}")
    yield
    create(db)


def _trigger_name(sql: str) -> str:
    return sql.split("EXISTS", 1)[1].split()[0]


def follow_zone(db: SqliteDatabase) -> bool:
    """Work the sums out again when this process runs in another zone than the one they were
    worked out in (their days would be another zone's); True when it did. Another process
    doing the same at the same moment is waited for, and the work done once. When it cannot
    (a full disk, a database busy for too long) the error is raised and, until a later call
    succeeds, ``in_zone`` says the sums are not this process's days."""
    global _behind
    key = zone_key(db)
    if _recorded_zone() == key:
        _behind = False
        return False
    _behind = True
    with db.atomic():
        if _recorded_zone() != key:
            rebuild(db)
    _behind = False
    return True


_behind = False


def in_zone() -> bool:
    """False while the sums are known to be another zone's days (``follow_zone`` could not
    work them out again): the review then reads the calls' rows."""
    return not _behind


def _recorded_zone() -> str | None:
    row = Meta.get_or_none(Meta.key == ZONE_KEY)
    return None if row is None else str(row.value)
