"""R13 on the laptop: it learns from the ledger whether its login is a supervisor and refuses
a technician's adjustment or reversal at once, instead of leaving it pending for ever."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.integration.conftest import PgLedger
from tests.integration.test_cli_ledger import run


def _adjust(cmd: list[str], data: Path, technician: str, *extra: str) -> tuple[int, str, str]:
    done = run(
        cmd,
        data,
        *extra,
        "ledger",
        "adjust",
        "Acme",
        "--minutes=100m",
        "--reason",
        "goodwill",
        technician=technician,
    )
    return done.returncode, done.stdout, done.stderr


def _adjustments(data: Path) -> int:
    with sqlite3.connect(data / "qwtimer.db") as conn:
        return int(
            conn.execute("SELECT count(*) FROM entry WHERE kind = 'adjustment'").fetchone()[0]
        )


def _customer(cmd: list[str], data: Path, technician: str) -> None:
    added = run(
        cmd, data, "customer", "add", "Acme", "--product", "desktop", "--plan", "license",
        technician=technician,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr


@pytest.mark.pg
def test_r13_a_technicians_laptop_refuses_ledger_adjust_at_once(
    qwtimer_cmd: list[str], pg_ledger: PgLedger, tmp_path: Path
) -> None:
    data = tmp_path / "tess"
    _customer(qwtimer_cmd, data, "tess")
    used = run(qwtimer_cmd, data, "ledger", "use", pg_ledger.url("tess"), technician="tess")
    assert used.returncode == 0 and "as a technician" in used.stdout, used.stderr
    code, _, err = _adjust(qwtimer_cmd, data, "tess")
    assert code == 2
    assert err.strip().splitlines() == [err.strip()]
    assert "only a supervisor can adjust the ledger (R13)" in err and "ask a supervisor" in err
    assert _adjustments(data) == 0  # nothing written, nothing stuck in the queue
    grant = json.loads(run(qwtimer_cmd, data, "--json", "ledger", "entries", "Acme").stdout)[0]
    reverse = run(
        qwtimer_cmd, data, "ledger", "reverse", grant["id"], "--reason", "x", technician="tess"
    )
    assert reverse.returncode == 2 and "only a supervisor can reverse" in reverse.stderr
    synced = json.loads(run(qwtimer_cmd, data, "sync", "--json", technician="tess").stdout)
    assert synced["ok"] and synced["pending"] == 0 and synced["conflicts"] == []


@pytest.mark.pg
def test_r13_a_supervisors_laptop_posts_adjustments_the_ledger_accepts(
    qwtimer_cmd: list[str], pg_ledger: PgLedger, tmp_path: Path
) -> None:
    data = tmp_path / "sam"
    _customer(qwtimer_cmd, data, "sam")
    used = run(qwtimer_cmd, data, "ledger", "use", pg_ledger.url("sam"), technician="sam")
    assert "as a supervisor" in used.stdout, used.stderr
    code, out, err = _adjust(qwtimer_cmd, data, "sam")
    assert code == 0 and "pending" not in out, err
    synced = json.loads(run(qwtimer_cmd, data, "sync", "--json", technician="sam").stdout)
    assert synced["ok"] and synced["pending"] == 0 and synced["conflicts"] == []


def test_before_any_sync_an_adjustment_goes_ahead_pending_the_ledgers_role(
    qwtimer_cmd: list[str], tmp_path: Path
) -> None:
    data = tmp_path / "new"
    _customer(qwtimer_cmd, data, "tess")
    code, out, err = _adjust(qwtimer_cmd, data, "tess")
    assert code == 0, err
    assert "pending the ledger's role" in out
    code, out, _ = _adjust(qwtimer_cmd, data, "tess", "--json")
    assert json.loads(out)["ledger_role"] == "pending"
    assert _adjustments(data) == 2


def test_r13_the_embedded_ledgers_creator_is_its_supervisor(
    qwtimer_cmd: list[str], tmp_path: Path
) -> None:
    sue, tess = tmp_path / "sue", tmp_path / "tess"
    _customer(qwtimer_cmd, sue, "sue")
    assert run(qwtimer_cmd, sue, "sync", technician="sue").returncode == 0  # creates it
    assert _adjust(qwtimer_cmd, sue, "sue")[0] == 0
    shared = f"sqlite://{sue / 'ledger.db'}"
    used = run(qwtimer_cmd, tess, "ledger", "use", shared, technician="tess")
    assert "as a technician" in used.stdout, used.stderr
    assert run(qwtimer_cmd, tess, "sync", technician="tess").returncode == 0  # Acme comes down
    code, _, err = _adjust(qwtimer_cmd, tess, "tess")
    assert code == 2 and "only a supervisor" in err
    assert _adjustments(tess) == 0
