"""The real command line as a separate process, for the fault runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def qwtimer(
    data: Path, *args: str, code: int | None = 0, cwd: Path = REPO
) -> subprocess.CompletedProcess[str]:
    """``qwtimer --data-dir DATA ARGS``; fails unless it exits with ``code`` (``None``: any). ``data`` may be
    relative to ``cwd``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QWTIMER_")}
    if "QWTIMER_LOG_DIR" in os.environ:
        env["QWTIMER_LOG_DIR"] = os.environ["QWTIMER_LOG_DIR"]
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    p = subprocess.run(
        [sys.executable, "-m", "qwtimer", "--data-dir", str(data), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )
    if code is not None and p.returncode != code:
        raise AssertionError(f"qwtimer {' '.join(args)} exited {p.returncode}: {p.stderr}")
    return p
