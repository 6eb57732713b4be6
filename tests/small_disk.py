"""A real, small file system (tmpfs) that a test fills up and frees again: every write of the
local database then fails exactly as on a full disk (SQLITE_FULL), reads still work.

Mounting needs root (as in CI); elsewhere the tests that use it skip, or fail where
``QWTIMER_REQUIRE_FULL_DISK=1``.
"""

from __future__ import annotations

import contextlib
import errno
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import require

CHUNK = 1 << 16


class SmallDisk:
    """A tmpfs mounted at ``path``; ``fill()`` leaves no byte free, ``free()`` gives it back."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.filler = path / "filler"

    def fill(self, database: Path) -> None:
        """Leave the disk full. The write-ahead log of ``database`` is emptied first, so no
        later write finds room left over from an earlier one."""
        con = sqlite3.connect(database)
        try:
            busy, _, _ = con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            assert busy == 0, "another connection holds a read transaction"
        finally:
            con.close()
        with open(self.filler, "ab", buffering=0) as fh:
            for size in (CHUNK, 1):
                with contextlib.suppress(OSError):
                    while True:
                        fh.write(b"\0" * size)
        probe = self.path / "probe"
        try:
            probe.write_bytes(b"x")
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
        else:  # pragma: no cover - the file system kept room back
            raise AssertionError(f"{self.path} is not full")

    def free(self) -> None:
        """Space returns."""
        self.filler.unlink(missing_ok=True)
        (self.path / "probe").unlink(missing_ok=True)


@contextlib.contextmanager
def small_disk(path: Path, size: str = "32m") -> Iterator[SmallDisk]:
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        require(
            "QWTIMER_REQUIRE_FULL_DISK",
            f"a full disk is simulated with a small tmpfs, which needs root ({done.stderr.strip()})",
        )
    try:
        yield SmallDisk(path)
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)
