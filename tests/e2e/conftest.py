"""A real X server (Xvfb) for end-to-end tests, started here; real input through xdotool."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bundle import build_bundle
from tests.conftest import require

NEEDED = ("Xvfb", "xdotool")
# Reads the X clipboard the way any other application on the display would.
READ_CLIPBOARD = (
    "from PySide6.QtGui import QGuiApplication as A; a = A([]); print(A.clipboard().text(), end='')"
)


def _free_display() -> int:
    for n in range(91, 190):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            return n
    raise RuntimeError("no free X display number between :91 and :189")


@pytest.fixture
def x_display() -> Iterator[str]:
    """DISPLAY of a fresh Xvfb server, stopped after the test."""
    missing = [tool for tool in NEEDED if shutil.which(tool) is None]
    if missing:
        require("QWTIMER_REQUIRE_DISPLAY", f"end-to-end tests need {', '.join(missing)}")
    n = _free_display()
    server = subprocess.Popen(
        ["Xvfb", f":{n}", "-screen", "0", "1400x900x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not Path(f"/tmp/.X11-unix/X{n}").exists():
            if server.poll() is not None or time.monotonic() > deadline:
                require("QWTIMER_REQUIRE_DISPLAY", f"Xvfb :{n} did not start")
            time.sleep(0.05)
        yield f":{n}"
    finally:
        server.terminate()
        server.wait(timeout=10)


class Desktop:
    """Real keyboard and mouse input on one X display (xdotool)."""

    def __init__(self, display: str) -> None:
        self.env = {**os.environ, "DISPLAY": display}

    def run(self, *args: str, timeout: float = 20) -> str:
        out = subprocess.run(
            ["xdotool", *args], env=self.env, capture_output=True, text=True, timeout=timeout
        )
        return out.stdout.strip()

    def wait_window(self, name: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.run("search", "--onlyvisible", "--name", name)
            if found:
                return found.splitlines()[-1]
            time.sleep(0.1)
        raise AssertionError(f"no window named {name!r} appeared within {timeout} s")

    def focus(self, window: str) -> None:
        self.run("windowfocus", window)
        time.sleep(0.2)

    def key(self, *keys: str) -> None:
        self.run("key", "--delay", "80", *keys)

    def type(self, text: str) -> None:
        self.run("type", "--delay", "60", text)

    def click(self, window: str, x: int, y: int) -> None:
        self.run("mousemove", "--window", window, str(x), str(y))
        self.run("click", "1")

    def gone(self, name: str, timeout: float = 20) -> None:
        """Wait until no visible window is named ``name``."""
        deadline = time.monotonic() + timeout
        while self.run("search", "--onlyvisible", "--name", name):
            if time.monotonic() > deadline:
                raise AssertionError(f"the window {name!r} is still open after {timeout} s")
            time.sleep(0.1)

    def clipboard(self) -> str:
        """The text on the display's clipboard."""
        out = subprocess.run(
            [sys.executable, "-c", READ_CLIPBOARD],
            env={**self.env, "QT_QPA_PLATFORM": "xcb"},
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        return out.stdout

    def screenshot(self, path: Path) -> None:
        if shutil.which("import"):
            subprocess.run(
                ["import", "-window", "root", str(path)], env=self.env, timeout=20, check=False
            )


@pytest.fixture
def desktop(x_display: str) -> Desktop:
    return Desktop(x_display)


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The executable of the PyInstaller bundle, built once per test session
    (``QWTIMER_BUNDLE``: one already built from this checkout, e.g. ``dist/qwtimer/qwtimer``)."""
    built = os.environ.get("QWTIMER_BUNDLE")
    if built:
        return Path(built).resolve()
    return build_bundle(tmp_path_factory.mktemp("bundle"))
