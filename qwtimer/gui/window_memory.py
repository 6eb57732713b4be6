"""What the windows of a data folder looked like when they last closed, and where files were
last chosen: kept in the folder's ``window.ini`` (``paths.window_settings_path``), beside the
database, so that each desk has its own and nothing of it reaches the ledger.

- A window opens where, and as large as, it was when it closed (maximised included), and a
  splitter keeps where its handle was left. Qt moves a window saved on a screen that is no
  longer there back onto one that is. A file that cannot be read or written costs only
  this: the window opens at its own size.
- A file dialog opens in the folder a file was last chosen in, while that folder is there;
  else in the person's Documents folder; else in their home folder. It never opens in
  the folder the program happened to be started from.
- A name offered for a file (a customer's statement, a receipt) is made of what the person
  typed; ``file_name`` makes it a name every desktop system accepts.

Qt alone, no database: the first screen reads it before the database opens.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import platformdirs
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QSplitter, QWidget

from qwtimer import paths

_FOLDER_KEY = "files/last_folder"
# Not in a file name on Windows, macOS or Linux: separators, wildcards, quotes, redirections.
_NOT_IN_NAMES = re.compile(r'[\\/:*?"<>|]+')
# Names Windows keeps for devices, whatever the extension: CON.pdf cannot be written there.
_DEVICES = {"CON", "PRN", "AUX", "NUL"} | {f"{d}{n}" for d in ("COM", "LPT") for n in range(1, 10)}
MAX_NAME = 120  # characters, and at most MAX_BYTES in UTF-8: file systems count bytes (255)
MAX_BYTES = 240


class WindowMemory:
    """The ``window.ini`` of the data folder ``folder`` (it need not exist yet)."""

    def __init__(self, folder: Path) -> None:
        self.path = paths.window_settings_path(folder)
        self.settings = QSettings(str(self.path), QSettings.Format.IniFormat)

    # -- windows ---------------------------------------------------------------------------
    def restore(self, window: QWidget, name: str, splitter: QSplitter | None = None) -> bool:
        """Put ``window`` (not yet shown) where window ``name`` last closed; True when it
        was, False when nothing usable was kept (the window keeps its own size)."""
        done = self._read(window.restoreGeometry, f"{name}/geometry")
        if splitter is not None:
            self._read(splitter.restoreState, f"{name}/splitter")
        return done

    def keep(self, window: QWidget, name: str, splitter: QSplitter | None = None) -> None:
        """Remember where ``window`` is, as window ``name``, for its next opening."""
        self.settings.setValue(f"{name}/geometry", window.saveGeometry())
        if splitter is not None:
            self.settings.setValue(f"{name}/splitter", splitter.saveState())
        self.settings.sync()  # now: a session may end the program without a goodbye

    def _read(self, put: Callable[[Any], bool], key: str) -> bool:
        value = self.settings.value(key)
        if not value:
            return False  # never kept
        try:
            return bool(put(value))  # False: bytes that are no window's geometry
        except TypeError:
            return False  # not bytes at all (a hand-edited file)

    # -- files -----------------------------------------------------------------------------
    def file_folder(self) -> Path:
        """Where the next file dialog opens (see the module)."""
        kept = self.settings.value(_FOLDER_KEY)
        for folder in (kept, platformdirs.user_documents_dir(), Path.home()):
            if isinstance(folder, str | Path) and str(folder) and Path(folder).is_dir():
                return Path(folder)
        return Path.home()

    def chose_file(self, path: str | Path) -> None:
        """A file was chosen at ``path``: the next dialog opens in its folder."""
        self.settings.setValue(_FOLDER_KEY, str(Path(path).parent))
        self.settings.sync()

    def save_name(self, parent: QWidget, title: str, name: str, kinds: list[str]) -> str | None:
        """The file the person chose to write (a save dialog offering ``name``, made a file
        name, in ``file_folder``; ``kinds`` its filters, the first chosen), or None when
        cancelled. A name typed without an extension gets the chosen kind's."""
        from PySide6.QtWidgets import QFileDialog  # its enums cost every window that never asks

        offered = str(self.file_folder() / file_name(name))
        chosen, kind = QFileDialog.getSaveFileName(parent, title, offered, ";;".join(kinds))
        if not chosen:
            return None
        suffixes = re.findall(r"\*(\.\w+)", ";;".join(kinds))
        if Path(chosen).suffix.lower() not in suffixes:
            found = re.search(r"\*(\.\w+)", kind or kinds[0])
            chosen += found.group(1) if found else ""
        self.chose_file(chosen)
        return chosen

    def open_name(self, parent: QWidget, title: str, kinds: list[str]) -> str | None:
        """The file the person chose to read (an open dialog in ``file_folder``), or None."""
        from PySide6.QtWidgets import QFileDialog

        chosen, _ = QFileDialog.getOpenFileName(
            parent, title, str(self.file_folder()), ";;".join(kinds)
        )
        if not chosen:
            return None
        self.chose_file(chosen)
        return chosen


def open_size(window: QWidget, width: int, height: int) -> None:
    """Size ``window`` at ``width`` x ``height``, within 95% of its screen's width and 90% of
    its height (the frame, title bar and borders, is added outside): a window's own size,
    for its first opening."""
    screen = window.screen().availableGeometry() if window.screen() else None
    if screen is not None:
        width = min(width, screen.width() * 19 // 20)
        height = min(height, screen.height() * 9 // 10)
    window.resize(width, height)


def file_name(text: str) -> str:
    """``text`` as a file name every desktop system accepts: separators, wildcards, quotes
    and control characters become spaces, runs of spaces one, no leading or trailing dot or
    space, no device name of Windows, at most ``MAX_NAME`` characters and ``MAX_BYTES``
    bytes of UTF-8 (the extension kept). An empty result is ``file``, with the extension."""
    import unicodedata  # for file names only: not on the first screen's path

    text = unicodedata.normalize("NFC", text)
    text = "".join(" " if unicodedata.category(c).startswith("C") else c for c in text)
    text = " ".join(_NOT_IN_NAMES.sub(" ", text).split())
    stem, dot, ext = text.rpartition(".")
    if not dot or not ext or " " in ext or len(ext) > 8:  # no extension: the dot is the name's
        stem, ext = text, ""
    stem = stem.strip(" .")
    ext = f".{ext}" if ext else ""
    if stem.split(".")[0].upper() in _DEVICES:
        stem = f"{stem} file"
    stem = stem[: MAX_NAME - len(ext)]
    while len(f"{stem}{ext}".encode()) > MAX_BYTES:  # three or four bytes a character
        stem = stem[:-1]
    stem = stem.rstrip(" .")
    return f"{stem or 'file'}{ext}"
