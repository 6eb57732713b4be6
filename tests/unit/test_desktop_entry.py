"""The desktop entry that makes qwtimer:// links open qwtimer: written where the desktop looks,
pointing at this very program, once per data folder, never where it is not wanted."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from qwtimer.desk import desktop_entry
from qwtimer.desk.context import Desk


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path


def read(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def test_the_entry_handles_the_scheme_and_runs_this_program_on_the_link(home: Path) -> None:
    target = desktop_entry.install()
    assert target == home / "share" / "applications" / "qwtimer.desktop"
    entry = read(target)
    assert entry["MimeType"] == "x-scheme-handler/qwtimer;"
    assert entry["Exec"] == f"{sys.executable} -m qwtimer %u"
    assert Path(entry["Icon"]).is_file()
    if shutil.which("desktop-file-validate"):
        checked = subprocess.run(
            ["desktop-file-validate", str(target)], capture_output=True, text=True
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
    if shutil.which("xdg-mime"):
        said = subprocess.run(
            ["xdg-mime", "query", "default", "x-scheme-handler/qwtimer"],
            capture_output=True,
            text=True,
        )
        assert said.stdout.strip() == "qwtimer.desktop"


def test_a_program_path_with_spaces_is_quoted_for_the_exec_line() -> None:
    text = desktop_entry.entry_text(["/opt/Q W/qwtimer"])
    assert 'Exec="/opt/Q W/qwtimer" %u' in text.splitlines()


def test_the_window_installs_it_once_per_data_folder(
    home: Path, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(desktop_entry.SKIP_ENV, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    first = desktop_entry.install_once(desk)
    assert first is not None and first.exists()
    first.unlink()
    assert desktop_entry.install_once(desk) is None and not first.exists()  # remembered


def test_nothing_is_installed_where_it_is_not_wanted(
    home: Path, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(desktop_entry.SKIP_ENV, "1")
    assert desktop_entry.install_once(desk) is None
    monkeypatch.delenv(desktop_entry.SKIP_ENV)
    monkeypatch.setattr(sys, "platform", "win32")
    assert desktop_entry.install_once(desk) is None
    assert not (home / "share").exists()
