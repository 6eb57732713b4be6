"""Start-up cost: the local commands and the window load no PostgreSQL driver; a PostgreSQL
ledger gets it on first use."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path


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


# Notes every module the import system is asked for, behind any finder put in front of it.
SPY = """
import json, sys
asked = []
class Spy:
    @staticmethod
    def find_spec(name, path=None, target=None):
        asked.append(name)
        return None
sys.meta_path.insert(0, Spy)
before = list(sys.meta_path)
import qwtimer.store
from qwtimer.store import DRIVERS
waits = "peewee" not in sys.modules
import peewee
after = list(sys.meta_path)
probed = sorted(n for n in asked if n.partition(".")[0] in DRIVERS)
loaded = sorted(n for n in DRIVERS if n in sys.modules)
import psycopg
print(json.dumps([probed, loaded, before == after, psycopg.__name__, waits]))
"""


def test_peewee_is_imported_without_searching_for_any_database_driver() -> None:
    probed, loaded, restored, later, waited = json.loads(_run(SPY))
    assert waited  # the store's package alone does not import Peewee
    assert probed == []  # refused before any search of the path
    assert loaded == []
    assert restored  # the finders are gone once Peewee is imported
    assert later == "psycopg"  # a PostgreSQL ledger's driver still imports afterwards


def test_the_drivers_refused_are_those_peewee_tries() -> None:
    import peewee

    from qwtimer.store import DRIVERS

    opening = Path(peewee.__file__).read_text().split("__version__")[0]  # its first lines
    tried = set(re.findall(r"^ +(?:import|from) (\w+)", opening, re.MULTILINE))
    assert tried - DRIVERS == {"sqlite3", "pysqlite3"}  # SQLite's: the local database's
