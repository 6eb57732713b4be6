"""The log: one rotating file in the log folder (``paths.log_dir``), shared by the window and
the command line, so that no crash is ever silent.

:func:`setup` opens it and points :mod:`faulthandler` at it: a fatal error that kills the
interpreter (a segfault, an abort in a C extension) still leaves every thread's Python stack in
the file. :func:`log_bug` writes an unexpected exception with its traceback and
:func:`bug_line` says so to a person in one line naming the file.
"""

from __future__ import annotations

import faulthandler
import logging
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import IO, Any

from qwtimer.paths import log_dir

LOG_NAME = "qwtimer.log"
MAX_BYTES = 1_000_000
BACKUPS = 3

log = logging.getLogger("qwtimer")


class _Handler(RotatingFileHandler):
    """A rotating file whose current stream always receives faulthandler's reports."""

    def doRollover(self) -> None:
        super().doRollover()
        _fault_into(self.stream)


def _fault_into(stream: IO[Any] | None) -> None:
    if stream is not None:
        faulthandler.enable(stream, all_threads=True)


_handler: _Handler | None = None


def setup() -> Path | None:
    """Log to the log folder's ``qwtimer.log`` (rotated at 1 MB, 3 kept), with faulthandler
    writing into it. Calling it again for the same folder changes nothing; for another folder
    (``QWTIMER_LOG_DIR`` changed) it moves there. Returns the file, or ``None`` when the
    folder cannot be written: qwtimer then runs on and errors go to stderr instead."""
    global _handler
    path = log_dir() / LOG_NAME
    if _handler is not None and Path(_handler.baseFilename) == path.absolute():
        return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = _Handler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(
        logging.Formatter("%(asctime)s pid %(process)d %(levelname)s %(name)s: %(message)s")
    )
    if _handler is not None:
        log.removeHandler(_handler)
        _handler.close()
    _handler = handler
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    _fault_into(handler.stream)
    return path


def current() -> Path | None:
    """The file being logged to, if :func:`setup` succeeded."""
    return Path(_handler.baseFilename) if _handler is not None else None


def log_bug(exc: BaseException, where: str) -> Path | None:
    """Write ``exc`` with its traceback to the log (setting it up if needed); returns the
    file, or ``None`` when there is none (the traceback then goes to stderr)."""
    path = current() or setup()
    if path is None:
        print(f"qwtimer: unexpected error {where}:", file=sys.stderr)
        sys.__excepthook__(type(exc), exc, exc.__traceback__)  # the default: stderr
        return None
    log.error("unexpected error %s", where, exc_info=(type(exc), exc, exc.__traceback__))
    if _handler is not None:
        _handler.flush()
    return path


def bug_line(exc: BaseException, path: Path | None) -> str:
    """One line for a person: what broke, and where the details are."""
    what = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if path is None:
        return f"unexpected error ({what}); the details are printed above"
    return f"unexpected error ({what}); the details were written to {path}"
