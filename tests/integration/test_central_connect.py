"""Choosing and opening the ledger: addresses, passwords, TLS, schema versions (no server)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend

from qwtimer.core.errors import QwtimerError
from qwtimer.store import central as central_store


def test_the_address_comes_from_flag_then_env_then_setting_then_data_dir(tmp_path: Path) -> None:
    resolve = central_store.resolve_url
    assert resolve("a", "b", "c", tmp_path) == "a"
    assert resolve(None, "b", "c", tmp_path) == "b"
    assert resolve(None, "", "c", tmp_path) == "c"
    assert resolve(None, None, None, tmp_path) == f"sqlite://{tmp_path / 'ledger.db'}"


def test_postgres_addresses_prefer_tls_and_never_carry_a_password() -> None:
    params = central_store.pg_params("postgresql://tess@db.example/qwtimer")
    assert params["sslmode"] == "prefer"
    assert "search_path=qwtimer" in params["options"]
    assert central_store.pg_params("host=db user=tess sslmode=require")["sslmode"] == "require"
    with pytest.raises(QwtimerError, match="keyring"):
        central_store.pg_params("postgresql://tess:secret@db.example/qwtimer")
    with pytest.raises(QwtimerError, match="keyring"):
        central_store.pg_params("host=db user=tess password=secret")


class _Keyring(KeyringBackend):  # type: ignore[misc]
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[tuple[str, str]] = []

    def get_password(self, service: str, username: str) -> str | None:
        self.asked.append((service, username))
        return "from-the-keyring"

    def set_password(self, service: str, username: str, password: str) -> None:
        raise NotImplementedError

    def delete_password(self, service: str, username: str) -> None:
        raise NotImplementedError


def test_the_password_comes_from_the_os_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    ring = _Keyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(ring)
    seen: dict[str, Any] = {}

    def fake_connect(**params: Any) -> Any:
        seen.update(params)
        raise central_store.psycopg.OperationalError("connection refused")

    monkeypatch.setattr(central_store.psycopg, "connect", fake_connect)
    try:
        with pytest.raises(central_store.LedgerOffline):
            central_store.connect("postgresql://tess@db.example:5433/qwtimer")
    finally:
        keyring.set_keyring(previous)
    assert ring.asked == [("qwtimer-ledger", "tess@db.example:5433")]
    assert seen["password"] == "from-the-keyring" and seen["sslmode"] == "prefer"


def test_a_ledger_written_by_a_newer_qwtimer_is_refused(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path / 'ledger.db'}"
    central_store.connect(url).close()  # the embedded ledger sets itself up
    c = central_store.connect(url, admin=True)
    c.db.execute_sql("UPDATE ledger_meta SET value = '99' WHERE key = 'schema_version'")
    c.db.execute_sql("UPDATE ledger_meta SET value = '98' WHERE key = 'schema_major'")
    c.close()
    with pytest.raises(QwtimerError, match=r"newer qwtimer \(schema 98\.1, this version"):
        central_store.connect(url)


def test_a_ledger_ahead_by_additive_steps_only_still_serves_this_qwtimer(
    tmp_path: Path,
) -> None:
    """A fleet upgrades one laptop at a time: steps older laptops may ignore do not lock
    them out (schema major.minor)."""
    url = f"sqlite://{tmp_path / 'ledger.db'}"
    central_store.connect(url).close()
    c = central_store.connect(url, admin=True)
    ahead, breaking = central_store.cs.SCHEMA_VERSION + 3, central_store.cs.SCHEMA_VERSION + 1
    c.db.execute_sql(f"UPDATE ledger_meta SET value = '{ahead}' WHERE key = 'schema_version'")
    c.close()
    central = central_store.connect(url)  # three additive steps ahead
    assert central.ledger_id
    central.close()
    c = central_store.connect(url, admin=True)
    c.db.execute_sql(f"UPDATE ledger_meta SET value = '{breaking}' WHERE key = 'schema_major'")
    c.close()
    with pytest.raises(QwtimerError, match="newer qwtimer"):
        central_store.connect(url)


def test_init_is_idempotent_on_a_sqlite_ledger(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path / 'ledger.db'}"
    assert central_store.init_ledger(url)[1] == central_store.cs.SCHEMA_VERSION
    assert central_store.init_ledger(url)[1] == central_store.cs.SCHEMA_VERSION
    c = central_store.connect(url)
    assert c.ledger_id
    c.close()
