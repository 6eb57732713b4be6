"""Where qwtimer keeps its files: the one place that resolves paths.

Order: ``--data-dir`` (passed in), then ``QWTIMER_DATA_DIR``, then the platform's user data
folder (platformdirs); logs go to ``QWTIMER_LOG_DIR`` or the platform's user log folder. Resources (policy files, icons) are found inside the installed package or
the PyInstaller bundle (``qwtimer/resources``), else in the source checkout.
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


def resource_dir() -> Path:
    """The ``resources`` folder: beside the package where it was installed (a wheel or the
    PyInstaller bundle carry it as ``qwtimer/resources``), else the source checkout's."""
    installed = Path(__file__).resolve().parent / "resources"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    """A file under :func:`resource_dir` (not checked for existence): the one way qwtimer
    finds its policy files, icons and desktop entry, from a checkout, an installed package
    or the bundle alike."""
    return resource_dir().joinpath(*parts)
