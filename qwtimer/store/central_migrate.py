"""The central ledger's schema, step by step, and which laptops may use it.

Each step runs in its own transaction and is recorded in ``ledger_meta``: ``schema_version``
(the last step done) and ``schema_major`` (the last step that laptops must know: one that
changes what they may write or how). A step that only adds what older laptops never touch is
*additive* (``ADDITIVE``): a ledger ahead of a laptop by additive steps only still serves it,
so a fleet upgrades one laptop at a time. Shown as major.minor: "4.2" is step 6, the last
breaking step being 4.

A step, once shipped, never changes: nothing here derives from today's models. A step runs
its frozen text first (``central_frozen``: step 1 whole, the tables a step creates), then
its function in ``STEPS``: columns and indexes as ``playhouse.migrate`` operations, then the
triggers, functions and rights of its module (which have no such form). To change the
schema, add the next step: a function ``_v9`` doing the above, ``9: _v9`` in ``STEPS``,
``SCHEMA_VERSION = 9`` in ``central_schema``, the step in ``ADDITIVE`` when older laptops may
ignore it, and any new table's ``CREATE TABLE`` text in ``central_frozen``. The tests check
that a fresh ledger has every model column, and that no shipped step's text changed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from peewee import IntegerField, TextField

from qwtimer.core.policy import PolicyBook
from qwtimer.paths import resource
from qwtimer.store import central_numbering as numbering
from qwtimer.store import central_schema as cs
from qwtimer.store import central_settle as settle
from qwtimer.store import central_team as team
from qwtimer.store.central_dialect import Central, PgCentral

ADDITIVE: frozenset[int] = frozenset({5, 6, 7, 8})  # steps that older laptops may ignore


class SchemaMismatch(Exception):
    """The ledger's schema does not fit this qwtimer: ``str()`` says what to do."""


def _read(central: Central, key: str) -> int | None:
    row = central.db.execute_sql(
        f"SELECT value FROM ledger_meta WHERE key = {central.param}", (key,)
    ).fetchone()
    return int(row[0]) if row else None


def version(central: Central) -> tuple[int, int]:
    """(step, major) of the ledger: (0, 0) when it has no qwtimer schema yet."""
    db = central.db
    if isinstance(central, PgCentral):
        exists = db.execute_sql("SELECT to_regclass('ledger_meta') IS NOT NULL").fetchone()[0]
    else:
        exists = db.table_exists("ledger_meta")
    if not exists:
        return 0, 0
    step = _read(central, "schema_version") or 0
    major = _read(central, "schema_major")
    return step, step if major is None else major  # before majors, every step broke


def shown(step: int, major: int) -> str:
    return f"{major}.{step - major}"


def check(central: Central) -> None:
    """Refuse a ledger this qwtimer cannot use, in words (``SchemaMismatch``)."""
    step, major = version(central)
    mine = shown(cs.SCHEMA_VERSION, _major_of(cs.SCHEMA_VERSION))
    if step == 0:
        raise SchemaMismatch(
            f"the ledger ({central.where}) has no qwtimer schema yet: an administrator runs "
            "'qwtimer ledger init URL' first"
        )
    if major > cs.SCHEMA_VERSION:
        raise SchemaMismatch(
            f"the ledger ({central.where}) was set up by a newer qwtimer (schema "
            f"{shown(step, major)}, this version understands {mine}): install the newer qwtimer"
        )
    if step < cs.SCHEMA_VERSION:
        raise SchemaMismatch(
            f"the ledger ({central.where}) has an older schema ({shown(step, major)}, this "
            f"qwtimer needs {mine}): an administrator runs 'qwtimer ledger init URL' to migrate it"
        )


def _major_of(step: int) -> int:
    return max((s for s in range(1, step + 1) if s not in ADDITIVE), default=0)


def _v1(central: Central) -> None:
    """The tables, their indexes and security (all frozen); the ledger's own id."""
    central.db.execute_sql(
        f"INSERT INTO ledger_meta (key, value) VALUES ('ledger_id', {central.param})",
        (str(uuid.uuid4()),),
    )


def _v2(central: Central) -> None:
    """Changes to customers and product lines go through revisions (``store.revisions``)."""
    central.revision_step()


def _v3(central: Central) -> None:
    """The ledger numbers rows itself and refuses card numbers (``central_guard``)."""
    for stmt in central.guard_sql():
        central.db.execute_sql(stmt)


def _v4(central: Central) -> None:
    """Only the ledger writes the entries that move money (``central_settle``): a card and
    the segments billed on each stop, block orders and policy rules (tables frozen)."""
    from playhouse.migrate import SchemaMigrator  # loaded for a migration only
    from playhouse.migrate import migrate as run

    m = SchemaMigrator.from_database(central.db)
    run(
        m.add_column("call_close", "card_ref", TextField(null=True)),
        m.add_column("call_close", "last_seq", IntegerField(null=True)),
    )
    central.settle_step()


def _v7(central: Central) -> None:
    """The settlement looks each batch's calls up by index: the planner had joined them by
    reading the whole call table, a cost that grew with the ledger (PostgreSQL only)."""
    if isinstance(central, PgCentral):
        central.db.execute_sql(settle.settle_closes_sql())


def _v8(central: Central) -> None:
    """Less of the server's work for each pushed call (PostgreSQL only): the settlement writes
    its splits and entries from a list in memory instead of a temporary table; a batch's new
    segments are checked against settled stops once per call instead of once a segment; an
    index on closes that the unique (call, number) index made redundant is dropped; and the
    unique index on grant keys holds grants only, not the NULL of every other entry."""
    if not isinstance(central, PgCentral):
        return
    for stmt in (
        "DROP INDEX IF EXISTS call_close_call",
        "DROP INDEX IF EXISTS entry_grant_key",
        "CREATE UNIQUE INDEX entry_grant_key ON entry (grant_key) WHERE grant_key IS NOT NULL",
        settle.settle_closes_sql(),
        settle.late_segments_sql(),
    ):
        central.db.execute_sql(stmt)


STEPS: dict[int, Callable[[Central], None]] = {
    1: _v1,
    2: _v2,
    3: _v3,
    4: _v4,
    5: team.step,
    6: numbering.step,
    7: _v7,
    8: _v8,
}


def migrate(central: Central) -> int:
    """Create or migrate the schema, one step per transaction; then record the policy
    versions this qwtimer ships (R12). Returns the step reached."""
    current, major = version(central)
    if major > cs.SCHEMA_VERSION:
        check(central)
    p = central.param
    for step in range(current + 1, cs.SCHEMA_VERSION + 1):
        with central.db.atomic():
            for stmt in central.frozen.get(step, ()):
                central.db.execute_sql(stmt)
            STEPS[step](central)
            done = {"schema_version": step}
            if step not in ADDITIVE:
                done["schema_major"] = step
            for key, value in done.items():
                central.db.execute_sql(f"DELETE FROM ledger_meta WHERE key = {p}", (key,))
                central.db.execute_sql(
                    f"INSERT INTO ledger_meta (key, value) VALUES ({p}, {p})", (key, str(value))
                )
    if cs.SCHEMA_VERSION >= 4:
        with central.db.atomic():
            settle.store_policies(central, PolicyBook.from_dir(resource("policies")))
    return max(current, cs.SCHEMA_VERSION)
