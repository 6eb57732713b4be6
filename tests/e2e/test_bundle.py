"""The PyInstaller bundle runs on its own: it finds its policy files and bills a call."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("bundle")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "ERROR",
            "--distpath",
            str(work / "dist"),
            "--workpath",
            str(work / "build"),
            str(ROOT / "build_spec" / "qwtimer.spec"),
        ],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    exe = work / "dist" / "qwtimer" / "qwtimer"
    assert exe.exists()
    return exe


@pytest.mark.slow
def test_bundle_bills_a_call_with_its_own_policy_files(bundle: Path, tmp_path: Path) -> None:
    q = [str(bundle), "--data-dir", str(tmp_path / "data")]
    policy = json.loads(
        subprocess.run(
            [*q, "policy", "show", "--json"], check=True, capture_output=True, text=True
        ).stdout
    )
    assert policy["version"] == "2026-11"
    subprocess.run(
        [*q, "customer", "add", "Bundle Ltd", "--product", "desktop", "--plan", "license"],
        check=True,
        capture_output=True,
    )
    bill = json.loads(
        subprocess.run(
            [*q, "call", "log", "Bundle Ltd", "--talk", "12:30", "--json"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    assert bill["billed_seconds"] == 13 * 60  # R3: rounded up once, to the next minute
    assert bill["balance_after_seconds"] == 45 * 60 - 13 * 60  # R1 grant minus the call


def test_bundle_reports_bad_input_like_the_source_tree(bundle: Path, tmp_path: Path) -> None:
    out = subprocess.run(
        [str(bundle), "--data-dir", str(tmp_path), "customer", "show", "Nobody"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 2
    assert "no customer 'Nobody'" in out.stderr
