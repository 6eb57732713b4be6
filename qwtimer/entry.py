"""The program ``qwtimer``: with no command it opens the technician's window, with one it runs
the command line (:mod:`qwtimer.cli`). The one module that knows both, so that the command line
never loads the window's package."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from qwtimer.cli import EXIT_INPUT
from qwtimer.cli import main as cli_main


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``qwtimer ARGV`` (``sys.argv[1:]`` when ``None``); returns the exit status, as
    :func:`qwtimer.cli.main` does."""
    return cli_main(argv, window=open_window)


def _no_display() -> bool:
    """On Linux and the BSDs a window needs an X or Wayland display (or a platform chosen)."""
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return False
    return not any(
        os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    )


def _handed_over(folder: str | None) -> bool:
    """True when a window already runs for this user and data folder and was just asked to
    come to the front (before loading the window's package: a second start is quick). When
    none answers, the window's own claim decides, races included."""
    from qwtimer.desk import instance_link as link
    from qwtimer.paths import data_dir

    try:
        link.send(link.address(data_dir(folder)), link.show_message())
    except (OSError, link.MessageError):
        return False
    print("qwtimer is already open for this data folder: brought it to the front")
    return True


def open_window(args: argparse.Namespace) -> int:
    """Open the window for ``--data-dir`` and ``--technician`` and run it until it closes;
    without a display, or with a broken Qt, say so in one line (status 2)."""
    if _no_display():
        print(
            "qwtimer: no display to open the window on (DISPLAY and WAYLAND_DISPLAY are "
            "unset); run it in a desktop session, or use the command line: 'qwtimer --help'",
            file=sys.stderr,
        )
        return EXIT_INPUT
    if _handed_over(args.data_dir):
        return 0
    try:
        from qwtimer.gui.window_start import run
    except ImportError as exc:  # pragma: no cover - a broken Qt install
        print(
            f"qwtimer: the window cannot start ({exc}); the command line still works, "
            "see 'qwtimer --help'",
            file=sys.stderr,
        )
        return EXIT_INPUT
    return run(args.data_dir, args.technician)
