"""The ledger's schema steps: shipped steps never change, a ledger set up at step 1 and
migrated step by step is exactly a fresh one, every model column comes from a step, and a
step that fails half way leaves the ledger at the step before."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from peewee import BooleanField, Model

from qwtimer.store import central as central_store
from qwtimer.store import central_frozen, revisions
from qwtimer.store import central_migrate as steps
from qwtimer.store import central_schema as cs
from qwtimer.store.central_dialect import Central, PgCentral
from tests.integration.conftest import TECHNICIANS, Backend, new_ledger
from tests.integration.devices import Device, allocations, central_balance

# sha256 of each shipped step's frozen text: a shipped step never changes.
FROZEN_SHA256 = {
    ("sqlite", 1): "97ac3a7ba2efd8f91dd91321383a351e1df64db0bf922f381baa91ccda001fb8",
    ("sqlite", 2): "e9fc5feb28536534883b65c82b9a6f1a3d62c6d7ae8ba8fca0a6bda300298685",
    ("sqlite", 4): "e8f2fe3ebc7eb1d63ccfcc8d78642d2d53ce7ba79f64681da5f111cdbca05bf0",
    ("pg", 1): "3b45c16e2672676e564cae68e99abcbbf70eb94a3eda63f4a46127b2259a2d5c",
    ("pg", 2): "e9fc5feb28536534883b65c82b9a6f1a3d62c6d7ae8ba8fca0a6bda300298685",
    ("pg", 4): "9b27123c4b9373c91a2f8e2ca4dc3171517cd26f8472e6f1752f0a9ed9bfdc66",
}
_names = itertools.count(1)
Snapshot = dict[str, list[tuple[Any, ...]]]
MakeDevice = Callable[[str], Device]


def _digest(statements: tuple[str, ...]) -> str:
    return hashlib.sha256("\n;\n".join(statements).encode()).hexdigest()


def test_no_shipped_steps_frozen_text_changed() -> None:
    found = {("sqlite", n): _digest(t) for n, t in central_frozen.SQLITE.items()}
    found |= {("pg", n): _digest(t) for n, t in central_frozen.PG.items()}
    for key, digest in FROZEN_SHA256.items():
        assert found.get(key) == digest, (
            f"the frozen text of ledger schema step {key[1]} ({key[0]}) changed: a shipped "
            "step never changes (ledgers already past it would never see the change); add a "
            "new step instead (central_migrate.STEPS)"
        )
    assert set(found) == set(FROZEN_SHA256), "record the digest of a new step's frozen text"


# -- what a ledger's schema is, from the catalogs --------------------------------------------
_PG_CATALOG = {
    "columns": "SELECT table_name, column_name, ordinal_position, data_type, is_nullable, "
    "column_default FROM information_schema.columns WHERE table_schema = 'qwtimer'",
    "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'qwtimer'",
    "constraints": "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), "
    "convalidated FROM pg_constraint WHERE connamespace = 'qwtimer'::regnamespace",
    "triggers": "SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid), tgenabled "
    "FROM pg_trigger WHERE NOT tgisinternal AND tgrelid IN "
    "(SELECT oid FROM pg_class WHERE relnamespace = 'qwtimer'::regnamespace)",
    "functions": "SELECT proname, pg_get_functiondef(oid), proacl::text FROM pg_proc "
    "WHERE pronamespace = 'qwtimer'::regnamespace",
    "policies": "SELECT tablename, policyname, permissive, roles::text, cmd, qual, with_check "
    "FROM pg_policies WHERE schemaname = 'qwtimer'",
    "security": "SELECT relname, relkind, relrowsecurity, relforcerowsecurity, relacl::text, "
    "pg_get_userbyid(relowner) FROM pg_class WHERE relnamespace = 'qwtimer'::regnamespace",
    "column rights": "SELECT table_name, column_name, grantee, privilege_type "
    "FROM information_schema.column_privileges WHERE table_schema = 'qwtimer'",
    "sequences": "SELECT sequence_name, data_type, start_value, increment "
    "FROM information_schema.sequences WHERE sequence_schema = 'qwtimer'",
}


def snapshot(url: str) -> Snapshot:
    """Every table, column (type, nullability, default), index, constraint, trigger and, on
    PostgreSQL, function, rule and right of the ledger, sorted."""
    central = central_store.connect(url, admin=True)
    try:
        db = central.db
        if isinstance(central, PgCentral):
            queries = _PG_CATALOG
        else:
            tables = [
                r[0]
                for r in db.execute_sql(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%'"
                ).fetchall()
            ]
            queries = {
                "objects": "SELECT type, name, tbl_name, sql FROM sqlite_master "
                "WHERE name NOT LIKE 'sqlite_%'",
                **{f"table_info {t}": f"PRAGMA table_info({t})" for t in tables},
            }
        return {
            k: sorted((tuple(r) for r in db.execute_sql(q).fetchall()), key=repr)
            for k, q in queries.items()
        }
    finally:
        central.close()


def _assert_same(got: Snapshot, want: Snapshot) -> None:
    for part in sorted(set(got) | set(want)):
        a, b = set(got.get(part, [])), set(want.get(part, []))
        assert a == b, (
            f"{part}: only migrated {sorted(a - b, key=repr)}; only fresh {sorted(b - a, key=repr)}"
        )


# -- ledgers at a given step -----------------------------------------------------------------
def _at_step(step: int, monkeypatch: pytest.MonkeyPatch, *urls: str) -> None:
    """Run ``ledger init`` on each ledger as the qwtimer whose last step is ``step``."""
    with monkeypatch.context() as m:
        m.setattr(cs, "SCHEMA_VERSION", step)
        for url in urls:
            central_store.init_ledger(url)


def _new_at_step(
    step: int, kind: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Backend:
    """A new ledger set up by the qwtimer whose last step is ``step``, with its logins."""
    with monkeypatch.context() as m:
        m.setattr(cs, "SCHEMA_VERSION", step)
        if kind == "pg":
            pg = new_ledger(request.getfixturevalue("pg_cluster"))
            return Backend("pg", pg.admin, pg.url)
        tmp_path: Path = request.getfixturevalue("tmp_path")
        url = f"sqlite://{tmp_path / f'ledger-{next(_names)}.db'}"
        central_store.init_ledger(url)
        return Backend("sqlite", url, lambda role: url)


def _fresh(ledger: Backend) -> str:
    """The test's own ledger, set up by this qwtimer (the embedded one on first use)."""
    central_store.init_ledger(ledger.admin)
    return ledger.admin


def _version(url: str) -> tuple[int, int]:
    central = central_store.connect(url, admin=True)
    try:
        return steps.version(central)
    finally:
        central.close()


def test_a_ledger_set_up_at_step_1_and_migrated_step_by_step_is_exactly_a_fresh_one(
    ledger: Backend,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    make_device: MakeDevice,
) -> None:
    old = _new_at_step(1, ledger.kind, request, monkeypatch)
    assert _version(old.admin) == (1, 1)
    for step in range(2, cs.SCHEMA_VERSION + 1):
        _at_step(step, monkeypatch, old.admin)
        assert _version(old.admin) == (step, steps._major_of(step))
    central_store.init_ledger(old.admin)  # nothing left to do
    _assert_same(snapshot(old.admin), snapshot(_fresh(ledger)))

    # and it serves laptops: a push, a settlement by the ledger, a pull on another laptop
    tess, tom = make_device(TECHNICIANS[0]), make_device(TECHNICIANS[1])
    cid = tess.add_customer("Acme", card=True)
    tess.log(cid, 50)
    assert tess.sync(old.url(TECHNICIANS[0])).ok
    report = tom.sync(old.url(TECHNICIANS[1]))
    assert report.ok, report.as_dict()
    # 45 minutes from the bank, a block of 30 bought for the other 5: 25 minutes left
    (split,) = allocations(old.admin, cid)
    assert (split["from_bank_seconds"], split["blocks_purchased"]) == (45 * 60, 1)
    assert tom.balance(cid) == tess.balance(cid) == central_balance(old.admin, cid) == 25 * 60
    assert _version(old.admin) == (cs.SCHEMA_VERSION, steps._major_of(cs.SCHEMA_VERSION))


def _model_columns(kind: str) -> dict[str, dict[str, bool]]:
    """Each model table's columns and whether each may be null (a sequence number never is
    on PostgreSQL: a bigserial)."""
    models: list[type[Model]] = [*cs.MODELS, revisions.Revision]
    return {
        m._meta.table_name: {
            f.column_name: bool(f.null) and not (kind == "pg" and isinstance(f, cs.SeqField))
            for f in m._meta.sorted_fields
        }
        for m in models
    }


def _ledger_columns(url: str) -> dict[str, dict[str, bool]]:
    central = central_store.connect(url, admin=True)
    try:
        return _columns(central)
    finally:
        central.close()


def _columns(central: Central) -> dict[str, dict[str, bool]]:
    db = central.db
    out: dict[str, dict[str, bool]] = {}
    if isinstance(central, PgCentral):
        rows = db.execute_sql(
            "SELECT table_name, column_name, is_nullable = 'YES' FROM information_schema.columns "
            "WHERE table_schema = 'qwtimer'"
        ).fetchall()
    else:
        rows = [
            (t, name, not notnull and not pk)
            for (t,) in db.execute_sql(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            ).fetchall()
            for _, name, _, notnull, _, pk in db.execute_sql(f"PRAGMA table_info({t})").fetchall()
        ]
    for table, column, null in rows:
        out.setdefault(table, {})[column] = bool(null)
    return out


def unmade_columns(ledger: Backend) -> list[str]:
    """Model columns a fresh ledger lacks or has otherwise (nullability), as table.column."""
    have = _ledger_columns(ledger.admin)
    return [
        f"{table}.{column}" + ("" if column not in have.get(table, {}) else " (nullability)")
        for table, columns in _model_columns(ledger.kind).items()
        for column, null in columns.items()
        if have.get(table, {}).get(column) != null
    ]


def test_every_model_column_comes_from_a_schema_step(ledger: Backend) -> None:
    _fresh(ledger)
    unmade = unmade_columns(ledger)
    assert not unmade, (
        f"the models have columns no ledger schema step creates: {', '.join(unmade)}; add a "
        "step in central_migrate (STEPS) that creates them"
    )
    extra = {
        t: set(c) - set(_model_columns(ledger.kind).get(t, {}))
        for t, c in _ledger_columns(ledger.admin).items()
    }
    assert not any(extra.values()), f"ledger columns no model declares: {extra}"


def test_a_model_column_without_a_step_is_caught(ledger: Backend) -> None:
    _fresh(ledger)
    field = BooleanField(default=False)
    cs.Customer._meta.add_field("vip", field)
    try:
        assert unmade_columns(ledger) == ["customer.vip"]
    finally:
        cs.Customer._meta.remove_field("vip")
    assert unmade_columns(ledger) == []


def test_a_step_that_fails_half_way_leaves_the_ledger_at_the_step_before(
    ledger: Backend, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    last = cs.SCHEMA_VERSION
    old = _new_at_step(last - 1, ledger.kind, request, monkeypatch)
    before = snapshot(old.admin)
    real = steps.STEPS[last]

    def half_way(central: Central) -> None:
        real(central)  # its frozen tables, columns, indexes, functions and rights all made
        raise RuntimeError("the disk filled up")

    monkeypatch.setitem(steps.STEPS, last, half_way)
    with pytest.raises(RuntimeError, match="disk filled up"):
        central_store.init_ledger(old.admin)
    assert _version(old.admin) == (last - 1, steps._major_of(last - 1))
    _assert_same(snapshot(old.admin), before)

    monkeypatch.setitem(steps.STEPS, last, real)
    central_store.init_ledger(old.admin)  # the next try goes through
    _assert_same(snapshot(old.admin), snapshot(_fresh(ledger)))


def test_an_embedded_ledger_whose_creation_dies_part_way_is_created_whole_next_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The laptop dies while its first sync sets up the SQLite ledger: nothing of it stays,
    and the next sync sets it up whole (never a ledger stuck at a step in between)."""
    url = f"sqlite://{tmp_path / 'ledger.db'}"
    last = cs.SCHEMA_VERSION
    real = steps.STEPS[last]

    def dies(central: Central) -> None:
        raise RuntimeError("the laptop died")

    monkeypatch.setitem(steps.STEPS, last, dies)
    with pytest.raises(RuntimeError, match="laptop died"):
        central_store.connect(url, who="tess")
    assert _version(url) == (0, 0)
    monkeypatch.setitem(steps.STEPS, last, real)
    central = central_store.connect(url, who="tess")
    try:
        assert steps.version(central)[0] == last
    finally:
        central.close()
