"""The command line: the desk's operations for people and scripts (``--json``).

Exit status: 0 success, 2 bad input or a state that forbids the action (one line on stderr
saying what was wrong and what to do; nothing half-written). The grammar is in ``parser``; each
command's handler lives in the module named there and is imported only when it runs.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sqlite3
import sys
from collections.abc import Callable, Sequence
from typing import Any

from qwtimer.core.errors import QwtimerError

EXIT_INPUT = 2


class Out:
    """Prints for people or, with --json, one JSON document for scripts."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json

    def emit(self, data: Any, text: str | Callable[[], str]) -> None:
        if self.as_json:
            print(json.dumps(data, indent=2, sort_keys=True, default=str))
        else:
            print(text() if callable(text) else text)


def _handler(name: str) -> Callable[[Any, argparse.Namespace, Out], None]:
    """``"calls:cmd_timer"`` -> the function, importing its module now."""
    module, func = name.split(":")
    handler: Callable[[Any, argparse.Namespace, Out], None] = getattr(
        importlib.import_module(f"qwtimer.cli.{module}"), func
    )
    return handler


def _database_fault(exc: BaseException) -> bool:
    """A fault of the local database itself (a damaged page, a full disk), from SQLite or
    from Peewee's wrapper of it."""
    peewee = sys.modules.get("peewee")
    return isinstance(exc, sqlite3.DatabaseError) or (
        peewee is not None and isinstance(exc, peewee.DatabaseError)
    )


def main(argv: Sequence[str] | None = None) -> int:
    from qwtimer.cli.parser import build_parser

    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "handler", None) is None:
        if args.cmd is None:
            return _open_window(args)
        parser.parse_args([*(argv or sys.argv[1:]), "--help"])
    handler = _handler(args.handler)
    from qwtimer.desk.context import Desk

    desk = None
    try:
        desk = Desk(args.data_dir, technician=args.technician)
        handler(desk, args, Out(getattr(args, "json", False)))
    except QwtimerError as exc:
        print(f"qwtimer: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except Exception as exc:
        if not _database_fault(exc):
            raise
        # The transaction was rolled back: say so in one line instead of a traceback.
        where = desk.db_path if desk is not None else "the local database"
        print(
            f"qwtimer: the local database {where} could not be read or written ({exc}); "
            "nothing was saved. If it is damaged, move it aside and restore the latest "
            "backup (*.bak-*) or start a new data folder",
            file=sys.stderr,
        )
        return EXIT_INPUT
    finally:
        if desk is not None:
            desk.close()
    return 0


def _no_display() -> bool:
    """On Linux and the BSDs a window needs an X or Wayland display (or a platform chosen)."""
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return False
    return not any(
        os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    )


def _open_window(args: argparse.Namespace) -> int:
    if _no_display():
        print(
            "qwtimer: no display to open the window on (DISPLAY and WAYLAND_DISPLAY are "
            "unset); run it in a desktop session, or use the command line: 'qwtimer --help'",
            file=sys.stderr,
        )
        return EXIT_INPUT
    try:
        from qwtimer.gui.app import run
    except ImportError as exc:  # pragma: no cover - a broken Qt install
        print(
            f"qwtimer: the window cannot start ({exc}); the command line still works, "
            "see 'qwtimer --help'",
            file=sys.stderr,
        )
        return EXIT_INPUT
    return run(args.data_dir, args.technician)
