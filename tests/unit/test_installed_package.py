"""An installed package (not the source checkout) carries its own policy files and icons."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_an_installed_package_finds_its_policy_files_away_from_the_checkout(
    tmp_path: Path,
) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        cwd=tmp_path,
        timeout=300,
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    run = [sys.executable, "-m", "qwtimer", "--data-dir", str(tmp_path / "data")]
    where = subprocess.run(
        [sys.executable, "-c", "import qwtimer.paths as p; print(p.resource_dir())"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(target), where  # the installed copy, not the checkout
    shown = subprocess.run(
        [*run, "policy", "show", "--json"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(shown.stdout)["version"] == "2026-11"
    assert (Path(where) / "icons" / "qwtimer.svg").is_file()
