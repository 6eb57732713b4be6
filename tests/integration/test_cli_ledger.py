"""The command line for the ledger, as a separate process: init, logins, sync --json."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import psycopg
import pytest

from tests.integration.conftest import PgLedger
from tests.pgcluster import Cluster


def run(
    cmd: list[str], data: Path, *args: str, stdin: str = "", technician: str = "tess"
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QWTIMER_DATA_DIR": str(data), "QWTIMER_TECHNICIAN": technician}
    env.pop("QWTIMER_LEDGER", None)
    return subprocess.run(
        [*cmd, *args], capture_output=True, text=True, env=env, input=stdin, timeout=60
    )


def _one_call(cmd: list[str], data: Path, technician: str = "tess") -> None:
    for args in (
        ("customer", "add", "Acme", "--product", "desktop", "--plan", "license"),
        ("call", "log", "Acme", "--talk", "12:30"),
    ):
        assert run(cmd, data, *args, technician=technician).returncode == 0


@pytest.mark.pg
def test_ledger_init_logins_and_sync_json(
    qwtimer_cmd: list[str], pg_cluster: Cluster, tmp_path: Path
) -> None:
    pg_cluster.admin("CREATE DATABASE cli_ledger")
    ledger = PgLedger(pg_cluster, "cli_ledger")
    data = tmp_path / "data"
    done = run(qwtimer_cmd, data, "ledger", "init", ledger.admin)
    assert done.returncode == 0, done.stderr
    assert run(qwtimer_cmd, data, "ledger", "init", ledger.admin).returncode == 0  # again: ok
    added = run(
        qwtimer_cmd,
        data,
        "--json",
        "ledger",
        "add-technician",
        "cli_tech",
        "--ledger",
        ledger.admin,
        "--password-stdin",
        stdin="s3cret\n",
    )
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout) == {
        "role": "cli_tech",
        "group": "technician",
        "password_set": True,
    }
    assert "s3cret" not in added.stdout + added.stderr
    _one_call(qwtimer_cmd, data, "cli_tech")
    url = ledger.url("cli_tech")
    synced = run(qwtimer_cmd, data, "sync", "--json", "--ledger", url, technician="cli_tech")
    # trust authentication: the password is not needed on this cluster
    out = json.loads(synced.stdout)
    assert synced.returncode == 0, synced.stderr
    assert out["ok"] and out["pushed"]["call"] == 1 and out["pending"] == 0
    assert out["errors"] == [] and out["conflicts"] == []
    with psycopg.connect(ledger.admin, options="-c search_path=qwtimer") as conn:
        assert conn.execute("SELECT count(*) FROM allocation").fetchone() == (1,)


def test_sync_defaults_to_the_embedded_ledger(qwtimer_cmd: list[str], tmp_path: Path) -> None:
    data = tmp_path / "data"
    _one_call(qwtimer_cmd, data)
    first = json.loads(run(qwtimer_cmd, data, "sync", "--json").stdout)
    # what was observed goes up (customer, product line, purchase, call, segment, close);
    # the ledger writes the grant and the debit, which come down in place of this laptop's
    assert first["ok"] and first["pushed_total"] == 6 and first["pending"] == 0
    assert first["pulled"]["entry"] == 2
    assert (data / "ledger.db").exists()
    again = json.loads(run(qwtimer_cmd, data, "sync", "--json").stdout)
    assert again["pushed_total"] == 0 and again["pulled_total"] == 0


def test_an_unreachable_ledger_exits_2_with_one_line(
    qwtimer_cmd: list[str], tmp_path: Path
) -> None:
    data = tmp_path / "data"
    _one_call(qwtimer_cmd, data)
    done = run(qwtimer_cmd, data, "sync", "--ledger", "postgresql://tess@127.0.0.1:1/ledger")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "offline" in lines[0] and "nothing is lost" in lines[0]
    assert "6 rows wait" in done.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("sync", "--ledger", "postgresql://tess:pw@127.0.0.1/ledger"),
        ("ledger", "use", "postgresql://tess:pw@127.0.0.1/ledger"),
        ("ledger", "add-technician", "Bad Name", "--ledger", "postgresql://a@127.0.0.1:1/x"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    qwtimer_cmd: list[str], tmp_path: Path, args: tuple[str, ...]
) -> None:
    done = run(qwtimer_cmd, tmp_path / "data", *args)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
