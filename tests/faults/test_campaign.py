"""The short form of the fault runs, inside ``make test``: every scenario once more, in a
process of its own, must lose, double and damage nothing (``make faults`` runs the long
form). The deadline is generous: the counts are checked, never how long a run took."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.faults.campaign import SCENARIOS

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


def test_the_short_fault_runs_lose_double_and_damage_nothing() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tests.faults.campaign"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=1800,
    )
    assert done.returncode == 0, done.stdout + done.stderr[-4000:]
    rows = [r for r in done.stdout.splitlines() if r.startswith("| ") and "---" not in r]
    assert len(rows) == len(SCENARIOS) + 2  # heading, one per scenario, total
    total = re.findall(r"\*\*([\d,]+)\*\*", rows[-1])
    runs, faults, records, lost, doubled, damaged = (int(v.replace(",", "")) for v in total)
    assert (lost, doubled, damaged) == (0, 0, 0)
    assert runs > 0 and faults > 0 and records > runs
