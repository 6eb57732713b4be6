"""Where the windows were, and where files were chosen (``gui/window_memory.py``): the
technician's window and the review open where they last closed; file dialogs open in the
folder last used, else Documents, never where the program was started from; a name made of
a customer's name is one every system accepts; a damaged or unwritable ``window.ini`` costs
only the remembered places."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit, QMainWindow, QSplitter, QWidget

from qwtimer.desk.context import Desk
from qwtimer.gui import window_memory
from qwtimer.gui.supervisor import SupervisorWindow, open_supervisor
from qwtimer.gui.window_memory import MAX_NAME, WindowMemory, file_name
from qwtimer.gui.window_start import Claim, WindowStart
from tests.gui.conftest import Answers, add_customer

FORBIDDEN = set('\\/:*?"<>|')


# -- file names ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("given_name", "expected"),
    [
        ("Acme/Ltd statement.pdf", "Acme Ltd statement.pdf"),
        ("Acme/Ltd: HQ statement.pdf", "Acme Ltd HQ statement.pdf"),  # the README's
        (
            'A/S Nordic: IT*Support? <main> | "HQ" statement.pdf',
            "A S Nordic IT Support main HQ statement.pdf",
        ),
        (
            "Line\nbreak\ttab\x00nul receipt 2026-12-03.pdf",
            "Line break tab nul receipt 2026-12-03.pdf",
        ),
        ("Müller & Söhne GmbH statement.pdf", "Müller & Söhne GmbH statement.pdf"),
        ("  ..hidden. statement .pdf", "hidden. statement.pdf"),
        ("CON.pdf", "CON file.pdf"),
        ("com1.backup.csv", "com1.backup file.csv"),
        ("/.pdf", "file.pdf"),
        ("", "file"),
        ("...", "file"),
        ("calls.csv", "calls.csv"),
        ("statement", "statement"),
        ("/", "file"),
        ("version 2.0 final", "version 2.0 final"),
    ],
)
def test_a_name_offered_for_a_file_is_one_every_system_accepts(
    given_name: str, expected: str
) -> None:
    assert file_name(given_name) == expected


@pytest.mark.parametrize("letter", ["a", "Ω", "漢", "🙂"], ids=["1", "2", "3", "4 bytes"])
def test_a_long_name_is_cut_and_keeps_its_extension(tmp_path: Path, letter: str) -> None:
    name = file_name(letter * 300 + " statement.pdf")
    assert name.endswith(f"{letter}.pdf") and name.startswith(letter * 10)
    assert len(name) <= MAX_NAME and len(name.encode()) <= 240  # file systems count bytes
    (tmp_path / name).write_bytes(b"%PDF")  # and this one takes it


@settings(max_examples=300, deadline=None)
@given(
    st.text(max_size=400) | st.text(st.characters(codec="utf-8", min_codepoint=0x800)),
    st.sampled_from(["", ".pdf", ".csv", "."]),
)
def test_any_text_makes_a_name_that_can_be_written(
    tmp_path_factory: Any, text: str, ext: str
) -> None:
    name = file_name(text + ext)
    assert name and len(name) <= MAX_NAME and not FORBIDDEN & set(name)
    assert name == name.strip(" .") or name.endswith((".pdf", ".csv"))
    assert not any(ord(c) < 32 for c in name)
    folder = tmp_path_factory.mktemp("names")
    (folder / name).write_bytes(b"x")  # this file system takes it, and as one file
    assert [p.name for p in folder.iterdir()] == [name]


# -- file dialogs --------------------------------------------------------------------------
def answer_file_dialog(answer: Callable[[QFileDialog], str | None]) -> list[str]:
    """Answer the next file dialog as a person would: ``answer(dialog)`` types a file name
    (None cancels). Returns the folder the dialog opened in and the name it offered."""
    seen: list[str] = []

    def look() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(20, look)
            return
        seen.append(dialog.directory().absolutePath())
        name = dialog.findChild(QLineEdit, "fileNameEdit")
        seen.append(name.text() if name is not None else "")
        typed = answer(dialog)
        if typed is None:
            dialog.reject()
            return
        dialog.selectFile(typed)
        dialog.accept()

    QTimer.singleShot(0, look)
    return seen


@pytest.fixture
def documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The person's Documents folder: a folder of the test's own."""
    docs = tmp_path / "Documents"
    docs.mkdir()
    monkeypatch.setattr(window_memory.platformdirs, "user_documents_dir", lambda: str(docs))
    monkeypatch.chdir(tmp_path)  # where the program was started from: never offered
    return docs


@pytest.fixture
def memory(tmp_path: Path) -> WindowMemory:
    return WindowMemory(tmp_path / "data")


@pytest.fixture
def parent(qtbot: Any) -> QWidget:
    """The window a dialog is asked from."""
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def test_a_save_dialog_opens_in_documents_then_where_the_last_file_went(
    tmp_path: Path, documents: Path, memory: WindowMemory, parent: QWidget
) -> None:
    kinds = ["PDF document (*.pdf)", "CSV spreadsheet (*.csv)"]
    out = tmp_path / "statements"
    out.mkdir()

    seen = answer_file_dialog(lambda d: str(out / "acme"))
    chosen = memory.save_name(parent, "Export", "Acme/Ltd statement.pdf", kinds)
    assert seen == [str(documents), "Acme Ltd statement.pdf"]
    assert chosen == str(out / "acme.pdf")  # the kind's extension added to a bare name

    seen = answer_file_dialog(lambda d: None)
    assert memory.save_name(parent, "Export", "calls.csv", kinds[::-1]) is None
    assert seen == [str(out), "calls.csv"]

    # Another window of the same folder (a new QSettings) finds it too, until it is gone.
    seen = answer_file_dialog(lambda d: None)
    WindowMemory(tmp_path / "data").save_name(parent, "Export", "calls.csv", kinds)
    assert seen[0] == str(out)
    out.rmdir()
    seen = answer_file_dialog(lambda d: None)
    memory.save_name(parent, "Export", "calls.csv", kinds)
    assert seen[0] == str(documents)


def test_an_open_dialog_opens_in_the_folder_last_used(
    tmp_path: Path, documents: Path, memory: WindowMemory, parent: QWidget
) -> None:
    crm = tmp_path / "crm"
    crm.mkdir()
    (crm / "export.csv").write_text("name\n", encoding="utf-8")
    seen = answer_file_dialog(lambda d: str(crm / "export.csv"))
    assert memory.open_name(parent, "Import", ["CSV files (*.csv)"]) == str(crm / "export.csv")
    assert seen[0] == str(documents)
    seen = answer_file_dialog(lambda d: None)
    assert memory.open_name(parent, "Import", ["CSV files (*.csv)"]) is None
    assert seen[0] == str(crm)


# -- windows -------------------------------------------------------------------------------
def a_window(qtbot: Any) -> tuple[QMainWindow, QSplitter]:
    w = QMainWindow()
    split = QSplitter(w)
    split.addWidget(QWidget())
    split.addWidget(QWidget())
    w.setCentralWidget(split)
    w.resize(400, 300)
    qtbot.addWidget(w)
    return w, split


def test_a_window_opens_where_and_as_large_as_it_closed(qtbot: Any, tmp_path: Path) -> None:
    w, split = a_window(qtbot)
    assert not WindowMemory(tmp_path).restore(w, "main", split)  # nothing kept yet
    w.show()
    qtbot.waitExposed(w)
    w.setGeometry(120, 90, 700, 480)
    split.setSizes([500, 200])
    qtbot.waitUntil(lambda: w.size().width() == 700)
    WindowMemory(tmp_path).keep(w, "main", split)
    sizes = split.sizes()

    again, split_again = a_window(qtbot)
    assert WindowMemory(tmp_path).restore(again, "main", split_again)
    again.show()
    qtbot.waitExposed(again)
    assert (again.width(), again.height()) == (700, 480)
    assert split_again.sizes() == sizes
    assert not WindowMemory(tmp_path).restore(again, "review")  # each window its own


@pytest.mark.parametrize(
    "damage",
    [b"", b"\x00\xff" * 300, b"[main]\ngeometry=@ByteArray(not a geometry)\nsplitter=12\n"],
    ids=["zero bytes", "garbage", "edited by hand"],
)
def test_a_damaged_file_costs_only_the_places(qtbot: Any, tmp_path: Path, damage: bytes) -> None:
    (tmp_path / "window.ini").write_bytes(damage)
    w, split = a_window(qtbot)
    assert not WindowMemory(tmp_path).restore(w, "main", split)
    assert (w.width(), w.height()) == (400, 300)  # its own size
    WindowMemory(tmp_path).keep(w, "main", split)  # and it is written anew
    again, _ = a_window(qtbot)
    again.resize(10, 10)
    assert WindowMemory(tmp_path).restore(again, "main")
    assert again.size() == w.size()


def test_a_folder_it_cannot_write_costs_only_the_places(qtbot: Any, tmp_path: Path) -> None:
    (tmp_path / "a file").write_text("not a folder", encoding="utf-8")
    folder = tmp_path / "a file" / "data"  # no one, root included, can make it
    w, split = a_window(qtbot)
    WindowMemory(folder).keep(w, "main", split)  # no exception: nothing written
    WindowMemory(folder).chose_file(tmp_path / "x.pdf")
    assert not WindowMemory(folder).restore(w, "main", split)


def test_a_window_kept_off_every_screen_opens_on_one(qtbot: Any, tmp_path: Path) -> None:
    w, _ = a_window(qtbot)
    w.show()
    qtbot.waitExposed(w)
    screen = w.screen().availableGeometry()
    w.move(screen.right() + 2000, screen.bottom() + 2000)  # a screen since unplugged
    qtbot.waitUntil(lambda: w.x() > screen.right())
    WindowMemory(tmp_path).keep(w, "main")
    again, _ = a_window(qtbot)
    assert WindowMemory(tmp_path).restore(again, "main")
    again.show()
    qtbot.waitExposed(again)
    assert screen.intersects(again.frameGeometry())


def start_window(qtbot: Any, desk: Desk) -> WindowStart:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    claim = Claim(desk.folder)
    assert claim.lock.tryLock(0)
    start = WindowStart(app, None, None, desk, claim)
    qtbot.addWidget(start.window)
    start.show()
    qtbot.waitUntil(lambda: start.window.loaded and start.window.built, timeout=10_000)
    return start


def close_window(start: WindowStart) -> None:
    w = start.window
    w.close()
    w.controller.ticker.stop()
    start.desk = None  # the fixture closes its desk
    start.end()


def test_the_technicians_window_and_the_review_open_where_they_closed(
    qtbot: Any, desk: Desk, answers: Answers
) -> None:
    add_customer(desk, "Ada Lovelace Ltd")
    start = start_window(qtbot, desk)
    w = start.window
    screen = w.screen().availableGeometry()
    size = (screen.width() * 3 // 4, screen.height() * 3 // 4)  # not its own: within the screen
    w.resize(*size)
    w.split.setSizes([size[0] // 3, size[0] // 2])
    qtbot.waitUntil(lambda: (w.width(), w.height()) == size)
    sizes = w.split.sizes()
    review = open_supervisor(w, desk)
    qtbot.waitUntil(lambda: review.loaded, timeout=10_000)
    fitted, least = review.size(), review.minimumSizeHint()
    moved = ((fitted.width() + least.width()) // 2, (fitted.height() + least.height()) // 2)
    assert moved != (fitted.width(), fitted.height())
    review.resize(*moved)
    qtbot.waitUntil(lambda: (review.width(), review.height()) == moved)
    review.close()
    close_window(start)
    assert (desk.folder / "window.ini").is_file()

    start = start_window(qtbot, desk)
    try:
        assert (start.window.width(), start.window.height()) == size
        assert start.window.split.sizes() == sizes
        review = SupervisorWindow(desk, start.window)
        qtbot.addWidget(review)
        review.show()
        qtbot.waitUntil(lambda: review.loaded, timeout=10_000)
        assert review.placed  # not fitted to its table again
        assert (review.width(), review.height()) == moved
        review.close()
    finally:
        close_window(start)


def test_a_session_ending_without_closing_the_window_keeps_where_it_was(
    qtbot: Any, desk: Desk, answers: Answers
) -> None:
    """SIGTERM at the end of a desktop session stops the event loop without closing the
    window (``window_start.run``): the start's end keeps its place all the same."""
    add_customer(desk, "Ada Lovelace Ltd")  # customers: no first-run offer
    start = start_window(qtbot, desk)
    w = start.window
    screen = w.screen().availableGeometry()
    size = (screen.width() * 2 // 3, screen.height() * 2 // 3)
    w.resize(*size)
    qtbot.waitUntil(lambda: (w.width(), w.height()) == size)
    start.desk = None  # the fixture closes its desk
    start.end()  # what run() does once the loop has stopped
    try:
        again, _ = a_window(qtbot)
        assert WindowMemory(desk.folder).restore(again, "main")
        assert (again.width(), again.height()) == size
    finally:
        w.close()
        w.controller.ticker.stop()
