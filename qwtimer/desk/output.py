"""Files written whole or not at all: every export (statements, receipts, reports) writes
into a temporary file beside its target and renames it only when it is complete."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from qwtimer.core.errors import InputError


@contextmanager
def output_file(path: Path | str) -> Iterator[Path]:
    """A temporary file beside ``path`` that becomes ``path`` only if the block succeeds.

    An export that fails part-way leaves nothing behind; a folder that does not exist or
    cannot be written is an ``InputError`` before anything is made.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise InputError(f"{target} is a folder: give a file name to write")
    if not folder.is_dir():
        raise InputError(f"cannot write {target}: the folder {folder} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise InputError(f"cannot write {target}: {exc.strerror or exc}") from exc
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    except OSError as exc:
        raise InputError(f"cannot write {target}: {exc.strerror or exc}") from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
