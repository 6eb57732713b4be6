"""One HTTP request to the phone endpoint, read and judged without Qt: bytes go in as they
arrive, and out comes the one answer (status, JSON body) and, when accepted, the phone event.

Only ``POST /event`` (or ``/call``) with ``Authorization: Bearer TOKEN`` and a JSON body of at
most ``MAX_BODY_BYTES`` given by ``Content-Length`` is accepted. Everything is decided from as
few bytes as possible: a wrong path, method or token, a missing length or one over the limit
is answered from the head alone, and never more than the head's and the body's limits is
kept. Any bytes whatsoever give an answer, never an exception.
"""

from __future__ import annotations

import hmac
import json
import re
from dataclasses import dataclass, field

from qwtimer.core.phone_events import MAX_BODY_BYTES, PhoneEvent, PhoneEventError, from_json

MAX_HEAD_BYTES = 8192  # request line and headers; a phone system sends a few hundred
MAX_HEADERS = 64
PATHS = ("/event", "/call")
REASONS = {
    100: "Continue",
    200: "OK",
    202: "Accepted",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    411: "Length Required",
    413: "Content Too Large",
    431: "Request Header Fields Too Large",
    503: "Service Unavailable",
}
_END_OF_HEAD = re.compile(rb"\r?\n\r?\n")
_REQUEST_LINE = re.compile(r"([A-Z]{1,16}) (\S{1,2048}) HTTP/1\.[01]")
_TOKEN_CHARS = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


@dataclass(frozen=True)
class Answer:
    """What to send back: the status, a short JSON body, extra headers; and the event when
    the request was accepted (then and only then)."""

    status: int
    body: dict[str, str]
    headers: tuple[tuple[str, str], ...] = ()
    event: PhoneEvent | None = None

    def to_bytes(self) -> bytes:
        """The whole response; the connection is closed after it."""
        payload = (json.dumps(self.body) + "\n").encode()
        lines = [
            f"HTTP/1.1 {self.status} {REASONS.get(self.status, '')}",
            "Content-Type: application/json",
            f"Content-Length: {len(payload)}",
            "Cache-Control: no-store",
            "Connection: close",
            *(f"{k}: {v}" for k, v in self.headers),
        ]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload


def refused(status: int, message: str, *headers: tuple[str, str]) -> Answer:
    return Answer(status, {"error": message}, tuple(headers))


TIMED_OUT = refused(408, "the request did not arrive in time; send it whole at once")
BUSY = refused(503, "too many connections at once; try again in a moment")


@dataclass
class Request:
    """One request being read. ``feed`` the bytes as they arrive; ``answer`` is set once
    the request is decided, after which nothing more is taken."""

    token: str
    region: str
    buffer: bytearray = field(default_factory=bytearray)
    body_length: int | None = None  # known once the head was read and judged
    wants_continue: bool = False  # the client waits for "100 Continue" before the body
    answer: Answer | None = None

    def room(self) -> int:
        """How many more bytes this request takes (0 once decided)."""
        if self.answer is not None:
            return 0
        if self.body_length is None:
            return MAX_HEAD_BYTES + 4 - len(self.buffer)
        return self.body_length - len(self.buffer)

    def feed(self, data: bytes) -> Answer | None:
        """Take ``data`` (at most ``room()`` bytes are kept); the answer once decided."""
        if self.answer is not None:
            return self.answer
        self.buffer += data[: max(self.room(), 0)]
        if self.body_length is None:
            end = _END_OF_HEAD.search(self.buffer)
            if end is None:
                if len(self.buffer) > MAX_HEAD_BYTES:
                    self.answer = refused(431, f"the headers are over {MAX_HEAD_BYTES} bytes")
                return self.answer
            head = bytes(self.buffer[: end.start()])
            rest = bytes(self.buffer[end.end() :])
            self.answer = self._judge_head(head)
            if self.answer is not None:
                return self.answer
            self.buffer = bytearray()
            return self.feed(rest) if rest else self._finish_if_whole()
        return self._finish_if_whole()

    def _finish_if_whole(self) -> Answer | None:
        if self.body_length is not None and len(self.buffer) >= self.body_length:
            self.answer = self._judge_body(bytes(self.buffer[: self.body_length]))
        return self.answer

    def _judge_head(self, head: bytes) -> Answer | None:
        """The answer the head alone decides, or None (then ``body_length`` is set)."""
        lines = re.split(rb"\r?\n", head)
        match = _REQUEST_LINE.fullmatch(lines[0].decode("latin-1"))
        if match is None:
            return refused(400, "not an HTTP/1.1 request; POST /event with a JSON body")
        method, target = match.groups()
        if len(lines) - 1 > MAX_HEADERS:
            return refused(431, f"over {MAX_HEADERS} headers")
        headers: dict[str, list[str]] = {}
        for raw in lines[1:]:
            name, colon, value = raw.decode("latin-1").partition(":")
            if not colon or not _TOKEN_CHARS.fullmatch(name):
                return refused(400, "a header line is not 'Name: value'")
            headers.setdefault(name.lower(), []).append(value.strip())
        if target.split("?", 1)[0] not in PATHS:
            return refused(404, "nothing here; POST phone events to /event")
        if method != "POST":
            return refused(405, "only POST is accepted here", ("Allow", "POST"))
        if not self._authorised(headers.get("authorization", [])):
            return refused(
                401,
                "missing or wrong token; send Authorization: Bearer TOKEN (qwtimer's "
                "Settings shows it)",
                ("WWW-Authenticate", 'Bearer realm="qwtimer"'),
            )
        if "transfer-encoding" in headers:
            return refused(411, "send the body with a Content-Length (chunked is not accepted)")
        lengths = set(headers.get("content-length", []))
        if not lengths:
            return refused(411, "send the body with a Content-Length")
        if len(lengths) > 1 or not next(iter(lengths)).isdigit():
            return refused(400, "the Content-Length is not one number")
        length = int(next(iter(lengths)))
        if length > MAX_BODY_BYTES:
            return refused(413, f"the body is over {MAX_BODY_BYTES} bytes; send one event")
        self.body_length = length
        self.wants_continue = any(v.lower() == "100-continue" for v in headers.get("expect", []))
        return None

    def _authorised(self, values: list[str]) -> bool:
        """Exactly one ``Bearer`` credential equal to the token (compared in constant time)."""
        if len(values) != 1 or not self.token:
            return False
        scheme, _, given = values[0].partition(" ")
        if scheme.lower() != "bearer":
            return False
        return hmac.compare_digest(given.strip().encode("utf-8"), self.token.encode("utf-8"))

    def _judge_body(self, body: bytes) -> Answer:
        try:
            event = from_json(body, self.region)
        except PhoneEventError as exc:
            return refused(400, str(exc))
        accepted = {"accepted": event.event.value, "from": event.number, "id": event.call_id}
        return Answer(202, accepted, event=event)
