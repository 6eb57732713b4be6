"""The running window's door for other processes of the same user and data folder.

One window runs per user and data folder; it listens on a local socket whose address derives
from both (:func:`address`). A second ``qwtimer`` start, ``qwtimer ring`` and a
``qwtimer://`` link hand it one message each and read one reply. No Qt here: the command line
talks to the window with the standard library.

Framing: each message and each reply is one JSON object on one line (UTF-8, ending in
``\\n``), at most :data:`MAX_MESSAGE_BYTES` bytes with its newline. Anything else on the socket
is refused by :func:`decode` with :class:`MessageError` (one line saying what was wrong).

Platforms: on Linux and macOS the address is a Unix socket file in ``$XDG_RUNTIME_DIR`` (or the
temporary folder); the window's ``QLocalServer`` listens on that exact path. On Windows it is
the named pipe ``\\\\.\\pipe\\qwtimer-HASH``, which ``QLocalServer`` creates for the same name and
this client opens as a file.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import socket
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - phonenumbers is slow to load; a second start needs none
    from qwtimer.core.phone_events import PhoneEvent

MAX_MESSAGE_BYTES = 8192
CONNECT_DEADLINE_S = 10.0  # how long a started window may take to listen
SOCKET_PATH_LIMIT = 100  # sun_path is 104 (macOS) or 108 (Linux) bytes, terminator included
SHOW = "show"
EVENT = "event"


class MessageError(ValueError):
    """Bytes on the socket that are not one message; the text says why, in one line."""


class NotRunning(OSError):
    """No window listens at the address (nothing there, or a socket left by a crash)."""


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (a container's uid without passwd entry)
        return str(os.getuid()) if hasattr(os, "getuid") else "user"


def lock_path(where: str) -> str:
    """The lock file of the window at ``where`` (beside the socket; the temporary folder on
    Windows, where ``where`` is a pipe name): whoever holds it has the window."""
    if sys.platform == "win32":  # pragma: no cover - Windows only
        return str(Path(tempfile.gettempdir()) / f"{where}.lock")
    return where + ".lock"


def address(folder: Path, user: str | None = None) -> str:
    """Where the window of ``user`` (default: this one) for data folder ``folder`` listens.
    Stable for one user and one resolved folder, different for any other pair, and short
    enough for the platform's socket path limit."""
    who = user if user is not None else _user()
    digest = hashlib.sha256(f"{who}\0{folder.resolve()}".encode()).hexdigest()[:20]
    name = f"qwtimer-{digest}"
    if sys.platform == "win32":
        return name
    for base in (os.environ.get("XDG_RUNTIME_DIR", ""), tempfile.gettempdir(), "/tmp"):
        path = os.path.join(base, f"{name}.sock") if base else ""
        if path and len(path.encode()) <= SOCKET_PATH_LIMIT:
            return path
    return f"/tmp/{name}.sock"


def encode(message: dict[str, Any]) -> bytes:
    """``message`` as one line on the socket; MessageError when it is too big to send."""
    line = json.dumps(message, separators=(",", ":"), ensure_ascii=True).encode() + b"\n"
    if len(line) > MAX_MESSAGE_BYTES:
        raise MessageError(f"a message is at most {MAX_MESSAGE_BYTES} bytes; this is {len(line)}")
    return line


def decode(line: bytes) -> dict[str, Any]:
    """One received line (its newline optional) as the JSON object it holds, or
    MessageError: too long, not UTF-8, not JSON, or not an object."""
    if len(line) > MAX_MESSAGE_BYTES:
        raise MessageError(f"a message over {MAX_MESSAGE_BYTES} bytes was refused")
    try:
        data = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise MessageError("a message that is not one JSON line was refused") from None
    if not isinstance(data, dict):
        raise MessageError("a message that is not a JSON object was refused")
    return data


def show_message() -> dict[str, Any]:
    """What a second start sends: bring the window to the front."""
    return {"do": SHOW}


def event_message(event: PhoneEvent) -> dict[str, Any]:
    """What ``qwtimer ring`` and a link send: one phone event, as the window will act on it."""
    return {"do": EVENT, "event": event.event.value, "from": event.number, "id": event.call_id}


def send(where: str, message: dict[str, Any], timeout: float = 5.0) -> dict[str, Any]:
    """Send ``message`` to the window at ``where`` and return its reply. Raises NotRunning
    when no window listens there, OSError when the exchange fails, MessageError for a reply
    that is not one message."""
    data = encode(message)
    if sys.platform == "win32":  # pragma: no cover - Windows only
        return _send_pipe(where, data, timeout)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect(where)
        except (FileNotFoundError, ConnectionRefusedError) as exc:
            raise NotRunning(str(exc)) from None
        sock.sendall(data)
        return decode(_read_line(sock))


def _read_line(sock: socket.socket) -> bytes:
    got = b""
    while not got.endswith(b"\n"):
        chunk = sock.recv(4096)
        if not chunk:
            break
        got += chunk
        if len(got) > MAX_MESSAGE_BYTES:
            break
    if not got:
        raise OSError("the window closed the connection without answering")
    return got


def _send_pipe(name: str, data: bytes, timeout: float) -> dict[str, Any]:  # pragma: no cover
    deadline = time.monotonic() + timeout
    while True:
        try:
            pipe = open(rf"\\.\pipe\{name}", "r+b", buffering=0)  # noqa: SIM115
            break
        except FileNotFoundError:
            raise NotRunning(name) from None
        except OSError:  # every instance of the pipe is busy: try again shortly
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    with pipe:
        pipe.write(data)
        return decode(pipe.readline(MAX_MESSAGE_BYTES + 1))


def deliver(
    where: str,
    message: dict[str, Any],
    start: Callable[[], None] | None = None,
    deadline_s: float = CONNECT_DEADLINE_S,
) -> dict[str, Any]:
    """Send ``message`` to the running window; when none runs, call ``start`` once (it
    starts one) and keep trying until it listens or ``deadline_s`` passes, then raise
    NotRunning. Returns the window's reply."""
    started = False
    give_up = time.monotonic() + deadline_s
    while True:
        try:
            return send(where, message)
        except NotRunning:
            if start is None:
                raise
            if not started:
                start()
                started = True
                give_up = time.monotonic() + deadline_s
            elif time.monotonic() > give_up:
                raise
            time.sleep(0.05)
