"""Shared fixtures: a fresh data folder and desk per test, a fake clock, the real policy."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from qwtimer.core.clock import FakeClock
from qwtimer.core.policy import Policy, PolicyBook, load_policy
from qwtimer.desk.context import Desk
from qwtimer.paths import resource

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QWTIMER_STRICT_CHANGES", "1")  # a write nobody announced fails the test
# Never the user's own keyring: a test that needs one sets tests/memory_keyring.py's.
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
os.environ.setdefault("QWTIMER_NO_DESKTOP_INSTALL", "1")  # never touch the home folder's entries

POLICY_FILE = resource("policies", "2026-11.toml")


def require(env: str, reason: str) -> None:
    """Skip a test that needs a missing part, or fail it where CI sets ``env=1``."""
    if os.environ.get(env) == "1":
        pytest.fail(f"{reason} ({env}=1 makes this a failure)")
    pytest.skip(reason)


@pytest.fixture
def policy() -> Policy:
    return load_policy(POLICY_FILE)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def desk(data_dir: Path, clock: FakeClock) -> Iterator[Desk]:
    d = Desk(
        data_dir, clock=clock, technician="tess", policies=PolicyBook.from_dir(POLICY_FILE.parent)
    )
    yield d
    d.close()


@pytest.fixture
def qwtimer_cmd() -> list[str]:
    """The command line as a separate process."""
    return [sys.executable, "-m", "qwtimer"]


@pytest.fixture(autouse=True)
def log_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test logs into its own folder (never the user's log folder, nor the test's
    tmp_path, whose contents some tests check); so do its processes."""
    folder = tmp_path_factory.mktemp("logs")
    monkeypatch.setenv("QWTIMER_LOG_DIR", str(folder))
    return folder
