"""A call named on the command line by its id or by the start of it that ``qwtimer calls``
shows: one call found is used, several or none is a clear refusal (exit 2) that changes
nothing."""

from __future__ import annotations

import itertools
import uuid

import pytest

from qwtimer.desk.call_ids import SHOWN
from tests.unit.test_cli import ACME, InProcess, add_acme, assert_refused, cli  # noqa: F401


@pytest.fixture
def two_calls(cli: InProcess, monkeypatch: pytest.MonkeyPatch) -> tuple[InProcess, str, str]:  # noqa: F811
    """Acme with two logged calls whose ids (like every id written here) start 'abcd'."""
    counter = itertools.count(1)
    monkeypatch.setattr(uuid, "uuid4", lambda: uuid.UUID(f"abcd{next(counter):04x}{0:024x}"))
    add_acme(cli)
    first = cli.json("call", "log", ACME, "--talk", "5:00")["call_id"]
    second = cli.json("call", "log", ACME, "--talk", "7:00")["call_id"]
    assert first[:4] == second[:4] == "abcd" and first[:SHOWN] != second[:SHOWN]
    return cli, first, second


def test_the_calls_table_shows_the_start_of_each_id_and_that_start_names_the_call(
    two_calls: tuple[InProcess, str, str],
) -> None:
    run, first, second = two_calls
    table = run.run("calls").stdout.splitlines()
    assert table[0].split()[0] == "call"
    assert sorted(line.split()[0] for line in table[1:]) == sorted([first[:SHOWN], second[:SHOWN]])
    shown = run.json("call", "show", first[:SHOWN])
    assert shown["call_id"] == first and shown["bill"]["billed_seconds"] == 300
    assert run.json("receipt", second[:SHOWN].upper())["call_id"] == second
    assert run.json("receipt", f"  {second}  ")["call_id"] == second  # the whole id, as pasted


@pytest.mark.parametrize(
    ("given", "words"),
    [
        ("abcd", ("more than one call", "give more of it")),
        ("abc", ("no call 'abc'", "qwtimer calls")),  # too short to be looked up
        ("ffff0000", ("no call 'ffff0000'", f"first {SHOWN} characters")),
        ("", ("no call ''",)),
        ("abcd%", ("no call 'abcd%'",)),  # not a pattern
        ("abcd' OR 1=1 --", ("no call",)),
    ],
)
def test_an_unknown_or_ambiguous_call_is_refused_and_nothing_changes(
    two_calls: tuple[InProcess, str, str], given: str, words: tuple[str, ...]
) -> None:
    run, _, _ = two_calls
    before = run.run("calls", "--csv").stdout
    assert_refused(run.run("receipt", given, code=2), *words)
    assert_refused(
        run.run("call", "reclassify", given, "--segment", "1", "--as", "research",
                "--reason", "x", code=2),
        *words,
    )  # fmt: skip
    assert run.run("calls", "--csv").stdout == before
