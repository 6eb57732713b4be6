"""Foundation figures: one committed timer transition, and ``call log`` as a whole process."""

from __future__ import annotations

import sqlite3
import subprocess
import tempfile
from pathlib import Path

from qwtimer.core.timer import Action
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers, LineInput
from tests.bench.common import Row, installed, median_seconds

REPEAT = 300


def _bare_sqlite_commit(folder: Path) -> float:
    """The physical floor: one INSERT + COMMIT with the same pragmas (WAL, synchronous=FULL)."""
    con = sqlite3.connect(folder / "bare.db", isolation_level=None)
    con.execute("PRAGMA journal_mode=wal")
    con.execute("PRAGMA synchronous=full")
    con.execute("PRAGMA foreign_keys=on")
    con.execute("CREATE TABLE seg (id INTEGER PRIMARY KEY, kind TEXT, ms INTEGER)")

    def once() -> None:
        con.execute("BEGIN")
        con.execute("INSERT INTO seg (kind, ms) VALUES ('hold', 1000)")
        con.execute("COMMIT")

    result = median_seconds(once, REPEAT)
    con.close()
    return result


def _transition(folder: Path) -> float:
    desk = Desk(folder / "desk", technician="bench")
    customer = Customers(desk).add(
        "Bench Ltd", LineInput("desktop", "license", maintenance_until="2030-01-01")
    )
    calls = Calls(desk)
    calls.start(customer)
    actions = iter([Action.HOLD, Action.RESUME] * (REPEAT + 10))

    def once() -> None:
        calls.act(next(actions))

    result = median_seconds(once, REPEAT)
    calls.stop()
    desk.close()
    return result


def _process(args: list[str]) -> float:
    """One process's wall time (median), run as installed, bytecode compiled."""
    env = installed().env
    run = lambda: subprocess.run(args, check=True, capture_output=True, env=env)  # noqa: E731
    return median_seconds(run, 7, 1)


def rows() -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        bare = _bare_sqlite_commit(folder)
        transition = _transition(folder)
        data = folder / "cli"
        q = [installed().python, "-m", "qwtimer", "--data-dir", str(data)]
        subprocess.run(
            [*q, "customer", "add", "Bench Ltd", "--product", "desktop", "--plan", "license"],
            check=True,
            capture_output=True,
            env=installed().env,
        )
        log = _process([*q, "call", "log", "Bench Ltd", "--talk", "12:30", "--hold", "2m"])
        python = _process([installed().python, "-c", "import sqlite3"])
    return [
        Row(
            "timer transition committed (median)",
            transition * 1000,
            "ms",
            "bare sqlite3 insert+commit, same pragmas",
            bare * 1000,
            "<= 1.5x",
        ),
        Row(
            "'call log' end to end, one process",
            log * 1000,
            "ms",
            "python interpreter start",
            python * 1000,
            "-",
        ),
    ]
