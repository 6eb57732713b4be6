"""Start-up cost: the local commands and the window load no PostgreSQL driver; a PostgreSQL
ledger gets it on first use."""

from __future__ import annotations

import subprocess
import sys


def _run(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.strip()


def test_local_commands_do_not_load_the_postgresql_driver() -> None:
    code = (
        "import sys, qwtimer.desk.context, qwtimer.desk.calls, qwtimer.cli.calls;"
        "print('psycopg' in sys.modules)"
    )
    assert _run(code) == "False"


def test_a_postgresql_ledger_hands_the_driver_to_peewee() -> None:
    code = (
        "import qwtimer.desk.context, peewee, qwtimer.store.central;"
        "db = peewee.PostgresqlDatabase('qwtimer', prefer_psycopg3=True);"
        "print(type(db._adapter).__name__, peewee.Psycopg3Adapter.txn_idle.name)"
    )
    assert _run(code) == "Psycopg3Adapter IDLE"
