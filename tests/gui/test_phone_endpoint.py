"""The loopback endpoint phone systems post to: a real QTcpServer answering real clients (curl
where installed, raw sockets otherwise and for what curl cannot send). Only a whole, authorised
POST of one good event is emitted, once; everything else is answered and emits nothing."""

from __future__ import annotations

import json
import random
import shutil
import socket
import subprocess
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtNetwork import QHostAddress

from qwtimer.core.phone_events import MAX_BODY_BYTES, Event, PhoneEvent
from qwtimer.gui.phone_endpoint import PhoneEndpoint
from qwtimer.gui.phone_http import MAX_HEAD_BYTES

TOKEN = "s3cret-token_for-tests"
RING = b'{"event": "ring", "from": "+1 555 010 0100", "id": "pbx-17"}'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Endpoint:
    """A started endpoint with every event it emitted."""

    def __init__(self, qtbot: Any, stall_ms: int = 3000, max_connections: int = 16) -> None:
        self.qtbot = qtbot
        self.server = PhoneEndpoint(stall_ms=stall_ms, max_connections=max_connections)
        self.events: list[PhoneEvent] = []
        self.failures: list[str] = []
        self.server.received.connect(self.events.append)
        self.server.failed.connect(self.failures.append)
        self.port = free_port()
        self.server.start(self.port, TOKEN, "US")
        assert self.server.listening(), self.server.error

    def off_thread(self, work: Callable[[], Any], timeout: int = 10_000) -> Any:
        """Run a blocking client on a thread while the event loop serves it."""
        out: dict[str, Any] = {}

        def run() -> None:
            try:
                out["value"] = work()
            except BaseException as exc:  # handed back to the test
                out["error"] = exc

        t = threading.Thread(target=run, daemon=True)
        t.start()
        self.qtbot.waitUntil(lambda: not t.is_alive(), timeout=timeout)
        if "error" in out:
            raise out["error"]
        return out["value"]

    def raw(self, data: bytes, stall: bool = False) -> bytes:
        """Send ``data`` and read the answer until the server closes."""

        def talk() -> bytes:
            with socket.create_connection(("127.0.0.1", self.port), timeout=8) as s:
                try:
                    s.sendall(data)
                    if not stall:
                        s.shutdown(socket.SHUT_WR)
                except OSError:  # the server answered and closed while we were sending
                    pass
                got = b""
                try:
                    while chunk := s.recv(65536):
                        got += chunk
                except ConnectionResetError:
                    pass
                return got

        return bytes(self.off_thread(talk))

    def post(self, body: bytes = RING, token: str | None = TOKEN, path: str = "/event") -> bytes:
        auth = f"Authorization: Bearer {token}\r\n" if token is not None else ""
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        return self.raw(head.encode() + body)

    def settle(self) -> None:
        """Let a queued emission arrive (it is sent from the event loop)."""
        self.qtbot.wait(50)


@pytest.fixture
def endpoint(qtbot: Any) -> Iterator[Endpoint]:
    e = Endpoint(qtbot)
    yield e
    e.server.stop()


def status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def body(answer: bytes) -> dict[str, str]:
    return dict(json.loads(answer.split(b"\r\n\r\n", 1)[1]))


needs_curl = pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")


def curl(e: Endpoint, *args: str) -> tuple[int, dict[str, str]]:
    """curl as a phone system runs it: (HTTP status, JSON answer)."""
    argv = ["curl", "-sS", "-o", "-", "-w", "\n%{http_code}", "--max-time", "8", *args]

    def run() -> str:
        return subprocess.run(argv, capture_output=True, text=True, check=False).stdout

    out = str(e.off_thread(run))
    text, _, code = out.rpartition("\n")
    return int(code), json.loads(text) if text.strip() else {}


@needs_curl
def test_an_authorised_curl_post_is_accepted_and_emitted_once(endpoint: Endpoint) -> None:
    code, answer = curl(
        endpoint,
        "-X",
        "POST",
        f"http://127.0.0.1:{endpoint.port}/event",
        "-H",
        f"Authorization: Bearer {TOKEN}",
        "-H",
        "Content-Type: application/json",
        "-d",
        RING.decode(),
    )
    assert code == 202 and answer == {"accepted": "ring", "from": "+15550100100", "id": "pbx-17"}
    endpoint.qtbot.waitUntil(lambda: len(endpoint.events) == 1)
    endpoint.settle()
    assert endpoint.events == [PhoneEvent(Event.RING, "+15550100100", "pbx-17")]


@needs_curl
@pytest.mark.parametrize("auth", [[], ["-H", "Authorization: Bearer wrong-token"]])
def test_curl_without_the_right_token_gets_401_and_nothing_is_emitted(
    endpoint: Endpoint, auth: list[str]
) -> None:
    url = f"http://127.0.0.1:{endpoint.port}/event"
    code, answer = curl(endpoint, "-X", "POST", url, *auth, "-d", RING.decode())
    assert code == 401 and "Bearer TOKEN" in answer["error"]
    endpoint.settle()
    assert endpoint.events == []


def test_the_call_path_is_an_alias_and_numbers_are_read_in_the_region(
    endpoint: Endpoint,
) -> None:
    answer = endpoint.post(b'{"event": "answer", "from": "555-010-0100"}', path="/call")
    assert status(answer) == 202
    endpoint.qtbot.waitUntil(lambda: len(endpoint.events) == 1)
    assert endpoint.events[0] == PhoneEvent(Event.ANSWER, "+15550100100", "")


@pytest.mark.parametrize(
    "token", [None, "", "wrong", TOKEN + "x", TOKEN[:-1], "Basic " + TOKEN, TOKEN.upper()]
)
def test_a_missing_or_wrong_token_gets_401_and_nothing_is_emitted(
    endpoint: Endpoint, token: str | None
) -> None:
    answer = endpoint.post(token=token)
    assert status(answer) == 401
    endpoint.settle()
    assert endpoint.events == []


@pytest.mark.parametrize(
    ("sent", "says"),
    [
        (b"not json", "the body is not JSON"),
        (b"[1, 2]", "one JSON object"),
        (b'{"event": "ring"}', "no caller's number"),
        (b'{"event": "explode", "from": "+15550100100"}', "unknown event 'explode'"),
        (b'{"from": "+15550100100", "extra": 1}', "unknown field 'extra'"),
        (b"", "the body is not JSON"),
    ],
)
def test_a_bad_body_gets_400_with_the_line_saying_what_to_send(
    endpoint: Endpoint, sent: bytes, says: str
) -> None:
    answer = endpoint.post(sent)
    assert status(answer) == 400 and says in body(answer)["error"]
    endpoint.settle()
    assert endpoint.events == []


def test_a_body_over_the_limit_gets_413_from_its_length_alone(endpoint: Endpoint) -> None:
    big = b'{"from": "' + b"5" * MAX_BODY_BYTES + b'"}'
    assert status(endpoint.post(big)) == 413
    # a length announced over the limit is refused before a byte of the body arrives
    head = (
        f"POST /event HTTP/1.1\r\nAuthorization: Bearer {TOKEN}\r\n"
        "Content-Length: 999999999\r\n\r\n"
    ).encode()
    assert status(endpoint.raw(head, stall=True)) == 413
    endpoint.settle()
    assert endpoint.events == []


@pytest.mark.parametrize(
    ("request_line", "code"),
    [
        ("GET /event", 405),
        ("PUT /event", 405),
        ("DELETE /call", 405),
        ("POST /", 404),
        ("POST /events", 404),
        ("GET /admin", 404),
    ],
)
def test_another_method_gets_405_and_another_path_404(
    endpoint: Endpoint, request_line: str, code: int
) -> None:
    raw = f"{request_line} HTTP/1.1\r\nAuthorization: Bearer {TOKEN}\r\n"
    raw += f"Content-Length: {len(RING)}\r\n\r\n"
    answer = endpoint.raw(raw.encode() + RING)
    assert status(answer) == code
    if code == 405:
        assert b"Allow: POST" in answer
    endpoint.settle()
    assert endpoint.events == []


def test_a_client_that_sends_half_a_request_and_stalls_gets_408_and_is_closed(
    qtbot: Any,
) -> None:
    e = Endpoint(qtbot, stall_ms=300)
    try:
        half = f"POST /event HTTP/1.1\r\nAuthorization: Bearer {TOKEN}\r\nContent-Len".encode()
        assert status(e.raw(half, stall=True)) == 408
        head = (
            f"POST /event HTTP/1.1\r\nAuthorization: Bearer {TOKEN}\r\nContent-Length: 200\r\n\r\n"
        ).encode()
        assert status(e.raw(head + RING[:10], stall=True)) == 408  # half a body
        qtbot.waitUntil(lambda: e.server.connections == [])
        e.settle()
        assert e.events == []
    finally:
        e.server.stop()


def test_connections_over_the_cap_get_503_and_the_endpoint_serves_again_after(
    qtbot: Any,
) -> None:
    e = Endpoint(qtbot, stall_ms=2000, max_connections=2)
    held = [socket.create_connection(("127.0.0.1", e.port)) for _ in range(2)]
    try:
        qtbot.waitUntil(lambda: len(e.server.connections) == 2)
        assert status(e.post()) == 503
        for s in held:
            s.close()
        qtbot.waitUntil(lambda: e.server.connections == [])
        assert status(e.post()) == 202
        qtbot.waitUntil(lambda: len(e.events) == 1)
    finally:
        e.server.stop()


def _fuzz_requests() -> list[bytes]:
    rng = random.Random(20261130)
    auth = f"Authorization: Bearer {TOKEN}\r\n".encode()
    fixed = [
        b"",
        b"\r\n\r\n",
        b"\x00" * 64,
        b"POST /event HTTP/1.1\r\n" + b"X-Huge: " + b"a" * (MAX_HEAD_BYTES * 3) + b"\r\n\r\n",
        b"POST /event HTTP/1.1\r\n" + b"".join(b"X%d: y\r\n" % i for i in range(500)) + b"\r\n",
        b"POST /event HTTP/1.1\r\n" + auth + b"\r\n" + RING,  # no Content-Length
        b"POST /event HTTP/1.1\r\n"
        + auth
        + b"Transfer-Encoding: chunked\r\n\r\n3b\r\n"
        + RING
        + b"\r\n0\r\n\r\n",
        b"POST /event HTTP/1.1\r\n" + auth + b"Content-Length: -5\r\n\r\n" + RING,
        b"POST /event HTTP/1.1\r\n" + auth + b"Content-Length: 5\r\nContent-Length: 6\r\n\r\n",
        b"POST /event HTTP/1.1\r\n" + auth + b"Content-Length: 1e3\r\n\r\n" + RING,
        b"POST /event HTTP/1.1\r\n" + auth + b"Content-Length: 10\r\n\r\n" + b"\xff" * 10,
        b"POST /event HTTP/2.0\r\n" + auth + b"Content-Length: 0\r\n\r\n",
        b"POST /event\r\n\r\n",
        b"POST  /event HTTP/1.1\r\n\r\n",
        b"post /event HTTP/1.1\r\n" + auth + b"\r\n",
        b"POST /event HTTP/1.1\r\nAuthorization: Bearer\r\nContent-Length: 0\r\n\r\n",
        b"POST /event HTTP/1.1\r\nAuthorization: Bearer \xff\xfe\r\nContent-Length: 0\r\n\r\n",
        b"POST /event HTTP/1.1\r\n" + auth + auth + b"Content-Length: 2\r\n\r\n{}",
        b"POST /event HTTP/1.1\r\nNo colon here\r\n\r\n",
        b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(256)),  # a TLS hello
    ]
    noise = [bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 3000))) for _ in range(25)]
    return fixed + noise


def test_garbage_never_crashes_the_endpoint_and_never_emits(endpoint: Endpoint) -> None:
    for raw in _fuzz_requests():
        answer = endpoint.raw(raw)
        assert answer == b"" or status(answer) in {400, 401, 404, 405, 408, 411, 413, 431}, raw[:80]
    endpoint.settle()
    assert endpoint.events == []
    assert status(endpoint.post()) == 202  # and it still serves
    endpoint.qtbot.waitUntil(lambda: len(endpoint.events) == 1)


def test_it_listens_on_127_0_0_1_only(endpoint: Endpoint) -> None:
    assert endpoint.server.address() == QHostAddress(QHostAddress.SpecialAddress.LocalHost)
    with pytest.raises(OSError):  # another loopback address of this machine is not served
        socket.create_connection(("127.0.0.2", endpoint.port), timeout=2).close()


def test_a_port_in_use_is_told_in_one_line_and_nothing_listens(qtbot: Any) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        e = PhoneEndpoint()
        lines: list[str] = []
        e.failed.connect(lines.append)
        e.start(port, TOKEN, "US")
        assert lines == [f"port {port} is in use; choose another in Settings"]
        assert not e.listening() and e.error == lines[0]


def test_stop_closes_the_port_and_start_again_serves(endpoint: Endpoint) -> None:
    endpoint.server.stop()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", endpoint.port), timeout=2).close()
    endpoint.server.start(endpoint.port, "new-token", "US")
    assert status(endpoint.post(token=TOKEN)) == 401
    assert status(endpoint.post(token="new-token")) == 202


def test_no_token_means_the_endpoint_stays_off(qtbot: Any) -> None:
    e = PhoneEndpoint()
    e.start(free_port(), "", "US")
    assert not e.listening() and "no token" in e.error
