"""The one operation runner: an operation runs off the GUI thread and its result, its progress
and its error come back on the GUI thread; a known condition is said in words, a bug goes to
the crash handler; what a mutating operation changed is announced through the change hub."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QThread

from qwtimer.core.errors import InputError
from qwtimer.desk.changes import Changes
from qwtimer.desk.context import Desk
from qwtimer.gui.changes import ChangeHub
from qwtimer.gui.runner import POOL_NAME, OperationRunner, runner


@pytest.fixture
def ops(qtbot: Any) -> OperationRunner:
    r = OperationRunner()
    yield r
    r.wait()


GUI = QThread.currentThread()


def on_gui() -> bool:
    return QThread.currentThread() is GUI


def test_result_comes_back_on_the_gui_thread_from_a_worker(qtbot: Any, ops: OperationRunner):
    seen: dict[str, object] = {}

    def work() -> int:
        seen["worker_is_main"] = threading.current_thread() is threading.main_thread()
        return 42

    def done(result: int) -> None:
        seen["result"], seen["on_gui"] = result, on_gui()

    ops.run(work, done, on_end=lambda: seen.setdefault("ended", on_gui()))
    qtbot.waitUntil(lambda: "ended" in seen)
    assert seen == {"worker_is_main": False, "result": 42, "on_gui": True, "ended": True}
    assert not ops.busy()


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="threads named in /proc (Linux)")
def test_operations_run_on_threads_named_for_the_runner(qtbot: Any, ops: OperationRunner) -> None:
    """In a debugger or ``top -H`` the runner's threads say whose they are."""
    names: list[str] = []

    def work() -> str:
        return Path(f"/proc/self/task/{threading.get_native_id()}/comm").read_text().strip()

    ops.run(work, names.append)
    qtbot.waitUntil(lambda: bool(names))
    assert names == [POOL_NAME] == ["qwtimer runner"]


def test_progress_comes_back_on_the_gui_thread(qtbot: Any, ops: OperationRunner) -> None:
    steps: list[tuple[int, int, bool]] = []

    def work(report: Any) -> str:
        for n in range(3):
            report(n + 1, 3)
        return "written"

    done: list[str] = []
    ops.run(work, done.append, on_progress=lambda d, t: steps.append((d, t, on_gui())))
    qtbot.waitUntil(lambda: bool(done))
    assert steps == [(1, 3, True), (2, 3, True), (3, 3, True)] and done == ["written"]


def test_a_known_condition_is_said_in_words_and_not_a_crash(qtbot: Any, ops: OperationRunner):
    bugs: list[BaseException] = []
    ops.on_bug = bugs.append
    errors: list[tuple[str, bool]] = []

    def refuse() -> None:
        raise InputError("the file is not a CSV export")

    ops.run(
        refuse,
        lambda _: pytest.fail("no result"),
        on_error=lambda e: errors.append((str(e), on_gui())),
    )
    qtbot.waitUntil(lambda: bool(errors))
    assert errors == [("the file is not a CSV export", True)] and bugs == []

    with qtbot.waitSignal(ops.said) as said:  # nobody handles it: the runner says it
        ops.run(refuse, lambda _: None)
    assert said.args == ["the file is not a CSV export"]


def test_a_bug_goes_to_the_crash_handler_never_to_the_error_line(
    qtbot: Any, ops: OperationRunner
) -> None:
    bugs: list[tuple[BaseException, bool]] = []
    ops.on_bug = lambda exc: bugs.append((exc, on_gui()))
    errors: list[Exception] = []
    ended: list[bool] = []

    def buggy() -> None:
        raise ZeroDivisionError("a bug in the operation")

    ops.run(buggy, lambda _: None, on_error=errors.append, on_end=lambda: ended.append(True))
    qtbot.waitUntil(lambda: bool(ended))
    [(exc, gui)] = bugs
    assert isinstance(exc, ZeroDivisionError) and gui and errors == []
    assert exc.__traceback__ is not None  # the crash handler logs where it happened


def test_a_second_operation_while_one_runs_is_answered_too(qtbot: Any) -> None:
    ops = OperationRunner(threads=1)
    gate = threading.Event()
    answers: list[str] = []
    ops.run(lambda: gate.wait(5) and "first", answers.append)
    ops.run(lambda: "second", answers.append)
    assert ops.busy()
    gate.set()
    qtbot.waitUntil(lambda: len(answers) == 2)
    assert answers == ["first", "second"] and not ops.busy()
    ops.wait()


def test_a_newer_read_of_the_same_thing_supersedes_an_older_one(qtbot: Any) -> None:
    ops = OperationRunner(threads=2)
    slow, ended = threading.Event(), []
    shown: list[str] = []
    ops.run(
        lambda: slow.wait(5) and "old",
        shown.append,
        key="list",
        latest=True,
        on_end=lambda: ended.append("old"),
    )
    ops.run(lambda: "new", shown.append, key="list", latest=True)
    qtbot.waitUntil(lambda: shown == ["new"])
    slow.set()
    qtbot.waitUntil(lambda: ended == ["old"])
    assert shown == ["new"]  # the older answer never shows over the newer one
    ops.wait()


def test_a_mutating_operation_announces_what_it_changed(
    qtbot: Any, ops: OperationRunner, desk: Desk
) -> None:
    hub = ChangeHub(desk)
    heard: list[Changes] = []
    hub.changed.connect(heard.append)
    results: list[str] = []
    ops.run(
        lambda: "c1",
        results.append,
        changes=lambda cid: Changes.of(customers=[cid]),
        hub=hub,
        desk=desk,
    )
    qtbot.waitUntil(lambda: bool(results))
    assert heard == [Changes.of(customers=["c1"])]

    def refused() -> str:
        raise InputError("no customer 'Zed'")

    errors: list[Exception] = []
    ops.run(refused, results.append, on_error=errors.append, changes=Changes.everything(), hub=hub)
    qtbot.waitUntil(lambda: bool(errors))
    assert heard == [Changes.of(customers=["c1"])]  # nothing changed: nothing announced


def test_no_callback_runs_once_its_owner_is_gone_but_the_write_is_still_announced(
    qtbot: Any, ops: OperationRunner, desk: Desk
) -> None:
    from PySide6.QtWidgets import QLabel

    label = QLabel("waiting")
    hub = ChangeHub(desk)
    heard: list[Changes] = []
    hub.changed.connect(heard.append)
    gate = threading.Event()
    touched: list[str] = []
    ops.run(
        lambda: gate.wait(5) and "posted",
        lambda text: label.setText(text) or touched.append(text),  # would touch a dead widget
        on_end=lambda: touched.append("end"),
        changes=Changes.of(customers=["c1"], ledger=True),
        hub=hub,
        owner=label,
    )
    label.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(label))
    gate.set()
    qtbot.waitUntil(lambda: not ops.busy())
    assert touched == [] and heard == [Changes.of(customers=["c1"], ledger=True)]


def test_the_application_has_one_runner(qtbot: Any) -> None:
    assert runner() is runner()


def test_what_the_desk_said_it_changed_is_announced_without_the_caller_naming_it(
    qtbot: Any, ops: OperationRunner, desk: Desk
) -> None:
    from qwtimer.desk.customers import Customers, LineInput

    hub = ChangeHub(desk)
    heard: list[Changes] = []
    hub.changed.connect(heard.append)
    made: list[Any] = []
    ops.run(
        lambda: Customers(desk).add("Acme", LineInput("desktop", "license")),
        made.append,
        hub=hub,
        desk=desk,
    )
    qtbot.waitUntil(lambda: bool(made))
    assert heard == [Changes.of(customers=[made[0].id], ledger=True)]
