"""Databases that are not what qwtimer expects: damaged pages, a truncated file, a zero-byte
file, a database written by a newer qwtimer. A command that writes must refuse in one line
on stderr with exit 2 and what to do; a command that only reads either refuses the same way
or answers from what it can read; neither ever changes the file's bytes (nothing is
overwritten, nothing recreated empty). The data folder is given relative to where the
command runs in half of the runs."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

from qwtimer.store.connection import SCHEMA_VERSION
from tests.faults.checks import Tally
from tests.faults.cli import qwtimer
from tests.faults.worker import CUSTOMER


def _damage(db: Path, rng: random.Random) -> None:
    """Garbage over part of the pages every command reads first: the customer and call
    tables' roots (damage on pages no command reads goes unseen until one does)."""
    con = sqlite3.connect(db)
    roots = con.execute(
        "SELECT rootpage FROM sqlite_master WHERE name IN ('customer', 'call')"
    ).fetchall()
    page = con.execute("PRAGMA page_size").fetchone()[0]
    con.close()
    with db.open("r+b") as fh:
        for (root,) in roots:
            fh.seek((root - 1) * page)  # the page's header and cell pointers
            fh.write(os.urandom(rng.randint(8, page)))


def _truncate(db: Path, rng: random.Random) -> None:
    os.truncate(db, rng.randrange(1, db.stat().st_size // 4096) * 4096)


def _zero(db: Path, rng: random.Random) -> None:
    os.truncate(db, 0)


def _newer(db: Path, rng: random.Random) -> None:
    con = sqlite3.connect(db)
    with con:
        newer = SCHEMA_VERSION + rng.randint(1, 90)
        con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (newer,))
    con.close()


BREAKS: dict[str, tuple[Callable[[Path, random.Random], None], str]] = {
    "damaged": (_damage, "damaged"),
    "truncated": (_truncate, "damaged"),
    "zero-byte": (_zero, "empty file"),
    "newer": (_newer, "newer qwtimer"),
}
WRITES = (("timer", "start", CUSTOMER), ("call", "log", CUSTOMER, "--talk", "5m"))
READS = (("customer", "list"), ("timer", "status"))


def _seed(folder: Path) -> None:
    qwtimer(folder, "customer", "add", CUSTOMER, "--product", "desktop", "--plan", "license")
    qwtimer(folder, "call", "log", CUSTOMER, "--talk", "12:30")
    con = sqlite3.connect(folder / "qwtimer.db")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


def bad_databases(root: Path, runs: int, rng: random.Random) -> Tally:
    tally = Tally("damaged, truncated, zero-byte and newer databases")
    seed = root / "bad-seed"
    _seed(seed)
    for n in range(runs):
        name = list(BREAKS)[n % len(BREAKS)]
        brk, said = BREAKS[name]
        folder = root / f"bad{n}"
        shutil.copytree(seed, folder)
        db = folder / "qwtimer.db"
        brk(db, rng)
        digest = hashlib.sha256(db.read_bytes()).hexdigest()
        data = Path(folder.name) if n % 2 else folder  # relative to root, or absolute
        tally.runs += 1
        tally.faults += 1
        for args, must_refuse in [(rng.choice(WRITES), True), (rng.choice(READS), False)]:
            tally.records += 1
            done = qwtimer(data, *args, code=None, cwd=root)
            lines = done.stderr.strip().splitlines()
            refused = done.returncode == 2 and len(lines) == 1 and said in lines[0]
            if (must_refuse and not refused) or (not refused and done.returncode != 0):
                tally.problems.append(f"{name}: {' '.join(args)} -> {done.returncode} {lines}")
            if hashlib.sha256(db.read_bytes()).hexdigest() != digest:
                tally.damage(f"{name}: {' '.join(args)} changed the database file")
        shutil.rmtree(folder)
    return tally
