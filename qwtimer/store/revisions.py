"""Changes to rows the ledger already holds: a customer's contact, a product line's dates.

The desk records each change as a *revision* (who, when, on which device, the new values;
its id made on the laptop). The push sends them after the new reference rows, and the ledger
applies every one through ONE rule set, written twice:

- PostgreSQL: ``apply_revision(...)``, a SECURITY DEFINER function owned by the schema owner.
  It checks the caller is a technician or supervisor recording a change as themselves;
  technicians and supervisors have no UPDATE right on ``customer`` or ``product_line``.
- the embedded SQLite ledger: ``apply_sqlite``, the same steps in Python.

The rule (``cs.EDITABLE`` says which columns): a customer's contact takes the newest revision
(by its time, ties broken by id); an older one is kept in the history but changes nothing. A
product line keeps the later of each date. Every revision is appended to ``revision`` with
its outcome (``applied`` or ``older``). The row gets a new ``ledger_seq`` either way, so
every laptop pulls what holds: the others a change, the sender of an outvoted revision the
newer values in place of its own. A retried revision (same id, same change) is recorded once.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from peewee import Database, TextField

from qwtimer.store import central_guard as guard
from qwtimer.store import central_schema as cs
from qwtimer.store.ledger_errors import Conflict

if TYPE_CHECKING:
    from qwtimer.store.central_dialect import Central

_FIELDS: tuple[str, ...] = tuple(dict.fromkeys(c for cols in cs.EDITABLE.values() for c in cols))
# A revision's columns, as pushed; the local ``revision`` table has the same plus ``synced``.
COLUMNS: tuple[str, ...] = (
    "id",
    "target",
    "row_id",
    *_FIELDS,
    "changed_by",
    "device_id",
    "changed_at",
)
# What stays the same when a revision is sent again (its time is the laptop's and stays too).
_SAME = tuple(c for c in COLUMNS if c != "id")
OK = ("applied", "older", "identical")
# Revisions waiting for the ledger: not those of a duplicate merged away on this device (it
# never reaches the ledger; its product lines moved to the kept customer with their history).
UNSENT = "synced = 0 AND row_id NOT IN (SELECT id FROM customer WHERE merged_into IS NOT NULL)"


class Revision(cs.CentralModel):
    """The ledger's history of changes (schema 2): appended, never changed."""

    id = TextField(primary_key=True)
    target = TextField()  # a table of cs.EDITABLE
    row_id = TextField(index=True)
    name = TextField(null=True)
    phone = TextField(null=True)
    email = TextField(null=True)
    maintenance_until = TextField(null=True)
    active_until = TextField(null=True)
    changed_by = TextField()
    device_id = TextField()
    changed_at = TextField()
    outcome = TextField()  # applied | older


def now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def legacy_id(table: str, row: dict[str, Any]) -> str:
    """A stable id for a change found by comparing a pushed row with the ledger's (a device
    that changed the row itself, before revisions existed): a retry finds the same id."""
    values = "|".join(str(row.get(c)) for c in cs.EDITABLE[table])
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"qwtimer:{table}:{row['id']}:{values}"))


# -- PostgreSQL ---------------------------------------------------------------------------
_ARGS = ", ".join(f"p_{c} text" for c in COLUMNS)
SIGNATURE = f"apply_revision({', '.join('text' for _ in COLUMNS)})"


def pg_sql() -> list[str]:
    """Schema step 2 on PostgreSQL (run as the owner): the history table, the function, and no
    UPDATE right on customers and product lines for anyone but the owner."""
    t, s = cs.TECHNICIAN_ROLE, cs.SUPERVISOR_ROLE
    stored = ", ".join(f"old.{c}" for c in _SAME)
    given = ", ".join(f"p_{c}" for c in _SAME)
    contact = cs.EDITABLE["customer"]
    contact_set = ", ".join(f"{c} = p_{c}" for c in contact)
    contact_moved = (
        f"({', '.join(contact)}) IS DISTINCT FROM ({', '.join(f'p_{c}' for c in contact)})"
    )
    dates = cs.EDITABLE["product_line"]
    later = {c: f"GREATEST({c}, p_{c})" for c in dates}
    dates_set = ", ".join(f"{c} = {later[c]}" for c in dates)
    dates_moved = f"({', '.join(later.values())}) IS DISTINCT FROM ({', '.join(dates)})"

    def seq(table: str) -> str:
        return f"ledger_seq = nextval(pg_get_serial_sequence('{table}', 'ledger_seq'))"

    return [
        "REVOKE ALL ON revision FROM PUBLIC",
        f"GRANT SELECT ON revision TO {t}, {s}",
        f"REVOKE UPDATE ON customer, product_line FROM {t}, {s}",
        f"""CREATE OR REPLACE FUNCTION apply_revision({_ARGS}) RETURNS text
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = {cs.PG_SCHEMA} AS $$
            DECLARE
              caller text := session_user;
              old revision%ROWTYPE;
              moved int;
              result text;
            BEGIN
              IF NOT (pg_has_role(caller, '{t}', 'MEMBER') OR pg_has_role(caller, '{s}', 'MEMBER'))
              THEN
                RAISE EXCEPTION 'only technicians and supervisors change customers'
                  USING ERRCODE = 'insufficient_privilege';
              END IF;
              IF p_changed_by IS DISTINCT FROM caller THEN
                RAISE EXCEPTION '% may record changes only as %, not as %',
                  caller, caller, p_changed_by USING ERRCODE = 'insufficient_privilege';
              END IF;
              SELECT * INTO old FROM revision WHERE id = p_id;
              IF FOUND THEN
                IF ({stored}) IS NOT DISTINCT FROM ({given}) THEN RETURN 'identical'; END IF;
                RETURN 'conflict';
              END IF;
              IF p_target = 'customer' THEN
                PERFORM 1 FROM customer WHERE id = p_row_id FOR UPDATE;
                IF NOT FOUND THEN RETURN 'missing'; END IF;
                IF EXISTS (SELECT 1 FROM revision WHERE target = 'customer'
                    AND row_id = p_row_id AND outcome = 'applied'
                    AND (changed_at COLLATE "C", id COLLATE "C") > (p_changed_at, p_id)) THEN
                  result := 'older';  -- the device that sent it pulls what holds instead
                  UPDATE customer SET {seq("customer")} WHERE id = p_row_id;
                ELSE
                  UPDATE customer SET {contact_set}, {seq("customer")}
                    WHERE id = p_row_id AND {contact_moved};
                  result := 'applied';
                END IF;
              ELSIF p_target = 'product_line' THEN
                PERFORM 1 FROM product_line WHERE id = p_row_id FOR UPDATE;
                IF NOT FOUND THEN RETURN 'missing'; END IF;
                UPDATE product_line SET {dates_set}, {seq("product_line")}
                  WHERE id = p_row_id AND {dates_moved};
                GET DIAGNOSTICS moved = ROW_COUNT;
                result := CASE WHEN moved > 0 THEN 'applied' ELSE 'older' END;
                IF result = 'older' THEN  -- the device that sent it pulls what holds instead
                  UPDATE product_line SET {seq("product_line")} WHERE id = p_row_id;
                END IF;
              ELSE
                RAISE EXCEPTION 'a revision of %: only customers and product lines change',
                  p_target USING ERRCODE = 'invalid_parameter_value';
              END IF;
              INSERT INTO revision ({", ".join(COLUMNS)}, outcome)
                VALUES ({", ".join(f"p_{c}" for c in COLUMNS)}, result);
              RETURN result;
            END $$""",
        f"REVOKE ALL ON FUNCTION {SIGNATURE} FROM PUBLIC",
        f"GRANT EXECUTE ON FUNCTION {SIGNATURE} TO {t}, {s}",
    ]


# -- the embedded SQLite ledger ------------------------------------------------------------
def apply_sqlite(db: Database, r: dict[str, Any]) -> str:
    """The same steps as ``apply_revision`` (the caller holds the write lock)."""
    q = db.execute_sql
    old = q(f"SELECT {', '.join(_SAME)} FROM revision WHERE id = ?", (r["id"],)).fetchone()
    if old is not None:
        return "identical" if tuple(old) == tuple(r[c] for c in _SAME) else "conflict"
    table = r["target"]
    if table not in cs.EDITABLE:
        raise ValueError(f"a revision of {table}: only customers and product lines change")
    if q(f"SELECT 1 FROM {table} WHERE id = ?", (r["row_id"],)).fetchone() is None:
        return "missing"
    cols = cs.EDITABLE[table]
    seq = f"ledger_seq = (SELECT max(ledger_seq) + 1 FROM {table})"
    if table in cs.LATER_WINS:
        later = {c: f"max(coalesce({c}, ?), coalesce(?, {c}))" for c in cols}
        args = [r[c] for c in cols for _ in (0, 1)]
        cur = q(
            f"UPDATE {table} SET {', '.join(f'{c} = {later[c]}' for c in cols)}, {seq} "
            f"WHERE id = ? AND ({', '.join(later.values())}) IS NOT ({', '.join(cols)})",
            [*args, r["row_id"], *args],
        )
        outcome = "applied" if cur.rowcount > 0 else "older"
        if outcome == "older":
            q(f"UPDATE {table} SET {seq} WHERE id = ?", (r["row_id"],))
    else:
        newer = q(
            "SELECT 1 FROM revision WHERE target = ? AND row_id = ? AND outcome = 'applied' "
            "AND (changed_at, id) > (?, ?)",
            (table, r["row_id"], r["changed_at"], r["id"]),
        ).fetchone()
        outcome = "older" if newer else "applied"
        if newer is not None:
            q(f"UPDATE {table} SET {seq} WHERE id = ?", (r["row_id"],))
        else:
            q(
                f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in cols)}, {seq} "
                f"WHERE id = ? AND ({', '.join(cols)}) IS NOT ({', '.join('?' * len(cols))})",
                [*(r[c] for c in cols), r["row_id"], *(r[c] for c in cols)],
            )
    q(
        f"INSERT INTO revision ({', '.join(COLUMNS)}, outcome) "
        f"VALUES ({', '.join('?' * len(COLUMNS))}, ?)",
        [*(r[c] for c in COLUMNS), outcome],
    )
    return outcome


def apply(central: Central, row: Sequence[Any]) -> str:
    """Apply one revision (``COLUMNS`` order) inside the caller's transaction. Returns
    ``applied``, ``older``, ``identical`` (already recorded), ``conflict`` (the id holds
    another change) or ``missing`` (the ledger does not hold the row)."""
    return central.apply_revision(row)


# -- the push --------------------------------------------------------------------------------
_PROBLEM = {
    "missing": "the ledger does not hold this row yet (see its own problem); the change is "
    "sent again at the next sync",
    "conflict": "the ledger holds a different change with this id; it was not overwritten",
}


def push(local: Database, central: Central) -> tuple[int, list[Conflict]]:
    """Send the device's unsynced revisions, oldest first, in one central transaction; mark
    those the ledger recorded (applied, older or already there). Returns how many moved a row
    and the problems (a change recorded by someone else than this login is not sent)."""
    rows = local.execute_sql(
        f"SELECT {', '.join(COLUMNS)} FROM revision WHERE {UNSENT} ORDER BY changed_at, id"
    ).fetchall()
    if not rows:
        return 0, []
    problems: list[Conflict] = []
    i_who = COLUMNS.index("changed_by")
    send = []
    for r in rows:
        if central.role is not None and r[i_who] != central.role:
            why = (
                f"changed by '{r[i_who]}' but this computer syncs as '{central.role}': "
                f"sync as {r[i_who]} to send it"
            )
            problems.append(Conflict(r[1], str(r[2]), why))
        else:
            send.append(r)
    done: list[str] = []
    applied = 0
    try:
        with central.transaction():
            for r in send:
                outcome = apply(central, r)
                if outcome in OK:
                    done.append(str(r[0]))
                    applied += outcome == "applied"
                else:
                    problems.append(Conflict(r[1], str(r[2]), _PROBLEM[outcome]))
    except Exception as exc:
        lost = guard.lost_error(exc, central.where)
        if lost is not None:
            raise lost from exc
        raise
    with local.atomic():
        for i in range(0, len(done), 500):
            part = done[i : i + 500]
            local.execute_sql(
                f"UPDATE revision SET synced = 1 WHERE id IN ({', '.join('?' * len(part))})", part
            )
    return applied, problems
