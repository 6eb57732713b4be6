"""``qwtimer.cli.main(argv)`` runs a command inside the caller's process and leaves it as it
found it: the caller's database still bound, no log file held open, no handler added, the
fatal-error reports back where they went, and a status returned instead of an exit."""

from __future__ import annotations

import faulthandler
import logging
import os
from pathlib import Path

import pytest

from qwtimer import cli, logs
from qwtimer.cli import customers as customer_commands
from qwtimer.desk.context import Desk

CARD_NUMBER = "4111 1111 1111 1111"


def test_a_command_run_in_process_leaves_the_callers_desk_on_its_own_database(
    desk: Desk, tmp_path: Path
) -> None:
    desk.set_meta("probe", "the caller's")
    assert cli.main(["--data-dir", str(tmp_path / "other"), "customer", "list"]) == 0
    assert desk.meta("probe") == "the caller's"
    assert (tmp_path / "other" / "qwtimer.db").exists()  # the command had its own


def test_a_desk_that_cannot_open_leaves_the_callers_desk_on_its_own_database(
    desk: Desk, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    desk.set_meta("probe", "the caller's")
    other = ["--data-dir", str(tmp_path / "other"), "--technician", CARD_NUMBER]
    assert cli.main([*other, "customer", "list"]) == 2
    assert "card number" in capsys.readouterr().err
    assert desk.meta("probe") == "the caller's"


def _open_files_under(folder: Path) -> list[str]:
    fds = Path("/proc/self/fd")
    if not fds.is_dir():
        pytest.skip("no /proc/self/fd to list this process's open files")
    names = []
    for fd in fds.iterdir():
        try:
            names.append(os.readlink(fd))
        except OSError:  # closed meanwhile (the listing's own descriptor)
            continue
    return [n for n in names if n.startswith(str(folder))]


def test_a_command_run_in_process_leaves_no_log_open_and_no_handler_behind(
    monkeypatch: pytest.MonkeyPatch, log_dir: Path, tmp_path: Path
) -> None:
    logs.release()  # whatever an earlier test of this process set up
    assert faulthandler.is_enabled()  # the test runner's own reports
    handlers = list(logging.getLogger("qwtimer").handlers)

    def broken(*args: object) -> None:
        raise KeyError("unheard-of column")

    monkeypatch.setattr(customer_commands, "cmd_customer_list", broken)
    assert cli.main(["--data-dir", str(tmp_path / "data"), "customer", "list"]) == 1
    assert "unheard-of column" in (log_dir / "qwtimer.log").read_text()  # logged, then...
    assert logging.getLogger("qwtimer").handlers == handlers
    assert logs.current() is None
    assert _open_files_under(log_dir) == []
    assert faulthandler.is_enabled()  # given back, not switched off


def test_help_and_refused_grammar_return_their_status_instead_of_exiting(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["--help"]) == 0
    assert "customer" in capsys.readouterr().out
    assert cli.main(["timer", "sing"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert cli.main([]) == 2  # no command, and no window to open from here
    err = capsys.readouterr().err
    assert err.startswith("qwtimer: name a command") and err.count("\n") == 1
