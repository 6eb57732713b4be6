"""The command line starts and prints help."""

import os
import subprocess


def test_help_lists_the_commands(qwtimer_cmd: list[str]) -> None:
    out = subprocess.run([*qwtimer_cmd, "--help"], capture_output=True, text=True, check=True)
    for word in ("customer", "support", "timer", "calls", "policy"):
        assert word in out.stdout


def test_no_display_says_so_instead_of_crashing(qwtimer_cmd: list[str], tmp_path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    out = subprocess.run(
        [*qwtimer_cmd, "--data-dir", str(tmp_path)], capture_output=True, text=True, env=env
    )
    assert out.returncode == 2
    assert out.stderr.startswith("qwtimer: no display to open the window on")
    assert "qwtimer --help" in out.stderr
