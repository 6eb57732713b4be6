"""Starting the window with the desktop session. On Linux (and other freedesktop systems) this
writes or removes ``$XDG_CONFIG_HOME/autostart/qwtimer.desktop``; its Exec line names this data
folder with ``--data-dir`` when it is not the default one. Windows (the Startup folder or the
Run key) and macOS (Login Items) are set up by hand, as the README says.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from qwtimer.core.errors import InputError
from qwtimer.paths import autostart_dir, default_data_dir

FILE_NAME = "qwtimer.desktop"


def supported() -> bool:
    """This system reads freedesktop autostart entries."""
    return sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd"))


def entry_path() -> Path:
    return autostart_dir() / FILE_NAME


def _quoted(arg: str) -> str:
    """One Exec argument as the desktop entry specification wants it."""
    arg = arg.replace("%", "%%")
    if arg and not any(ch in arg for ch in " \t\n\"'\\><~|&;$*?#()`="):
        return arg
    escaped = "".join("\\" + ch if ch in '"`$\\' else ch for ch in arg)
    return f'"{escaped}"'


def command(folder: Path) -> list[str]:
    """The command the session runs: the bundle or the installed ``qwtimer``, else this
    Python with ``-m qwtimer``; ``--data-dir FOLDER`` unless ``folder`` is the default."""
    if getattr(sys, "frozen", False):
        argv = [sys.executable]
    elif shutil.which("qwtimer"):
        argv = [str(shutil.which("qwtimer"))]
    else:
        argv = [sys.executable, "-m", "qwtimer"]
    if folder.expanduser().resolve() != default_data_dir().resolve():
        argv += ["--data-dir", str(folder.expanduser().resolve())]
    return argv


def entry_text(folder: Path) -> str:
    """The desktop entry for ``folder``."""
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=qwtimer\n"
        "Comment=Call timer for the phone-support desk\n"
        f"Exec={' '.join(_quoted(a) for a in command(folder))}\n"
        "Icon=qwtimer\n"
        "Terminal=false\n"
        "X-GNOME-Autostart-enabled=true\n"
    )


def is_on() -> bool:
    return entry_path().is_file()


def apply(on: bool, folder: Path) -> None:
    """Write (``on``) or remove the autostart entry; the file is written whole or not at all.
    Raises InputError with one line when the system or the folder does not allow it."""
    path = entry_path()
    if not supported():
        if on:
            raise InputError(
                "starting with the session is set up by hand on this system: see the README"
            )
        return
    try:
        if not on:
            path.unlink(missing_ok=True)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_name(path.name + ".part")
        part.write_text(entry_text(folder), encoding="utf-8")
        os.replace(part, path)
    except OSError as exc:
        raise InputError(
            f"cannot {'write' if on else 'remove'} {path}: {exc.strerror or exc}; check the "
            "folder's permissions"
        ) from None
