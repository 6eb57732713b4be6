"""The command line: the desk's operations for people and scripts (``--json``).

Exit status: 0 success; 2 bad input, a state that forbids the action or a known condition of
the local data (a full disk, a lock another program holds...): one line on stderr saying what
was wrong and what to do, nothing half-written; 1 a bug: its traceback goes to the log file and
one line on stderr names that file; 141 (as for SIGPIPE) when whoever reads the output stopped
reading (``| head``). The grammar is in ``parser``; each command's handler lives in the module
named there and is imported only when it runs.

Handlers reach the data only through desk services (never ``qwtimer.store``) and never load
the window's package: the program :mod:`qwtimer.entry` hands :func:`main` the window to open
when no command is given.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import signal
import sys
from collections.abc import Callable, Sequence
from typing import Any

from qwtimer.cli.text import one_line
from qwtimer.core.errors import QwtimerError

EXIT_INPUT = 2
EXIT_BUG = 1
EXIT_PIPE = 128 + getattr(signal, "SIGPIPE", 13)  # what a shell sees when `head` stops reading


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


Window = Callable[[argparse.Namespace], int]


def main(argv: Sequence[str] | None = None, *, window: Window | None = None) -> int:
    """Run one command (``sys.argv[1:]`` when ``argv`` is ``None``) and return its exit status
    (see the module), argparse's refusals and ``--help`` included: it never raises
    ``SystemExit``. With no command it runs ``window`` (the program passes the one that opens
    the technician's window); without one that is refused as bad input.

    A command may run many times in one process (tests, scripts) and leaves the process as it
    found it: the models bound to the database they were bound to before, no Qt application
    left behind (a PDF's is shut down), the environment unchanged, and, in a process whose
    fatal-error reports went elsewhere before (a test runner), the log file closed again
    (:func:`qwtimer.logs.release`).
    """
    from qwtimer import logs

    set_up_here = logs.current() is None
    logs.setup()
    try:
        status = _run(argv, window)
        if sys.stdout is not None:  # None in a windowed bundle
            sys.stdout.flush()  # a closed pipe shows here, not at exit
    except SystemExit as done:  # argparse: --help (0) or a refusal already said (2)
        code = done.code
        return code if isinstance(code, int) else 0 if code is None else EXIT_INPUT
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly. Later writes (the flush at exit) go
        # nowhere instead of raising again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return EXIT_PIPE
    except Exception as exc:  # a bug outside a command's handler (opening the window...)
        print(f"qwtimer: {logs.bug_line(exc, logs.log_bug(exc, 'starting'))}", file=sys.stderr)
        return EXIT_BUG
    finally:
        if set_up_here:
            logs.release()
    return status


_WINDOW_OPTIONS = ("--data-dir", "--technician")


def window_args(argv: Sequence[str]) -> argparse.Namespace | None:
    """The options of ``qwtimer`` with no command when the command line is only well-formed
    ``--data-dir``, ``--technician`` (each with a value that is neither empty nor an option)
    and ``--json``: what the whole grammar would parse from it, without building the
    grammar (dozens of parsers, on every start of the window). None for anything else,
    which the grammar parses and refuses as always."""
    values: dict[str, str | None] = {"data_dir": None, "technician": None}
    as_json, i = False, 0
    while i < len(argv):
        arg = argv[i]
        name, eq, value = arg.partition("=")
        if arg == "--json":
            as_json, i = True, i + 1
            continue
        if name not in _WINDOW_OPTIONS:
            return None
        if not eq:
            if i + 1 >= len(argv):
                return None
            value, i = argv[i + 1], i + 1
        if not value.strip() or value.startswith("-"):
            return None
        values[name[2:].replace("-", "_")] = value
        i += 1
    args = argparse.Namespace(**values, cmd=None)
    if as_json:
        args.json = True
    return args


def _run(argv: Sequence[str] | None, window: Window | None) -> int:
    given = list(argv if argv is not None else sys.argv[1:])
    if window is not None and (bare := window_args(given)) is not None:
        return window(bare)  # the window's start: the grammar is not needed
    from qwtimer.cli.parser import build_parser, link_as_command

    parser = build_parser()
    argv = link_as_command(given)
    args = parser.parse_args(argv)
    if getattr(args, "handler", None) is None:
        if args.cmd is None:
            if window is None:
                parser.error("name a command")
            return window(args)
        parser.parse_args([*(argv if argv is not None else sys.argv[1:]), "--help"])
    handler = _handler(args.handler)
    from qwtimer.desk.context import Desk

    desk = None
    try:
        desk = Desk(args.data_dir, technician=args.technician)
        handler(desk, args, Out(getattr(args, "json", False)))
    except QwtimerError as exc:
        print(f"qwtimer: {one_line(str(exc))}", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:
        raise
    except Exception as exc:
        # The transaction was rolled back. A known condition is said in one line; anything
        # else is a bug: its traceback goes to the log and one line names the log.
        from qwtimer.desk.faults import known_condition
        from qwtimer.logs import bug_line, log_bug

        fault = known_condition(exc, args.data_dir)
        if fault is not None:
            print(f"qwtimer: {one_line(str(fault))}", file=sys.stderr)
            return EXIT_INPUT
        print(f"qwtimer: {bug_line(exc, log_bug(exc, f'in {args.handler}'))}", file=sys.stderr)
        return EXIT_BUG
    finally:
        if desk is not None:
            desk.close()
    return 0
