"""The local socket's messages: one JSON line each, with a size limit; and its address."""

from __future__ import annotations

from pathlib import Path

import pytest

from qwtimer.core.phone_events import make
from qwtimer.desk import instance_link as link


def test_a_message_is_one_json_line_and_reads_back() -> None:
    message = link.event_message(make("hold", "+1 (555) 010-0100", "c-1"))
    line = link.encode(message)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert link.decode(line) == {
        "do": "event",
        "event": "hold",
        "from": "+15550100100",
        "id": "c-1",
    }


def test_a_message_over_the_size_limit_is_neither_sent_nor_read() -> None:
    with pytest.raises(link.MessageError, match="at most"):
        link.encode({"do": "show", "pad": "x" * link.MAX_MESSAGE_BYTES})
    with pytest.raises(link.MessageError, match="over"):
        link.decode(b'{"do":"show","pad":"' + b"x" * link.MAX_MESSAGE_BYTES + b'"}\n')


@pytest.mark.parametrize("garbage", [b"\xff\xfe\n", b"hello\n", b"[1, 2]\n", b"\n", b'"show"\n'])
def test_garbage_is_refused_in_one_line(garbage: bytes) -> None:
    with pytest.raises(link.MessageError) as refused:
        link.decode(garbage)
    assert "\n" not in str(refused.value)


def test_the_address_is_one_per_user_and_data_folder_and_fits_a_socket_path(
    tmp_path: Path,
) -> None:
    a = link.address(tmp_path / "a", "tess")
    assert a == link.address(tmp_path / "a" / ".." / "a", "tess")  # the folder, resolved
    assert a != link.address(tmp_path / "b", "tess")
    assert a != link.address(tmp_path / "a", "theo")
    assert len(a.encode()) <= link.SOCKET_PATH_LIMIT


def test_nothing_listening_is_said_as_not_running(tmp_path: Path) -> None:
    with pytest.raises(link.NotRunning):
        link.send(str(tmp_path / "none.sock"), link.show_message())
    with pytest.raises(link.NotRunning):
        link.deliver(
            str(tmp_path / "none.sock"), link.show_message(), start=lambda: None, deadline_s=0.2
        )
