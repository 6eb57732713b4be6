"""Reaching the central ledger: PostgreSQL for a team, a SQLite file as the embedded default.

- The address comes from ``--ledger URL``, then ``QWTIMER_LEDGER``, then the ``ledger_url``
  setting, then a SQLite file ``ledger.db`` in the data folder.
- A password never comes from the address, the command line or qwtimer's settings: it comes
  from the OS keyring (service ``qwtimer-ledger``, user ``ROLE@HOST:PORT``) or from libpq's own
  mechanisms (``~/.pgpass``, a service file, certificates). TLS is used when the server offers
  it (``sslmode=prefer`` unless the address says otherwise).
- The app never syncs as the schema owner, a superuser or a role that bypasses row-level
  security: such a connection is refused with a clear error.
- ``init_ledger`` creates or migrates the versioned schema, one step per transaction; a ledger
  newer than this qwtimer is refused.
- A sync never waits on the ledger for ever: every statement of a sync connection runs with a
  lock timeout and a statement timeout (PostgreSQL) or a busy timeout (SQLite); running into
  one is ``LedgerBusy``, said in words, with nothing half-written.
"""

from __future__ import annotations

import contextlib
import getpass
import re
from pathlib import Path
from typing import Any

import peewee
import psycopg
from peewee import PostgresqlDatabase, SqliteDatabase
from psycopg import sql as pgsql

from qwtimer.store import central_guard as guard
from qwtimer.store import central_migrate as steps
from qwtimer.store import central_schema as cs
from qwtimer.store import pgdriver
from qwtimer.store.central_dialect import Central, PgCentral, SqliteCentral
from qwtimer.store.ledger_errors import Conflict as Conflict
from qwtimer.store.ledger_errors import LedgerBusy as LedgerBusy
from qwtimer.store.ledger_errors import LedgerError as LedgerError
from qwtimer.store.ledger_errors import LedgerOffline as LedgerOffline

pgdriver.enable()  # Peewee was imported without it (see qwtimer.store)

KEYRING_SERVICE = "qwtimer-ledger"
ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def busy_error(exc: BaseException, where: str) -> LedgerBusy | None:
    """``exc`` (or its cause) as ``LedgerBusy`` when the ledger was busy, else None."""
    detail = guard.busy_detail(exc)
    if detail is None:
        return None
    return LedgerBusy(
        f"ledger busy: the ledger ({where}) is busy ({detail}); nothing was half-written: "
        "try again later"
    )


class _Pg(PostgresqlDatabase):  # type: ignore[misc]
    """Connects with a libpq conninfo dict (URI or key=value, services and .pgpass work)."""

    def _connect(self) -> Any:
        conn = psycopg.connect(**self.connect_params)
        conn.autocommit = True
        return conn


def default_url(data_dir: Path) -> str:
    return f"sqlite://{data_dir / 'ledger.db'}"


def resolve_url(explicit: str | None, env: str | None, setting: str | None, data_dir: Path) -> str:
    for value in (explicit, env, setting):
        if value and value.strip():
            return value.strip()
    return default_url(data_dir)


def _sqlite_path(url: str) -> Path | None:
    if url.startswith("sqlite://"):
        return Path(url[len("sqlite://") :]).expanduser()
    if url.startswith("sqlite:"):
        return Path(url[len("sqlite:") :]).expanduser()
    if url.endswith((".db", ".sqlite", ".sqlite3")) and "=" not in url:
        return Path(url).expanduser()
    return None


def pg_params(url: str) -> dict[str, Any]:
    """libpq connection parameters from a URL or key=value string (no password allowed)."""
    try:
        params: dict[str, Any] = dict(psycopg.conninfo.conninfo_to_dict(url))
    except psycopg.ProgrammingError as exc:
        raise LedgerError(f"the ledger address '{_redact(url)}' is not valid ({exc})") from None
    if "password" in params:
        raise LedgerError(
            "the ledger address contains a password: remove it and store the password in the "
            f"OS keyring (keyring set {KEYRING_SERVICE} ROLE@HOST:PORT) or in ~/.pgpass"
        )
    params.setdefault("sslmode", "prefer")
    params.setdefault("application_name", "qwtimer")
    params.setdefault("connect_timeout", "5")
    options = str(params.get("options") or "")
    params["options"] = f"{options} -c search_path={cs.PG_SCHEMA}".strip()
    return params


def _redact(url: str) -> str:
    return re.sub(r"//([^:@/]+):[^@/]*@", r"//\1:***@", url)


def _keyring_password(params: dict[str, Any]) -> str | None:
    user = params.get("user") or getpass.getuser()  # libpq's default login
    host = params.get("host", "localhost")
    try:
        import keyring

        pw = keyring.get_password(KEYRING_SERVICE, f"{user}@{host}:{params.get('port', '5432')}")
    except Exception:  # no keyring on a headless machine: libpq's .pgpass is used instead
        return None
    return pw


def _where(params: dict[str, Any]) -> str:
    host = params.get("host") or "localhost"
    return f"{params.get('dbname') or params.get('service') or '?'} on {host}"


def connect(url: str, *, admin: bool = False, who: str | None = None) -> Central:
    """Open the ledger at ``url`` for syncing (or, with ``admin``, for ``ledger init``).
    ``who``: the technician of this computer (the embedded ledger's roles). A sync
    connection runs every statement under the timeouts of ``guard.timeouts()``.

    Raises LedgerOffline when unreachable, LedgerError for anything a person must fix.
    """
    path = _sqlite_path(url)
    if path is not None:
        return _connect_sqlite(path, admin=admin, who=who)
    params = pg_params(url)
    if not admin:
        lock, statement = guard.timeouts()
        # A push whose laptop vanished mid-transaction (its network gone without a word to
        # the server) would hold its locks until TCP gave up, hours later, and every other
        # sync would find the ledger busy: the ledger ends such a transaction itself.
        params["options"] += (
            f" -c lock_timeout={int(lock * 1000)} -c statement_timeout={int(statement * 1000)}"
            f" -c idle_in_transaction_session_timeout={int(statement * 1000)}"
        )
    pw = _keyring_password(params)
    if pw:
        params["password"] = pw
    db = _Pg(
        params.get("dbname", ""), prefer_psycopg3=True, field_types=cs.PG_FIELD_TYPES, **params
    )
    where = _where(params)
    try:
        db.connect()
    except (psycopg.OperationalError, peewee.OperationalError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "no answer"
        first = first.removeprefix("connection failed: ")
        if "password" in first or "authentication" in first or "role" in first:
            raise LedgerError(
                f"the ledger ({where}) refused the login: {first}; check the role and the "
                f"password in the OS keyring ({KEYRING_SERVICE}) or ~/.pgpass"
            ) from None
        raise LedgerOffline(f"the ledger ({where}) cannot be reached: {first}") from None
    central: Central = PgCentral(db, where)
    row = db.execute_sql(
        "SELECT current_user, r.rolsuper, r.rolbypassrls FROM pg_roles r "
        "WHERE r.rolname = current_user"
    ).fetchone()
    central.role = str(row[0])
    if not admin:
        owner = db.execute_sql(
            "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %s) "
            "AND pg_has_role(current_user, %s, 'USAGE')",
            (cs.OWNER_ROLE, cs.OWNER_ROLE),
        ).fetchone()[0]
        if row[1] or row[2] or owner:
            what = "a superuser" if row[1] else "a role that bypasses row-level security"
            if owner and not row[1]:
                what = "the schema owner"
            central.close()
            raise LedgerError(
                f"refusing to sync as '{central.role}', {what}: connect as a technician or "
                "supervisor role (qwtimer ledger add-technician NAME)"
            )
        _check_version(central)
        central.supervisor = bool(
            db.execute_sql(
                "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %s) "
                "AND pg_has_role(current_user, %s, 'MEMBER')",
                (cs.SUPERVISOR_ROLE, cs.SUPERVISOR_ROLE),
            ).fetchone()[0]
        )
    return central


def _connect_sqlite(path: Path, *, admin: bool, who: str | None = None) -> Central:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LedgerError(f"cannot create the folder of the ledger file {path}: {exc}") from None
    busy_ms = 30000 if admin else int(guard.timeouts()[0] * 1000)
    db = SqliteDatabase(
        str(path),
        pragmas={"journal_mode": "wal", "synchronous": "full", "busy_timeout": busy_ms},
        field_types=cs.SQLITE_FIELD_TYPES,
        check_same_thread=False,
        timeout=busy_ms / 1000,
    )
    # R6.1: the ledger's triggers call the one rule (central_guard)
    db.register_function(guard.sqlite_holds_card_number, "holds_card_number", 1, True)
    try:
        db.connect()
    except Exception as exc:
        raise LedgerError(f"the ledger file {path} cannot be opened ({exc})") from None
    central: Central = SqliteCentral(db, str(path))
    if not admin:
        if steps.version(central)[0] == 0:
            # the embedded ledger sets itself up on first use, every step in one transaction:
            # a laptop that dies part-way leaves no ledger, never one stuck at a step between
            with db.atomic("IMMEDIATE"):
                migrate(central)
        _check_version(central)
        central.supervisor = _sqlite_supervisor(central, who)
    return central


def _sqlite_supervisor(central: Central, who: str | None) -> bool:
    """The embedded ledger's roles: whoever first syncs with it (its creator) is its
    supervisor, anyone else a technician (R13)."""
    db = central.db
    with db.atomic("IMMEDIATE"):
        row = db.execute_sql("SELECT value FROM ledger_meta WHERE key = 'creator'").fetchone()
        if row is None and who:
            db.execute_sql("INSERT INTO ledger_meta (key, value) VALUES ('creator', ?)", (who,))
            return True
    return who is None or row is None or str(row[0]) == who


def _check_version(central: Central) -> None:
    try:
        steps.check(central)
    except steps.SchemaMismatch as exc:
        raise LedgerError(str(exc)) from None
    row = central.db.execute_sql("SELECT value FROM ledger_meta WHERE key = 'ledger_id'")
    central.ledger_id = str(row.fetchone()[0])


def migrate(central: Central) -> int:
    """Create or migrate the ledger's schema (``central_migrate``), in words when refused."""
    try:
        return steps.migrate(central)
    except steps.SchemaMismatch as exc:
        raise LedgerError(str(exc)) from None


def init_ledger(url: str) -> tuple[str, int]:
    """``qwtimer ledger init URL``: roles, schema owned by the owner role, tables, security.

    On PostgreSQL the connecting role must be able to create roles and schemas (an
    administrator); the tables end up owned by ``qwtimer_owner``, which cannot log in.
    """
    central = connect(url, admin=True)
    try:
        if not isinstance(central, PgCentral):
            return central.where, migrate(central)
        db = central.db
        for role in (cs.OWNER_ROLE, cs.TECHNICIAN_ROLE, cs.SUPERVISOR_ROLE):
            exists = db.execute_sql("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
            if exists.fetchone() is None:
                db.execute_sql(f"CREATE ROLE {role} NOLOGIN")
        with contextlib.suppress(psycopg.Error):  # already a member
            db.execute_sql(f"GRANT {cs.OWNER_ROLE} TO current_user")
        db.execute_sql(f"CREATE SCHEMA IF NOT EXISTS {cs.PG_SCHEMA} AUTHORIZATION {cs.OWNER_ROLE}")
        db.execute_sql(f"SET ROLE {cs.OWNER_ROLE}")
        version = migrate(central)
        db.execute_sql("RESET ROLE")
        return central.where, version
    except psycopg.errors.InsufficientPrivilege as exc:
        raise LedgerError(
            f"'{central.role}' may not set up the ledger ({exc.diag.message_primary}): run "
            "'ledger init' as an administrator role that can create roles and schemas"
        ) from None
    finally:
        central.close()


def add_login(url: str, name: str, group: str, password: str | None) -> str:
    """Create login role ``name`` in ``group`` (technician or supervisor). Returns the role."""
    if group not in (cs.TECHNICIAN_ROLE, cs.SUPERVISOR_ROLE):
        raise ValueError(group)
    if not ROLE_NAME.match(name):
        raise LedgerError(
            f"'{name}' is not usable as a login: use lower-case letters, digits and _ "
            "(it is also the technician name on the device, QWTIMER_TECHNICIAN)"
        )
    central = connect(url, admin=True)
    try:
        if not isinstance(central, PgCentral):
            raise LedgerError(
                "a SQLite ledger has no logins: it serves the one technician of this computer"
            )
        conn = central.raw()
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone()
        stmt = pgsql.SQL("{} ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS").format(
            pgsql.SQL("ALTER" if exists else "CREATE"), pgsql.Identifier(name)
        )
        if password:
            stmt = pgsql.SQL("{} PASSWORD {}").format(stmt, pgsql.Literal(password))
        try:
            conn.execute(stmt)
            conn.execute(
                pgsql.SQL("GRANT {} TO {}").format(pgsql.Identifier(group), pgsql.Identifier(name))
            )
        except psycopg.errors.InsufficientPrivilege as exc:
            raise LedgerError(
                f"'{central.role}' may not create logins ({exc.diag.message_primary}): "
                "run this as an administrator role"
            ) from None
        return name
    finally:
        central.close()
