"""What ships beside the bundle: the desktop entry's command and icon, the executable's icon."""

from __future__ import annotations

import subprocess
from pathlib import Path

from qwtimer import APP, __version__
from tests.bundle import packaging

TEMPLATE = """[Desktop Entry]
Type=Application
Name=qwtimer
Exec=qwtimer %u
Icon=qwtimer
MimeType=x-scheme-handler/qwtimer;
"""


def test_the_bundles_desktop_entry_runs_the_executable_where_the_packages_put_it(
    tmp_path: Path,
) -> None:
    template = tmp_path / "qwtimer.desktop"
    template.write_text(TEMPLATE.replace("Exec=qwtimer %u", "Exec=/somewhere/else %u"))
    bundle = tmp_path / APP
    bundle.mkdir()
    written = packaging().add_desktop_entry(bundle, template)
    assert written == bundle / f"{APP}.desktop"
    lines = written.read_text().splitlines()
    assert f"Exec=/opt/{APP}/{APP} %u" in lines
    assert f"Icon={APP}" in lines
    assert "MimeType=x-scheme-handler/qwtimer;" in lines  # the rest as the resources say


def test_a_bundle_without_a_desktop_entry_in_its_resources_gets_none(tmp_path: Path) -> None:
    assert packaging().add_desktop_entry(tmp_path, tmp_path / "absent.desktop") is None
    assert list(tmp_path.iterdir()) == []


def test_the_debs_desktop_entry_runs_the_command_on_the_path() -> None:
    text = packaging().desktop_entry(TEMPLATE, APP)
    assert f"Exec={APP} %u" in text.splitlines()


def test_the_executable_gets_an_icon_only_where_the_platform_uses_one(tmp_path: Path) -> None:
    (tmp_path / "qwtimer.svg").write_text("<svg/>")
    assert packaging().exe_icon(str(tmp_path)) is None  # Linux: the desktop entry's icon


def test_the_command_line_says_the_package_version(qwtimer_cmd: list[str]) -> None:
    out = subprocess.run([*qwtimer_cmd, "--version"], capture_output=True, text=True, timeout=60)
    assert (out.returncode, out.stdout.strip()) == (0, f"{APP} {__version__}")
