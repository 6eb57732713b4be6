"""When something goes wrong under a command: known conditions get one true, actionable line
(exit 2), bugs get their traceback logged and one line naming the log (exit 1), and a reader
that stops reading (``| head``) ends the command quietly. Commands run in this process; a pipe
and a race between two commands need processes of their own."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from qwtimer import cli as cli_main
from qwtimer import entry
from qwtimer.cli import customers as customer_commands
from qwtimer.core.clock import Reading, SystemClock
from qwtimer.core.timer import SegmentKind
from qwtimer.desk import context, customer_import
from qwtimer.desk.calls import Calls
from qwtimer.desk.customers import Customers
from tests.unit.test_cli import (
    ACME,
    CSV_HEADER,
    InProcess,
    add_acme,
    assert_refused,
    environment,
    table_rows,
)


@pytest.fixture
def seeded(tmp_path: Path) -> InProcess:
    cli = InProcess(tmp_path / "data")
    add_acme(cli)
    return cli


def hold_lock(db: Path) -> sqlite3.Connection:
    """Another program's connection holding the write lock (BEGIN EXCLUSIVE)."""
    other = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN EXCLUSIVE")
    return other


def test_a_lock_held_by_another_program_is_said_in_one_line_after_retrying(
    seeded: InProcess,
) -> None:
    before = table_rows(seeded.db)
    other = hold_lock(seeded.db)
    try:
        t0 = time.monotonic()
        p = seeded.run("call", "log", ACME, "--talk", "5m", code=2)
        waited = time.monotonic() - t0
    finally:
        other.close()
    assert_refused(p, "another program holds the local database", str(seeded.db))
    assert "damaged" not in p.stderr and "move it aside" not in p.stderr
    assert waited >= 4.5  # it retried (busy timeout) before giving up
    assert table_rows(seeded.db) == before


def test_a_lock_released_while_retrying_lets_the_command_through(seeded: InProcess) -> None:
    other = hold_lock(seeded.db)
    release = threading.Timer(1.0, other.close)
    release.start()
    try:
        seeded.run("call", "log", ACME, "--talk", "5m")
    finally:
        release.join()
    assert len(table_rows(seeded.db)["call"]) == 1


def _small_fs(tmp_path: Path, size: str) -> Iterator[Path]:
    """A filesystem of ``size`` of its own (tmpfs), unmounted afterwards."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({made.stderr.strip()})")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """2 MiB: room for a new database and its write-ahead log while every schema step runs,
    then filled by the test."""
    yield from _small_fs(tmp_path, "2m")


def test_a_disk_full_at_commit_says_disk_full_not_a_failed_rollback(tmp_path: Path) -> None:
    """On 256 KiB a new database's schema steps fill the disk as they commit: SQLite ends
    the transaction itself, and the error said is the disk's, not the rollback's after it."""
    for tiny in _small_fs(tmp_path, "256k"):
        p = InProcess(tiny / "data").run("customer", "list", code=2)
        assert_refused(p, "disk full", str(tiny / "data"))
        assert "rollback" not in p.stderr


def test_a_full_disk_says_disk_full_and_names_the_folder(tiny_disk: Path, tmp_path: Path) -> None:
    cli = InProcess(tiny_disk / "data")
    add_acme(cli)
    cli.run("call", "log", ACME, "--talk", "5m")
    before = table_rows(cli.db)
    filler = tiny_disk / "filler"
    with filler.open("wb", buffering=0) as fh:  # take every byte that is left
        try:
            while True:
                fh.write(b"\0" * 4096)
                fh.flush()
        except OSError:
            pass
    export = tmp_path / "crm.csv"  # on the big disk; the import needs new pages on the tiny one
    export.write_text(
        CSV_HEADER
        + "".join(f"Big {n} {'x' * 500},desktop,license,,2027-06-30,,,\n" for n in range(50)),
        encoding="utf-8",
    )
    p = cli.run("customer", "import", str(export), code=2)
    assert_refused(p, "disk full", str(cli.data))
    assert "damaged" not in p.stderr
    filler.unlink()
    assert table_rows(cli.db) == before


def test_a_bug_is_logged_with_its_traceback_and_named_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path, log_dir
) -> None:
    def broken(*args: object) -> None:
        raise KeyError("unheard-of column")

    monkeypatch.setattr(customer_commands, "cmd_customer_list", broken)
    status = cli_main.main(["--data-dir", str(tmp_path / "data"), "customer", "list"])
    err = capsys.readouterr().err
    assert status == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    log = log_dir / "qwtimer.log"
    assert "unexpected error" in lines[0] and str(log) in lines[0]
    assert "KeyError" in lines[0]
    text = log.read_text()
    assert "Traceback (most recent call last)" in text
    assert "in broken" in text and "unheard-of column" in text


@pytest.fixture(scope="module")
def long_listings(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder whose listings are longer than a pipe buffer holds: 2,000 customers and
    800 calls (`calls` streams from an open cursor, which must close before the file; with
    fewer rows it can finish writing before `head` has gone). Made once: the listings only
    read it."""
    seeded = InProcess(tmp_path_factory.mktemp("listings") / "data")
    add_acme(seeded)
    export = seeded.data.parent / "crm.csv"
    export.write_text(
        CSV_HEADER
        + "".join(f"Customer {n:04d},desktop,license,,2027-06-30,,,\n" for n in range(2000)),
        encoding="utf-8",
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(customer_import, "PAUSE_SECONDS", 0)  # no timer here to let in
        seeded.run("customer", "import", str(export))
    desk = context.Desk(seeded.data, technician="tess")
    try:
        calls, customers = Calls(desk), Customers(desk)
        with desk.db.atomic():
            for n in range(800):
                calls.log(customers.find(f"Customer {n:04d}"), {SegmentKind.TALK: 120})
    finally:
        desk.close()
    return seeded.data


@pytest.mark.parametrize("listing", ["customer list", "calls", "calls --csv", "calls --json"])
def test_piping_a_command_to_head_exits_quietly(
    long_listings: Path, qwtimer_cmd: list[str], listing: str
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "QWTIMER_DATA_DIR"}
    env["QWTIMER_TECHNICIAN"] = "tess"
    cmd = " ".join(qwtimer_cmd)
    shell = subprocess.run(
        [
            "bash",
            "-o",
            "pipefail",
            "-c",
            f"{cmd} --data-dir '{long_listings}' {listing} | head -1",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert len(shell.stdout.splitlines()) == 1
    assert shell.stderr == ""  # no BrokenPipeError traceback, no "Exception ignored"
    assert shell.returncode == 141  # as for any program stopped by SIGPIPE (128 + 13)


def test_a_command_racing_another_waits_for_it_and_acts_on_what_it_left(
    seeded: InProcess,
    qwtimer_cmd: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`timer hold` here is inside its transaction when another process asks for a hold too:
    the other waits for the lock instead of acting on a stale read, then finds the call on
    hold already and says so in one line; one hold is recorded, not two."""
    seeded.run("timer", "start", ACME)
    other: list[subprocess.Popen[str]] = []

    class RacedClock(SystemClock):
        def read(self) -> Reading:
            if not other:  # inside this command's transaction, before its write
                other.append(
                    subprocess.Popen(
                        [*qwtimer_cmd, "--data-dir", str(seeded.data), "timer", "hold"],
                        stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE,
                        text=True,
                        env=environment(),
                    )
                )
                time.sleep(0.5)  # the other command is now waiting for the lock
            return super().read()

    monkeypatch.setattr(context, "SystemClock", RacedClock)
    status = cli_main.main(["--data-dir", str(seeded.data), "timer", "hold"])
    assert status == 0, capsys.readouterr().err
    _, err = other[0].communicate(timeout=60)
    assert other[0].returncode == 2, err
    assert err.count("\n") == 1 and "hold" in err and "damaged" not in err
    assert len(table_rows(seeded.db)["segment"]) == 2  # talk, then one hold
    assert seeded.json("timer", "status")["state"] == "hold"


def test_a_bug_opening_the_window_is_logged_and_named_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path, log_dir
) -> None:
    from qwtimer.gui import window_start

    def broken_window(*args: object) -> int:
        raise AttributeError("the window lost a part")

    monkeypatch.setattr(window_start, "run", broken_window)
    status = entry.main(["--data-dir", str(tmp_path / "data")])
    lines = capsys.readouterr().err.strip().splitlines()
    assert status == 1
    assert len(lines) == 1 and str(log_dir / "qwtimer.log") in lines[0]
    text = (log_dir / "qwtimer.log").read_text()
    assert "in broken_window" in text and "the window lost a part" in text
