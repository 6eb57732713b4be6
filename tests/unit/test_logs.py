"""The log file: where a crash leaves its trace, even one that kills the interpreter."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CRASH = """
import faulthandler, sys
from qwtimer import logs
logs.MAX_BYTES = int(sys.argv[1])
path = logs.setup()
for n in range(int(sys.argv[2])):
    logs.logger().info("line %d %s", n, "x" * 100)
def deep_in_the_window():
    faulthandler._sigsegv()
deep_in_the_window()
"""


def crash(log_dir: Path, max_bytes: int, lines: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CRASH, str(max_bytes), str(lines)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_fatal_crash_leaves_its_python_stack_in_the_log(log_dir: Path) -> None:
    p = crash(log_dir, 1_000_000, 1)
    assert p.returncode != 0
    text = (log_dir / "qwtimer.log").read_text()
    assert "Fatal Python error" in text and "deep_in_the_window" in text


def test_after_the_log_rotates_a_crash_still_lands_in_the_current_file(log_dir: Path) -> None:
    p = crash(log_dir, 2_000, 100)
    assert p.returncode != 0
    assert (log_dir / "qwtimer.log.1").exists()  # it did rotate
    text = (log_dir / "qwtimer.log").read_text()
    assert "Fatal Python error" in text and "deep_in_the_window" in text
