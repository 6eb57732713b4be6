"""The phone endpoint's token lives in the OS keyring, made once, replaced on demand, never in
the database; without a working keyring there is one line saying so."""

from __future__ import annotations

import sqlite3

import pytest

from qwtimer.desk import phone_token
from qwtimer.desk.context import Desk
from tests.memory_keyring import MemoryKeyring, memory_keyring  # noqa: F401


def test_the_token_is_made_once_in_the_keyring_and_never_in_the_database(
    desk: Desk,
    memory_keyring: MemoryKeyring,  # noqa: F811
) -> None:
    assert phone_token.read(desk) is None
    token = phone_token.ensure(desk)
    assert len(token) >= 43 and phone_token.ensure(desk) == token
    assert memory_keyring.secrets == {("qwtimer-phone", desk.device_id): token}
    desk.close()
    dump = "\n".join(sqlite3.connect(desk.db_path).iterdump())
    assert token not in dump


def test_regenerating_replaces_the_token(
    desk: Desk,
    memory_keyring: MemoryKeyring,  # noqa: F811
) -> None:
    old = phone_token.ensure(desk)
    new = phone_token.regenerate(desk)
    assert new != old and phone_token.read(desk) == new


def test_without_a_working_keyring_one_line_says_the_endpoint_stays_off(desk: Desk) -> None:
    for attempt in (phone_token.read, phone_token.ensure, phone_token.regenerate):
        with pytest.raises(phone_token.NoKeyring, match=r"no OS keyring.*stays off") as err:
            attempt(desk)
        assert "\n" not in str(err.value)
