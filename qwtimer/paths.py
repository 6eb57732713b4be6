"""Where qwtimer keeps its files: the one place that resolves paths.

Order: ``--data-dir`` (passed in), then ``QWTIMER_DATA_DIR``, then the platform's user data
folder (platformdirs); logs go to ``QWTIMER_LOG_DIR`` or the platform's user log folder. Resources (policy files, icons) are found next to the package, or in the
PyInstaller bundle when frozen.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP = "qwtimer"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The data folder (not created here)."""
    if override:
        return Path(override).expanduser()
    env = os.environ.get("QWTIMER_DATA_DIR")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def log_dir() -> Path:
    """The log folder (not created here): ``QWTIMER_LOG_DIR``, else the platform's user log
    folder (platformdirs)."""
    env = os.environ.get("QWTIMER_LOG_DIR")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_log_dir(APP, appauthor=False))


def local_db_path(folder: Path) -> Path:
    return folder / "qwtimer.db"


def resource_dir() -> Path:
    """The ``resources`` folder, frozen (PyInstaller) or from a source checkout."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    return resource_dir().joinpath(*parts)


def default_data_dir() -> Path:
    """The platform's user data folder: where the window looks without ``--data-dir`` or
    ``QWTIMER_DATA_DIR`` (a desktop session starts it without either)."""
    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def autostart_dir() -> Path:
    """The freedesktop autostart folder: ``$XDG_CONFIG_HOME/autostart`` (``~/.config``
    when unset or not absolute, as the XDG base directory specification says)."""
    config = os.environ.get("XDG_CONFIG_HOME", "")
    base = Path(config) if config and Path(config).is_absolute() else Path.home() / ".config"
    return base / "autostart"
