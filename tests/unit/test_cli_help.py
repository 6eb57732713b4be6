"""Every command says what it does and every argument what to type: `--help` is the manual
a technician reads at the desk."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from qwtimer.cli.parser import build_parser


def _commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _commands(sub, (*path, name))


COMMANDS = list(_commands(build_parser()))
LEAVES = [
    (path, p)
    for path, p in COMMANDS
    if not any(isinstance(a, argparse._SubParsersAction) for a in p._actions)
]


def test_the_walk_finds_every_command():
    names = {" ".join(path) for path, _ in LEAVES}
    assert {"call log", "timer stop", "customer product add", "ledger use", "report"} <= names
    assert len(LEAVES) >= 40


@pytest.mark.parametrize("path, parser", LEAVES, ids=[" ".join(p) for p, _ in LEAVES])
def test_every_command_has_a_description_and_every_argument_help(path, parser):
    assert parser.description and parser.description.endswith("."), path
    silent = [
        a.dest
        for a in parser._actions
        if not isinstance(a, argparse._HelpAction | argparse._VersionAction)
        and not (a.help and a.help.strip())
    ]
    assert not silent, f"{' '.join(path)}: no help for {silent}"


@pytest.mark.parametrize(
    "path, parser", COMMANDS, ids=[" ".join(p) or "qwtimer" for p, _ in COMMANDS]
)
def test_every_subcommand_is_listed_with_what_it_does(path, parser):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            listed = {c.dest: c.help for c in action._choices_actions}
            assert set(listed) == set(action.choices), path
            assert all(h and h.strip() for h in listed.values()), (path, listed)


def test_help_says_what_to_type(capsys):
    with pytest.raises(SystemExit) as stop:
        build_parser().parse_args(["call", "log", "--help"])
    assert stop.value.code == 0
    shown = " ".join(capsys.readouterr().out.split())
    assert "Record a call from its durations." in shown
    assert "time talking (m:ss, h:mm:ss, 90s or 12m)" in shown
    assert "its id or exact name" in shown
    assert "never a card number (R6.1)" in shown
