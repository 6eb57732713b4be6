"""qwtimer's own fault runs: ``python -m tests.faults.campaign [--long] [--seed N]``.

Each run injects one fault into real work (a process timing calls or syncing, the disk, the
ledger, the clock, the database file, a racing process), then checks that every SQLite file
passes ``PRAGMA integrity_check``, that what was acknowledged before the fault is there, that
nothing is doubled (segments, closes, entries; each call billed once) and that a ledger's
money equals that of a fault-free twin. It prints the counts per scenario and exits 1 on any
loss, doubling, damage or failed check (and on a skipped scenario where CI requires it).
The short form runs inside ``make test``; ``make faults`` runs the long form.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from tests.faults import bad_files, clocks, disks, kills, ledger_faults, races
from tests.faults.checks import Tally

Scenario = Callable[[Path, int, random.Random], Tally]
# name -> (scenario, runs in the short form, runs in the long form)
SCENARIOS: dict[str, tuple[Scenario, int, int]] = {
    "kill-timer": (kills.timer_kills, 14, 160),
    "kill-sync": (kills.sync_kills, 4, 40),
    "full-disk": (disks.full_disk, 3, 20),
    "read-only-disk": (disks.read_only_disk, 2, 10),
    "ledger-pg": (ledger_faults.pg_ledger, 3, 30),
    "ledger-sqlite-locked": (ledger_faults.sqlite_ledger_locked, 2, 10),
    "clock": (clocks.clock_faults, 8, 80),
    "bad-database": (bad_files.bad_databases, 4, 20),
    "races": (races.racing_processes, 12, 300),
}
REQUIRED = {"full-disk": "QWTIMER_REQUIRE_FULL_DISK", "read-only-disk": "QWTIMER_REQUIRE_FULL_DISK",
            "ledger-pg": "QWTIMER_REQUIRE_PG"}  # fmt: skip
COLUMNS = ("scenario", "runs", "faults injected", "records checked", "lost", "doubled", "damaged")


def table(tallies: list[Tally]) -> str:
    """The counts as a Markdown table, a total row last."""
    rows = [COLUMNS, tuple("---" for _ in COLUMNS)]
    for t in tallies:
        name = f"{t.scenario} (skipped: {t.skipped})" if t.skipped else t.scenario
        rows.append((name, *(f"{v:,}" for v in _counts(t))))
    total = [sum(c) for c in zip(*(_counts(t) for t in tallies), strict=True)]
    rows.append(("**total**", *(f"**{v:,}**" for v in total)))
    return "\n".join("| " + " | ".join(r) + " |" for r in rows)


def _counts(t: Tally) -> tuple[int, ...]:
    return (t.runs, t.faults, t.records, t.lost, t.doubled, t.damaged)


def run(names: list[str], long: bool, seed: int, root: Path) -> list[Tally]:
    tallies = []
    for name in names:
        scenario, short_runs, long_runs = SCENARIOS[name]
        started = time.monotonic()
        try:
            tally = scenario(root / name, long_runs if long else short_runs, random.Random(seed))
        except Exception as exc:  # a check that could not run is a failure, said as such
            where = traceback.extract_tb(exc.__traceback__)[-3:]
            said = "; ".join(f"{Path(f.filename).name}:{f.lineno} {f.line}" for f in where)
            tally = Tally(name, problems=[f"{type(exc).__name__}: {exc} (at {said})"])
        if tally.skipped and os.environ.get(REQUIRED.get(name, ""), "") == "1":
            tally.problems.append(f"skipped where {REQUIRED[name]}=1: {tally.skipped}")
        print(f"{name}: {tally.runs} runs in {time.monotonic() - started:.0f} s", file=sys.stderr)
        for problem in tally.problems[:5]:
            print(f"  {name}: {problem}", file=sys.stderr)
        tallies.append(tally)
    return tallies


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.faults.campaign")
    parser.add_argument("--long", action="store_true", help="the long form (make faults)")
    parser.add_argument("--seed", type=int, default=None, help="repeat a campaign exactly")
    parser.add_argument("--only", action="append", choices=list(SCENARIOS), default=None)
    args = parser.parse_args(argv)
    # what the product logs about the faults (tracebacks of cut connections) stays out of
    # the report; its checks say what matters
    logging.getLogger().addHandler(logging.NullHandler())
    seed = args.seed if args.seed is not None else random.randrange(1 << 31)
    started = time.monotonic()
    print(f"fault runs, {'long' if args.long else 'short'} form, seed {seed}", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="qwtimer-faults-") as tmp:
        os.environ.setdefault("QWTIMER_LOG_DIR", str(Path(tmp) / "logs"))
        tallies = run(args.only or list(SCENARIOS), args.long, seed, Path(tmp))
    print(table(tallies))
    failed = [t.scenario for t in tallies if t.failed]
    print(f"{time.monotonic() - started:.0f} s; seed {seed}; " + (
        f"FAILED: {', '.join(failed)}" if failed else "nothing lost, doubled or damaged"))  # fmt: skip
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
