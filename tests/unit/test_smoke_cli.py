"""The command line starts and prints help."""

import subprocess


def test_help_lists_the_commands(qwtimer_cmd: list[str]) -> None:
    out = subprocess.run([*qwtimer_cmd, "--help"], capture_output=True, text=True, check=True)
    for word in ("customer", "support", "timer", "calls", "policy"):
        assert word in out.stdout
