"""The log: one rotating file in the log folder (``paths.log_dir``), shared by the window and
the command line, so that no crash is ever silent.

:func:`setup` opens it and points :mod:`faulthandler` at it: a fatal error that kills the
interpreter (a segfault, an abort in a C extension) still leaves every thread's Python stack in
the file. :func:`logger` writes records into it (rotated at 1 MB, 3 kept; the rotating handler
and its imports load on first use, so a command that logs nothing pays only for opening the
file). :func:`log_bug` writes an unexpected exception with its traceback and :func:`bug_line`
says so to a person in one line naming the file.
"""

from __future__ import annotations

import faulthandler
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from qwtimer.paths import log_dir

if TYPE_CHECKING:
    import logging

LOG_NAME = "qwtimer.log"
MAX_BYTES = 1_000_000
BACKUPS = 3

_path: Path | None = None  # the file set up, if any
_fault_file: IO[str] | None = None  # where faulthandler writes until the handler exists
_handler: Any = None  # the RotatingFileHandler, made by logger()
_faults_elsewhere = False  # faulthandler already reported somewhere when setup() took over


def _fault_into(stream: IO[Any] | None) -> None:
    if stream is not None:
        faulthandler.enable(stream, all_threads=True)


def setup() -> Path | None:
    """Make the log folder's ``qwtimer.log`` the log, with faulthandler writing into it.
    Calling it again for the same folder changes nothing; for another folder
    (``QWTIMER_LOG_DIR`` changed) it moves there. Returns the file, or ``None`` when the
    folder cannot be written: qwtimer then runs on and errors go to stderr instead."""
    global _path, _fault_file, _handler, _faults_elsewhere
    path = (log_dir() / LOG_NAME).absolute()
    if path == _path:
        return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fault_file = path.open("a", encoding="utf-8")
    except OSError:
        return None
    if _path is None:
        _faults_elsewhere = faulthandler.is_enabled()
    _fault_into(fault_file)
    if _fault_file is not None:
        _fault_file.close()
    if _handler is not None:
        logging_module = sys.modules["logging"]
        logging_module.getLogger("qwtimer").removeHandler(_handler)
        _handler.close()
        _handler = None
    _path, _fault_file = path, fault_file
    return path


def release() -> None:
    """Undo :func:`setup` in a process whose fatal-error reports went somewhere before it (a
    host running qwtimer in-process, such as a test runner): the log's handler and file are
    closed and the reports go to stderr again. In a process of its own the log stays set up
    to the end, so that a crash while the process shuts down still lands in the file."""
    global _path, _fault_file, _handler
    if _path is None or not _faults_elsewhere:
        return
    stderr = sys.__stderr__
    if stderr is not None:
        faulthandler.enable(stderr, all_threads=True)
    else:  # pragma: no cover - a windowed bundle has no stderr
        faulthandler.disable()
    if _handler is not None:
        sys.modules["logging"].getLogger("qwtimer").removeHandler(_handler)
        _handler.close()
        _handler = None
    if _fault_file is not None:
        _fault_file.close()
        _fault_file = None
    _path = None


def current() -> Path | None:
    """The file being logged to, if :func:`setup` succeeded."""
    return _path


def logger() -> logging.Logger:
    """The ``qwtimer`` logger, writing into the log file (after :func:`setup`)."""
    global _handler, _fault_file
    import logging
    from logging.handlers import RotatingFileHandler

    log = logging.getLogger("qwtimer")
    if _handler is None and _path is not None:

        class Rotating(RotatingFileHandler):
            """A rotating file whose current stream always receives faulthandler's reports."""

            def doRollover(self) -> None:
                super().doRollover()
                _fault_into(self.stream)

        try:
            handler = Rotating(_path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
        except OSError:
            return log
        handler.setFormatter(
            logging.Formatter("%(asctime)s pid %(process)d %(levelname)s %(name)s: %(message)s")
        )
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        _handler = handler
        _fault_into(handler.stream)
        if _fault_file is not None:
            _fault_file.close()
            _fault_file = None
    return log


def log_bug(exc: BaseException, where: str) -> Path | None:
    """Write ``exc`` with its traceback to the log (setting it up if needed); returns the
    file, or ``None`` when there is none (the traceback then goes to stderr)."""
    path = current() or setup()
    if path is None:
        print(f"qwtimer: unexpected error {where}:", file=sys.stderr)
        sys.__excepthook__(type(exc), exc, exc.__traceback__)  # the default: stderr
        return None
    logger().error("unexpected error %s", where, exc_info=(type(exc), exc, exc.__traceback__))
    if _handler is not None:
        _handler.flush()
    return path


def bug_line(exc: BaseException, path: Path | None) -> str:
    """One line for a person: what broke, and where the details are."""
    what = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if path is None:
        return f"unexpected error ({what}); the details are printed above"
    return f"unexpected error ({what}); the details were written to {path}"
