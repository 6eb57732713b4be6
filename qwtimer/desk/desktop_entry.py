"""The desktop entry that makes ``qwtimer://`` links open qwtimer (Linux desktops).

``resources/qwtimer.desktop`` declares ``MimeType=x-scheme-handler/qwtimer;`` and
``Exec=qwtimer %u``; :func:`install` writes it into ``$XDG_DATA_HOME/applications`` (by default
``~/.local/share/applications``) with ``Exec`` and ``Icon`` pointing at this very program, makes
it the default handler of the scheme (``xdg-mime``) and refreshes the desktop's cache
(``update-desktop-database``) when those tools are present. ``make install-desktop`` runs it;
the window runs it once on its first start (remembered in the data folder), except where
``QWTIMER_NO_DESKTOP_INSTALL`` is set or the system is not Linux.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from qwtimer.desk.context import Desk
from qwtimer.paths import resource

FILE_NAME = "qwtimer.desktop"
SCHEME_TYPE = "x-scheme-handler/qwtimer"
SKIP_ENV = "QWTIMER_NO_DESKTOP_INSTALL"
INSTALLED_KEY = "desktop.installed"


def program() -> list[str]:
    """The command that runs this program: the bundle's executable, or this Python with
    ``-m qwtimer``."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    return [sys.executable, "-m", "qwtimer"]


def _exec_quoted(arg: str) -> str:
    """One argument as a desktop entry's Exec line wants it (quoted when it must be)."""
    if arg and all(ch.isalnum() or ch in "/._-+=:," for ch in arg):
        return arg
    escaped = arg.replace("\\", "\\\\\\\\").replace('"', '\\\\"').replace("`", "\\\\`")
    return '"' + escaped.replace("$", "\\\\$") + '"'


def entry_text(command: list[str] | None = None) -> str:
    """The desktop entry with Exec running ``command`` (default: :func:`program`) on the link
    and Icon the program's own icon."""
    run = " ".join(_exec_quoted(a) for a in (command or program()))
    icon = resource("icons", "qwtimer.svg")
    lines = []
    for line in resource(FILE_NAME).read_text(encoding="utf-8").splitlines():
        if line.startswith("Exec="):
            line = f"Exec={run} %u"
        elif line.startswith("Icon=") and icon.exists():
            line = f"Icon={icon}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def applications_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "applications"


def install(command: list[str] | None = None) -> Path:
    """Install the entry for the current user and make it the scheme's handler; returns
    the file written."""
    folder = applications_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / FILE_NAME
    partial = target.with_suffix(".tmp")
    partial.write_text(entry_text(command), encoding="utf-8")
    partial.replace(target)
    for tool in (
        ["xdg-mime", "default", FILE_NAME, SCHEME_TYPE],
        ["update-desktop-database", str(folder)],
    ):
        if shutil.which(tool[0]):
            subprocess.run(tool, check=False, capture_output=True, timeout=30)
    return target


def install_once(desk: Desk) -> Path | None:
    """On the window's first start in this data folder (Linux only, not with
    ``QWTIMER_NO_DESKTOP_INSTALL`` set): install the entry, remembered so it happens once."""
    if not sys.platform.startswith("linux") or os.environ.get(SKIP_ENV):
        return None
    if desk.meta(INSTALLED_KEY):
        return None
    target = install()
    with desk.db.atomic():
        desk.set_meta(INSTALLED_KEY, "1")
    return target


def main() -> int:  # ``make install-desktop``
    target = install()
    print(f"installed {target}; qwtimer:// links now open qwtimer ({shlex.join(program())})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
