"""Every option of every command, given bad input, run through ``qwtimer.cli.main(argv)``:
each case exits 2 with exactly one line on stderr starting with ``qwtimer:``, never a
traceback, and leaves every table of the database exactly as it was."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from qwtimer import cli
from tests.unit.scenario import table_rows

ACME = "Acme Audio"
CARD_NUMBER = "4111 1111 1111 1111"
LONG = "x" * 10_000

# Bad values by the kind of value an option takes.
DURATIONS = [
    "",
    "-5m",
    "+-5m",
    "nan",
    "inf",
    "9999999999999999999999h",
    "\u0661\u0662m",  # Arabic-Indic digits
    "12:60",
    "1e3s",
    "5m\x00",
    "5m\nagain",
    LONG,
    "--",
]
MINUTES = [
    "",
    "--",
    "+-5m",
    "-+5m",
    "++5m",
    "--5m",
    "+",
    "-",
    "0s",
    "nan",
    "99999999999999999999999h",
    "\u0665m",
    "5m\x00",
    LONG,
]
DATES = [
    "",
    "0001-01-01",
    "9999-12-31",
    "1969-12-31",
    "3000-01-01",
    "2026-02-30",
    "\u0662\u0660\u0662\u0666-\u0661\u0661-\u0660\u0661",
    "2026-11-01\x00",
    "tomorrow",
    LONG,
]
MOMENTS = [  # when a logged call started
    "",
    "yesterday",
    "25:00",
    "12:60",
    "2026-13-01 10:00",
    "0001-01-01 10:00",
    "2999-12-31 23:59",  # in the future: the call cannot end after now
    "\u0661\u0662:\u0663\u0660",
    "12:30\x00",
    "12:30:00",
    LONG,
    "--",
]
INTERVALS = ["", "-1", "0", "nan", "inf", "-inf", "1e400", "x", "\u0663", "3601", "--"]
COUNTS = ["", "0", "-1", "x", "\u0661", "1.5", "99999999999999999999"]
BLOCKS = ["", "0", "-1", "1001", "x", "\u0662", "1.5", "99999999999999999999", "--"]
LAST4 = ["", "\u0664\u0662\u0664\u0662", "424", "42424", "abcd", "4 42", "42\x0042"]
CARD_REFS = ["", "   ", CARD_NUMBER, "4111-1111-1111-1111", "x" * 201, "tok\x00" + CARD_NUMBER]
CUSTOMERS = ["Nobody", "", "\x00", LONG, "Acme\nAudio", "\u0661\u0662\u0663"]
IDS = ["nope", "", "\x00", LONG, "\u0661"]


def cases() -> Iterator[tuple[str, list[str]]]:
    """(case name, argv): each command with each option given each bad value of its kind."""

    def each(name: str, build: object, values: list[str]) -> Iterator[tuple[str, list[str]]]:
        for n, value in enumerate(values):
            yield f"{name}[{n}]", build(value)  # type: ignore[operator]

    line = ["--product", "desktop", "--plan", "license"]
    for opt in ("--talk", "--hold", "--working-hold", "--research"):
        base = ["call", "log", ACME, "--talk", "5m"]
        yield from each(f"call log {opt}", lambda v, o=opt, b=base: [*b, f"{o}={v}"], DURATIONS)
    yield from each(
        "call log --started",
        lambda v: ["call", "log", ACME, "--talk", "5m", f"--started={v}"],
        MOMENTS,
    )
    yield from each(
        "ledger adjust --minutes",
        lambda v: ["ledger", "adjust", ACME, f"--minutes={v}", "--reason", "typo"],
        MINUTES,
    )
    yield from each(
        "ledger adjust --reason",
        lambda v: ["ledger", "adjust", ACME, "--minutes=5m", "--reason", v],
        ["", "   ", CARD_NUMBER],
    )
    for cmd in (["calls"], ["report"], ["statement", ACME]):
        for opt in ("--since", "--until"):
            if cmd == ["calls"] and opt == "--until":
                continue
            yield from each(
                f"{' '.join(cmd[:1])} {opt}", lambda v, c=cmd, o=opt: [*c, f"{o}={v}"], DATES
            )
    yield from each("report --by", lambda v: ["report", f"--by={v}"], ["", "nobody", LONG])
    yield from each(
        "support check --on",
        lambda v: ["support", "check", ACME, "--channel", "email", f"--on={v}"],
        DATES,
    )
    yield from each(
        "customer maintenance --until",
        lambda v: ["customer", "maintenance", ACME, f"--until={v}"],
        DATES,
    )
    yield from each(
        "customer add --maintenance-until",
        lambda v: ["customer", "add", "Zed Ltd", *line, f"--maintenance-until={v}"],
        DATES,
    )
    yield from each(
        "customer add --active-until",
        lambda v: [
            "customer",
            "add",
            "Zed Web",
            "--product",
            "web",
            "--plan",
            "subscription",
            f"--active-until={v}",
        ],
        DATES,
    )
    yield from each(
        "customer add name",
        lambda v: ["customer", "add", v, *line],
        ["", "   ", CARD_NUMBER, ACME, ACME.upper()],
    )
    yield from each(
        "customer add --phone",
        lambda v: ["customer", "add", "Zed Ltd", *line, f"--phone={v}"],
        [CARD_NUMBER],
    )
    yield from each(
        "timer watch --interval",
        lambda v: ["timer", "watch", f"--interval={v}", "--count=1"],
        INTERVALS,
    )
    yield from each("timer watch --count", lambda v: ["timer", "watch", f"--count={v}"], COUNTS)
    yield from each(
        "minutes buy --blocks",
        lambda v: ["minutes", "buy", ACME, f"--blocks={v}", "--card-ref", "tok_1"],
        BLOCKS,
    )
    yield from each(
        "minutes buy --card-ref",
        lambda v: ["minutes", "buy", ACME, "--blocks=1", f"--card-ref={v}"],
        CARD_REFS,
    )
    yield from each(
        "customer card --last4",
        lambda v: ["customer", "card", ACME, "--ref", "tok_1", f"--last4={v}"],
        LAST4,
    )
    yield from each(
        "customer card --ref",
        lambda v: ["customer", "card", ACME, f"--ref={v}", "--last4", "4242"],
        CARD_REFS,
    )
    yield from each(
        "call log --card-ref",
        lambda v: ["call", "log", ACME, "--talk", "5m", f"--card-ref={v}"],
        CARD_REFS,
    )
    yield from each(
        "call log --note",
        lambda v: ["call", "log", ACME, "--talk", "5m", f"--note={v}"],
        [CARD_NUMBER],
    )
    for cmd in (
        ["customer", "show"],
        ["customer", "maintenance", "{}", "--until", "2027-01-01"],
        ["customer", "card", "{}", "--ref", "tok_1", "--last4", "4242"],
        ["customer", "product", "add", "{}", *line],
        ["support", "check", "{}", "--channel", "phone"],
        ["minutes", "buy", "{}", "--blocks", "1", "--card-ref", "tok_1"],
        ["call", "log", "{}", "--talk", "5m"],
        ["timer", "start"],
        ["ledger", "adjust", "{}", "--minutes=5m", "--reason", "typo"],
        ["ledger", "entries"],
        ["statement"],
        ["calls", "--customer"],
        ["customer", "merge", "{}", "--from", ACME, "--reason", "twice"],
        ["customer", "merge", ACME, "--from", "{}", "--reason", "twice"],
    ):
        template = cmd if "{}" in cmd else [*cmd, "{}"]
        yield from each(
            " ".join(c for c in cmd[:2] if c != "{}") + " customer",
            lambda v, t=template: [v if part == "{}" else part for part in t],
            CUSTOMERS,
        )
    for cmd in (
        ["call", "show", "{}"],
        ["ledger", "reverse", "{}", "--reason", "typo"],
        ["timer", "status", "--call", "{}"],
        ["timer", "research", "--call", "{}"],
        ["timer", "stop", "--call", "{}"],
        ["timer", "discard", "--reason", "typo", "--call", "{}"],
        ["timer", "move", ACME, "--reason", "typo", "--call", "{}"],
        ["receipt", "{}"],
        ["call", "reclassify", "{}", "--segment", "1", "--as", "talk", "--reason", "typo"],
    ):
        yield from each(
            " ".join(cmd[:2]) + " id",
            lambda v, t=cmd: [v if part == "{}" else part for part in t],
            IDS,
        )
    yield from each(
        "customer import file",
        lambda v: ["customer", "import", v],
        ["", "no-such.csv", ".", "\x00", LONG],
    )
    yield from each(
        "choices",
        lambda v: v.split("|"),
        [
            "support|check|" + ACME + "|--channel|fax",
            "call|log|" + ACME + "|--talk|5m|--outcome|maybe",
            "timer|gap|sleep",
            "timer|recover|later",
            "customer|add|Zed Ltd|--product|fax|--plan|license",
        ],
    )
    # Flags repeated: the last one counts, and it is bad.
    yield from each(
        "repeated flag",
        lambda v: v.split("|"),
        [
            "call|log|" + ACME + "|--talk|5m|--talk|nan",
            "ledger|adjust|" + ACME + "|--minutes=5m|--minutes=+-5m|--reason|x",
            "calls|--since|2026-11-01|--since|0001-01-01",
            "timer|watch|--interval|1|--interval|-1",
            "minutes|buy|" + ACME + "|--blocks|1|--blocks|0|--card-ref|tok",
        ],
    )
    yield from each(
        "--data-dir",
        lambda v: ["--data-dir", v, "customer", "list"],
        ["\x00", "/dev/null", "/proc/no-such-folder"],
    )
    # Illegal timer actions with no call running.
    for action in ("hold", "work", "resume", "research", "stop", "watch"):
        yield f"timer {action} idle", ["timer", action]
    yield "timer recover idle", ["timer", "recover", "end"]
    yield "timer gap idle", ["timer", "gap", "hold"]


CASES = dict(cases())


def running_cases() -> Iterator[tuple[str, list[str]]]:
    """Bad input to the commands that act on a running call."""
    for n, ref in enumerate(CARD_REFS):
        yield f"timer stop --card-ref[{n}]", ["timer", "stop", f"--card-ref={ref}"]
    yield "timer stop --note card", ["timer", "stop", f"--note={CARD_NUMBER}"]
    yield "timer stop --outcome", ["timer", "stop", "--outcome", "maybe"]
    for n, name in enumerate(CUSTOMERS):
        yield f"timer move customer[{n}]", ["timer", "move", name, "--reason", "wrong"]
    for n, reason in enumerate(["", "   ", CARD_NUMBER]):
        yield f"timer discard --reason[{n}]", ["timer", "discard", f"--reason={reason}"]
        yield f"timer move --reason[{n}]", ["timer", "move", ACME, f"--reason={reason}"]
    for n, value in enumerate(INTERVALS):
        yield f"timer watch --interval[{n}]", ["timer", "watch", f"--interval={value}", "--count=2"]
    yield "timer start again", ["timer", "start", ACME]
    yield "timer gap none", ["timer", "gap", "hold"]
    yield "timer recover none", ["timer", "recover", "resume"]
    yield "timer resume on the line", ["timer", "resume"]
    yield "timer work on the line", ["timer", "work"]
    for n, value in enumerate(IDS):
        yield f"timer hold --call[{n}]", ["timer", "research", f"--call={value}"]


RUNNING_CASES = dict(running_cases())


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with one customer (a card on file) and one logged call."""
    data = tmp_path_factory.mktemp("fuzz") / "data"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("QWTIMER_TECHNICIAN", "tess")
        mp.setenv("QWTIMER_LOG_DIR", str(data.parent / "logs"))
        line = ["--product", "desktop", "--plan", "license", "--maintenance-until", "2027-06-30"]
        for argv in (
            ["customer", "add", ACME, *line],
            ["customer", "card", ACME, "--ref", "tok_seed", "--last4", "4242"],
            ["call", "log", ACME, "--talk", "5m"],
        ):
            assert cli.main(["--data-dir", str(data), *argv]) == 0
    return data


@pytest.fixture
def running(seeded: Path, tmp_path: Path) -> Path:
    """The seeded folder, copied, with a call started just now: a call whose heartbeat is
    more than a few seconds old counts as interrupted by a crash (nothing here keeps it
    beating), and would then take 'timer recover' rightly."""
    data = tmp_path / "running"
    shutil.copytree(seeded, data)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("QWTIMER_TECHNICIAN", "tess")
        mp.setenv("QWTIMER_LOG_DIR", str(data.parent / "logs"))
        assert cli.main(["--data-dir", str(data), "timer", "start", ACME]) == 0
    return data


def run(data: Path, argv: list[str]) -> int:
    """``qwtimer --data-dir DATA ARGV`` in this process; the exit status, argparse's too."""
    try:
        return cli.main(["--data-dir", str(data), *argv])
    except SystemExit as done:  # argparse refusing the grammar
        return int(done.code or 0)


def test_the_bad_input_list_covers_every_kind_of_value() -> None:
    assert len(CASES) >= 300
    names = " ".join(CASES)
    for option in ("--talk", "--minutes", "--since", "--until", "--interval", "--blocks"):
        assert option in names


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_exits_2_with_one_line_and_changes_nothing(
    seeded: Path, case: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QWTIMER_TECHNICIAN", "tess")
    before = table_rows(seeded / "qwtimer.db")
    status = run(seeded, CASES[case])
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert "Traceback" not in err, err
    assert status == 2, f"{CASES[case]!r} -> {status}\n{err}"
    assert len(lines) == 1, err
    assert lines[0].startswith("qwtimer: "), err
    assert out == ""
    assert table_rows(seeded / "qwtimer.db") == before


@pytest.mark.parametrize("case", list(RUNNING_CASES))
def test_bad_input_to_a_running_call_exits_2_and_changes_nothing(
    running: Path, case: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QWTIMER_TECHNICIAN", "tess")
    before = table_rows(running / "qwtimer.db")
    status = run(running, RUNNING_CASES[case])
    out, err = capsys.readouterr()
    assert "Traceback" not in err, err
    assert status == 2, f"{RUNNING_CASES[case]!r} -> {status}\n{err}"
    assert len(err.splitlines()) == 1 and err.startswith("qwtimer: "), err
    assert out == ""
    assert table_rows(running / "qwtimer.db") == before


def test_a_case_that_fails_is_noticed(tmp_path: Path, seeded: Path) -> None:
    """The harness itself: a good command run the same way exits 0 and changes the data."""
    data = tmp_path / "data"
    shutil.copytree(seeded, data)
    before = table_rows(data / "qwtimer.db")
    assert run(data, ["ledger", "adjust", ACME, "--minutes=-5m", "--reason", "typo"]) == 0
    assert table_rows(data / "qwtimer.db") != before


def test_a_card_number_in_a_merge_reason_is_refused(
    seeded: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("QWTIMER_TECHNICIAN", "tess")
    data = tmp_path / "data"
    shutil.copytree(seeded, data)
    line = ["--product", "desktop", "--plan", "license", "--maintenance-until", "2027-06-30"]
    assert run(data, ["customer", "add", "ACME audio", *line, "--allow-duplicate"]) == 0
    other = capsys.readouterr().out.strip()
    before = table_rows(data / "qwtimer.db")
    merge = ["customer", "merge", ACME, "--from", other, "--reason"]
    assert run(data, [*merge, f"paid with {CARD_NUMBER}"]) == 2
    assert "card number" in capsys.readouterr().err
    assert table_rows(data / "qwtimer.db") == before
    assert run(data, [*merge, "entered twice"]) == 0  # the same merge with a true reason
