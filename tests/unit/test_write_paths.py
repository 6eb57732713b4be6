"""One write path per record: calls, segments and call closes are written by
``store/timer_rows.py`` alone (the sync engine only marks what it sent, and the schema steps
migrate). Walks the code, so a second way of writing these tables fails here by name."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import qwtimer

PACKAGE = Path(qwtimer.__file__).parent
TABLES = ("call", "segment", "call_close")
MODELS = {"Call", "Segment", "CallClose"}
WRITES = {"create", "update", "delete", "insert", "insert_many", "replace", "bulk_create"}
OWNER = "store/timer_rows.py"
# the sync engine marks rows it sent (``synced``); schema steps migrate old rows; the pull
# copies other devices' calls, segments and closes, as the ledger holds them, to a
# supervisor's laptop (never over a row already here)
MAY_WRITE_SQL = {
    OWNER,
    "store/sync.py",
    "store/provisional.py",
    "store/local_schema.py",
    "store/sync_pull.py",
}
SQL_WRITE = re.compile(
    r"\b(INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+(" + "|".join(TABLES) + r")\b",
    re.IGNORECASE,
)


def _modules() -> list[tuple[str, ast.Module]]:
    return [
        (path.relative_to(PACKAGE).as_posix(), ast.parse(path.read_text(), str(path)))
        for path in sorted(PACKAGE.rglob("*.py"))
    ]


def test_only_the_store_writes_calls_segments_and_closes_through_peewee() -> None:
    found = []
    for name, tree in _modules():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in MODELS
                and node.func.attr in WRITES
            ):
                found.append(f"{name}:{node.lineno} {node.func.value.id}.{node.func.attr}")
    assert not found, "write calls, segments and closes through store/timer_rows.py: " + ", ".join(
        found
    )


def test_no_model_instance_is_saved_outside_the_store() -> None:
    found = []
    for name, tree in _modules():
        if name.startswith("store/"):
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"save", "delete_instance"}
                and not (isinstance(node.func.value, ast.Name) and node.func.value.id == "self")
            ):
                found.append(f"{name}:{node.lineno}")
    assert not found, "a model saved field by field outside the store: " + ", ".join(found)


def test_only_the_owner_writes_these_tables_in_sql() -> None:
    found = []
    for name, tree in _modules():
        if name in MAY_WRITE_SQL:
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and SQL_WRITE.search(node.value)
            ):
                found.append(f"{name}:{node.lineno}")
    assert not found, "SQL writing calls, segments or closes outside the store: " + ", ".join(found)


def test_the_walk_sees_the_owners_writes() -> None:
    """The check above would pass on an empty walk: it must see the owner's own SQL."""
    owner = dict(_modules())[OWNER]
    writes = [
        n.value
        for n in ast.walk(owner)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and SQL_WRITE.search(n.value)
    ]
    assert len(writes) >= 6
