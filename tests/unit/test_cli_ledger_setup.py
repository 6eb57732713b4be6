"""Setting up the team's ledger from the command line, through the desk's ledger services: the
embedded SQLite ledger end to end, and every refusal in one line that changes nothing."""

from __future__ import annotations

from pathlib import Path

from tests.unit.scenario import table_rows
from tests.unit.test_cli import InProcess, assert_refused, cli  # noqa: F401  (the fixture)


def test_ledger_init_and_use_on_the_embedded_ledger_learn_the_supervisor_role(
    cli: InProcess,  # noqa: F811
    tmp_path: Path,
) -> None:
    url = f"sqlite://{tmp_path / 'team.db'}"
    ready = cli.json("ledger", "init", url)
    assert ready == {"ledger": str(tmp_path / "team.db"), "schema_version": ready["schema_version"]}
    assert ready["schema_version"] >= 1
    assert cli.json("ledger", "init", url) == ready  # again: nothing to do
    used = cli.json("ledger", "use", f"  {url} ")
    assert used == {"ledger_url": url, "ledger_role": "supervisor"}  # its creator (R13)
    text = cli.run("ledger", "use", url).stdout
    assert text.strip() == f"this computer now syncs with {url} as a supervisor"


def test_ledger_use_of_an_unreachable_ledger_leaves_its_role_pending(
    cli: InProcess,  # noqa: F811
) -> None:
    url = "postgresql://tess@127.0.0.1:1/ledger"
    assert cli.json("ledger", "use", url) == {"ledger_url": url, "ledger_role": "pending"}
    assert "learnt at the first sync" in cli.run("ledger", "use", url).stdout


def test_ledger_set_up_refusals_are_one_line_and_change_nothing(
    cli: InProcess,  # noqa: F811
    tmp_path: Path,
) -> None:
    cli.run("customer", "list")  # the local database exists
    before = table_rows(cli.db)
    assert_refused(cli.run("ledger", "add-technician", "bob", code=2), "which ledger?")
    assert_refused(
        cli.run("ledger", "use", "postgresql://tess:secret@db.example/qwtimer", code=2),
        "contains a password",
    )
    assert_refused(
        cli.run("ledger", "add-supervisor", "sue", "--ledger", f"sqlite://{tmp_path}/t.db", code=2),
        "a SQLite ledger has no logins",
    )
    assert_refused(
        cli.run("ledger", "add-technician", "Bob Smith", "--ledger", "postgresql://a@h/q", code=2),
        "not usable as a login",
    )
    assert table_rows(cli.db) == before
