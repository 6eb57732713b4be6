"""Where qwtimer keeps its files: the one place that resolves paths.

Order: ``--data-dir`` (passed in), then ``QWTIMER_DATA_DIR``, then the platform's user data
folder (platformdirs); logs go to ``QWTIMER_LOG_DIR`` or the platform's user log folder. Resources (policy files, icons) are package data in ``qwtimer/resources``, the
PyInstaller bundle when frozen.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from qwtimer import APP


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


def window_settings_path(folder: Path) -> Path:
    """Where the windows of a data folder keep their places and the last folder a file was
    chosen in (``gui/window_memory.py``)."""
    return folder / "window.ini"


def resource_dir() -> Path:
    """The ``resources`` folder inside the package: the same place in a source checkout, an
    installed package and the PyInstaller bundle (which keeps it at ``qwtimer/resources``)."""
    return Path(__file__).resolve().parent / "resources"


def resource(*parts: str) -> Path:
    """A file under :func:`resource_dir` (not checked for existence): the one way qwtimer
    finds its policy files, icons and desktop entry, from a checkout, an installed package
    or the bundle alike."""
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
