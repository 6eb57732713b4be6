"""``qwtimer`` with no command opens the window without building the whole grammar; the
options it reads that way are exactly what the grammar reads, and anything else (a command,
a link, a bad or empty value, --help, --version) is left to the grammar."""

from __future__ import annotations

import pytest

from qwtimer.cli import window_args
from qwtimer.cli.parser import build_parser

WINDOW_ONLY = [
    [],
    ["--data-dir", "/tmp/d"],
    ["--data-dir=/tmp/d", "--technician", "ada"],
    ["--technician=ada lovelace", "--json"],
    ["--json", "--data-dir", "a", "--data-dir", "b"],  # the last one counts, as in argparse
]
LEFT_TO_THE_GRAMMAR = [
    ["timer", "status"],
    ["--data-dir", "d", "customer", "list"],
    ["qwtimer://call?from=%2B15550100100"],
    ["--data-dir"],
    ["--data-dir", ""],
    ["--data-dir", " "],
    ["--data-dir="],
    ["--technician", "--json"],
    ["--data-dir", "--"],
    ["--data", "d"],  # an abbreviation: the grammar decides
    ["--help"],
    ["--version"],
    ["-h"],
]


@pytest.mark.parametrize("argv", WINDOW_ONLY)
def test_the_windows_options_are_read_as_the_whole_grammar_reads_them(argv: list[str]) -> None:
    fast = window_args(argv)
    assert fast is not None
    assert vars(fast) == vars(build_parser().parse_args(argv))


@pytest.mark.parametrize("argv", LEFT_TO_THE_GRAMMAR)
def test_anything_but_the_windows_options_is_left_to_the_grammar(argv: list[str]) -> None:
    assert window_args(argv) is None
