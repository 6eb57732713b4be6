"""Starting with the desktop session writes and removes the freedesktop autostart entry in
$XDG_CONFIG_HOME/autostart, naming a data folder that is not the default one."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest

from qwtimer.core.errors import InputError
from qwtimer.desk import autostart
from qwtimer.paths import default_data_dir

linux_only = pytest.mark.skipif(not autostart.supported(), reason="freedesktop autostart")


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))
    return folder


def _exec(entry: Path) -> list[str]:
    line = next(x for x in entry.read_text().splitlines() if x.startswith("Exec="))
    return shlex.split(line.removeprefix("Exec=").replace("%%", "%"))


@linux_only
def test_autostart_entry_is_written_with_the_data_folder_and_removed(
    config: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "desk 100% ours"
    autostart.apply(True, folder)
    entry = config / "autostart" / "qwtimer.desktop"
    assert autostart.is_on() and entry.is_file()
    text = entry.read_text()
    assert "Icon=qwtimer\n" in text and "Type=Application\n" in text
    argv = _exec(entry)
    assert argv[-2:] == ["--data-dir", str(folder.resolve())]
    assert argv[0] in (sys.executable, autostart.command(folder)[0])
    assert not list(entry.parent.glob("*.part"))
    autostart.apply(False, folder)
    assert not entry.exists() and not autostart.is_on()
    autostart.apply(False, folder)  # removing twice is no error


@linux_only
def test_the_default_data_folder_needs_no_data_dir(config: Path) -> None:
    autostart.apply(True, default_data_dir())
    assert "--data-dir" not in _exec(config / "autostart" / "qwtimer.desktop")


@linux_only
def test_an_autostart_folder_that_cannot_be_written_is_one_line(
    config: Path, tmp_path: Path
) -> None:
    config.mkdir()
    (config / "autostart").write_text("a file where the folder should be")
    with pytest.raises(InputError, match=r"cannot write .*qwtimer\.desktop") as err:
        autostart.apply(True, tmp_path)
    assert "\n" not in str(err.value)


def test_elsewhere_autostart_is_set_by_hand_as_the_readme_says(
    config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    with pytest.raises(InputError, match="README"):
        autostart.apply(True, tmp_path)
    autostart.apply(False, tmp_path)
    assert not (config / "autostart").exists()
