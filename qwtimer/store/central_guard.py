"""The ledger's own guards, whoever writes to it (plain SQL included), in both dialects:

- ``ledger_seq`` is the ledger's to assign: a trigger numbers every inserted or updated row of
  a pulled table from the ledger's sequence, whatever the client sent, so a row can neither
  stop other laptops' pulls (a huge number) nor hide from them (a number already passed).
  Numbers are still assigned under the writers' lock (``SEQ_LOCK``), so a pull by cursor never
  skips a row that commits late.
- R6.1: a card number is refused in every free-text column (customer name, phone, email; a
  card reference; a call's notes; an entry's reason and card reference). The rule is
  ``qwtimer.core.cards.holds_card_number``: SQLite calls that very function (registered on the
  ledger connection); PostgreSQL runs a translation of it in PL/pgSQL whose character tables
  (Unicode decimal digits, separators) are generated from the same Python definitions.
- One rule set, two dialects: both are installed by schema step 2 (``central.migrate``).
- A sync never waits on the ledger for ever: ``timeouts`` gives the lock and statement
  timeouts of a sync connection, ``busy_detail`` says in words which one ran out, and
  ``connection_lost`` tells a lost connection (harmless: the next sync carries on) from
  anything else, a bug included, which is never called offline.
"""

from __future__ import annotations

import os
import sqlite3
import unicodedata
from collections.abc import Iterator
from functools import cache

from qwtimer.core import cards
from qwtimer.core.errors import InputError
from qwtimer.store import central_schema as cs
from qwtimer.store.ledger_errors import LedgerOffline

# The free-text columns of the ledger that must never hold a card number (R6.1).
CARD_FREE_COLUMNS: dict[str, tuple[str, ...]] = {
    "customer": ("name", "phone", "email"),
    "payment_ref": ("ref",),
    "call_close": ("notes",),
    "entry": ("reason", "card_ref"),
}
CARD_REFUSAL = "R6.1: qwtimer never stores a card number"
SEQ_TABLES = (*cs.PULLED, "allocation")


def _ranges(points: Iterator[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for cp in points:
        if out and out[-1][1] == cp - 1:
            out[-1] = (out[-1][0], cp)
        else:
            out.append((cp, cp))
    return out


def _char_tables() -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Non-ASCII decimal digits (value = (code - range start) mod 10) and separators."""
    digits = _ranges(
        cp for cp in range(128, 0x110000) if unicodedata.decimal(chr(cp), None) is not None
    )
    seps = _ranges(
        cp
        for cp in range(128, 0x110000)
        if unicodedata.decimal(chr(cp), None) is None and cards._is_separator(chr(cp))
    )
    return digits, seps


def _u(cp: int) -> str:
    """A code point as a regular-expression escape written inside an E'' string (the SQL
    text stays ASCII, whatever the session's string settings)."""
    return f"\\\\u{cp:04x}" if cp <= 0xFFFF else f"\\\\U{cp:08x}"


def _int_array(values: list[int]) -> str:
    return "ARRAY[" + ",".join(str(v) for v in values) + "]::int[]"


@cache  # its tables walk every Unicode code point: once a process, not once a ledger
def pg_card_function_sql() -> tuple[str, ...]:
    """``holds_card_number(text)`` in SQL and PL/pgSQL: the same answer as the Python
    function."""
    digits, other_seps = _char_tables()
    lo, mx = cards.MIN_DIGITS, cards.MAX_DIGITS
    d = "0-9" + "".join(f"{_u(a)}-{_u(b)}" for a, b in digits)
    sep_points = [cp for cp in range(1, 128) if cards._is_separator(chr(cp))]
    sep_points += [cp for a, b in other_seps for cp in range(a, b + 1)]
    sp = "".join(f"{_u(a)}-{_u(b)}" for a, b in _ranges(iter(sep_points)))
    digit = f"E'[{d}]'"
    runs = f"E'([^{d}{sp}])?[{sp}]*([{d}][{d}{sp}]*)'"
    seps = f"E'[{sp}]+'"
    return (
        """CREATE OR REPLACE FUNCTION luhn_valid(d text) RETURNS boolean
           LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
           DECLARE total int := 0; n int := length(d); x int;
           BEGIN
             FOR i IN 0..n - 1 LOOP
               x := ascii(substr(d, n - i, 1)) - 48;
               IF mod(i, 2) = 1 THEN x := x * 2; IF x > 9 THEN x := x - 9; END IF; END IF;
               total := total + x;
             END LOOP;
             RETURN mod(total, 10) = 0;
           END $$""",
        f"""CREATE OR REPLACE FUNCTION card_run_holds(groups text[], after_plus boolean)
           RETURNS boolean LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
           DECLARE joined text; g text; total int := 0; m int := cardinality(groups);
           BEGIN
             FOREACH g IN ARRAY groups LOOP total := total + length(g); END LOOP;
             IF after_plus AND total <= {cards.PHONE_MAX_DIGITS} THEN RETURN false; END IF;
             FOR a IN 1..m LOOP
               joined := '';
               FOR b IN a..m LOOP
                 joined := joined || groups[b];
                 EXIT WHEN length(joined) > {mx};
                 IF length(joined) >= {lo} AND left(joined, 1) BETWEEN '1' AND '6'
                    AND luhn_valid(joined) THEN RETURN true; END IF;
               END LOOP;
             END LOOP;
             FOREACH g IN ARRAY groups LOOP
               IF length(g) > {mx} THEN
                 FOR size IN {lo}..{mx} LOOP
                   FOR s IN 1..length(g) - size + 1 LOOP
                     joined := substr(g, s, size);
                     IF left(joined, 1) BETWEEN '1' AND '6' AND luhn_valid(joined) THEN
                       RETURN true;
                     END IF;
                   END LOOP;
                 END LOOP;
               END IF;
             END LOOP;
             RETURN false;
           END $$""",
        f"""CREATE OR REPLACE FUNCTION card_number_in(t text) RETURNS boolean
           LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
           DECLARE
             d_lo int[] := {_int_array([r[0] for r in digits])};
             d_hi int[] := {_int_array([r[1] for r in digits])};
             groups text[];
             m text[]; tok text; dec text; ch text; cp int;
           BEGIN
             IF t IS NULL OR char_length(t) < {lo} THEN RETURN false; END IF;
             -- most text holds fewer digits than the shortest card: no need to read it
             IF regexp_count(t, {digit}) < {lo} THEN RETURN false; END IF;
             -- runs of digits and separators, with the character before them that is
             -- neither (cards._runs: a run after '+' may be a phone number)
             FOR m IN SELECT regexp_matches(t, {runs}, 'g') LOOP
               CONTINUE WHEN char_length(m[2]) < {lo};
               groups := '{{}}';
               FOREACH tok IN ARRAY regexp_split_to_array(m[2], {seps}) LOOP
                 CONTINUE WHEN tok = '';
                 IF tok !~ '^[0-9]+$' THEN  -- other scripts' digits: their values
                   dec := '';
                   FOREACH ch IN ARRAY string_to_array(tok, NULL) LOOP
                     cp := ascii(ch);
                     IF cp <= 57 THEN dec := dec || ch;
                     ELSE
                       FOR k IN 1..cardinality(d_lo) LOOP
                         IF cp BETWEEN d_lo[k] AND d_hi[k] THEN
                           dec := dec || mod(cp - d_lo[k], 10)::text; EXIT;
                         END IF;
                       END LOOP;
                     END IF;
                   END LOOP;
                   tok := dec;
                 END IF;
                 groups := groups || tok;
               END LOOP;
               IF card_run_holds(groups, coalesce(m[1] = '+', false)) THEN RETURN true; END IF;
             END LOOP;
             RETURN false;
           END $$""",
        # The checks' entry point: most text (and NULL) is answered here, in SQL the planner
        # inlines into each CHECK, without a PL/pgSQL call a row.
        f"""CREATE OR REPLACE FUNCTION holds_card_number(t text) RETURNS boolean
           LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
           SELECT t IS NOT NULL AND char_length(t) >= {lo}
             AND regexp_count(t, {digit}) >= {lo} AND card_number_in(t) $$""",
    )


def pg_seq_assign_sql(table: str) -> str:
    """The row trigger that gives every inserted or updated row of ``table`` the next number
    of its sequence ``<table>_ledger_seq_seq``, whatever the client sent."""
    return (
        f"CREATE TRIGGER {table}_seq_assign BEFORE INSERT OR UPDATE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION "
        f"ledger_seq_assign('{cs.PG_SCHEMA}.{table}_ledger_seq_seq')"
    )


def sqlite_seq_sql(t: str) -> list[str]:
    """The embedded ledger's numbering of ``t``: SQLite has no sequences, so a counter in
    ledger_meta (starting at the highest number already there), moved forward for every row
    written, whatever number the client sent (the insert trigger's own update moves it once
    more: numbers only ever grow)."""
    body = (
        f"UPDATE ledger_meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'seq:{t}'; "
        f"UPDATE {t} SET ledger_seq = (SELECT CAST(value AS INTEGER) FROM ledger_meta "
        f"WHERE key = 'seq:{t}') WHERE rowid = NEW.rowid;"
    )
    return [
        f"INSERT OR REPLACE INTO ledger_meta (key, value) "
        f"SELECT 'seq:{t}', coalesce(max(ledger_seq), 0) FROM {t}",
        f"DROP TRIGGER IF EXISTS {t}_ledger_seq",
        f"CREATE TRIGGER {t}_ledger_seq AFTER INSERT ON {t} BEGIN {body} END",
        f"CREATE TRIGGER {t}_ledger_seq_moved AFTER UPDATE ON {t} BEGIN {body} END",
    ]


def pg_guard_sql() -> list[str]:
    """Schema step 2 on PostgreSQL (run as the owner role)."""
    sql = [
        # Run as the writer (no SECURITY DEFINER: a per-row function call stays cheap); the
        # statement trigger ``*_seq_lock`` has taken SEQ_LOCK before any row trigger fires.
        """CREATE OR REPLACE FUNCTION ledger_seq_assign() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN NEW.ledger_seq := nextval(TG_ARGV[0]::regclass); RETURN NEW; END $$""",
        # Only the ledger moves a number (the trigger): nobody may set one by UPDATE.
        f"REVOKE UPDATE (ledger_seq) ON product_line FROM {cs.TECHNICIAN_ROLE}, "
        f"{cs.SUPERVISOR_ROLE}",
    ]
    sql += [pg_seq_assign_sql(table) for table in SEQ_TABLES]
    for table in SEQ_TABLES:  # numbers a client forged beyond the sequence: the ledger's now
        sql.append(
            f"UPDATE {table} SET ledger_seq = NULL WHERE ledger_seq > "
            f"(SELECT last_value FROM {table}_ledger_seq_seq)"
        )
    sql += pg_card_function_sql()
    for table, cols in CARD_FREE_COLUMNS.items():
        cond = " AND ".join(f"NOT holds_card_number({c})" for c in cols)
        # NOT VALID: rows an older ledger already holds stay (they are never pulled, see
        # sync_pull); every new or changed row is checked.
        sql.append(
            f"ALTER TABLE {table} ADD CONSTRAINT {table}_no_card_number CHECK ({cond}) NOT VALID"
        )
    return sql


def sqlite_guard_sql() -> list[str]:
    """Schema step 2 on the SQLite ledger: the same rules as triggers."""
    sql: list[str] = []
    for t in SEQ_TABLES:
        sql += sqlite_seq_sql(t)
    for table, cols in CARD_FREE_COLUMNS.items():
        cond = " OR ".join(f"holds_card_number(NEW.{c})" for c in cols)
        for when in ("INSERT", "UPDATE"):
            sql.append(
                f"""CREATE TRIGGER {table}_no_card_number_{when.lower()} BEFORE {when} ON {table}
                    WHEN {cond} BEGIN SELECT RAISE(ABORT, '{CARD_REFUSAL} ({table})'); END"""
            )
    return sql


def sqlite_holds_card_number(text: object) -> int:
    """The SQL function ``holds_card_number`` of the SQLite ledger (1 or 0)."""
    return int(isinstance(text, str) and cards.holds_card_number(text))


def timeouts() -> tuple[float, float]:
    """(lock, statement) timeouts of a sync in seconds: 10 and 60 unless
    ``QWTIMER_LEDGER_LOCK_TIMEOUT`` / ``QWTIMER_LEDGER_STATEMENT_TIMEOUT`` say otherwise;
    a value that is not a positive number of seconds is refused (InputError)."""
    out = []
    for name, default in (("LOCK", 10.0), ("STATEMENT", 60.0)):
        var = f"QWTIMER_LEDGER_{name}_TIMEOUT"
        raw = os.environ.get(var, "").strip()
        try:
            value = float(raw) if raw else default
        except ValueError:
            value = -1.0
        if not 0 < value < 86_400:
            raise InputError(f"{var}={raw!r} is not a number of seconds: set it to e.g. 10")
        out.append(value)
    return out[0], out[1]


def busy_detail(exc: BaseException) -> str | None:
    """Why the ledger answered busy, in words, when ``exc`` (or its cause) is a timeout
    (PostgreSQL 55P03 lock_not_available, 57014 query_canceled; SQLite's busy timeout)."""
    lock, statement = timeouts()
    seen: BaseException | None = exc
    while seen is not None:
        state = getattr(seen, "sqlstate", None)
        if state == "55P03":
            return f"another connection held a lock it needs for more than {lock:g} s"
        if state == "57014":
            return f"a statement took longer than {statement:g} s"
        if isinstance(seen, sqlite3.OperationalError) and "locked" in str(seen):
            return f"another program kept the ledger file locked for more than {lock:g} s"
        seen = seen.__cause__ or seen.__context__
    return None


def sqlstate(exc: BaseException) -> str | None:
    """The SQLSTATE of ``exc``, of its cause, or of the driver error Peewee wrapped, if any."""
    for e in (exc, exc.__cause__, getattr(exc, "orig", None)):
        state = getattr(e, "sqlstate", None)
        if state:
            return str(state)
    return None


_SQLITE_UNREACHABLE = ("unable to open", "disk i/o error", "no such file")


def connection_lost(exc: BaseException) -> bool:
    """The connection to the ledger went away (a cut network, a stopped server, a ledger file
    that cannot be reached): known and harmless, it syncs later. Anything else, a bug
    included, is never said to be offline."""
    import psycopg  # loaded already when the ledger is PostgreSQL

    state = sqlstate(exc)
    if state is not None:
        return state.startswith("08") or state in ("57P01", "57P02", "57P03")
    seen: BaseException | None = exc
    for _ in range(8):  # the driver's error, possibly wrapped by Peewee
        if seen is None:
            break
        if isinstance(seen, psycopg.InterfaceError) or (
            isinstance(seen, psycopg.OperationalError) and seen.sqlstate is None
        ):
            return True
        if isinstance(seen, sqlite3.OperationalError) and any(
            m in str(seen).lower() for m in _SQLITE_UNREACHABLE
        ):
            return True
        seen = seen.__cause__ or seen.__context__ or getattr(seen, "orig", None)
    return False


def first_line(exc: BaseException) -> str:
    """The first line of a driver's message (PostgreSQL adds its detail and hint below)."""
    return (str(exc).strip().splitlines() or [""])[0]


def lost_error(exc: BaseException, where: str) -> LedgerOffline | None:
    """``exc`` as ``LedgerOffline`` when the connection to the ledger was lost during a push
    (``connection_lost``), else None."""
    if not connection_lost(exc):
        return None
    return LedgerOffline(
        f"the connection to the ledger ({where}) was lost during the push "
        f"({exc.__class__.__name__}: {first_line(exc)})"
    )
